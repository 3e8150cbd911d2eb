"""Fast tier: the statistics sync against a scripted remote and a real local recorder.

What the remote offers that is not imported, and how failures end a run: no network, no bed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
import logging
from types import SimpleNamespace
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
import pytest

from custom_components.remote_mtls import statistics_sync
from custom_components.remote_mtls.api import CommandError, NotConnected
from custom_components.remote_mtls.statistics_sync import (
    StatisticsSync,
    SyncProgress,
    recorder_loaded,
    unit_converter,
)

ENTRY_ID = "01STATISTICSSYNCPATHS0000"
HOUR = timedelta(hours=1)


def meta(statistic_id: str, unit: str | None = "kWh", **extra: Any) -> dict[str, Any]:
    """An entry of recorder/list_statistic_ids."""
    return {
        "statistic_id": statistic_id,
        "source": "recorder",
        "name": None,
        "statistics_unit_of_measurement": unit,
        "unit_class": "energy" if unit in ("kWh", "Wh") else None,
        "mean_type": 0,
        "has_sum": True,
    } | extra


class ScriptedRemote:
    """Answers the two recorder commands from a script; raises what it is given."""

    def __init__(self, listed: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
        self.listed = listed
        self.rows = rows
        self.fail_rows: Exception | None = None

    async def command(self, message: dict[str, Any], timeout: float | None = None) -> Any:
        if message["type"] == "recorder/list_statistic_ids":
            if isinstance(self.listed, Exception):
                raise self.listed
            return self.listed
        if self.fail_rows is not None:
            raise self.fail_rows
        return {i: self.rows[i] for i in message["statistic_ids"] if i in self.rows}


class Store:
    """The mirror store as the sync sees it: which local entity mirrors a remote one."""

    def __init__(self, mirrored: list[str], renamed: dict[str, str] | None = None) -> None:
        self.local_ids = {entity_id: entity_id for entity_id in mirrored} | (renamed or {})
        self.link_up = True

    def local_entity_id(self, remote_entity_id: str) -> str | None:
        return self.local_ids.get(remote_entity_id)

    async def async_wait_idle(self) -> None:
        return None


def hourly(hours: int, step: float = 1.0) -> list[dict[str, Any]]:
    """Rows of the last `hours` full hours, a meter growing by `step` each hour."""
    now = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    return [
        {
            "start": int((now - HOUR * back).timestamp() * 1000),
            "end": int((now - HOUR * (back - 1)).timestamp() * 1000),
            "state": step * (hours - back),
            "sum": step * (hours - back),
        }
        for back in range(hours, 0, -1)
    ]


@pytest.fixture
def local(recorder_mock: Recorder, hass: HomeAssistant) -> HomeAssistant:
    """A local Home Assistant with a recorder and the states of two mirrored meters."""
    for entity_id in ("sensor.meter", "sensor.odd_unit"):
        hass.states.async_set(entity_id, "0", {"unit_of_measurement": "kWh"})
    return hass


UNLOADS: list[Callable[[], None]] = []


@pytest.fixture(autouse=True)
def _unload() -> Iterator[None]:
    """What a sync registered to run at unload (its hourly timer) runs after each test."""
    yield
    while UNLOADS:
        UNLOADS.pop()()


def make_sync(
    hass: HomeAssistant, remote: ScriptedRemote, store: Store, link: str = "paths"
) -> StatisticsSync:
    entry = SimpleNamespace(
        entry_id=ENTRY_ID,
        title="Paths",
        options={"statistics_days": 2},
        async_on_unload=UNLOADS.append,
        async_create_background_task=lambda hass, coro, name: hass.async_create_task(coro),
    )
    return StatisticsSync(
        hass,
        entry,  # type: ignore[arg-type]
        remote,  # type: ignore[arg-type]
        store,  # type: ignore[arg-type]
        link_id=lambda: link,
        notify_status=lambda: None,
    )


async def local_rows(hass: HomeAssistant, statistic_id: str) -> list[dict[str, Any]]:
    start = dt_util.utcnow() - timedelta(days=3)
    found = await get_instance(hass).async_add_executor_job(
        statistics_during_period, hass, start, None, {statistic_id}, "hour", None, {"sum"}
    )
    return list(found.get(statistic_id, []))


async def test_what_is_offered_but_not_imported(
    local: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    remote = ScriptedRemote(
        [
            meta("sensor.meter"),  # imported, two days back (the option)
            meta("sensor.odd_unit", unit="°C", unit_class="temperature"),  # kWh here
            meta("sensor.not_mirrored"),  # filtered out: left alone
            meta("sensor.meter_by_other", source="other"),  # entity ids only from the recorder
            meta("testbed:Bad Id!"),  # external: its id is made valid here (slugified)
            {"statistic_id": 5},  # malformed
        ],
        {"sensor.meter": hourly(72), "sensor.odd_unit": hourly(3)},
    )
    sync = make_sync(local, remote, Store(["sensor.meter", "sensor.odd_unit"]))
    assert recorder_loaded(local)
    assert sync.progress.percent is None  # never ran
    sync.start()
    await sync.async_wait()
    await get_instance(local).async_block_till_done()

    progress = sync.progress
    assert progress.last_error is None
    assert progress.percent == 100
    assert progress.skipped_units == ["sensor.odd_unit"]
    assert progress.as_dict()["statistics"] == 2  # the meter and the external one
    assert 47 <= len(await local_rows(local, "sensor.meter")) <= 49  # the option: two days
    assert await local_rows(local, "sensor.odd_unit") == []
    warnings = [r for r in caplog.records if "cannot be converted" in r.getMessage()]
    assert len(warnings) == 1

    sync.request()  # the same unit problem again: not warned twice
    await sync.async_wait()
    assert len([r for r in caplog.records if "cannot be converted" in r.getMessage()]) == 1


async def test_external_statistics_are_bounded(
    local: HomeAssistant, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A remote cannot make this Home Assistant hold any number of statistics."""
    monkeypatch.setattr(statistics_sync, "MAX_EXTERNAL_STATISTICS", 3)
    offered = [f"flood:n{index}" for index in (4, 0, 3, 1, 2)]
    remote = ScriptedRemote(
        [meta("sensor.meter"), *(meta(statistic_id) for statistic_id in offered)],
        {statistic_id: hourly(2) for statistic_id in ["sensor.meter", *offered]},
    )
    sync = make_sync(local, remote, Store(["sensor.meter"]))
    for _run in range(2):
        sync.request()
        await sync.async_wait()
    await get_instance(local).async_block_till_done()
    assert sync.progress.as_dict()["statistics"] == 4  # the meter and the first three by id
    for index in range(5):
        rows = await local_rows(local, f"remote_mtls:paths_flood_n{index}")
        assert bool(rows) is (index < 3)
    assert len([r for r in caplog.records if "offers 5 external statistics" in r.message]) == 1


async def test_a_failing_remote_ends_the_run_and_says_why(local: HomeAssistant) -> None:
    remote = ScriptedRemote([meta("sensor.meter")], {"sensor.meter": hourly(5)})
    remote.fail_rows = NotConnected("gone")
    sync = make_sync(local, remote, Store(["sensor.meter"]))
    sync.request()
    sync.request()  # asked while running: one more run, not two at once
    await sync.async_wait()
    assert sync.progress.last_error == "NotConnected"
    assert sync.progress.runs == 2
    assert not sync.progress.running

    down = make_sync(local, remote, Store(["sensor.meter"]))
    down.store.link_up = False  # type: ignore[attr-defined]
    down.request()
    await down.async_wait()
    assert down.progress.runs == 0  # nothing is asked of a remote that is not connected
    down.store.link_up = True  # type: ignore[attr-defined]
    down.request()  # up again: the next request runs (nothing was left pending)
    await down.async_wait()
    assert down.progress.runs == 1


async def test_a_remote_without_recorder_is_asked_once(local: HomeAssistant) -> None:
    remote = ScriptedRemote(CommandError("Unknown command.", code="unknown_command"), {})
    sync = make_sync(local, remote, Store([]))
    for _ in range(2):
        sync.request()
        await sync.async_wait()
    assert sync.progress.last_error is None
    assert sync.progress.statistics == 0

    refused = ScriptedRemote(CommandError("No.", code="unauthorized"), {})
    failing = make_sync(local, refused, Store([]))
    failing.request()
    await failing.async_wait()
    assert failing.progress.last_error == "CommandError"


def test_units_and_progress_edges() -> None:
    assert unit_converter(None, None, None) == (None, "unitless")  # no unit: kept as it is
    assert unit_converter("energy", "kWh", "kWh") == (None, "energy")
    assert unit_converter(None, "kWh", "°C") is None
    progress = SyncProgress(runs=1, running=True)
    assert progress.percent == 0  # counting what to import
    progress.statistics, progress.statistics_done = 4, 1
    assert progress.percent == 25


async def test_two_links_and_a_remote_rename_keep_apart(local: HomeAssistant) -> None:
    """Each link's external statistics get their own ids; a renamed remote entity is found
    through its mirror (the store's key), so its rows still go to the same local entity."""
    rows = hourly(3)
    renamed = Store([], {"sensor.meter_renamed": "sensor.meter"})
    first = make_sync(
        local,
        ScriptedRemote(
            [meta("sensor.meter_renamed"), meta("grid:import")],
            {"sensor.meter_renamed": rows, "grid:import": rows},
        ),
        renamed,
    )
    second = make_sync(
        local, ScriptedRemote([meta("grid:import")], {"grid:import": rows}), Store([]), "other"
    )
    for sync in (first, second):
        sync.request()
        await sync.async_wait()
    await get_instance(local).async_block_till_done()
    assert len(await local_rows(local, "sensor.meter")) == 3
    assert len(await local_rows(local, "remote_mtls:paths_grid_import")) == 3
    assert len(await local_rows(local, "remote_mtls:other_grid_import")) == 3
