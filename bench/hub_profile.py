"""Where the local Home Assistant's memory per mirrored entity goes: tracemalloc snapshots taken
inside it (bench/reference/bench_tracemalloc) before and after every home is mirrored, compared
by file and by line, per 1000 mirrored entities. Tracing slows everything: no timings here.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
import tracemalloc

from .hub_mirror import PlainSubscriber, link_all
from .hub_rig import Hub
from .wsclient import WsClient

COMPONENT = Path(__file__).parent / "reference" / "bench_tracemalloc"
FRAMES = 30
TOP = 25
OURS = "custom_components/remote_mtls/"


async def _service(client: WsClient, service: str, **data: object) -> None:
    message = {"type": "call_service", "domain": COMPONENT.name, "service": service}
    await client.command({**message, "service_data": data}, timeout=600)


async def run(hub: Hub, directory: Path) -> str:
    """Trace, snapshot, mirror every home, snapshot; return the comparison as markdown."""
    before, after = directory / "before.tracemalloc", directory / "after.tracemalloc"
    async with hub.homes[0].local_client() as client:
        await _service(client, "start", frames=FRAMES)
        await _service(client, "dump", path=str(before))
        mirrored = await link_all(hub, PlainSubscriber(client))
        await _service(client, "dump", path=str(after))
    return compare(before, after, mirrored.result["mirrored"])


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
        f"# Memory of the local Home Assistant per 1000 mirrored entities ({mirrored} mirrored)",
        "",
        f"Python allocations still alive after the first mirror, minus before: "
        f"{total * per_1000 / 1024:.2f} MB per 1000 (tracemalloc, {FRAMES} frames).",
        "",
    ]
    for title, key in (("allocating file", "filename"), ("allocating line", "lineno")):
        stats = sorted(new.compare_to(old, key), key=lambda stat: -stat.size_diff)[:TOP]
        lines += [
            f"## By {title}",
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
        "## By the innermost remote_mtls frame on the stack",
        "",
        "| KB per 1000 | our line that led to it |",
        "|---|---|",
    ]
    lines += [f"| {size * per_1000:.0f} | {owner} |" for owner, size in top]
    return [*lines, ""]
