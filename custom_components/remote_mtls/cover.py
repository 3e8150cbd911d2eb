"""Remote covers: open/close/stop with speeds, position, tilt, and moving states."""

from __future__ import annotations

from typing import Any

from homeassistant.components.cover import CoverEntity, CoverEntityFeature, CoverState
from homeassistant.const import Platform

from .api import RemoteState
from .entity import Attr, MirroredEntity, as_list, mirrored_platform

PARALLEL_UPDATES = 0


def closed_from_state(state: RemoteState) -> bool | None:
    """Return the remote `is_closed` attribute, else whether the state is closed/open."""
    if (closed := state.attributes.get("is_closed")) is not None:
        return bool(closed)
    if state.state == CoverState.CLOSED:
        return True
    return False if state.state == CoverState.OPEN else None


class RemoteCover(MirroredEntity, CoverEntity):
    """A remote cover; toggles are left to the remote, which knows its last direction."""

    feature_type = CoverEntityFeature
    mirrored_attributes = (
        Attr("current_cover_position", "current_position"),
        Attr("current_cover_tilt_position", "current_tilt_position"),
        Attr("supported_speeds", convert=as_list),
    )

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_is_opening = state.state == CoverState.OPENING
        self._attr_is_closing = state.state == CoverState.CLOSING
        self._attr_is_closed = closed_from_state(state)

    async def async_open_cover(self, **kwargs: Any) -> None:
        """Open the remote cover (speed)."""
        await self._async_call("open_cover", kwargs)

    async def async_close_cover(self, **kwargs: Any) -> None:
        """Close the remote cover (speed)."""
        await self._async_call("close_cover", kwargs)

    async def async_set_cover_position(self, **kwargs: Any) -> None:
        """Move the remote cover (position, speed)."""
        await self._async_call("set_cover_position", kwargs)

    async def async_stop_cover(self, **kwargs: Any) -> None:
        """Stop the remote cover."""
        await self._async_call("stop_cover")

    async def async_toggle(self, **kwargs: Any) -> None:
        """Toggle the remote cover."""
        await self._async_call("toggle")

    async def async_open_cover_tilt(self, **kwargs: Any) -> None:
        """Open the remote cover's tilt."""
        await self._async_call("open_cover_tilt")

    async def async_close_cover_tilt(self, **kwargs: Any) -> None:
        """Close the remote cover's tilt."""
        await self._async_call("close_cover_tilt")

    async def async_set_cover_tilt_position(self, **kwargs: Any) -> None:
        """Move the remote cover's tilt (tilt_position)."""
        await self._async_call("set_cover_tilt_position", kwargs)

    async def async_stop_cover_tilt(self, **kwargs: Any) -> None:
        """Stop the remote cover's tilt."""
        await self._async_call("stop_cover_tilt")

    async def async_toggle_tilt(self, **kwargs: Any) -> None:
        """Toggle the remote cover's tilt."""
        await self._async_call("toggle_cover_tilt")


async_setup_entry = mirrored_platform(Platform.COVER, RemoteCover)
