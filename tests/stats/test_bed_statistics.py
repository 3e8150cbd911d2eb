"""Long-term statistics on the real bed: a remote with a recorder behind nginx, a local recorder.

Rows are put on the remote with `recorder/import_statistics` (its recorder excludes
`sensor.stats_*`, so it never compiles rows of its own for them); the local recorder is
pytest-homeassistant-custom-component's (periodic compiling off; a test compiles when it wants).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
import itertools
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import (
    get_last_short_term_statistics,
    get_metadata,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util, slugify
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.remote_mtls.api import WebSocketSession
from custom_components.remote_mtls.const import CONF_EXCLUDE_ENTITIES, DOMAIN
from custom_components.remote_mtls.coordinator import RemoteCoordinator
from custom_components.remote_mtls.statistics_sync import StatisticsSync

from ..components.conftest import add_entry, local_entity_id, wait_for
from ..reliability.health import FAST
from ..testbed.bed import TestBed

HOUR = timedelta(hours=1)
TYPES: set[Any] = {"mean", "min", "max", "state", "sum"}


@pytest.fixture
def local(
    recorder_mock: Recorder,  # before hass: the local recorder is set up with it
    hass: HomeAssistant,
    enable_custom_integrations: None,
    socket_enabled: None,
) -> HomeAssistant:
    """The local Home Assistant with a recorder, custom integrations and sockets to 127.0.0.1."""
    return hass


@pytest.fixture
def fast_timings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Links notice an outage and heal within seconds."""
    monkeypatch.setattr(
        "custom_components.remote_mtls.link_manager.WebSocketSession",
        partial(WebSocketSession, timings=FAST),
    )


def this_hour() -> datetime:
    return dt_util.utcnow().replace(minute=0, second=0, microsecond=0)


def hours(first: int, last: int) -> list[datetime]:
    """Hour starts from `first` to `last` hours ago (both included), oldest first."""
    now = this_hour()
    return [now - HOUR * back for back in range(first, last - 1, -1)]


async def remote_import(
    bed: TestBed,
    statistic_id: str,
    rows: list[dict[str, Any]],
    *,
    unit: str,
    unit_class: str | None,
    has_sum: bool,
    mean_type: int = 0,
    source: str = "recorder",
    name: str | None = None,
) -> None:
    """Put rows on the remote and wait until its recorder has them."""
    await bed.remote.async_ws_command(
        {
            "type": "recorder/import_statistics",
            "metadata": {
                "statistic_id": statistic_id,
                "source": source,
                "name": name,
                "unit_of_measurement": unit,
                "unit_class": unit_class,
                "has_sum": has_sum,
                "mean_type": mean_type,
            },
            "stats": [{**row, "start": row["start"].isoformat()} for row in rows],
        }
    )
    wanted = {row["start"] for row in rows}

    async def _arrived() -> bool:
        have = await remote_rows(
            bed, statistic_id, min(wanted), max(wanted) + HOUR, unit_class, unit
        )
        by_start = {row["start"]: row for row in have}
        return all(
            start in by_start
            and all(by_start[start].get(k) == v for k, v in row.items() if k != "start")
            for row in rows
            for start in (row["start"],)
        )

    async with asyncio.timeout(20):
        while not await _arrived():
            await asyncio.sleep(0.2)


async def remote_rows(
    bed: TestBed,
    statistic_id: str,
    start: datetime,
    end: datetime,
    unit_class: str | None = None,
    unit: str | None = None,
) -> list[dict[str, Any]]:
    """The remote's hourly rows (in its statistics unit), starts as datetimes."""
    message: dict[str, Any] = {
        "type": "recorder/statistics_during_period",
        "start_time": start.isoformat(),
        "end_time": end.isoformat(),
        "statistic_ids": [statistic_id],
        "period": "hour",
        "types": sorted(TYPES),
    }
    if unit_class and unit:
        message["units"] = {unit_class: unit}
    result = await bed.remote.async_ws_command(message)
    return [
        {
            **{k: v for k, v in row.items() if k in TYPES and v is not None},
            "start": datetime.fromtimestamp(row["start"] / 1000, UTC),
        }
        for row in result.get(statistic_id, [])
    ]


async def local_rows(hass: HomeAssistant, statistic_id: str) -> list[dict[str, Any]]:
    """Every local hourly row of a statistic, starts as datetimes."""
    result = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2000, 1, 1, tzinfo=UTC),
        None,
        {statistic_id},
        "hour",
        None,
        TYPES,
    )
    return [
        {
            **{k: v for k, v in row.items() if k in TYPES and v is not None},
            "start": dt_util.utc_from_timestamp(row["start"]),
        }
        for row in result.get(statistic_id, [])
    ]


def sync_of(entry: MockConfigEntry) -> StatisticsSync:
    coordinator: RemoteCoordinator = entry.runtime_data
    assert coordinator.statistics is not None
    return coordinator.statistics


@asynccontextmanager
async def linked(
    hass: HomeAssistant, bed: TestBed, options: dict[str, Any] | None = None
) -> AsyncIterator[MockConfigEntry]:
    entry = await add_entry(hass, bed)
    if options:
        hass.config_entries.async_update_entry(entry, options=options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await sync_of(entry).async_wait()
    await async_wait_recording_done(hass)
    try:
        yield entry
    finally:
        await hass.config_entries.async_unload(entry.entry_id)


def energy(
    start: datetime, index: int, *, base: float = 0.0, step: float = 1500.0
) -> dict[str, Any]:
    """An hour of a meter in Wh: state and sum grow by `step` per hour."""
    return {
        "start": start,
        "state": 1_000_000 + base + step * (index + 1),
        "sum": base + step * (index + 1),
    }


def near(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def assert_rows_equal(
    local: list[dict[str, Any]],
    remote: list[dict[str, Any]],
    factor: float = 1.0,
    offset: float = 0.0,
) -> None:
    assert [row["start"] for row in local] == [row["start"] for row in remote]
    for mine, theirs in zip(local, remote, strict=True):
        assert set(mine) == set(theirs), (mine, theirs)
        for key in TYPES & set(theirs):
            assert near(mine[key], theirs[key] * factor + offset), (key, mine, theirs)


async def test_history_imported_on_link(local: HomeAssistant, testbed: TestBed) -> None:
    """Entity statistics (units converted), external ones; unmirrored ones left alone."""
    hass = local
    await testbed.remote.async_set_states(
        [
            {
                "entity_id": "sensor.stats_a_energy",
                "state": "1000.5",
                "attributes": {
                    "unit_of_measurement": "kWh",
                    "device_class": "energy",
                    "state_class": "total_increasing",
                },
            },
            {
                "entity_id": "sensor.stats_a_temp",
                "state": "21.5",
                "attributes": {
                    "unit_of_measurement": "°C",
                    "device_class": "temperature",
                    "state_class": "measurement",
                },
            },
            {
                "entity_id": "sensor.stats_a_hidden",
                "state": "3",
                "attributes": {"unit_of_measurement": "W", "state_class": "measurement"},
            },
        ]
    )
    meter = [energy(start, i) for i, start in enumerate(hours(48, 1))]
    # The remote keeps the meter in Wh, the temperature in °F; the entities show kWh and °C.
    await remote_import(
        testbed, "sensor.stats_a_energy", meter, unit="Wh", unit_class="energy", has_sum=True
    )
    weather = [
        {"start": start, "mean": 50.0 + i % 7, "min": 41.0 + i % 5, "max": 59.0 + i % 3}
        for i, start in enumerate(hours(30, 1))
    ]
    await remote_import(
        testbed,
        "sensor.stats_a_temp",
        weather,
        unit="°F",
        unit_class="temperature",
        has_sum=False,
        mean_type=1,
    )
    hidden = [{"start": start, "mean": 3.0, "min": 1.0, "max": 5.0} for start in hours(5, 1)]
    await remote_import(
        testbed,
        "sensor.stats_a_hidden",
        hidden,
        unit="W",
        unit_class="power",
        has_sum=False,
        mean_type=1,
    )
    grid = [
        {"start": start, "state": 10.0 * i, "sum": 10.0 * i} for i, start in enumerate(hours(20, 1))
    ]
    await remote_import(
        testbed,
        "testbed:a_grid",
        grid,
        unit="kWh",
        unit_class="energy",
        has_sum=True,
        source="testbed",
        name="Grid",
    )

    async with linked(hass, testbed, {CONF_EXCLUDE_ENTITIES: ["sensor.stats_a_hidden"]}) as entry:
        sync = sync_of(entry)
        energy_id = local_entity_id(hass, entry, "sensor.stats_a_energy")
        temp_id = local_entity_id(hass, entry, "sensor.stats_a_temp")
        assert hass.states.get(energy_id).attributes["unit_of_measurement"] == "kWh"

        local_meter = await local_rows(hass, energy_id)
        assert_rows_equal(local_meter, meter, factor=0.001)
        local_weather = await local_rows(hass, temp_id)
        assert_rows_equal(
            local_weather,
            [
                {**row, **{k: (row[k] - 32) * 5 / 9 for k in ("mean", "min", "max")}}
                for row in weather
            ],
        )
        owner = entry.runtime_data.remote_id.partition(":")[2]
        external_id = f"{DOMAIN}:{slugify(owner + '_testbed_a_grid')}"
        assert_rows_equal(await local_rows(hass, external_id), grid)

        metadata = await get_instance(hass).async_add_executor_job(
            partial(
                get_metadata,
                hass,
                statistic_ids={energy_id, temp_id, external_id, "sensor.stats_a_hidden"},
            )
        )
        assert metadata[energy_id][1]["unit_of_measurement"] == "kWh"
        assert metadata[energy_id][1]["source"] == "recorder"
        assert metadata[temp_id][1]["unit_of_measurement"] == "°C"
        assert metadata[external_id][1]["source"] == DOMAIN
        assert metadata[external_id][1]["name"] == "Grid"
        assert "sensor.stats_a_hidden" not in metadata  # not mirrored: nothing imported

        assert sync.progress.percent == 100
        assert sync.progress.last_error is None
        progress_entity = hass.states.get("sensor.remote_test_home_statistics_import")
        assert progress_entity is not None and progress_entity.state == "100"

        # A second run imports only the newest hour again (upsert): nothing duplicated.
        sync.request()
        await sync.async_wait()
        await async_wait_recording_done(hass)
        assert sync.progress.rows <= sync.progress.statistics  # at most the newest hour of each
        assert_rows_equal(await local_rows(hass, energy_id), meter, factor=0.001)


async def test_outage_gap_backfilled_once(
    local: HomeAssistant,
    restore_testbed: TestBed,
    fast_timings: None,
) -> None:
    """Hours the remote gains while the proxy is down are imported after the reconnect."""
    hass = local
    bed = restore_testbed
    await bed.remote.async_set_states(
        [
            {
                "entity_id": "sensor.stats_b_energy",
                "state": "1000",
                "attributes": {
                    "unit_of_measurement": "Wh",
                    "state_class": "total_increasing",
                    "device_class": "energy",
                },
            }
        ]
    )
    before = [energy(start, i) for i, start in enumerate(hours(12, 7))]
    await remote_import(
        bed, "sensor.stats_b_energy", before, unit="Wh", unit_class="energy", has_sum=True
    )

    async with linked(hass, bed) as entry:
        sync = sync_of(entry)
        local_id = local_entity_id(hass, entry, "sensor.stats_b_energy")
        assert_rows_equal(await local_rows(hass, local_id), before)
        runs = sync.progress.runs

        bed.nginx.stop()
        await wait_for(lambda: not entry.runtime_data.connected, 15)
        after = [energy(start, i + 6) for i, start in enumerate(hours(6, 1))]
        await remote_import(
            bed, "sensor.stats_b_energy", after, unit="Wh", unit_class="energy", has_sum=True
        )
        assert len(await local_rows(hass, local_id)) == 6  # the gap

        await asyncio.to_thread(bed.nginx.start)
        await wait_for(lambda: entry.runtime_data.connected, 30)
        await wait_for(lambda: sync.progress.runs > runs and not sync.progress.running, 30)
        await sync.async_wait()
        await async_wait_recording_done(hass)

        rows = await local_rows(hass, local_id)
        assert_rows_equal(rows, before + after)
        assert len({row["start"] for row in rows}) == len(rows) == 12
        sums = [row["sum"] for row in rows]
        assert all(near(b - a, 1500.0) for a, b in itertools.pairwise(sums))  # no jump
        # Fetched once: the six missed hours more than a run with nothing missed (which imports
        # only the newest hour of each statistic again).
        backfill = sync.progress.rows
        sync.request()
        await sync.async_wait()
        assert backfill - sync.progress.rows == 6


async def test_local_sum_continues_and_renames_are_followed(
    local: HomeAssistant, testbed: TestBed
) -> None:
    """The local recorder continues from the imported sum; a local rename keeps the import."""
    hass = local
    await testbed.remote.async_set_states(
        [
            {
                "entity_id": "sensor.stats_c_energy",
                "state": "1000",
                "attributes": {
                    "unit_of_measurement": "kWh",
                    "state_class": "total_increasing",
                    "device_class": "energy",
                },
            }
        ]
    )
    meter = [
        {"start": start, "state": 995.0 + i, "sum": 46.0 + i} for i, start in enumerate(hours(5, 1))
    ]  # last hour: state 999, sum 50
    await remote_import(
        testbed, "sensor.stats_c_energy", meter, unit="kWh", unit_class="energy", has_sum=True
    )

    async with linked(hass, testbed) as entry:
        local_id = local_entity_id(hass, entry, "sensor.stats_c_energy")
        seed = await get_instance(hass).async_add_executor_job(
            get_last_short_term_statistics, hass, 1, local_id, False, {"state", "sum"}
        )
        assert seed[local_id][0]["sum"] == 50.0
        assert seed[local_id][0]["state"] == 999.0

        # The meter moves on; the local recorder compiles five minutes from its own states.
        await testbed.remote.async_set_states(
            [
                {
                    "entity_id": "sensor.stats_c_energy",
                    "state": "1003",
                    "attributes": {
                        "unit_of_measurement": "kWh",
                        "state_class": "total_increasing",
                        "device_class": "energy",
                    },
                }
            ]
        )
        await wait_for(lambda: hass.states.get(local_id).state == "1003")
        await async_wait_recording_done(hass)
        now = dt_util.utcnow()
        do_adhoc_statistics(
            hass, start=now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
        )
        await async_wait_recording_done(hass)
        latest = await get_instance(hass).async_add_executor_job(
            get_last_short_term_statistics, hass, 1, local_id, False, {"state", "sum"}
        )
        assert latest[local_id][0]["state"] == 1003.0
        assert latest[local_id][0]["sum"] == 54.0  # 50 + (1003 - 999): no restart at zero

        # Renamed here: the next import goes to the new id.
        er.async_get(hass).async_update_entity(local_id, new_entity_id="sensor.kitchen_meter")
        await async_wait_recording_done(hass)
        last = meter[-1]
        changed = {**last, "state": 999.5, "sum": 50.5}
        await remote_import(
            testbed,
            "sensor.stats_c_energy",
            [changed],
            unit="kWh",
            unit_class="energy",
            has_sum=True,
        )
        sync = sync_of(entry)
        sync.request()
        await sync.async_wait()
        await async_wait_recording_done(hass)
        rows = await local_rows(hass, "sensor.kitchen_meter")
        assert rows[-1]["start"] == last["start"]
        assert rows[-1]["sum"] == 50.5
        assert await local_rows(hass, local_id) == []


async def test_nothing_without_a_local_recorder(
    hass: HomeAssistant, enable_custom_integrations: None, socket_enabled: None, testbed: TestBed
) -> None:
    entry = await add_entry(hass, testbed)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.statistics is None
    assert hass.states.get("sensor.remote_test_home_statistics_import") is None
    await hass.config_entries.async_unload(entry.entry_id)
