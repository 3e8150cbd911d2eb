"""Device actions of mirrored devices: the remote device's own, run on the remote."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
import probatio

from .api import execute_action
from .errors import translated_errors
from .remote_automations import (
    REMOTE_SCHEMA,
    async_capabilities,
    async_list,
    require_device_link,
    to_remote,
)

ACTION_SCHEMA = cv.DEVICE_ACTION_BASE_SCHEMA.extend(REMOTE_SCHEMA, extra=probatio.ALLOW_EXTRA)


async def async_get_actions(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """List the remote device's actions."""
    return await async_list(hass, "action", device_id)


async def async_get_action_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, probatio.Schema]:
    """Return the remote action's extra fields."""
    return await async_capabilities(hass, "action", config)


async def async_call_action_from_config(
    hass: HomeAssistant,
    config: ConfigType,
    variables: dict[str, Any],
    context: Context | None,
) -> None:
    """Run the action on the remote; fails at once while the link is down."""
    link = require_device_link(hass, config["device_id"])
    with translated_errors(f"{config['remote_domain']}.{config.get('type')}"):
        await execute_action(link.coordinator.websocket, to_remote(link, config))
