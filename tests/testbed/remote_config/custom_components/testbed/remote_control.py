"""A battery remote control, like a Zigbee one: button presses are events of its integration.

Its device has its own triggers (button presses, which belong to no entity), a condition
(battery below a level) and an action (set the battery level) with extra fields.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, selector
import probatio as vol

DOMAIN = "testbed"
IDENTIFIER = (DOMAIN, "garden_remote")
BUTTON_EVENT = "testbed_button"
BUTTONS = ("button_1", "button_2")
BATTERY_ENTITY = "sensor.garden_remote_battery"


def device_id(hass: HomeAssistant) -> str | None:
    """The remote control's device id."""
    entries = hass.config_entries.async_entries(DOMAIN)
    if not entries:
        return None
    device = dr.async_get(hass).async_get_device_by_identifier(IDENTIFIER, entries[0].entry_id)
    return device.id if device else None


def register(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Register the remote control's device."""
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={IDENTIFIER},
        name="Garden remote",
        manufacturer="Test bed",
        model="Four-button remote",
    )


def battery(hass: HomeAssistant) -> float:
    """The battery level the remote control reports."""
    state = hass.states.get(BATTERY_ENTITY)
    try:
        return float(state.state) if state else 0.0
    except ValueError:
        return 0.0


def level_capabilities() -> dict[str, vol.Schema]:
    """The extra field of the battery condition and action: a level, as a number."""
    return {
        "extra_fields": vol.Schema(
            {vol.Required("level"): selector.NumberSelector({"min": 0, "max": 100})}
        )
    }
