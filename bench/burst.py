"""Burst: N remote state changes as fast as the remote takes them (pipelined commands).

Measured: time until a plain local subscriber (no coalescing) has seen every final value, lost
updates (local states that differ from the remote's final ones, read back at the end), and
whether that subscriber was dropped. Floor: the same for a bare client on the remote through
the proxy.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .clock import now
from .initial import drops_in_log
from .latency import set_state_message
from .mirror_map import local_mirrors, remote_keys
from .model import Measurement, Row
from .rig import BULK_PREFIX, Rig
from .stats import median

WINDOW = 500  # commands in flight; the remote handles them as fast as it can
TIMEOUT_S = 180.0


class Convergence:
    """Tracks when every entity reached its final state, as one subscriber sees it."""

    def __init__(self, finals: dict[str, str]) -> None:
        self.finals = finals
        self.missing = set(finals)
        self.done: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def on_event(self, event: dict[str, Any], arrived: float) -> None:
        """state_changed handler."""
        data = event["data"]
        entity_id = data["entity_id"]
        if entity_id not in self.missing or (new_state := data.get("new_state")) is None:
            return
        if new_state["state"] == self.finals[entity_id]:
            self.missing.discard(entity_id)
            if not self.missing and not self.done.done():
                self.done.set_result(arrived)


async def run_once(rig: Rig, count: int, round_no: int) -> dict[str, Any]:
    """One burst of `count` changes (one per bulk entity)."""
    finals = {f"{BULK_PREFIX}{index}": str(round_no * 1_000_000 + index) for index in range(count)}
    drops_before = drops_in_log(rig)
    async with (
        rig.driver() as driver,
        rig.floor_client() as floor_client,
        rig.local_client() as plain,
    ):
        mapping, _ = await local_mirrors(plain, rig.entry_id, await remote_keys(driver))
        local_finals = {mapping[entity_id]: value for entity_id, value in finals.items()}
        floor, local = Convergence(finals), Convergence(local_finals)
        await floor_client.subscribe_events("state_changed", floor.on_event)
        await plain.subscribe_events("state_changed", local.on_event)
        window = asyncio.Semaphore(WINDOW)
        results: list[asyncio.Future[Any]] = []
        started = now()
        for index, (entity_id, value) in enumerate(finals.items()):
            await window.acquire()
            attributes = {"friendly_name": f"Bulk {index}", "unit_of_measurement": "W"}
            result, _sent = await driver.send(set_state_message(entity_id, value, attributes))
            result.add_done_callback(lambda _result: window.release())
            results.append(result)
        await asyncio.gather(*results)
        remote_done = now()
        converged = True
        try:
            await asyncio.wait_for(asyncio.gather(local.done, floor.done), TIMEOUT_S)
        except TimeoutError:
            converged = False
        dropped = not await plain.still_connected()
        async with rig.local_client(coalesce=True) as reader:
            states = {
                state["entity_id"]: state["state"]
                for state in await reader.command({"type": "get_states"})
            }
    lost = sum(states.get(entity_id) != value for entity_id, value in local_finals.items())
    return {
        "changes": count,
        "remote_accepted_s": round(remote_done - started, 3),
        "converged": converged,
        "ours_s": round(local.done.result() - started, 3) if local.done.done() else None,
        "floor_s": round(floor.done.result() - started, 3) if floor.done.done() else None,
        "lost": lost,
        "plain_subscriber_dropped": dropped,
        "drops_logged": drops_in_log(rig) - drops_before,
        "floor_dropped": floor_client.dropped,
    }


def summarize(runs: list[dict[str, Any]]) -> Measurement:
    """Medians and worst cases over runs."""
    converged = [run for run in runs if run["converged"]]
    ours = median([run["ours_s"] for run in converged]) if converged else float("nan")
    floor = median([run["floor_s"] for run in converged]) if converged else float("nan")
    lost = max(run["lost"] for run in runs)
    dropped = sum(run["plain_subscriber_dropped"] or run["drops_logged"] > 0 for run in runs)
    changes = runs[0]["changes"]
    summary = {
        "runs": len(runs),
        "changes": changes,
        "converged_runs": len(converged),
        "ours_s_median": ours,
        "floor_s_median": floor,
        "remote_accepted_s_median": median([run["remote_accepted_s"] for run in runs]),
        "lost_max": lost,
        "plain_subscriber_dropped_runs": dropped,
    }
    rows = [
        Row(
            f"Burst of {changes} changes: converged (median of {len(runs)})",
            "-",
            f"{ours:.2f} s",
            f"{floor:.2f} s",
            None,
        ),
        Row("Burst: lost updates (worst run)", "0", str(lost), "-", lost == 0),
        Row("Burst: plain local subscriber dropped", "0", str(dropped), "-", dropped == 0),
    ]
    return Measurement("burst", summary, runs, rows)
