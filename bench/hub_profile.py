"""Why the hub misses a target, seen from inside the local Home Assistant (the bench_profile
component): tracemalloc snapshots around the first mirror (memory per mirrored entity, by file,
line and our innermost frame), a cProfile of a local restart (CPU by file), and the garbage
collector's pauses while the other links churn (latency tails). Profiling slows everything:
the timings here only locate costs; the measurements are in hub.json.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
import pstats
import tracemalloc

from . import hub_load, hub_restart
from .clock import now
from .hub_gc import gc_report
from .hub_mirror import PlainSubscriber, link_all
from .hub_rig import Hub
from .wsclient import WsClient

COMPONENT = Path(__file__).parent / "reference" / "bench_profile"
FRAMES = 30
TOP = 25
OURS = "custom_components/remote_mtls/"
# Waiting, not working: the event loop's poll (and what calls it), executor threads.
WAITING = (
    "'poll' of 'select.epoll'",
    "selectors.py",
    "_run_once",
    "'acquire' of '_thread.",
    "concurrent/futures/thread.py",
)


async def _service(client: WsClient, service: str, **data: object) -> None:
    message = {"type": "call_service", "domain": COMPONENT.name, "service": service}
    await client.command({**message, "service_data": data}, timeout=600)


async def run(hub: Hub, directory: Path, entities: int) -> str:
    """Memory around the first mirror, CPU of a restart, GC pauses under churn (markdown)."""
    before, after = directory / "before.tracemalloc", directory / "after.tracemalloc"
    async with hub.homes[0].local_client() as client:
        await _service(client, "memory_start", frames=FRAMES)
        await _service(client, "memory_dump", path=str(before))
        mirrored = await link_all(hub, PlainSubscriber(client))
        await _service(client, "memory_dump", path=str(after), stop=True)
    for home, entry_id in zip(hub.homes, mirrored.entry_ids, strict=True):
        home.entry_id = entry_id
    text = compare(before, after, mirrored.result["mirrored"])
    config = hub.local.config_dir / "configuration.yaml"
    name = f"{COMPONENT.name}:\n"
    config.write_text(config.read_text().replace(name, f"{name}  cpu: true\n"))
    restart = await hub_restart.run(hub, mirrored.mappings)
    cpu = directory / "cpu.pstats"
    async with hub.homes[0].local_client() as client:
        await _service(client, "cpu_dump", path=str(cpu))
    text += cpu_report(cpu, restart)
    started = now()
    runs, _churn = await hub_load.run(hub, mirrored.mappings, entities, 10.0, 1, 200)
    pauses = directory / "gc.json"
    async with hub.homes[0].local_client() as client:
        await _service(client, "gc_dump", path=str(pauses))
    return text + gc_report(pauses, started, now(), runs[0])


def _short(filename: str) -> str:
    for marker in ("site-packages/", "custom_components/", "lib/python3"):
        if marker in filename:
            return filename[filename.index(marker) :].removeprefix("site-packages/")
    return filename


def compare(before: Path, after: Path, mirrored: int) -> str:
    """Markdown tables: growth by allocating file, by line, and by our innermost frame."""
    old = tracemalloc.Snapshot.load(str(before))
    new = tracemalloc.Snapshot.load(str(after))
    per_1000 = 1000 / mirrored / 1024  # bytes -> KB per 1000 mirrored entities
    total = sum(stat.size_diff for stat in new.compare_to(old, "filename"))
    lines = [
        f"# Inside the local Home Assistant ({mirrored} mirrored entities)",
        "",
        "## Memory per 1000 mirrored entities",
        "",
        f"Python allocations still alive after the first mirror, minus before: "
        f"{total * per_1000 / 1024:.2f} MB per 1000 (tracemalloc, {FRAMES} frames).",
        "",
    ]
    for title, key in (("allocating file", "filename"), ("allocating line", "lineno")):
        stats = sorted(new.compare_to(old, key), key=lambda stat: -stat.size_diff)[:TOP]
        lines += [
            f"### By {title}",
            "",
            "| KB per 1000 | blocks per 1000 | where |",
            "|---|---|---|",
        ]
        for stat in stats:
            frame = stat.traceback[-1]
            where = _short(frame.filename) + (f":{frame.lineno}" if key == "lineno" else "")
            blocks = stat.count_diff * 1000 / mirrored
            lines.append(f"| {stat.size_diff * per_1000:.0f} | {blocks:.0f} | {where} |")
        lines.append("")
    lines += _by_our_frame(new.compare_to(old, "traceback"), per_1000)
    return "\n".join(lines)


def _by_our_frame(stats: list[tracemalloc.StatisticDiff], per_1000: float) -> list[str]:
    """Growth attributed to the innermost frame of this integration on the allocating stack
    (`(no remote_mtls frame)`: Home Assistant's own work, or deeper than the frames kept)."""
    owners: dict[str, int] = defaultdict(int)
    for stat in stats:
        ours = [frame for frame in stat.traceback if OURS in frame.filename]
        owner = (
            f"{_short(ours[-1].filename)}:{ours[-1].lineno}" if ours else "(no remote_mtls frame)"
        )
        owners[owner] += stat.size_diff
    top = sorted(owners.items(), key=lambda item: -item[1])[:TOP]
    lines = [
        "### By the innermost remote_mtls frame on the stack",
        "",
        "| KB per 1000 | our line that led to it |",
        "|---|---|",
    ]
    lines += [f"| {size * per_1000:.0f} | {owner} |" for owner, size in top]
    return [*lines, ""]


def cpu_report(path: Path, restart: dict[str, object]) -> str:
    """Own CPU time (cProfile tottime) of the restart's first seconds, by file and function."""
    stats = pstats.Stats(str(path))
    entries = {
        function: entry
        for function, entry in stats.stats.items()  # type: ignore[attr-defined]
        if not any(wait in f"{function[0]} {function[2]}" for wait in WAITING)
    }
    total = sum(entry[2] for entry in entries.values())
    by_file: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), entry in entries.items():
        by_file[_short(filename)] += entry[2]
    ours = sum(seconds for name, seconds in by_file.items() if name.startswith(OURS))
    lines = [
        "## CPU of a local restart (cProfile of the event loop until every mirror is available)",
        "",
        f"Restart under the profiler: {restart}.",
        "",
        f"Own time in total {total:.2f} s; in remote_mtls {ours:.2f} s ({ours / total:.0%}).",
        "",
        "| own s | share | file |",
        "|---|---|---|",
    ]
    for name, seconds in sorted(by_file.items(), key=lambda item: -item[1])[:TOP]:
        lines.append(f"| {seconds:.2f} | {seconds / total:.0%} | {name} |")
    functions = sorted(entries.items(), key=lambda item: -item[1][3])[:TOP]
    lines += ["", "| cumulative s | calls | function |", "|---|---|---|"]
    for (filename, line, function), entry in functions:
        lines.append(f"| {entry[3]:.2f} | {entry[1]} | {_short(filename)}:{line} {function} |")
    return "\n".join([*lines, "", ""])
