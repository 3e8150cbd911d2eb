"""Remote-side helpers for the test bed: write many states in one call."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_IMPORT, ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
import probatio as vol

from .remote_control import BUTTON_EVENT, BUTTONS, DOMAIN, device_id, register

SET_STATES_SCHEMA = vol.Schema(
    {
        vol.Optional("states", default=[]): [
            {
                vol.Required("entity_id"): cv.string,
                vol.Required("state"): cv.string,
                vol.Optional("attributes", default={}): dict,
            }
        ],
        vol.Optional("bulk_count", default=0): vol.Coerce(int),
        vol.Optional("bulk_prefix", default="sensor.bulk_"): cv.string,
        vol.Optional("bulk_state", default="0"): cv.string,
    }
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register testbed.set_states, remove_states and press; create the config entry."""

    async def set_states(call: ServiceCall) -> None:
        for item in call.data["states"]:
            hass.states.async_set(item["entity_id"], item["state"], item["attributes"])
        prefix = call.data["bulk_prefix"]
        for index in range(call.data["bulk_count"]):
            hass.states.async_set(
                f"{prefix}{index}",
                call.data["bulk_state"],
                {"friendly_name": f"Bulk {index}", "unit_of_measurement": "W"},
            )

    async def remove_states(call: ServiceCall) -> None:
        for entity_id in call.data["entity_ids"]:
            hass.states.async_remove(entity_id)

    async def press(call: ServiceCall) -> None:
        hass.bus.async_fire(
            BUTTON_EVENT, {"device_id": device_id(hass), "button": call.data["button"]}
        )

    hass.services.async_register(
        DOMAIN, "press", press, vol.Schema({vol.Required("button"): vol.In(BUTTONS)})
    )
    if not hass.config_entries.async_entries(DOMAIN):
        hass.async_create_task(
            hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_IMPORT}, data={})
        )
    hass.services.async_register(DOMAIN, "set_states", set_states, SET_STATES_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        "remove_states",
        remove_states,
        vol.Schema({vol.Required("entity_ids"): [cv.string]}),
    )
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """The remote control: its device and battery sensor."""
    register(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, [Platform.SENSOR])
    return True
