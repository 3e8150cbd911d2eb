"""Remote valves: open/close/stop, position, and moving states."""

from __future__ import annotations

from homeassistant.components.valve.const import ValveEntityFeature, ValveState
from homeassistant.components.valve.entity import ValveEntity
from homeassistant.const import Platform

from .api import RemoteState
from .cover import closed_from_state
from .entity import Attr, MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0


class RemoteValve(MirroredEntity, ValveEntity):
    """A remote valve; toggles are left to the remote, which knows its last direction."""

    feature_type = ValveEntityFeature
    mirrored_attributes = (Attr("current_valve_position", "current_position"),)

    def _apply_state(self, state: RemoteState) -> None:
        # The remote shows `current_position` (even None) exactly when it reports a position;
        # SET_POSITION alone does not say so, and a wrong guess turns the state unknown.
        self._attr_reports_position = "current_position" in state.attributes
        self._attr_is_opening = state.state == ValveState.OPENING
        self._attr_is_closing = state.state == ValveState.CLOSING
        self._attr_is_closed = closed_from_state(state)

    async def async_open_valve(self) -> None:
        """Open the remote valve."""
        await self._async_call("open_valve")

    async def async_close_valve(self) -> None:
        """Close the remote valve."""
        await self._async_call("close_valve")

    async def async_set_valve_position(self, position: int) -> None:
        """Move the remote valve."""
        await self._async_call("set_valve_position", {"position": position})

    async def async_stop_valve(self) -> None:
        """Stop the remote valve."""
        await self._async_call("stop_valve")

    async def async_toggle(self) -> None:
        """Toggle the remote valve."""
        await self._async_call("toggle")


async_setup_entry = mirrored_platform(Platform.VALVE, RemoteValve)
