"""Benchmark profile (installed only into the hub bench's local Home Assistant by --profile).

From its setup on (early in every start, restarts included) it notes every garbage collection's
pause and, with `cpu: true`, profiles the event loop's thread with cProfile. Services:
`cpu_dump` stops the CPU profile and writes its statistics; `memory_start` traces allocations
(tracemalloc); `memory_dump` collects garbage and writes a snapshot (and stops tracing when
told); `gc_dump` writes the pauses as JSON.
"""

from __future__ import annotations

import cProfile
import gc
import json
import time
import tracemalloc
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
import probatio as vol

DOMAIN = "bench_profile"
CONFIG_SCHEMA = vol.Schema(
    {DOMAIN: vol.Schema({vol.Optional("cpu", default=False): cv.boolean})},
    extra=vol.ALLOW_EXTRA,
)
PATH = vol.Schema({vol.Required("path"): cv.string})


def _gc_pauses() -> list[dict[str, Any]]:
    pauses: list[dict[str, Any]] = []
    started: list[float] = []

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            pauses.append(
                {
                    "at": time.monotonic(),
                    "generation": info["generation"],
                    "ms": (time.perf_counter() - started[0]) * 1000,
                }
            )

    gc.callbacks.append(on_gc)
    return pauses


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start the pause log (and the CPU profile); register the services."""
    pauses = _gc_pauses()
    profile = cProfile.Profile()
    if (config.get(DOMAIN) or {}).get("cpu"):
        profile.enable()

    async def cpu_dump(call: ServiceCall) -> None:
        profile.disable()
        await hass.async_add_executor_job(profile.dump_stats, call.data["path"])

    async def memory_start(call: ServiceCall) -> None:
        tracemalloc.start(call.data["frames"])

    async def memory_dump(call: ServiceCall) -> None:
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
        if call.data["stop"]:
            tracemalloc.stop()
        await hass.async_add_executor_job(snapshot.dump, call.data["path"])

    async def gc_dump(call: ServiceCall) -> None:
        text = json.dumps(pauses)
        await hass.async_add_executor_job(_write, call.data["path"], text)

    frames = vol.Schema({vol.Optional("frames", default=1): vol.Coerce(int)})
    hass.services.async_register(DOMAIN, "cpu_dump", cpu_dump, PATH)
    hass.services.async_register(DOMAIN, "memory_start", memory_start, frames)
    dump = PATH.extend({vol.Optional("stop", default=False): cv.boolean})
    hass.services.async_register(DOMAIN, "memory_dump", memory_dump, dump)
    hass.services.async_register(DOMAIN, "gc_dump", gc_dump, PATH)
    return True


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
