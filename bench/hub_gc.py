"""The garbage collector's pauses inside the local Home Assistant during a latency round (from
bench_profile's log), next to that round's latency tail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .stats import percentile

SLOW_MS = 5.0


def gc_report(path: Path, started: float, ended: float, run: dict[str, Any]) -> str:
    """Markdown: pauses per generation in [started, ended] and the round's slow samples."""
    pauses = [pause for pause in json.loads(path.read_text()) if started <= pause["at"] <= ended]
    seconds = ended - started
    lines = [
        f"## Garbage collection while the other links churn ({seconds:.0f} s, one latency round)",
        "",
        "| generation | pauses | per second | total ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
    ]
    for generation in (0, 1, 2):
        ms = [pause["ms"] for pause in pauses if pause["generation"] == generation]
        if ms:
            lines.append(
                f"| {generation} | {len(ms)} | {len(ms) / seconds:.1f} | {sum(ms):.0f} |"
                f" {percentile(ms, 0.99):.1f} | {max(ms):.1f} |"
            )
    ours = [value * 1000 for value in run["ours_s"]]
    floor = [value * 1000 for value in run["floor_s"]]
    slow = sum(value > SLOW_MS for value in ours)
    lines += [
        "",
        f"Latency in that round (profiling on): p99 {percentile(ours, 0.99):.2f} ms, max "
        f"{max(ours):.2f} ms (floor p99 {percentile(floor, 0.99):.2f} ms); {slow} of {len(ours)} "
        f"changes over {SLOW_MS:g} ms.",
        "",
    ]
    return "\n".join(lines)
