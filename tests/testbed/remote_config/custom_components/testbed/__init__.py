"""Remote-side helpers for the test bed: write many states in one call."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
import probatio as vol

DOMAIN = "testbed"

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
    """Register testbed.set_states and testbed.remove_states."""

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

    hass.services.async_register(DOMAIN, "set_states", set_states, SET_STATES_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        "remove_states",
        remove_states,
        vol.Schema({vol.Required("entity_ids"): [cv.string]}),
    )
    return True
