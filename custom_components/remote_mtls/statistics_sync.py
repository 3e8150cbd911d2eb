"""The remote's long-term statistics, imported into the local recorder.

On every link-up (setup, reconnect) and every hour at minute 12, for each statistic of the
remote that belongs to a mirrored entity (or is external), the hours the local recorder does not
have yet are fetched (api.statistics, in bounded chunks) and imported:

- entity-backed: under the local entity's statistic id, source `recorder`, values converted
  from the remote's statistics unit to the local one with Home Assistant's unit converters;
- external (`domain:name`): under `remote_mtls:<link>_<domain>_<name>`, source `remote_mtls`.

Where a sync starts: at the last hour the local recorder has of that statistic (that hour is
imported again: it may have been compiled from a part of the hour only, before an outage), or,
when it has none, at the option's limit (default: everything the remote keeps). Imports upsert
by hour, so nothing is duplicated. A sum continues from the remote's: the newest imported hour
also seeds the local five-minute statistics, which the local recorder continues from.

Reads run in the recorder's executor, writes are recorder jobs; after each chunk the sync waits
for the recorder to have taken it (bounded memory, never a flooded recorder queue).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging
import math
import time
from typing import Any

from homeassistant.components.recorder.db_schema import StatisticsShortTerm
from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    STATISTIC_UNIT_TO_UNIT_CONVERTER,
    UNIT_CLASS_TO_UNIT_CONVERTER,
    async_add_external_statistics,
    async_import_statistics,
    get_last_short_term_statistics,
    get_last_statistics,
    get_metadata,
    valid_statistic_id,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_utc_time_change
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util, slugify
from homeassistant.util.unit_conversion import BaseUnitConverter

from .api import CommandError, CommandTimeout, NotConnected, WebSocketSession
from .api.statistics import (
    StatisticMeta,
    StatisticRow,
    fetch_hourly,
    hour_floor,
    list_statistics,
)
from .coalesced_job import CoalescedJob
from .const import CONF_STATISTICS_DAYS, DOMAIN
from .limits import MAX_EXTERNAL_STATISTICS
from .mirror_store import MirrorStore

_LOGGER = logging.getLogger(__name__)

RECORDER = "recorder"
SYNC_MINUTE = 12  # both recorders compiled the past hour by then
SHORT_TERM_OF_HOUR = timedelta(minutes=55)  # the last five-minute period of an hour
SUM_TOLERANCE = 1e-9

type Convert = Callable[[float], float]


def recorder_loaded(hass: HomeAssistant) -> bool:
    """Whether the local recorder runs (an optional dependency)."""
    return RECORDER in hass.config.components


def unit_converter(
    unit_class: str | None, from_unit: str | None, to_unit: str | None
) -> tuple[Convert | None, str | None] | None:
    """How to convert values and which unit class the target has; None when impossible.

    As the recorder does: the converter of the unit class when it knows the unit, else the
    converter of the unit. (None, class) means the values stay as they are.
    """
    converter: type[BaseUnitConverter] | None = UNIT_CLASS_TO_UNIT_CONVERTER.get(unit_class)
    if converter is None or from_unit not in converter.VALID_UNITS:
        converter = STATISTIC_UNIT_TO_UNIT_CONVERTER.get(from_unit)
    if from_unit == to_unit:
        known = converter is not None and to_unit in converter.VALID_UNITS
        return None, converter.UNIT_CLASS if known and converter else None
    if converter is None or to_unit not in converter.VALID_UNITS:
        return None
    return converter.converter_factory(from_unit, to_unit), converter.UNIT_CLASS


def converted_rows(rows: Iterable[StatisticRow], convert: Convert | None) -> list[StatisticData]:
    """Return the remote's rows as the recorder's, values in the local unit."""
    result: list[StatisticData] = []
    for row in rows:
        data: StatisticData = {"start": row.start}
        for name in ("mean", "min", "max", "state", "sum"):
            value = getattr(row, name)
            if value is not None:
                value = convert(value) if convert is not None else value
                if math.isfinite(value):
                    data[name] = value  # type: ignore[literal-required,unused-ignore]
        if row.last_reset is not None:
            data["last_reset"] = row.last_reset
        result.append(data)
    return result


@dataclass(slots=True)
class Target:
    """One remote statistic and where it goes locally."""

    remote: StatisticMeta
    statistic_id: str
    external: bool
    local_unit: str | None = None
    convert: Convert | None = None
    unit_class: str | None = None
    since: datetime | None = None  # None: everything the remote keeps
    newest: StatisticData | None = None

    def metadata(self) -> StatisticMetaData:
        """Return the local statistic's metadata."""
        return {
            "mean_type": StatisticMeanType(self.remote.mean_type),
            "has_sum": self.remote.has_sum,
            "name": None if not self.external else self.remote.name or self.remote.statistic_id,
            "source": DOMAIN if self.external else RECORDER,
            "statistic_id": self.statistic_id,
            "unit_class": self.unit_class,
            "unit_of_measurement": self.local_unit,
        }


@dataclass(slots=True)
class SyncProgress:
    """Where the statistics sync of a link stands (diagnostic sensor, diagnostics)."""

    running: bool = False
    statistics: int = 0
    statistics_done: int = 0
    rows: int = 0
    runs: int = 0
    last_started: datetime | None = None
    last_finished: datetime | None = None
    last_duration_s: float | None = None
    last_error: str | None = None
    skipped_units: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        """Statistics done of the current (or last) run, in percent."""
        if self.runs == 0:
            return None
        if not self.statistics:
            return 100 if not self.running else 0
        return int(100 * self.statistics_done / self.statistics)

    def as_dict(self) -> dict[str, Any]:
        """For diagnostics and the sensor's attributes."""
        return {
            "running": self.running,
            "statistics": self.statistics,
            "statistics_done": self.statistics_done,
            "rows_imported": self.rows,
            "runs": self.runs,
            "last_started": self.last_started.isoformat() if self.last_started else None,
            "last_finished": self.last_finished.isoformat() if self.last_finished else None,
            "last_duration_s": self.last_duration_s,
            "last_error": self.last_error,
            "skipped_units": list(self.skipped_units),
        }


def _local_state(
    hass: HomeAssistant, statistic_ids: set[str]
) -> tuple[dict[str, float], dict[str, str | None]]:
    """In the recorder's executor: the last hour and the unit the local recorder has of each."""
    last: dict[str, float] = {}
    for statistic_id in statistic_ids:
        rows = get_last_statistics(hass, 1, statistic_id, False, {"state"})
        if found := rows.get(statistic_id):
            last[statistic_id] = found[0]["start"]
    units = {
        statistic_id: meta["unit_of_measurement"]
        for statistic_id, (_id, meta) in get_metadata(hass, statistic_ids=statistic_ids).items()
    }
    return last, units


def _latest_short_term(hass: HomeAssistant, statistic_id: str) -> dict[str, Any] | None:
    rows = get_last_short_term_statistics(
        hass, 1, statistic_id, False, {"state", "sum", "last_reset"}
    )
    found = rows.get(statistic_id)
    return dict(found[0]) if found else None


class StatisticsSync:
    """Imports one link's remote statistics into the local recorder."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        websocket: WebSocketSession,
        store: MirrorStore,
        *,
        link_id: Callable[[], str],
        notify_status: Callable[[], None],
    ) -> None:
        """Nothing runs until `start`."""
        self.hass = hass
        self.entry = entry
        self.websocket = websocket
        self.store = store
        self._link_id = link_id
        self._notify_status = notify_status
        self.progress = SyncProgress()
        self._job = CoalescedJob(
            self._async_sync_if_up,
            lambda coro: entry.async_create_background_task(
                hass, coro, "remote_mtls statistics sync"
            ),
        )
        self._remote_without_recorder = False
        self._warned: set[str] = set()

    @property
    def days(self) -> int:
        """How many days back a statistic new here is imported (0: everything)."""
        return max(0, int(self.entry.options.get(CONF_STATISTICS_DAYS, 0) or 0))

    def start(self) -> None:
        """Sync now, and every hour at minute 12."""
        self.entry.async_on_unload(
            async_track_utc_time_change(self.hass, self._hourly, minute=SYNC_MINUTE, second=0)
        )
        self.request()

    def stop(self) -> None:
        """Stop a running sync."""
        self._job.cancel()

    @callback
    def _hourly(self, _now: datetime) -> None:
        self.request()

    @callback
    def request(self) -> None:
        """Sync when the link is up (again once more when a sync is running)."""
        self._job.request()

    async def async_wait(self) -> None:
        """Wait until no sync runs (tests, the benchmark)."""
        await self._job.async_wait()

    async def _async_sync_if_up(self) -> None:
        if self.store.link_up:
            await self._async_run_once()

    async def _async_run_once(self) -> None:
        progress = self.progress
        progress.running = True
        progress.runs += 1
        progress.statistics = progress.statistics_done = progress.rows = 0
        progress.last_error = None
        progress.last_started = dt_util.utcnow()
        started = time.monotonic()
        try:
            await self.store.async_wait_idle()  # mirrors added: their local entity ids exist
            targets = await self._async_targets()
            progress.statistics = len(targets)
            if targets:
                _LOGGER.info(
                    "%s: importing long-term statistics of %d remote statistics",
                    self.entry.title,
                    len(targets),
                )
                await self._async_import(targets)
        except (CommandError, CommandTimeout, NotConnected, TimeoutError) as err:
            progress.last_error = type(err).__name__
            _LOGGER.info(
                "%s: statistics import stopped (%s); it resumes at the next link-up or hour",
                self.entry.title,
                type(err).__name__,
            )
        finally:
            progress.running = False
            progress.last_finished = dt_util.utcnow()
            progress.last_duration_s = round(time.monotonic() - started, 3)
            self._notify_status()
        if progress.rows and progress.last_error is None:
            _LOGGER.info(
                "%s: imported %d hours of %d statistics in %.1f s",
                self.entry.title,
                progress.rows,
                progress.statistics,
                progress.last_duration_s,
            )

    # Which statistics, from when, in which unit -------------------------------------------

    async def _async_targets(self) -> list[Target]:
        if self._remote_without_recorder:
            return []
        try:
            metas = await list_statistics(self.websocket)
        except CommandError as err:
            if err.code != "unknown_command":
                raise
            self._remote_without_recorder = True
            _LOGGER.info("%s: the remote keeps no statistics (no recorder)", self.entry.title)
            return []
        targets = self._bounded(
            [target for meta in metas if (target := self._target(meta)) is not None]
        )
        if not targets:
            return []
        last, units = await get_instance(self.hass).async_add_executor_job(
            _local_state, self.hass, {target.statistic_id for target in targets}
        )
        cutoff = hour_floor(dt_util.utcnow()) - timedelta(days=self.days) if self.days else None
        usable: list[Target] = []
        for target in targets:
            if not self._units(target, units.get(target.statistic_id)):
                continue
            if (last_start := last.get(target.statistic_id)) is not None:
                target.since = dt_util.utc_from_timestamp(last_start)
            if cutoff is not None and (target.since is None or target.since < cutoff):
                target.since = cutoff
            usable.append(target)
        return usable

    def _bounded(self, targets: list[Target]) -> list[Target]:
        """At most MAX_EXTERNAL_STATISTICS external ones (by id, so always the same ones)."""
        external = sorted((t for t in targets if t.external), key=lambda t: t.statistic_id)
        if len(external) <= MAX_EXTERNAL_STATISTICS:
            return targets
        if "external" not in self._warned:
            self._warned.add("external")
            _LOGGER.warning(
                "%s offers %d external statistics; the first %d are imported",
                self.entry.title,
                len(external),
                MAX_EXTERNAL_STATISTICS,
            )
        return [t for t in targets if not t.external] + external[:MAX_EXTERNAL_STATISTICS]

    def _target(self, meta: StatisticMeta) -> Target | None:
        if meta.external:
            domain, _, name = meta.statistic_id.partition(":")
            local_id = f"{DOMAIN}:{slugify(f'{self._link_id()}_{domain}_{name}')}"
            if not valid_statistic_id(local_id):
                return None
            return Target(meta, local_id, external=True)
        if meta.source != RECORDER:
            return None
        # Not mirrored (filtered out, or gone): its local statistics stay as they are.
        entity_id = self.store.local_entity_id(meta.statistic_id)
        return Target(meta, entity_id, external=False) if entity_id else None

    def _units(self, target: Target, local_statistics_unit: str | None) -> bool:
        """Choose the local unit: the local statistic's, else the local entity's."""
        remote = target.remote
        unit = local_statistics_unit
        if unit is None and not target.external:
            state = self.hass.states.get(target.statistic_id)
            unit = state.attributes.get(ATTR_UNIT_OF_MEASUREMENT) if state else None
        if unit is None:
            unit = remote.unit
        conversion = unit_converter(remote.unit_class, remote.unit, unit)
        if conversion is None:
            if target.statistic_id not in self._warned:
                self._warned.add(target.statistic_id)
                self.progress.skipped_units.append(target.statistic_id)
                _LOGGER.warning(
                    "%s: statistics of %s are in %s on the remote and cannot be converted "
                    "to %s here; they are not imported",
                    self.entry.title,
                    target.statistic_id,
                    remote.unit,
                    unit,
                )
            return False
        target.local_unit = unit
        target.convert, target.unit_class = conversion
        return True

    # Fetching and importing ---------------------------------------------------------------

    async def _async_import(self, targets: list[Target]) -> None:
        end = hour_floor(dt_util.utcnow())
        groups: dict[tuple[datetime | None, tuple[tuple[str, str], ...]], list[Target]] = {}
        for target in targets:
            units: tuple[tuple[str, str], ...] = (
                ((target.remote.unit_class, target.remote.unit),)
                if target.remote.unit_class and target.remote.unit
                else ()
            )
            groups.setdefault((target.since, units), []).append(target)
        for (since, units), group in groups.items():
            by_remote_id = {target.remote.statistic_id: target for target in group}
            async for chunk in fetch_hourly(
                self.websocket, list(by_remote_id), since, end, dict(units) or None
            ):
                for remote_id, rows in chunk.rows.items():
                    self._import(by_remote_id[remote_id], rows)
                    await asyncio.sleep(0)  # one statistic's rows per event-loop iteration
                # The recorder has taken this chunk before the next one is fetched.
                await get_instance(self.hass).async_block_till_done()
            for target in group:
                await self._async_continue_sum(target)
            self.progress.statistics_done += len(group)
            self._notify_status()

    def _import(self, target: Target, rows: list[StatisticRow]) -> None:
        data = converted_rows(rows, target.convert)
        if not data:
            return
        if target.newest is None or data[-1]["start"] > target.newest["start"]:
            target.newest = dict(data[-1])  # type: ignore[assignment]
        if target.external:
            async_add_external_statistics(self.hass, target.metadata(), data)
        else:
            async_import_statistics(self.hass, target.metadata(), data)
        self.progress.rows += len(data)

    async def _async_continue_sum(self, target: Target) -> None:
        """Let the local recorder continue the sum from the remote's newest hour.

        The local recorder continues a sum from its newest five-minute row. When that row is
        older than the remote's newest hour, a row with the remote's sum and state is added at
        the end of that hour; when it is newer, its sum is set to the remote's plus what the
        state changed since (a no-op when both already agree).
        """
        newest = target.newest
        if target.external or newest is None or "sum" not in newest or "state" not in newest:
            return
        instance = get_instance(self.hass)
        latest = await instance.async_add_executor_job(
            _latest_short_term, self.hass, target.statistic_id
        )
        seed_start = newest["start"] + SHORT_TERM_OF_HOUR
        row: StatisticData
        if latest is None or latest["start"] < seed_start.timestamp():
            row = {"start": seed_start, "state": newest["state"], "sum": newest["sum"]}
            if (last_reset := newest.get("last_reset")) is not None:
                row["last_reset"] = last_reset
        else:
            state, current = latest.get("state"), latest.get("sum")
            if state is None:
                return
            expected = newest["sum"] + (state - newest["state"])
            if current is not None and abs(expected - current) <= SUM_TOLERANCE * max(
                1.0, abs(expected)
            ):
                return
            row = {
                "start": dt_util.utc_from_timestamp(latest["start"]),
                "state": state,
                "sum": expected,
            }
            if (reset_ts := latest.get("last_reset")) is not None:
                row["last_reset"] = dt_util.utc_from_timestamp(reset_ts)
        instance.async_import_statistics(target.metadata(), [row], StatisticsShortTerm)
        await instance.async_block_till_done()
