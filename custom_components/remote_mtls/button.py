"""Remote buttons and input_buttons."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import RemoteMtlsConfigEntry
from .entity import RemoteEntity, async_setup_mirrors

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RemoteMtlsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Mirror remote buttons."""
    async_setup_mirrors(entry.runtime_data, Platform.BUTTON, async_add_entities, RemoteButton)


class RemoteButton(RemoteEntity, ButtonEntity):
    """Pressing it presses the remote button."""

    async def async_press(self) -> None:
        """Press the remote button."""
        await self._async_call("press")
