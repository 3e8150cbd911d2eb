"""Local devices of a link: the hub (the remote Home Assistant) and mirrors of remote devices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo

from .api import RegistryDevice, RegistryName
from .const import DOMAIN
from .scoped_ids import remote_id_of, scoped_id


def remote_device_id(entry_id: str, device: dr.BaseDeviceEntry) -> str | None:
    """Return the remote device id behind a local device (None for the hub)."""
    for domain, identifier in device.identifiers:
        if domain == DOMAIN and (remote_id := remote_id_of(entry_id, identifier)) is not None:
            return remote_id
    return None


def mirrored_device_info(
    entry_id: str,
    device: RegistryDevice,
    areas: Mapping[str, RegistryName],
    hub_device_id: str | None,
) -> DeviceInfo:
    """Describe the local mirror of a remote device, linked to the hub."""
    info = DeviceInfo(
        identifiers={(DOMAIN, scoped_id(entry_id, device.id))},
        name=device.display_name,
        manufacturer=device.manufacturer,
        model=device.model,
        model_id=device.model_id,
        sw_version=device.sw_version,
        hw_version=device.hw_version,
        serial_number=device.serial_number,
    )
    if (area := areas.get(device.area_id or "")) is not None:
        info["suggested_area"] = area.name
    if hub_device_id is not None:
        info["via_device_id"] = hub_device_id
    return info


def register_hub_device(
    hass: HomeAssistant, entry: ConfigEntry[Any], remote_config: dict[str, Any]
) -> str:
    """Create (or update) the device standing for the remote Home Assistant; return its id."""
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        name=remote_config.get("location_name") or entry.title,
        manufacturer="Home Assistant",
        model="Remote Home Assistant",
        sw_version=remote_config.get("version"),
        configuration_url=entry.data[CONF_URL],
        entry_type=DeviceEntryType.SERVICE,
    )
    return device.id


class DeviceSync:
    """Keeps mirrored devices in step with the remote's device registry."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, devices: Mapping[str, RegistryDevice]
    ) -> None:
        """Remember the remote areas the devices start in (only later moves are followed)."""
        self.hass = hass
        self.entry_id = entry_id
        self._remote_areas = {device_id: d.area_id for device_id, d in devices.items()}

    def sync(
        self,
        devices: Mapping[str, RegistryDevice],
        areas: Mapping[str, RegistryName],
        used: set[str],
        enabled: bool,
    ) -> None:
        """Follow remote renames and area moves; drop devices no mirror uses any more."""
        device_registry = dr.async_get(self.hass)
        for device in dr.async_entries_for_config_entry(device_registry, self.entry_id):
            if (remote_id := remote_device_id(self.entry_id, device)) is None:
                continue
            remote = devices.get(remote_id)
            if remote is None or not enabled or remote_id not in used:
                device_registry.async_remove_device(device.id)
                continue
            changes: dict[str, Any] = {
                "name": remote.display_name,
                "manufacturer": remote.manufacturer,
                "model": remote.model,
                "sw_version": remote.sw_version,
                "hw_version": remote.hw_version,
            }
            area_id = remote.area_id
            if area_id != self._remote_areas.get(remote_id):
                self._remote_areas[remote_id] = area_id
                area = areas.get(area_id or "")
                changes["area_id"] = (
                    ar.async_get(self.hass).async_get_or_create(area.name).id if area else None
                )
            device_registry.async_update_device(device.id, **changes)
