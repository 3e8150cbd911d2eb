"""Service round trip: toggle the local mirror of a remote input_boolean; time until the local
mirror shows the new state. Floor: a bare client on the remote through the proxy toggles the
input_boolean itself and waits for its `state_changed`. Ours and the floor alternate.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .mirror_map import local_mirrors, remote_keys
from .model import Measurement, Row
from .rig import Rig
from .stats import distribution_ms, median
from .watch import StateWatch
from .wsclient import WsClient

REMOTE_ENTITY = "input_boolean.porch"
WARMUP = 3
PACE_S = 0.05
TIMEOUT_S = 10.0
TARGET_FACTOR = 1.5


def _toggle(entity_id: str) -> dict[str, Any]:
    domain = entity_id.partition(".")[0]
    return {
        "type": "call_service",
        "domain": domain,
        "service": "toggle",
        "target": {"entity_id": entity_id},
    }


async def _timed_toggle(
    client: WsClient, watch: StateWatch, entity_id: str, new_state: str
) -> float:
    seen = watch.arm(entity_id, new_state)
    result, sent = await client.send(_toggle(entity_id))
    async with asyncio.timeout(TIMEOUT_S):
        arrived = await seen
        await result
    return arrived - sent


async def run_once(rig: Rig, toggles: int) -> dict[str, Any]:
    """One round: alternately toggle through the mirror and directly on the remote."""
    ours: list[float] = []
    floor: list[float] = []
    async with (
        rig.floor_client() as floor_client,
        rig.local_client(coalesce=True) as local_client,
    ):
        mapping, states = await local_mirrors(
            local_client, rig.entry_id, await remote_keys(floor_client)
        )
        local_id = mapping[REMOTE_ENTITY]
        floor_watch, local_watch = StateWatch(), StateWatch()
        await floor_client.subscribe_events("state_changed", floor_watch.on_event)
        await local_client.subscribe_events("state_changed", local_watch.on_event)
        state = states[local_id]
        for index in range(WARMUP + toggles):
            state = "off" if state == "on" else "on"
            took = await _timed_toggle(local_client, local_watch, local_id, state)
            await asyncio.sleep(PACE_S)
            state = "off" if state == "on" else "on"
            mirrored = local_watch.arm(local_id, state)  # the next toggle starts from it
            took_floor = await _timed_toggle(floor_client, floor_watch, REMOTE_ENTITY, state)
            await asyncio.wait_for(mirrored, TIMEOUT_S)
            await asyncio.sleep(PACE_S)
            if index >= WARMUP:
                ours.append(took)
                floor.append(took_floor)
    return {
        "toggles": toggles,
        "ours_ms": distribution_ms(ours),
        "floor_ms": distribution_ms(floor),
        "ours_s": ours,
        "floor_s": floor,
    }


def summarize(runs: list[dict[str, Any]]) -> Measurement:
    """Median over rounds of p50 and p99, with the range."""
    ours_p50 = median([run["ours_ms"]["p50"] for run in runs])
    floor_p50 = median([run["floor_ms"]["p50"] for run in runs])
    ours_p99 = median([run["ours_ms"]["p99"] for run in runs])
    floor_p99 = median([run["floor_ms"]["p99"] for run in runs])
    ratios = [run["ours_ms"]["p50"] / run["floor_ms"]["p50"] for run in runs]
    ratio = ours_p50 / floor_p50
    summary = {
        "rounds": len(runs),
        "toggles_per_round": runs[0]["toggles"],
        "ours_p50_ms_median": ours_p50,
        "floor_p50_ms_median": floor_p50,
        "ours_p99_ms_median": ours_p99,
        "floor_p99_ms_median": floor_p99,
        "p50_ratio": round(ratio, 2),
        "p50_ratio_per_round": [round(value, 2) for value in ratios],
        "ours_ms_pooled": distribution_ms([value for run in runs for value in run["ours_s"]]),
        "floor_ms_pooled": distribution_ms([value for run in runs for value in run["floor_s"]]),
    }
    spread = f", rounds {min(ratios):.2f}-{max(ratios):.2f} x" if len(runs) > 1 else ""
    what = f"median of {len(runs)} rounds x {runs[0]['toggles']} toggles"
    rows = [
        Row(
            f"Service round trip p50 ({what})",
            f"≤ {TARGET_FACTOR:g} x floor",
            f"{ours_p50:.2f} ms ({ratio:.2f} x{spread})",
            f"{floor_p50:.2f} ms",
            ratio <= TARGET_FACTOR,
        ),
        Row("Service round trip p99", "-", f"{ours_p99:.2f} ms", f"{floor_p99:.2f} ms", None),
    ]
    return Measurement("service_round_trip", summary, runs, rows)
