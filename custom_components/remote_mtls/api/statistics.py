"""The remote's long-term statistics: typed metadata and hourly rows, fetched in bounded chunks.

`list_statistics` reads `recorder/list_statistic_ids`; `fetch_hourly` reads
`recorder/statistics_during_period` (period `hour`) one chunk of time and a few statistics at a
time, so a large history never becomes one huge message or one long stall of the remote.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import logging
import math
from typing import Any

from .websocket import WebSocketSession

_LOGGER = logging.getLogger(__name__)

# One request covers at most this much time of at most this many statistics:
# 31 days x 24 hours x 10 statistics = 7,440 rows, about 1 MB of JSON (decoded in the loop).
CHUNK = timedelta(days=31)
IDS_PER_REQUEST = 10
ROW_TYPES = ("mean", "min", "max", "state", "sum", "last_reset")
# Walking back through "everything the remote keeps" ends after this much time without rows.
EMPTY_SPAN_ENDS_HISTORY = timedelta(days=366)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _timestamp(value: Any) -> datetime | None:
    """Epoch milliseconds (what the websocket sends) or seconds, as an aware UTC datetime."""
    number = _number(value)
    if number is None:
        return None
    try:
        return datetime.fromtimestamp(number / 1000, UTC)
    except OverflowError, OSError, ValueError:
        return None


def hour_floor(moment: datetime) -> datetime:
    """Return the start of the hour `moment` lies in (UTC)."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class StatisticMeta:
    """What the remote says about one of its statistics."""

    statistic_id: str
    source: str
    name: str | None
    unit: str | None  # the unit the remote stores the rows in
    unit_class: str | None
    mean_type: int  # 0 none, 1 arithmetic, 2 circular (Home Assistant's StatisticMeanType)
    has_sum: bool

    @property
    def external(self) -> bool:
        """Not backed by an entity (`domain:name` ids, any source but the recorder)."""
        return ":" in self.statistic_id

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StatisticMeta:
        """Decode one entry of `recorder/list_statistic_ids`."""
        mean_type = data.get("mean_type")
        if not isinstance(mean_type, int) or isinstance(mean_type, bool):
            mean_type = 1 if data.get("has_mean") else 0
        unit = data.get("statistics_unit_of_measurement")
        unit_class = data.get("unit_class")
        name = data.get("name")
        return cls(
            statistic_id=str(data["statistic_id"]),
            source=str(data["source"]),
            name=str(name) if name is not None else None,
            unit=str(unit) if unit is not None else None,
            unit_class=str(unit_class) if unit_class is not None else None,
            mean_type=mean_type if mean_type in (0, 1, 2) else 0,
            has_sum=data.get("has_sum") is True,
        )


@dataclass(frozen=True, slots=True)
class StatisticRow:
    """One hour of a statistic, in the unit the remote stores it in."""

    start: datetime
    mean: float | None = None
    min: float | None = None
    max: float | None = None
    state: float | None = None
    sum: float | None = None
    last_reset: datetime | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StatisticRow | None:
        """Decode one row of `recorder/statistics_during_period`; None if it has no hour."""
        start = _timestamp(data.get("start"))
        if start is None or start != hour_floor(start):
            return None
        return cls(
            start=start,
            mean=_number(data.get("mean")),
            min=_number(data.get("min")),
            max=_number(data.get("max")),
            state=_number(data.get("state")),
            sum=_number(data.get("sum")),
            last_reset=_timestamp(data.get("last_reset")),
        )


@dataclass(frozen=True, slots=True)
class StatisticsChunk:
    """The rows of some statistics over `start`..`end` (end exclusive)."""

    start: datetime
    end: datetime
    rows: dict[str, list[StatisticRow]]


async def list_statistics(websocket: WebSocketSession) -> list[StatisticMeta]:
    """Every statistic the remote keeps (entity-backed and external)."""
    result = await websocket.command({"type": "recorder/list_statistic_ids"})
    metas: list[StatisticMeta] = []
    for data in result if isinstance(result, list) else ():
        try:
            metas.append(StatisticMeta.from_dict(data))
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            _LOGGER.debug("Skipped a malformed remote statistic: %s", repr(err)[:200])
    return metas


async def fetch_period(
    websocket: WebSocketSession,
    statistic_ids: Sequence[str],
    start: datetime,
    end: datetime,
    units: Mapping[str, str] | None = None,
) -> StatisticsChunk:
    """Hourly rows of `statistic_ids` from `start` to `end`, sorted, one row per hour."""
    message: dict[str, Any] = {
        "type": "recorder/statistics_during_period",
        "start_time": start.isoformat(),
        "end_time": end.isoformat(),
        "statistic_ids": list(statistic_ids),
        "period": "hour",
        "types": list(ROW_TYPES),
    }
    if units:
        message["units"] = dict(units)
    result = await websocket.command(message)
    rows: dict[str, list[StatisticRow]] = {}
    wanted = set(statistic_ids)
    for statistic_id, items in (result if isinstance(result, dict) else {}).items():
        if statistic_id not in wanted or not isinstance(items, list):
            continue
        by_hour = {
            row.start: row
            for item in items
            if isinstance(item, dict)
            and (row := StatisticRow.from_dict(item)) is not None
            and start <= row.start < end
        }
        if by_hour:
            rows[statistic_id] = [by_hour[hour] for hour in sorted(by_hour)]
    return StatisticsChunk(start, end, rows)


def forward_spans(
    start: datetime, end: datetime, chunk: timedelta = CHUNK
) -> list[tuple[datetime, datetime]]:
    """`start`..`end` cut into spans of at most `chunk`, oldest first."""
    spans: list[tuple[datetime, datetime]] = []
    while start < end:
        spans.append((start, min(start + chunk, end)))
        start += chunk
    return spans


async def fetch_hourly(
    websocket: WebSocketSession,
    statistic_ids: Sequence[str],
    start: datetime | None,
    end: datetime,
    units: Mapping[str, str] | None = None,
    *,
    chunk: timedelta = CHUNK,
    ids_per_request: int = IDS_PER_REQUEST,
) -> AsyncIterator[StatisticsChunk]:
    """Hourly rows from `start` (None: everything the remote keeps) to `end`, chunk by chunk.

    With a start, chunks come oldest first. Without one they come newest first, back until
    EMPTY_SPAN_ENDS_HISTORY passed without a row of any of the statistics asked for.
    """
    for first in range(0, len(statistic_ids), ids_per_request):
        batch = statistic_ids[first : first + ids_per_request]
        if start is not None:
            for span_start, span_end in forward_spans(start, end, chunk):
                yield await fetch_period(websocket, batch, span_start, span_end, units)
            continue
        span_end = end
        empty = timedelta()
        while empty < EMPTY_SPAN_ENDS_HISTORY:
            span_start = span_end - chunk
            fetched = await fetch_period(websocket, batch, span_start, span_end, units)
            empty = empty + chunk if not fetched.rows else timedelta()
            yield fetched
            span_end = span_start
