"""Diagnostic entities of the link itself, on the hub device: connectivity, latency, certificate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfTime
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.util import dt as dt_util

from .api import ConnectionFailure
from .const import CONF_CERT_NOT_AFTER, DOMAIN
from .coordinator import RemoteCoordinator


def _certificate_expiry(coordinator: RemoteCoordinator) -> datetime | None:
    value = coordinator.entry.data.get(CONF_CERT_NOT_AFTER)
    return dt_util.parse_datetime(value) if value else None


def _latency(coordinator: RemoteCoordinator) -> float | None:
    latency = coordinator.websocket.latency
    if latency is None or not coordinator.connected:
        return None  # a round trip measured before the link dropped says nothing now
    return round(latency * 1000, 1)


def _reasons(error_type: type[ConnectionFailure]) -> set[str]:
    return {error_type.reason}.union(*(_reasons(sub) for sub in error_type.__subclasses__()))


NO_ERROR = "none"
LINK_ERRORS = [NO_ERROR, *sorted(_reasons(ConnectionFailure) - {ConnectionFailure.reason})]


def _last_error(coordinator: RemoteCoordinator) -> str:
    error = coordinator.websocket.last_error
    return error.reason if error is not None else NO_ERROR


@dataclass(frozen=True, kw_only=True)
class ConnectionSensorDescription(SensorEntityDescription):
    """A sensor about the link."""

    value_fn: Callable[[RemoteCoordinator], Any]


CONNECTION_SENSORS = (
    ConnectionSensorDescription(
        key="latency",
        translation_key="latency",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        entity_registry_enabled_default=False,  # changes with every heartbeat
        value_fn=_latency,
    ),
    ConnectionSensorDescription(
        key="certificate_expiry",
        translation_key="certificate_expiry",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_certificate_expiry,
    ),
    ConnectionSensorDescription(
        key="remote_version",
        translation_key="remote_version",
        value_fn=lambda coordinator: coordinator.remote_config.get("version"),
    ),
    ConnectionSensorDescription(
        key="last_error",
        translation_key="last_error",
        device_class=SensorDeviceClass.ENUM,
        options=LINK_ERRORS,
        value_fn=_last_error,
    ),
)
STATISTICS_IMPORT = ConnectionSensorDescription(
    key="statistics_import",
    translation_key="statistics_import",
    native_unit_of_measurement=PERCENTAGE,
    # No state class: the progress of an import has no long-term statistics of its own.
    value_fn=lambda coordinator: (
        coordinator.statistics.progress.percent if coordinator.statistics is not None else None
    ),
)
CONNECTIVITY = BinarySensorEntityDescription(
    key="connectivity",
    translation_key="connectivity",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
)


class ConnectionEntity(Entity):
    """An entity of the hub device, updated when the link changes and every heartbeat."""

    _attr_should_poll = False
    _attr_has_entity_name = True
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, coordinator: RemoteCoordinator, key: str) -> None:
        """Attach to the hub device."""
        self.coordinator = coordinator
        # An underscore, not the dash of mirrored entities' ids: never taken for a stale mirror.
        self._attr_unique_id = f"{coordinator.entry_id}_connection_{key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, coordinator.entry_id)})

    async def async_added_to_hass(self) -> None:
        """Follow the link's status."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.async_add_status_listener(self._status_changed))

    @callback
    def _status_changed(self) -> None:
        self.async_write_ha_state()


class ConnectionSensor(ConnectionEntity, SensorEntity):
    """Latency, certificate expiry, remote version or last error."""

    entity_description: ConnectionSensorDescription

    def __init__(
        self, coordinator: RemoteCoordinator, description: ConnectionSensorDescription
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> Any:
        """Read the value from the link."""
        return self.entity_description.value_fn(self.coordinator)


class StatisticsImportSensor(ConnectionSensor):
    """How far the import of the remote's long-term statistics is (only with a recorder)."""

    def __init__(self, coordinator: RemoteCoordinator) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, STATISTICS_IMPORT)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Statistics and hours imported, when the last run started and ended, its error."""
        if (statistics := self.coordinator.statistics) is None:
            return None
        return statistics.progress.as_dict()


class ConnectivitySensor(ConnectionEntity, BinarySensorEntity):
    """Whether the link is up."""

    entity_description = CONNECTIVITY

    def __init__(self, coordinator: RemoteCoordinator) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, CONNECTIVITY.key)

    @property
    def is_on(self) -> bool:
        """Return whether the link is up."""
        return self.coordinator.connected
