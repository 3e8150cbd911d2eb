"""Percentiles and medians of samples."""

from __future__ import annotations

from collections.abc import Sequence
import math
import statistics


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (fraction 0..1) of the samples."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def distribution_ms(seconds: Sequence[float]) -> dict[str, float | int]:
    """p50/p90/p99/max (and count, mean) in milliseconds."""
    if not seconds:
        return {"n": 0}
    ms = [value * 1000 for value in seconds]
    return {
        "n": len(ms),
        "p50": round(percentile(ms, 0.50), 3),
        "p90": round(percentile(ms, 0.90), 3),
        "p99": round(percentile(ms, 0.99), 3),
        "max": round(max(ms), 3),
        "mean": round(statistics.fmean(ms), 3),
    }


def median(values: Sequence[float]) -> float:
    """Median of the runs."""
    return float(statistics.median(values))
