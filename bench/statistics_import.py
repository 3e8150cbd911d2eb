"""Import one year of hourly statistics for 100 sensors: `python -m bench.statistics_import`.

A real local Home Assistant (in this process) with a real recorder on a temporary SQLite file
runs the integration's statistics sync (custom_components/remote_mtls/statistics_sync.py)
against a generated remote: it answers `recorder/list_statistic_ids` and
`recorder/statistics_during_period` with JSON text decoded exactly as the websocket does (no
network, no proxy: this measures the chunking, the conversion and the local recorder).
Options: --sensors N --days D --unit-conversion (the remote keeps Wh, the sensors show kWh).

Reports wall time, the rows per second, the longest event-loop stall (a timer that should fire
every 50 ms), the process's peak RSS growth and, with --tracemalloc, the peak of Python
allocations (tracemalloc slows the run down).
Writes bench/results/statistics_import.json.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import gc
import json
from pathlib import Path
import resource
import sys
import tempfile
import time
import tracemalloc
from types import SimpleNamespace
from typing import Any

from homeassistant import bootstrap, config_entries, loader
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, recorder as recorder_helper
from homeassistant.helpers.recorder import get_instance
from homeassistant.setup import async_setup_component

from custom_components.remote_mtls.const import DOMAIN
from custom_components.remote_mtls.scoped_ids import scoped_id
from custom_components.remote_mtls.statistics_sync import StatisticsSync

from .machine import machine_facts

RESULTS = Path(__file__).parent / "results"
ENTRY_ID = "01BENCHSTATISTICSIMPORT000"


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class GeneratedRemote:
    """A remote keeping `days` of hourly rows for each sensor (energy meters: state and sum)."""

    def __init__(self, sensors: int, days: int, end: datetime, unit: str) -> None:
        self.ids = [f"sensor.meter_{index}" for index in range(sensors)]
        self.first = end - timedelta(days=days)
        self.unit = unit
        self.requests = 0
        self.bytes = 0

    async def command(self, message: dict[str, Any], timeout: float | None = None) -> Any:
        self.requests += 1
        if message["type"] == "recorder/list_statistic_ids":
            return [
                {
                    "statistic_id": statistic_id,
                    "source": "recorder",
                    "name": None,
                    "statistics_unit_of_measurement": self.unit,
                    "unit_class": "energy",
                    "mean_type": 0,
                    "has_sum": True,
                }
                for statistic_id in self.ids
            ]
        # The remote's work happens on the remote: built in a thread here, so the stall
        # measured is the local side's (decoding the answer, as the websocket does, and on).
        text = await asyncio.to_thread(self._answer, message)
        self.bytes += len(text)
        return json.loads(text)

    def _answer(self, message: dict[str, Any]) -> str:
        """The JSON text of a `recorder/statistics_during_period` answer."""
        start = max(datetime.fromisoformat(message["start_time"]), self.first)
        end = datetime.fromisoformat(message["end_time"])
        result: dict[str, list[dict[str, Any]]] = {}
        for statistic_id in message["statistic_ids"]:
            rows = []
            hour = start
            while hour < end:
                index = int((hour - self.first).total_seconds() // 3600)
                ms = int(hour.timestamp() * 1000)
                rows.append(
                    {
                        "start": ms,
                        "end": ms + 3_600_000,
                        "state": 500.0 * index,
                        "sum": 500.0 * index,
                    }
                )
                hour += timedelta(hours=1)
            if rows:
                result[statistic_id] = rows
        return json.dumps(result)  # what crosses the websocket


@dataclass
class Store:
    """The mirror store as the sync sees it: every generated sensor is mirrored."""

    local_ids: dict[str, str] = field(default_factory=dict)  # remote id -> local entity id
    link_up: bool = True

    def local_entity_id(self, remote_entity_id: str) -> str | None:
        return self.local_ids.get(remote_entity_id)

    async def async_wait_idle(self) -> None:
        return None


class StallWatch:
    """The longest delay of a 50 ms timer: how long the event loop was blocked at most."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.05)
            self.worst = max(self.worst, time.monotonic() - before - 0.05)

    def __enter__(self) -> StallWatch:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()


class GcWatch:
    """The longest garbage collection pause (it stops every thread, the event loop's too)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.full_collections = 0
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.worst = max(self.worst, time.perf_counter() - self._started)
        self.full_collections += info.get("generation") == 2

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._callback)


async def _run(
    sensors: int, days: int, convert: bool, directory: Path, trace: bool
) -> dict[str, Any]:
    hass = HomeAssistant(str(directory))
    await hass.config.async_set_time_zone("UTC")
    loader.async_setup(hass)
    hass.config_entries = config_entries.ConfigEntries(hass, {})
    assert await bootstrap.async_load_base_functionality(hass)
    recorder_helper.async_initialize_recorder(hass)
    db_url = f"sqlite:///{directory / 'home-assistant_v2.db'}"
    assert await async_setup_component(hass, "recorder", {"recorder": {"db_url": db_url}})
    await hass.async_start()
    await hass.async_block_till_done()
    await get_instance(hass).async_db_ready

    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    remote = GeneratedRemote(sensors, days, end, "Wh" if convert else "kWh")
    store = Store()
    registry = er.async_get(hass)
    for statistic_id in remote.ids:
        store.local_ids[statistic_id] = registry.async_get_or_create(
            "sensor", DOMAIN, scoped_id(ENTRY_ID, statistic_id),
            suggested_object_id=statistic_id.partition(".")[2],
        ).entity_id  # fmt: skip
        hass.states.async_set(statistic_id, "0", {"unit_of_measurement": "kWh"})
    entry = SimpleNamespace(entry_id=ENTRY_ID, title="Bench", options={})
    sync = StatisticsSync(
        hass, entry, remote, store,  # type: ignore[arg-type]
        link_id=lambda: "bench", notify_status=lambda: None,
    )  # fmt: skip

    if trace:
        tracemalloc.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with StallWatch() as stalls, GcWatch() as collections:
        await sync._async_run_once()  # the whole run, without the timers
        await get_instance(hass).async_block_till_done()
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    rows_in_db = await get_instance(hass).async_add_executor_job(_count_rows, hass)
    await hass.async_stop()
    return {
        "sensors": sensors,
        "days": days,
        "unit_conversion": convert,
        "rows_imported": sync.progress.rows,
        "rows_in_database": rows_in_db,
        "requests": remote.requests,
        "json_mb": round(remote.bytes / 2**20, 1),
        "seconds": round(elapsed, 1),
        "rows_per_second": round(sync.progress.rows / elapsed),
        "longest_loop_stall_ms": round(stalls.worst * 1000, 1),
        "longest_gc_pause_ms": round(collections.worst * 1000, 1),
        "full_gc_collections": collections.full_collections,
        "python_alloc_peak_mb": round(peak / 2**20, 1) if trace else None,
        "peak_rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "error": sync.progress.last_error,
    }


def _count_rows(hass: HomeAssistant) -> int:
    from homeassistant.components.recorder.db_schema import Statistics  # noqa: PLC0415
    from homeassistant.helpers.recorder import session_scope  # noqa: PLC0415

    with session_scope(hass=hass, read_only=True) as session:
        return int(session.query(Statistics).count())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--unit-conversion", action="store_true")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also the peak of Python allocations (slower)"
    )
    args = parser.parse_args()
    _log(f"importing {args.days} days of hourly statistics for {args.sensors} sensors")
    with tempfile.TemporaryDirectory(prefix="remote_mtls_stats_bench") as directory:
        result = asyncio.run(
            _run(args.sensors, args.days, args.unit_conversion, Path(directory), args.tracemalloc)
        )
    result["machine"] = machine_facts()
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "statistics_import.json").write_text(json.dumps(result, indent=2) + "\n")
    _log(
        f"{result['rows_imported']} rows in {result['seconds']} s "
        f"({result['rows_per_second']}/s), "
        f"longest loop stall {result['longest_loop_stall_ms']} ms (longest GC pause "
        f"{result['longest_gc_pause_ms']} ms), "
        f"peak RSS growth {result['peak_rss_growth_mb']} MB, "
        f"Python allocations peak {result['python_alloc_peak_mb'] or '-'} MB"
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
