"""Fast tier: how statistics are fetched (bounded chunks) and converted (no network, no bed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.remote_mtls.api.statistics import (
    CHUNK,
    EMPTY_SPAN_ENDS_HISTORY,
    IDS_PER_REQUEST,
    StatisticMeta,
    StatisticRow,
    fetch_hourly,
    forward_spans,
)
from custom_components.remote_mtls.statistics_sync import converted_rows, unit_converter

HOUR = timedelta(hours=1)
END = datetime(2026, 6, 1, tzinfo=UTC)
KEEPS_FROM = END - timedelta(days=400)  # the remote's oldest row


class FakeRemote:
    """Answers recorder/statistics_during_period with one row per hour since KEEPS_FROM."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    async def command(self, message: dict[str, Any], timeout: float | None = None) -> Any:
        self.requests.append(message)
        start = max(datetime.fromisoformat(message["start_time"]), KEEPS_FROM)
        end = datetime.fromisoformat(message["end_time"])
        rows = []
        hour = start
        while hour < end:
            ms = int(hour.timestamp() * 1000)
            rows.append({"start": ms, "end": ms + 3_600_000, "sum": hour.timestamp() / 3600})
            hour += HOUR
        return dict.fromkeys(message["statistic_ids"], rows) if rows else {}


def test_forward_spans_cover_the_range_in_bounded_pieces() -> None:
    start = END - timedelta(days=100)
    spans = forward_spans(start, END)
    assert spans[0][0] == start
    assert spans[-1][1] == END
    assert all(b - a <= CHUNK for a, b in spans)
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))


async def test_forward_fetch_is_chunked_by_time_and_ids() -> None:
    remote = FakeRemote()
    ids = [f"sensor.s{i}" for i in range(IDS_PER_REQUEST + 5)]
    start = END - timedelta(days=62)
    hours: dict[str, int] = {}
    async for chunk in fetch_hourly(remote, ids, start, END):  # type: ignore[arg-type]
        for statistic_id, rows in chunk.rows.items():
            hours[statistic_id] = hours.get(statistic_id, 0) + len(rows)
            assert all(chunk.start <= row.start < chunk.end for row in rows)
    assert hours == dict.fromkeys(ids, 62 * 24)  # every hour exactly once
    assert all(len(r["statistic_ids"]) <= IDS_PER_REQUEST for r in remote.requests)
    assert all(r["period"] == "hour" for r in remote.requests)
    spans = {
        datetime.fromisoformat(r["end_time"]) - datetime.fromisoformat(r["start_time"])
        for r in remote.requests
    }
    assert max(spans) <= CHUNK
    assert len(remote.requests) == 2 * 2  # two id batches x two spans


async def test_everything_walks_back_until_a_year_without_rows() -> None:
    remote = FakeRemote()
    total = 0
    async for chunk in fetch_hourly(remote, ["sensor.a"], None, END):  # type: ignore[arg-type]
        total += sum(len(rows) for rows in chunk.rows.values())
    assert total == (END - KEEPS_FROM) // HOUR  # everything the remote keeps, once
    oldest = min(datetime.fromisoformat(r["start_time"]) for r in remote.requests)
    assert KEEPS_FROM - EMPTY_SPAN_ENDS_HISTORY - CHUNK <= oldest < KEEPS_FROM


def test_rows_and_metadata_are_decoded_defensively() -> None:
    assert StatisticRow.from_dict({"start": "x"}) is None
    assert StatisticRow.from_dict({"start": 1_700_000_100_000}) is None  # not on the hour
    row = StatisticRow.from_dict({"start": 1_699_999_200_000, "sum": float("nan"), "mean": True})
    assert row is not None and row.sum is None and row.mean is None
    meta = StatisticMeta.from_dict(
        {"statistic_id": "demo:energy", "source": "demo", "has_mean": True, "has_sum": "yes"}
    )
    assert meta.external and meta.mean_type == 1 and meta.has_sum is False


@pytest.mark.parametrize(
    ("unit_class", "remote", "local", "value", "expected", "local_class"),
    [
        ("energy", "Wh", "kWh", 1500.0, 1.5, "energy"),
        ("energy", "kWh", "kWh", 1.5, 1.5, "energy"),
        ("temperature", "°F", "°C", 212.0, 100.0, "temperature"),
        (None, "m³", "L", 1.0, 1000.0, "volume"),
        (None, "things", "things", 3.0, 3.0, None),
    ],
)
def test_units_converted_as_home_assistant_does(
    unit_class: str | None,
    remote: str,
    local: str,
    value: float,
    expected: float,
    local_class: str | None,
) -> None:
    conversion = unit_converter(unit_class, remote, local)
    assert conversion is not None
    convert, found_class = conversion
    assert found_class == local_class
    rows = converted_rows(
        [StatisticRow(start=END, mean=value, min=value, max=value, state=value, sum=value)],
        convert,
    )
    assert rows == [
        {
            "start": END,
            "mean": expected,
            "min": expected,
            "max": expected,
            "state": expected,
            "sum": expected,
        }
    ]


def test_units_that_cannot_be_converted_are_refused() -> None:
    assert unit_converter("energy", "kWh", "W") is None
    assert unit_converter(None, "things", "stuff") is None
