"""Remote binary sensors."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import RemoteState
from .coordinator import RemoteMtlsConfigEntry
from .entity import MirroredEntity, async_setup_mirrors, on_off
from .link_entities import ConnectivitySensor

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RemoteMtlsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Mirror remote binary sensors."""
    async_add_entities([ConnectivitySensor(entry.runtime_data)])
    async_setup_mirrors(entry.runtime_data, Platform.BINARY_SENSOR, RemoteBinarySensor)


class RemoteBinarySensor(MirroredEntity, BinarySensorEntity):
    """A remote binary sensor."""

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_is_on = on_off(state.state)
