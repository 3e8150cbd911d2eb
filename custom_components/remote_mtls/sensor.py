"""Remote sensors, and the read-only fallback for remote domains without a local platform."""

from __future__ import annotations

from dataclasses import replace
import logging
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.const import (
    MAX_LENGTH_STATE_STATE,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import RemoteState
from .coordinator import RemoteMtlsConfigEntry
from .entity import Attr, MirroredEntity, as_list, async_setup_mirrors
from .link_entities import CONNECTION_SENSORS, ConnectionSensor, StatisticsImportSensor

PARALLEL_UPDATES = 0
_LOGGER = logging.getLogger(__name__)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RemoteMtlsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Mirror remote sensors and every remote domain nothing else mirrors."""
    coordinator = entry.runtime_data
    async_add_entities(
        ConnectionSensor(coordinator, description)
        for description in CONNECTION_SENSORS
        if description.key != "certificate_expiry" or coordinator.identity is not None
    )
    if coordinator.statistics is not None or "recorder" in hass.config.components:
        async_add_entities([StatisticsImportSensor(coordinator)])
    async_setup_mirrors(
        coordinator,
        Platform.SENSOR,
        lambda coordinator, mirror: (
            RemoteSensor if mirror.domain == "sensor" else RemoteFallbackSensor
        )(coordinator, mirror),
    )


def _sensor_value(state: RemoteState, device_class: Any, numeric: bool) -> Any:
    value = state.state
    if value in (STATE_UNKNOWN, STATE_UNAVAILABLE):
        return None
    if device_class == SensorDeviceClass.TIMESTAMP:
        return dt_util.parse_datetime(value)
    if device_class == SensorDeviceClass.DATE:
        return dt_util.parse_date(value)
    if numeric:
        try:
            float(value)
        except ValueError:
            _LOGGER.debug("%s: non-numeric state %r shown as unknown", state.entity_id, value)
            return None
    return value


class RemoteSensor(MirroredEntity, SensorEntity):
    """A remote sensor: value, unit, device and state class, display precision."""

    mirrored_attributes = (
        Attr("native_unit_of_measurement", "unit_of_measurement"),
        Attr("state_class"),
        Attr("options", convert=as_list),
    )

    def _apply_state(self, state: RemoteState) -> None:
        registry = self.mirror.registry
        options = registry.domain_options("sensor") if registry is not None else {}
        precision = options.get("display_precision", options.get("suggested_display_precision"))
        self._attr_suggested_display_precision = precision
        numeric = bool(self._attr_native_unit_of_measurement or self._attr_state_class)
        if self._attr_device_class == SensorDeviceClass.ENUM or self._attr_options:
            numeric = False
        self._attr_native_value = _sensor_value(state, self._attr_device_class, numeric)


class RemoteFallbackSensor(MirroredEntity, SensorEntity):
    """Any other remote entity: its state (cut to 255 characters) and all its attributes."""

    def _apply(self, state: RemoteState) -> None:
        super()._apply(replace(state, state=state.state[:MAX_LENGTH_STATE_STATE]))

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_device_class = None
        value = state.state
        self._attr_native_value = None if value in (STATE_UNKNOWN, STATE_UNAVAILABLE) else value
