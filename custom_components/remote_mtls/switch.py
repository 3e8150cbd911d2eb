"""Remote switches, input_booleans, automations and scripts (on = running)."""

from __future__ import annotations

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import Platform

from .api import RemoteState
from .entity import RemoteOnOff, mirrored_platform, on_off

PARALLEL_UPDATES = 0


class RemoteSwitch(RemoteOnOff, SwitchEntity):
    """turn_on / turn_off of the remote domain (switch, input_boolean, automation, script)."""

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_is_on = on_off(state.state)


async_setup_entry = mirrored_platform(Platform.SWITCH, RemoteSwitch)
