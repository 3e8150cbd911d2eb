"""System health: how many links are up and how fast they answer."""

from __future__ import annotations

from typing import Any

from homeassistant.components import system_health
from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN
from .coordinator import RemoteCoordinator


@callback
def async_register(hass: HomeAssistant, register: system_health.SystemHealthRegistration) -> None:
    """Register the info callback."""
    register.async_register_info(system_health_info)


async def system_health_info(hass: HomeAssistant) -> dict[str, Any]:
    """Return the links' state (no addresses: the page may be shared)."""
    coordinators: list[RemoteCoordinator] = [
        entry.runtime_data
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        if isinstance(entry.runtime_data, RemoteCoordinator)
    ]
    latencies = [
        round(coordinator.websocket.latency * 1000, 1)
        for coordinator in coordinators
        if coordinator.websocket.latency is not None
    ]
    return {
        "links": len(coordinators),
        "links_connected": sum(coordinator.connected for coordinator in coordinators),
        "mirrored_entities": sum(len(coordinator.mirrors) for coordinator in coordinators),
        "latency_ms": max(latencies) if latencies else "-",
    }
