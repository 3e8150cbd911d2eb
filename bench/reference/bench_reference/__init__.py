"""Benchmark reference (installed only into the bench's reference Home Assistant).

`bench_reference.add` adds N trivial sensors with a unique id (so registry entities) through
the sensor platform's awaitable add, in batches like the integration: what Home Assistant
itself needs for N registry entities with a state, with no remote, network or TLS involved.
"""

from __future__ import annotations

import asyncio

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.discovery import async_load_platform
from homeassistant.helpers.typing import ConfigType
import probatio as vol

DOMAIN = "bench_reference"
ADD_SCHEMA = vol.Schema(
    {
        vol.Required("count"): vol.Coerce(int),
        vol.Optional("batch", default=250): vol.Coerce(int),
    }
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register bench_reference.add."""

    async def add(call: ServiceCall) -> None:
        done = asyncio.Event()
        request = {"count": call.data["count"], "batch": call.data["batch"], "done": done}
        await async_load_platform(hass, Platform.SENSOR, DOMAIN, request, config)
        await done.wait()

    hass.services.async_register(DOMAIN, "add", add, ADD_SCHEMA)
    return True


CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)
