"""State latency: a remote state is set (paced, one at a time); how long until the local mirror's
`state_changed` reaches a local websocket subscriber, and, in the same run, until the remote's own
`state_changed` reaches a bare client subscribed on the remote through the proxy (the floor).

Both are timed from the moment the change command leaves the driver (a client on the remote's
own port), so the remote's own work is in both numbers and the difference is the link's cost.
Each subscriber runs in its own process: in one event loop, a message that arrives while the
other is being decrypted would be stamped late.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from .mirror_map import local_mirrors, remote_keys
from .model import Measurement, Row
from .receiver import ReceiverProcess
from .rig import BULK_PREFIX, Rig
from .stats import distribution_ms, median

ENTITY = "sensor.bench_latency"
WARMUP = 10
PACE_S = 0.05  # plus up to 20 ms of jitter, so changes never line up with periodic work
TIMEOUT_S = 10.0
P50_MARGIN_MS = 0.5
P99_MARGIN_MS = 1.5


async def prepare_remote(rig: Rig, entities: int) -> None:
    """The latency entity and `entities` bulk sensors on the rig's remote."""
    await rig.remote.async_set_states(
        [{"entity_id": ENTITY, "state": "0"}], bulk_count=entities, bulk_prefix=BULK_PREFIX
    )


def set_state_message(entity_id: str, state: str, attributes: dict[str, Any]) -> dict[str, Any]:
    """call_service testbed.set_states for one entity."""
    return {
        "type": "call_service",
        "domain": "testbed",
        "service": "set_states",
        "service_data": {
            "states": [{"entity_id": entity_id, "state": state, "attributes": attributes}]
        },
    }


async def run_once(rig: Rig, samples: int) -> dict[str, Any]:
    """One round: WARMUP + samples paced changes; both arrival times of each."""
    ours: list[float] = []
    floor: list[float] = []
    overhead: list[float] = []
    assert rig.local is not None
    async with rig.driver() as driver, rig.local_client() as local_client:
        keys = await remote_keys(driver)
        mapping, states = await local_mirrors(local_client, rig.entry_id, keys)
    local_id = mapping[ENTITY]
    start = int(float(states[local_id])) + 1
    tls = (rig.client_cert, rig.client_key, rig.ca_file)
    async with (
        ReceiverProcess(rig.proxy_url, rig.remote.token, ENTITY, tls=tls) as floor_receiver,
        ReceiverProcess(rig.local.url, rig.local.token, local_id) as local_receiver,
        rig.driver() as driver,
    ):
        for index in range(WARMUP + samples):
            value = str(start + index)
            floor_seen = floor_receiver.arm(value)
            local_seen = local_receiver.arm(value)
            result, sent = await driver.send(set_state_message(ENTITY, value, {}))
            async with asyncio.timeout(TIMEOUT_S):
                floor_at, local_at = await asyncio.gather(floor_seen, local_seen)
                await result
            if index >= WARMUP:
                ours.append(local_at - sent)
                floor.append(floor_at - sent)
                overhead.append(local_at - floor_at)
            await asyncio.sleep(PACE_S + random.uniform(0, 0.02))
    return {
        "samples": samples,
        "ours_ms": distribution_ms(ours),
        "floor_ms": distribution_ms(floor),
        "ours_minus_floor_ms": distribution_ms(overhead),
        "ours_s": ours,
        "floor_s": floor,
    }


def summarize(
    runs: list[dict[str, Any]],
    *,
    name: str = "state_latency",
    title: str = "State latency",
    p99_margin_ms: float = P99_MARGIN_MS,
) -> Measurement:
    """Median over rounds of each percentile, with the range."""
    keys = ("p50", "p90", "p99", "max")
    summary: dict[str, Any] = {
        "rounds": len(runs),
        "samples_per_round": runs[0]["samples"],
        "ours_ms_median_of_rounds": _medians(runs, "ours_ms", keys),
        "floor_ms_median_of_rounds": _medians(runs, "floor_ms", keys),
        "ours_minus_floor_ms_median_of_rounds": _medians(runs, "ours_minus_floor_ms", keys),
        "ours_ms_pooled": distribution_ms([value for run in runs for value in run["ours_s"]]),
        "floor_ms_pooled": distribution_ms([value for run in runs for value in run["floor_s"]]),
    }
    margins = {"p50": P50_MARGIN_MS, "p90": None, "p99": p99_margin_ms, "max": None}
    what = f"median of {len(runs)} rounds x {runs[0]['samples']} changes"
    rows = []
    for key, margin in margins.items():
        ours = summary["ours_ms_median_of_rounds"][key]
        floor = summary["floor_ms_median_of_rounds"][key]
        rows.append(
            Row(
                f"{title} {key} ({what})",
                f"≤ floor + {margin:g} ms" if margin is not None else "-",
                f"{ours:.2f} ms{_spread(runs, 'ours_ms', key)}",
                f"{floor:.2f} ms{_spread(runs, 'floor_ms', key)}",
                ours <= floor + margin if margin is not None else None,
            )
        )
    return Measurement(name, summary, runs, rows)


def _medians(runs: list[dict[str, Any]], name: str, keys: tuple[str, ...]) -> dict[str, float]:
    return {key: round(median([run[name][key] for run in runs]), 3) for key in keys}


def _spread(runs: list[dict[str, Any]], name: str, key: str) -> str:
    """` (low-high)` over rounds, when there is more than one."""
    values = [run[name][key] for run in runs]
    return f" ({min(values):.2f}-{max(values):.2f})" if len(values) > 1 else ""
