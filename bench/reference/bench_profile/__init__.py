"""Benchmark profile (installed only into the hub bench's local Home Assistant with --profile).

`bench_tracemalloc.start` starts tracing allocations; `bench_tracemalloc.dump` collects garbage
and writes a snapshot to a file, for `bench.hub_profile` to compare.
"""

from __future__ import annotations

import gc
import tracemalloc

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
import probatio as vol

DOMAIN = "bench_tracemalloc"


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register bench_tracemalloc.start and bench_tracemalloc.dump."""

    async def start(call: ServiceCall) -> None:
        tracemalloc.start(call.data["frames"])

    async def dump(call: ServiceCall) -> None:
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
        await hass.async_add_executor_job(snapshot.dump, call.data["path"])

    hass.services.async_register(
        DOMAIN, "start", start, vol.Schema({vol.Optional("frames", default=1): vol.Coerce(int)})
    )
    hass.services.async_register(DOMAIN, "dump", dump, vol.Schema({vol.Required("path"): str}))
    return True


CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)
