"""Remote switches, input_booleans, automations and scripts (on = running)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import RemoteState
from .coordinator import RemoteMtlsConfigEntry
from .entity import RemoteEntity, async_setup_mirrors, on_off

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RemoteMtlsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Mirror remote switches and the helpers that act like one."""
    async_setup_mirrors(entry.runtime_data, Platform.SWITCH, async_add_entities, RemoteSwitch)


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
