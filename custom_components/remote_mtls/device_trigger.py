"""Device triggers of mirrored devices: the remote device's own, run on the remote."""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.core import HomeAssistant
from homeassistant.helpers.typing import ConfigType
import probatio

from .remote_automations import REMOTE_SCHEMA, async_capabilities, async_list
from .trigger_relay import async_attach_trigger

__all__ = [
    "TRIGGER_SCHEMA",
    "async_attach_trigger",
    "async_get_trigger_capabilities",
    "async_get_triggers",
]

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(REMOTE_SCHEMA, extra=probatio.ALLOW_EXTRA)


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """List the remote device's triggers."""
    return await async_list(hass, "trigger", device_id)


async def async_get_trigger_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, probatio.Schema]:
    """Return the remote trigger's extra fields."""
    return await async_capabilities(hass, "trigger", config)
