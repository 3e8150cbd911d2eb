"""Remote device trackers: GPS trackers with their position, network trackers as scanners.

The state stays the remote's (home, not_home or a zone name): the remote's zones decide it,
not the local ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.device_tracker.const import SourceType
from homeassistant.components.device_tracker.entity import ScannerEntity, TrackerEntity
from homeassistant.const import (
    STATE_NOT_HOME,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    EntityCategory,
    Platform,
)

from .api import RemoteState
from .coordinator import Mirror, RemoteCoordinator
from .entity import Attr, MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0


def _create(coordinator: RemoteCoordinator, mirror: Mirror) -> MirroredEntity:
    """Create a position tracker for GPS sources (or any with coordinates), else a scanner."""
    attributes = mirror.state.attributes
    source = attributes.get("source_type", SourceType.GPS)
    if source == SourceType.GPS or "latitude" in attributes:
        return RemoteTracker(coordinator, mirror)
    return RemoteScanner(coordinator, mirror)


def _degrees(limit: float) -> Callable[[Any], float]:
    """Return a converter to a coordinate within ±limit (the local zones compute with it)."""

    def _convert(value: Any) -> float:
        degrees = float(value)
        if not -limit <= degrees <= limit:
            raise ValueError(f"coordinate {degrees} outside ±{limit}")
        return degrees

    return _convert


def _source_type(state: RemoteState, default: SourceType) -> SourceType:
    value = state.attributes.get("source_type")
    return SourceType(value) if value in set(SourceType) else default


class _RemoteTrackerBase(MirroredEntity):
    """The remote's state string and entity category, whatever the platform would compute."""

    _remote_state: str | None = None

    def _apply_state(self, state: RemoteState) -> None:
        unknown = state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE)
        self._remote_state = None if unknown else state.state

    @property
    def state(self) -> str | None:
        """Return the remote's state (decided by the remote's zones)."""
        return self._remote_state

    @property
    def entity_category(self) -> EntityCategory | None:
        """Return the remote registry's category (the platform makes every tracker diagnostic)."""
        if self.mirror.registry is not None and self.mirror.registry.entity_category:
            return self._attr_entity_category
        return None


class RemoteTracker(_RemoteTrackerBase, TrackerEntity):
    """A remote tracker that reports a position (latitude, longitude, accuracy)."""

    mirrored_attributes = (
        Attr("latitude", convert=_degrees(90)),
        Attr("longitude", convert=_degrees(180)),
    )

    def _apply_state(self, state: RemoteState) -> None:
        super()._apply_state(state)
        self._attr_location_accuracy = float(state.attributes.get("gps_accuracy") or 0)
        self._attr_source_type = _source_type(state, SourceType.GPS)


class RemoteScanner(_RemoteTrackerBase, ScannerEntity):
    """A remote network tracker: connected unless the remote says not_home."""

    mirrored_attributes = (
        Attr("ip_address", "ip"),
        Attr("mac_address", "mac"),
        Attr("hostname", "host_name"),
    )

    def _apply_state(self, state: RemoteState) -> None:
        super()._apply_state(state)
        self._attr_source_type = _source_type(state, SourceType.ROUTER)

    @property
    def unique_id(self) -> str | None:
        """Return the mirror's id (the platform would use the MAC address)."""
        return self._attr_unique_id

    @property
    def entity_registry_enabled_default(self) -> bool:
        """Enable it: the remote already tracks this device."""
        return True

    @property
    def is_connected(self) -> bool | None:
        """Return whether the remote sees the device (home or in a zone)."""
        if self._remote_state is None:
            return None
        return self._remote_state != STATE_NOT_HOME


async_setup_entry = mirrored_platform(Platform.DEVICE_TRACKER, _create)
