"""Remote selects and input_selects: options and the selected option."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform

from .api import RemoteState
from .entity import MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0


class RemoteSelect(MirroredEntity, SelectEntity):
    """select_option of the remote domain; first/last/next/previous resolve locally to it."""

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_options = [str(option) for option in state.attributes.get("options") or ()]
        unset = state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE)
        self._attr_current_option = None if unset else state.state

    async def async_select_option(self, option: str) -> None:
        """Select the option on the remote."""
        await self._async_call("select_option", {"option": option})


async_setup_entry = mirrored_platform(Platform.SELECT, RemoteSelect)
