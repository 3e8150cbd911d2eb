"""Sizes of a bench run and the shape of its results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sizes:
    """How much each measurement does (full: the issue's numbers; quick: for development)."""

    entities: int
    initial_repeats: int
    latency_samples: int
    latency_rounds: int
    burst_changes: int
    burst_repeats: int
    service_toggles: int
    service_rounds: int
    reconnect_repeats: int
    outage_s: float = 3.0


FULL = Sizes(
    entities=5000,
    initial_repeats=3,
    latency_samples=300,
    latency_rounds=3,
    burst_changes=5000,
    burst_repeats=3,
    service_toggles=50,
    service_rounds=3,
    reconnect_repeats=3,
)
QUICK = Sizes(
    entities=500,
    initial_repeats=1,
    latency_samples=50,
    latency_rounds=1,
    burst_changes=500,
    burst_repeats=1,
    service_toggles=10,
    service_rounds=1,
    reconnect_repeats=1,
)


@dataclass(frozen=True)
class Row:
    """One line of the summary table; `met` is None where the issue sets no target."""

    measurement: str
    target: str
    ours: str
    floor: str
    met: bool | None = None


@dataclass
class Measurement:
    """What one measurement found: a summary, every run, table rows and the machine's load."""

    name: str
    summary: dict[str, Any]
    runs: list[dict[str, Any]]
    rows: list[Row]
    load: list[dict[str, Any]] = field(default_factory=list)
