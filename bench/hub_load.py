"""State latency of one link while the other links churn: every other remote changes the value of
one of its bulk entities (name and unit kept) about `rate` times a second (round robin) while
the first home's latency is measured against its own floor, as `latency.run_once` does for a
single link. At the end, the churned mirrors are checked against the last value each remote was
given (lost updates).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from .clock import now
from .hub_rig import Hub
from .latency import run_once, set_state_message
from .mirror_map import states_and_registry
from .rig import BULK_PREFIX, Rig, bulk_attributes

CATCH_UP_S = 3.0  # after the churn stops, before the mirrors are compared


class Churn:
    """Paced state changes on one remote (its own port), round robin over its bulk entities."""

    def __init__(self, home: Rig, entities: int, rate: float) -> None:
        self.home = home
        self.entities = entities
        self.rate = rate
        self.sent = 0
        self.last: dict[str, str] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Change one entity every 1/rate s (absolute schedule) until `stop` is set."""
        async with self.home.driver() as driver:
            started = now()
            while not stop.is_set():
                index = self.sent % self.entities
                entity_id = f"{BULK_PREFIX}{index}"
                value = str(self.sent)  # a number: the sensor has a unit
                await driver.command(set_state_message(entity_id, value, bulk_attributes(index)))
                self.last[entity_id] = value
                self.sent += 1
                with contextlib.suppress(TimeoutError):
                    delay = started + self.sent / self.rate - now()
                    await asyncio.wait_for(stop.wait(), max(0.0, delay))


async def run(
    hub: Hub, mappings: list[dict[str, str]], entities: int, rate: float, rounds: int, samples: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Latency rounds on the first home while the others churn; the churn's own results."""
    churns = [Churn(home, entities, rate) for home in hub.homes[1:]]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(churn.run(stop)) for churn in churns]
    started = now()
    try:
        await asyncio.sleep(1.0)  # the churn is running before the first sample
        runs = [await run_once(hub.homes[0], samples) for _round in range(rounds)]
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    seconds = now() - started
    for task in tasks:
        if (error := task.exception()) is not None:
            raise error
    await asyncio.sleep(CATCH_UP_S)
    async with hub.homes[0].local_client(coalesce=True) as local:
        states, _registry = await states_and_registry(local)
    lost = sum(
        states.get(mapping[entity_id]) != value
        for churn, mapping in zip(churns, mappings[1:], strict=True)
        for entity_id, value in churn.last.items()
    )
    sent = sum(churn.sent for churn in churns)
    return runs, {
        "churning_remotes": len(churns),
        "churn_changes": sent,
        "churn_seconds": round(seconds, 1),
        "churn_rate_per_remote": round(sent / seconds / max(1, len(churns)), 2),
        "churn_lost": lost,
    }
