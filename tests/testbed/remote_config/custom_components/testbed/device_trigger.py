"""Button presses of the remote control: events of the integration, no entity."""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import probatio as vol

from .remote_control import BUTTON_EVENT, BUTTONS, DOMAIN, device_id

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required("type"): "short_press", vol.Required("subtype"): vol.In(BUTTONS)}
)


async def async_get_triggers(hass: HomeAssistant, device: str) -> list[dict[str, Any]]:
    """A short press of each button."""
    if device != device_id(hass):
        return []
    return [
        {
            "platform": "device",
            "domain": DOMAIN,
            "device_id": device,
            "type": "short_press",
            "subtype": button,
        }
        for button in BUTTONS
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the button's press event."""
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            "platform": "event",
            "event_type": BUTTON_EVENT,
            "event_data": {"device_id": config["device_id"], "button": config["subtype"]},
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
