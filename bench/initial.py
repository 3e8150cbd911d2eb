"""Initial mirror: from the config flow's last step to every remote entity present locally as a
registry entity with its state; peak RSS increase of the local HA per 1000 mirrored entities.

Floor: a bare client through the same proxy connects, authenticates and receives the remote's
full `subscribe_entities` snapshot (all states once, over the same mTLS).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from dataclasses import dataclass, field
from typing import Any

from .clock import now
from .memory import MB, RssSampler
from .mirror_map import local_mirrors, remote_keys, still_at_the_remote
from .model import Measurement, Row
from .rig import Rig
from .stats import median
from .wsclient import WsClient

TARGET_S = 1.0
TARGET_MB_PER_1000 = 8.0
COMPLETE_TIMEOUT = 300.0
RECHECK_S = 1.0  # while mirrors are missing, the remote's entities are read again this often
SETTLE_S = 3.0  # after completion, before the steady RSS is read
DROP_LOG = "unable to keep up"


async def floor_snapshot(rig: Rig) -> tuple[float, int]:
    """Seconds for a bare client through the proxy to hold every remote state, and how many."""
    started = now()
    snapshot: asyncio.Future[tuple[float, int]] = asyncio.get_running_loop().create_future()

    def on_event(event: dict[str, Any], arrived: float) -> None:
        if not snapshot.done() and "a" in event:
            snapshot.set_result((arrived, len(event["a"])))

    async with rig.floor_client() as client:
        await client.subscribe({"type": "subscribe_entities"}, on_event)
        arrived, count = await asyncio.wait_for(snapshot, 60)
    return arrived - started, count


def drops_in_log(rig: Rig) -> int:
    """How often the local HA logged dropping a websocket client so far."""
    assert rig.local is not None
    try:
        text = rig.local.log_path.read_text(errors="replace")
    except OSError:
        return 0
    return text.count(DROP_LOG)


async def _wait_complete(
    rig: Rig, entry_id: str, keys: dict[str, str]
) -> tuple[float, bool, dict[str, str], dict[str, str]]:
    """Poll until every remote entity has a local registry entity with a state.

    Returns when that was seen, whether the first look already found it, the mapping and the
    remote entities waited for: those the remote removed meanwhile are not (checked every
    RECHECK_S while some are missing).
    """
    first = True
    deadline = now() + COMPLETE_TIMEOUT
    recheck_at = now() + RECHECK_S
    async with rig.local_client(coalesce=True) as local:
        while True:
            mapping, states = await local_mirrors(local, entry_id, keys)
            seen = now()
            with_state = all(local_id in states for local_id in mapping.values())
            if len(mapping) == len(keys) and with_state:
                return seen, first, mapping, keys
            if seen > deadline:
                raise TimeoutError(f"only {len(mapping)} of {len(keys)} entities mirrored")
            if seen > recheck_at:
                keys = await still_at_the_remote(rig, keys)
                recheck_at = now() + RECHECK_S
            first = False
            await asyncio.sleep(0.05)


@dataclass
class Observation:
    """What a plain local subscriber and the RSS sampler saw around an action."""

    arrivals: dict[str, float] = field(default_factory=dict)
    baseline: int = 0
    peak: int = 0
    steady: int = 0
    dropped: bool = False
    drops_logged: int = 0

    def on_state(self, event: dict[str, Any], arrived: float) -> None:
        """state_changed handler: last arrival per entity."""
        self.arrivals[event["data"]["entity_id"]] = arrived

    def memory(self, entities: int) -> dict[str, Any]:
        """RSS numbers, absolute and per 1000 entities."""
        thousands = entities / 1000
        return {
            "rss_baseline_mb": round(self.baseline / MB, 1),
            "rss_peak_mb": round(self.peak / MB, 1),
            "rss_steady_mb": round(self.steady / MB, 1),
            "rss_peak_increase_mb": round((self.peak - self.baseline) / MB, 1),
            "rss_steady_increase_mb": round((self.steady - self.baseline) / MB, 1),
            "rss_peak_increase_mb_per_1000": round((self.peak - self.baseline) / MB / thousands, 2),
            "rss_steady_increase_mb_per_1000": round(
                (self.steady - self.baseline) / MB / thousands, 2
            ),
            "plain_subscriber_dropped": self.dropped,
            "drops_logged": self.drops_logged,
        }


@contextlib.asynccontextmanager
async def observed(rig: Rig) -> AsyncIterator[Observation]:
    """A plain local subscriber (a dashboard, no coalescing) and RSS sampling around a block."""
    assert rig.local is not None
    assert rig.local.process is not None
    observation = Observation()
    sampler = RssSampler(rig.local.process.pid)
    drops_before = drops_in_log(rig)
    async with WsClient(rig.local.url, rig.local.token) as plain:
        await plain.subscribe_events("state_changed", observation.on_state)
        observation.baseline = await asyncio.to_thread(sampler.baseline)
        sampler.start()
        try:
            yield observation
            await asyncio.sleep(SETTLE_S)
        finally:
            sampler.stop()
        observation.steady = sampler.rss()
        observation.peak = sampler.peak()
        observation.dropped = not await plain.still_connected()
    observation.drops_logged = drops_in_log(rig) - drops_before


async def count_remote_entities(rig: Rig) -> int:
    """How many entities the remote has (all of them get mirrored)."""
    async with rig.driver() as driver:
        return len(await remote_keys(driver))


async def run_once(rig: Rig) -> dict[str, Any]:
    """Link a fresh local HA to the remote and time the first full mirror."""
    async with rig.driver() as driver:
        keys = await remote_keys(driver)
    floor_s, floor_count = await floor_snapshot(rig)
    async with observed(rig) as observation:
        timing = await rig.link()
        seen, at_first_look, mapping, keys = await _wait_complete(rig, timing.entry_id, keys)
    rig.entry_id = timing.entry_id
    complete = timing.finished if at_first_look else seen
    arrivals = observation.arrivals
    last_arrival = max((arrivals.get(local_id, 0.0) for local_id in mapping.values()), default=0)
    return {
        "entities": len(keys),
        "mirror_s": round(complete - timing.last_step, 4),
        "flow_answer_s": round(timing.finished - timing.last_step, 4),
        "complete_at_first_look": at_first_look,
        "subscriber_last_state_s": round(last_arrival - timing.last_step, 4),
        **observation.memory(len(keys)),
        "floor_snapshot_s": round(floor_s, 4),
        "floor_snapshot_entities": floor_count,
    }


async def run_reference(rig: Rig, count: int) -> dict[str, Any]:
    """Home Assistant alone adds `count` trivial registry entities (bench_reference.add)."""
    message = {
        "type": "call_service",
        "domain": "bench_reference",
        "service": "add",
        "service_data": {"count": count},
    }
    async with rig.local_client(coalesce=True) as caller, observed(rig) as observation:
        started = now()
        await caller.command(message, timeout=COMPLETE_TIMEOUT)
        added = now()
    return {"entities": count, "add_s": round(added - started, 4), **observation.memory(count)}


def summarize(
    runs: list[dict[str, Any]], fixed: dict[str, Any], reference: list[dict[str, Any]]
) -> Measurement:
    """Medians over runs and the table rows.

    `fixed` linked the remote's demo entities only (the fixed cost of a link); `reference`
    are Home Assistant's own runs adding as many trivial registry entities.
    """
    mirror = median([run["mirror_s"] for run in runs])
    floor = median([run["floor_snapshot_s"] for run in runs])
    per_1000 = median([run["rss_peak_increase_mb_per_1000"] for run in runs])
    steady = median([run["rss_steady_increase_mb_per_1000"] for run in runs])
    ha_s = median([run["add_s"] for run in reference])
    ha_per_1000 = median([run["rss_peak_increase_mb_per_1000"] for run in reference])
    runs_and_reference = [*runs, *reference]
    dropped = sum(
        run["plain_subscriber_dropped"] or run["drops_logged"] > 0 for run in runs_and_reference
    )
    entities = runs[0]["entities"]
    extra = (entities - fixed["entities"]) / 1000
    marginal_mb = (
        median([run["rss_peak_increase_mb"] for run in runs]) - fixed["rss_peak_increase_mb"]
    ) / extra
    marginal_s = (mirror - fixed["mirror_s"]) / extra
    summary = {
        "runs": len(runs),
        "entities": entities,
        "mirror_s_median": mirror,
        "floor_snapshot_s_median": floor,
        "home_assistant_alone_s_median": ha_s,
        "rss_peak_increase_mb_per_1000_median": per_1000,
        "rss_steady_increase_mb_per_1000_median": steady,
        "home_assistant_alone_rss_peak_mb_per_1000_median": ha_per_1000,
        "plain_subscriber_dropped_runs": dropped,
        "fixed_cost_run": fixed,
        "reference_runs": reference,
        "marginal_rss_peak_mb_per_1000": round(marginal_mb, 2),
        "marginal_mirror_s_per_1000": round(marginal_s, 3),
    }
    n = f"(median of {len(runs)})"
    rows = [
        Row(
            f"Initial mirror, {entities} entities {n}",
            f"≤ {TARGET_S:g} s",
            f"{mirror:.2f} s ({fixed['entities']} demo entities alone: {fixed['mirror_s']:.2f} s)",
            f"snapshot through the proxy {floor:.2f} s; HA alone adding {entities} trivial "
            f"registry entities {ha_s:.2f} s",
            mirror <= TARGET_S,
        ),
        Row(
            "Peak RSS increase per 1000 entities",
            f"≤ {TARGET_MB_PER_1000:g} MB",
            f"{per_1000:.1f} MB (steady {steady:.1f}; beyond a demo-only link {marginal_mb:.1f})",
            f"HA alone: {ha_per_1000:.1f} MB",
            per_1000 <= TARGET_MB_PER_1000,
        ),
        Row(
            "Plain local subscriber dropped during initial mirror",
            "0",
            str(dropped),
            "-",
            dropped == 0,
        ),
    ]
    return Measurement("initial_mirror", summary, runs, rows)
