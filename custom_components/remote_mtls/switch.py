"""Remote switches, input_booleans, automations and scripts (on = running)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import Platform

from .api import RemoteState
from .entity import RemoteEntity, mirrored_platform, on_off

PARALLEL_UPDATES = 0


class RemoteSwitch(RemoteEntity, SwitchEntity):
    """turn_on / turn_off of the remote domain (switch, input_boolean, automation, script)."""

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_is_on = on_off(state.state)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the remote entity on (runs a script, enables an automation)."""
        await self._async_call("turn_on")

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the remote entity off."""
        await self._async_call("turn_off")


async_setup_entry = mirrored_platform(Platform.SWITCH, RemoteSwitch)
