"""Actions: call a service or fire an event on the remote, and reconnect now."""

from __future__ import annotations

from typing import Any

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import (
    async_get_config_entry,
    async_register_admin_service,
)
import probatio as vol

from .const import DOMAIN
from .coordinator import RemoteCoordinator

ATTR_DOMAIN = "domain"
ATTR_SERVICE = "service"
ATTR_TARGET = "target"
ATTR_DATA = "data"
ATTR_EVENT_TYPE = "event_type"
ATTR_EVENT_DATA = "event_data"

_ENTRY = vol.Optional(ATTR_CONFIG_ENTRY_ID)
CALL_SERVICE_SCHEMA = vol.Schema(
    {
        _ENTRY: cv.string,
        vol.Required(ATTR_DOMAIN): cv.string,
        vol.Required(ATTR_SERVICE): cv.string,
        vol.Optional(ATTR_TARGET): dict,
        vol.Optional(ATTR_DATA): dict,
    }
)
FIRE_EVENT_SCHEMA = vol.Schema(
    {
        _ENTRY: cv.string,
        vol.Required(ATTR_EVENT_TYPE): cv.string,
        vol.Optional(ATTR_EVENT_DATA): dict,
    }
)
RECONNECT_SCHEMA = vol.Schema({_ENTRY: cv.string})


def _coordinator(call: ServiceCall) -> RemoteCoordinator:
    entry = async_get_config_entry(call.hass, DOMAIN, call.data.get(ATTR_CONFIG_ENTRY_ID))
    coordinator: RemoteCoordinator = entry.runtime_data
    return coordinator


async def _async_call_service(call: ServiceCall) -> ServiceResponse:
    response = await _coordinator(call).async_call_service(
        call.data[ATTR_DOMAIN],
        call.data[ATTR_SERVICE],
        call.data.get(ATTR_DATA),
        call.data.get(ATTR_TARGET),
        return_response=call.return_response,
    )
    if not call.return_response:
        return None
    return response if isinstance(response, dict) else {"response": response}


async def _async_fire_event(call: ServiceCall) -> None:
    message: dict[str, Any] = {"type": "fire_event", "event_type": call.data[ATTR_EVENT_TYPE]}
    if event_data := call.data.get(ATTR_EVENT_DATA):
        message["event_data"] = event_data
    await _coordinator(call).async_command(message)


async def _async_reconnect(call: ServiceCall) -> None:
    await _coordinator(call).websocket.reconnect()


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions: admin only (the remote token is an administrator's)."""
    async_register_admin_service(
        hass,
        DOMAIN,
        "call_service",
        _async_call_service,
        CALL_SERVICE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    async_register_admin_service(hass, DOMAIN, "fire_event", _async_fire_event, FIRE_EVENT_SCHEMA)
    async_register_admin_service(hass, DOMAIN, "reconnect", _async_reconnect, RECONNECT_SCHEMA)
