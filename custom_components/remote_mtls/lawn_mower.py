"""Remote lawn mowers: activity; start mowing, pause, dock and stop."""

from __future__ import annotations

from homeassistant.components.lawn_mower import LawnMowerEntity
from homeassistant.components.lawn_mower.const import LawnMowerActivity, LawnMowerEntityFeature
from homeassistant.const import Platform

from .api import RemoteState
from .entity import MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0


class RemoteLawnMower(MirroredEntity, LawnMowerEntity):
    """A remote lawn mower."""

    feature_type = LawnMowerEntityFeature

    def _apply_state(self, state: RemoteState) -> None:
        try:
            self._attr_activity = LawnMowerActivity(state.state)
        except ValueError:
            self._attr_activity = None

    async def async_start_mowing(self) -> None:
        """Start or resume mowing."""
        await self._async_call("start_mowing")

    async def async_pause(self) -> None:
        """Pause the remote mower."""
        await self._async_call("pause")

    async def async_dock(self) -> None:
        """Send the remote mower to its dock."""
        await self._async_call("dock")

    async def async_stop(self) -> None:
        """Stop the remote mower."""
        await self._async_call("stop")


async_setup_entry = mirrored_platform(Platform.LAWN_MOWER, RemoteLawnMower)
