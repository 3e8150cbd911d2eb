"""The remote control's battery (its device is mirrored through this entity)."""

from __future__ import annotations

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import PERCENTAGE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .remote_control import IDENTIFIER


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the battery sensor."""
    async_add_entities([RemoteControlBattery()])


class RemoteControlBattery(SensorEntity):
    """Battery level; the device action sets it."""

    _attr_has_entity_name = True
    _attr_name = "Battery"
    _attr_unique_id = "garden_remote_battery"
    _attr_device_class = SensorDeviceClass.BATTERY
    _attr_native_unit_of_measurement = PERCENTAGE
    _attr_native_value = 80
    _attr_device_info = DeviceInfo(identifiers={IDENTIFIER})
    _attr_should_poll = False

    async def async_added_to_hass(self) -> None:
        """Let the device action reach this entity."""
        self.hass.data["testbed_battery"] = self

    def set_level(self, level: float) -> None:
        """Set the level (the device action)."""
        self._attr_native_value = level
        self.async_write_ha_state()
