"""Results on disk: one JSON per measurement, and summary.md rebuilt from all of them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
import json
from pathlib import Path
from typing import Any

from .model import Measurement, Row

ORDER = ("initial_mirror", "state_latency", "burst", "service_round_trip", "reconnect")


def write_measurement(
    directory: Path, measurement: Measurement, mode: str, machine: dict[str, Any]
) -> None:
    """bench/results/<name>.json with the machine facts and load."""
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "name": measurement.name,
        "mode": mode,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "load": measurement.load,
        "summary": measurement.summary,
        "rows": [asdict(row) for row in measurement.rows],
        "runs": measurement.runs,
    }
    path = directory / f"{measurement.name}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")


def _load(directory: Path, names: tuple[str, ...]) -> list[dict[str, Any]]:
    documents = []
    for name in names:
        path = directory / f"{name}.json"
        if path.exists():
            documents.append(json.loads(path.read_text()))
    return documents


def _met(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "**no**")


def render_summary(directory: Path, names: tuple[str, ...] = ORDER) -> str:
    """Markdown: machine facts, load, and the table of the stored measurements `names`."""
    documents = _load(directory, names)
    if not documents:
        return "No results yet.\n"
    machine = documents[-1]["machine"]
    loads = [load for document in documents for load in document["load"]]
    foreign = max((load["foreign_cpu_cores"] for load in loads), default=0.0)
    shared = any(load["shared"] for load in loads)
    modes = sorted({document["mode"] for document in documents})
    dates = sorted(document["finished_at"] for document in documents)
    lines = [
        f"# Benchmark results ({', '.join(modes)} run, {dates[0]} - {dates[-1]})",
        "",
        f"Machine: {machine['logical_cores']} logical cores ({machine['cpu_model']}), "
        f"{machine['memory_gb']} GB, Linux {machine['kernel']}; Python {machine['python']}, "
        f"Home Assistant {machine['home_assistant']}, aiohttp {machine['aiohttp']}, "
        f"{machine['openssl']}, nginx {machine['nginx']}. "
        f"Integration at {machine.get('integration_commit', 'unknown')}.",
        "",
        (
            f"The machine was shared: other processes used up to {foreign:.2f} CPU cores during "
            "a measurement (see `load` in each JSON); timings are noisier than on an idle machine."
            if shared
            else f"Other processes used at most {foreign:.2f} CPU cores during any measurement."
        ),
        "",
        "| measurement | target | ours | floor | met |",
        "|---|---|---|---|---|",
    ]
    for document in documents:
        for row in (Row(**item) for item in document["rows"]):
            lines.append(
                f"| {row.measurement} | {row.target} | {row.ours} | {row.floor} | {_met(row.met)} |"
            )
    lines += [
        "",
        "Floor: a bare aiohttp websocket client on the remote through the same nginx with the "
        "same client certificate (no integration, no local Home Assistant).",
        "",
    ]
    return "\n".join(lines)


def write_summary(
    directory: Path, names: tuple[str, ...] = ORDER, filename: str = "summary.md"
) -> str:
    """Rebuild summary.md (or `filename` from `names`); return its text."""
    text = render_summary(directory, names)
    (directory / filename).write_text(text)
    return text
