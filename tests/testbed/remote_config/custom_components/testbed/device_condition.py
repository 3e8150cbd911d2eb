"""Battery below a level: a condition with an extra field."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.condition import ConditionCheckerType
from homeassistant.helpers.typing import ConfigType, TemplateVarsType
import probatio as vol

from .remote_control import DOMAIN, battery, device_id, level_capabilities

CONDITION_SCHEMA = cv.DEVICE_CONDITION_BASE_SCHEMA.extend(
    {vol.Required("type"): "battery_below", vol.Required("level"): vol.Coerce(float)}
)


async def async_get_conditions(hass: HomeAssistant, device: str) -> list[dict[str, Any]]:
    """Battery below a level."""
    if device != device_id(hass):
        return []
    return [{"condition": "device", "domain": DOMAIN, "device_id": device, "type": "battery_below"}]


async def async_get_condition_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """The level, as a number."""
    return level_capabilities()


def async_condition_from_config(hass: HomeAssistant, config: ConfigType) -> ConditionCheckerType:
    """Check the battery."""
    level = float(config["level"])

    def _check(hass: HomeAssistant, variables: TemplateVarsType = None) -> bool:
        return battery(hass) < level

    return _check
