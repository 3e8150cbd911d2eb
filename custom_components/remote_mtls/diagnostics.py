"""Diagnostics of a link: connection, TLS, certificate, remote, mirror counts; secrets redacted."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .const import CONF_SECRET_KEY
from .coordinator import RemoteCoordinator, RemoteMtlsConfigEntry
from .devices import remote_device_id

REDACTED_KEYS = {
    CONF_URL,
    CONF_SECRET_KEY,
    "external_url",
    "internal_url",
    "latitude",
    "longitude",
    "elevation",
    "location_name",
    "title",
    "serial_number",
    "connections",
    "identifiers",
    "configuration_url",
    "unique_id",
}


def _certificate(coordinator: RemoteCoordinator) -> dict[str, Any] | None:
    identity = coordinator.identity
    if identity is None:
        return None
    return {
        "subject": identity.subject,
        "issuer": identity.issuer,
        "not_before": identity.not_before.isoformat(),
        "not_after": identity.not_after.isoformat(),
        "fingerprint_sha256": identity.fingerprint_sha256,
        "key_type": identity.key_type,
        "allows_client_auth": identity.allows_client_auth,
        "intermediates": len(identity.intermediates),
        "ca_certificates": len(identity.ca_certificates),
    }


def _connection(coordinator: RemoteCoordinator) -> dict[str, Any]:
    websocket = coordinator.websocket
    return {
        "state": websocket.state,
        "reconnects": websocket.reconnects,
        "latency_ms": round(websocket.latency * 1000, 2) if websocket.latency else None,
        "tls_version": websocket.tls_version,
        "tls_cipher": websocket.tls_cipher,
        "timings": asdict(websocket.timings),
        "recent_errors": [
            {"time": time, "reason": reason, "detail": detail}
            for time, reason, detail in coordinator.recent_errors
        ],
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: RemoteMtlsConfigEntry
) -> dict[str, Any]:
    """Return what helps to debug a link, without secrets or the remote's address."""
    coordinator = entry.runtime_data
    config = coordinator.remote_config
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "connection": _connection(coordinator),
            "certificate": _certificate(coordinator),
            "remote": {
                "version": config.get("version"),
                "state": config.get("state"),
                "location_name": config.get("location_name"),
                "time_zone": config.get("time_zone"),
                "unit_system": config.get("unit_system"),
                "components": len(config.get("components") or ()),
            },
            "mirror": {
                "entities": len(coordinator.mirrors),
                "per_remote_domain": dict(
                    sorted(Counter(m.domain for m in coordinator.mirrors.values()).items())
                ),
                "per_local_platform": dict(
                    sorted(Counter(str(m.platform) for m in coordinator.mirrors.values()).items())
                ),
                "remote_devices": len(coordinator.registries.devices),
                "remote_areas": len(coordinator.registries.areas),
            },
            "statistics": (
                coordinator.statistics.progress.as_dict()
                if coordinator.statistics is not None
                else None
            ),
        },
        REDACTED_KEYS,
    )


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: RemoteMtlsConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Return the remote device behind a local device and what of it is mirrored."""
    coordinator = entry.runtime_data
    remote_id = remote_device_id(entry.entry_id, device)
    remote = coordinator.registries.devices.get(remote_id or "")
    mirrors = [
        mirror
        for mirror in coordinator.mirrors.values()
        if remote_id and mirror.registry is not None and mirror.registry.device_id == remote_id
    ]
    return async_redact_data(
        {
            "hub": remote_id is None,
            "remote_device": asdict(remote) if remote is not None else None,
            "entities": [
                {
                    "remote_entity_id": mirror.entity_id,
                    "platform": str(mirror.platform),
                    "state": mirror.state.state,
                    "attributes": sorted(mirror.state.attributes),
                }
                for mirror in mirrors
            ],
        },
        REDACTED_KEYS,
    )
