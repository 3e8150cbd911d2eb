"""Set the battery level: an action with an extra field."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
import probatio as vol

from .remote_control import DOMAIN, device_id, level_capabilities

ACTION_SCHEMA = cv.DEVICE_ACTION_BASE_SCHEMA.extend(
    {vol.Required("type"): "set_battery", vol.Required("level"): vol.Coerce(float)}
)


async def async_get_actions(hass: HomeAssistant, device: str) -> list[dict[str, Any]]:
    """Set the battery level."""
    if device != device_id(hass):
        return []
    return [{"domain": DOMAIN, "device_id": device, "type": "set_battery"}]


async def async_get_action_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """The level, as a number."""
    return level_capabilities()


async def async_call_action_from_config(
    hass: HomeAssistant, config: ConfigType, variables: dict[str, Any], context: Context | None
) -> None:
    """Set it."""
    hass.data["testbed_battery"].set_level(float(config["level"]))
