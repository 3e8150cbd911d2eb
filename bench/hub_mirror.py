"""The hub's first mirror: every home linked through its own config flow, all flows at once; the
time until every remote entity of every home is mirrored (a registry entity of its link, with a
state, as a plain local subscriber sees it), and the local RSS increase per 1000 mirrored
entities. Floor: bare clients fetching every remote's snapshot through its proxy, all at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from .clock import now
from .hub_rig import Hub
from .initial import drops_in_log, floor_snapshot
from .memory import MB, RssSampler
from .mirror_map import mirrors_of, remote_keys, states_and_registry, still_at_the_remote
from .stats import median
from .wsclient import WsClient

COMPLETE_TIMEOUT = 300.0
POLL_S = 1.0  # completion is polled slowly (big answers); its time comes from the subscriber
SETTLE_S = 5.0  # after completion, before the steady RSS is read


class PlainSubscriber:
    """A plain local dashboard: state_changed and subscribe_entities on one connection, no
    coalescing; notes when each entity's first state arrived."""

    def __init__(self, client: WsClient) -> None:
        self.client = client
        self.first_state: dict[str, float] = {}
        self.messages = 0

    async def subscribe(self) -> None:
        """Subscribe to both streams."""
        await self.client.subscribe_events("state_changed", self._on_state)
        await self.client.subscribe({"type": "subscribe_entities"}, self._on_entities)

    def _on_state(self, event: dict[str, Any], arrived: float) -> None:
        self.messages += 1
        if event["data"].get("new_state") is not None:
            self.first_state.setdefault(event["data"]["entity_id"], arrived)

    def _on_entities(self, _event: dict[str, Any], _arrived: float) -> None:
        self.messages += 1


@dataclass
class Mirrored:
    """What the first mirror left: per home its entry and remote -> local entity ids."""

    entry_ids: list[str]
    mappings: list[dict[str, str]]
    result: dict[str, Any] = field(default_factory=dict)


async def _wait_complete(
    hub: Hub, entry_ids: list[str], keys: list[dict[str, str]]
) -> tuple[float, list[dict[str, str]]]:
    """Poll until every home's remote entities are registry entities with a state here."""
    deadline = now() + COMPLETE_TIMEOUT
    async with hub.homes[0].local_client(coalesce=True) as local:
        while True:
            states, registry = await states_and_registry(local)
            mappings = [
                mirrors_of(registry, entry_id, home_keys)
                for entry_id, home_keys in zip(entry_ids, keys, strict=True)
            ]
            seen = now()
            complete = [
                len(mapping) == len(home_keys)
                and all(local_id in states for local_id in mapping.values())
                for mapping, home_keys in zip(mappings, keys, strict=True)
            ]
            if all(complete):
                return seen, mappings
            if seen > deadline:
                mirrored = sum(len(mapping) for mapping in mappings)
                total = sum(len(home_keys) for home_keys in keys)
                raise TimeoutError(f"only {mirrored} of {total} entities mirrored")
            await asyncio.sleep(POLL_S)
            keys = [
                home_keys if done else await still_at_the_remote(home, home_keys)
                for home, home_keys, done in zip(hub.homes, keys, complete, strict=True)
            ]


async def link_all(hub: Hub, plain: PlainSubscriber) -> Mirrored:
    """Link every home at once through the config flow; time and measure the first mirror."""
    keys = []
    for home in hub.homes:
        async with home.driver() as driver:
            keys.append(await remote_keys(driver))
    floor_started = now()
    await asyncio.gather(*(floor_snapshot(home) for home in hub.homes))
    floor_s = now() - floor_started
    assert hub.local.process is not None
    sampler = RssSampler(hub.local.process.pid)
    baseline = await asyncio.to_thread(sampler.baseline)
    sampler.start()
    try:
        started = now()
        flows = [asyncio.create_task(_timed(home.link_entry())) for home in hub.homes]
        answered = await asyncio.gather(*flows)
        entry_ids = [entry_id for entry_id, _at in answered]
        seen, mappings = await _wait_complete(hub, entry_ids, keys)
        await asyncio.sleep(SETTLE_S)
    finally:
        sampler.stop()
    local_ids = [local_id for mapping in mappings for local_id in mapping.values()]
    arrivals = [plain.first_state.get(local_id, seen) for local_id in local_ids]
    mirrored = len(local_ids)
    thousands = mirrored / 1000
    steady, peak = sampler.rss(), sampler.peak()
    result = {
        "remotes": len(hub.homes),
        "remote_entities": sum(len(home_keys) for home_keys in keys),
        "mirrored": mirrored,
        "all_mirrored_s": round(max(arrivals) - started, 3),
        "complete_seen_by_poll_s": round(seen - started, 3),
        "flows_answered_s": [round(at - started, 3) for _entry_id, at in answered],
        "floor_all_snapshots_s": round(floor_s, 3),
        "rss_baseline_mb": round(baseline / MB, 1),
        "rss_peak_mb": round(peak / MB, 1),
        "rss_steady_mb": round(steady / MB, 1),
        "rss_peak_mb_per_1000": round((peak - baseline) / MB / thousands, 2),
        "rss_steady_mb_per_1000": round((steady - baseline) / MB / thousands, 2),
        "flow_answered_median_s": round(median([at - started for _e, at in answered]), 3),
    }
    return Mirrored(entry_ids, mappings, result)


async def _timed(flow: Any) -> tuple[str, float]:
    entry_id = await flow
    return str(entry_id), now()


async def subscriber_verdict(hub: Hub, plain: PlainSubscriber, drops_before: int) -> dict[str, Any]:
    """Whether the plain subscriber is still connected, and drops the local HA logged."""
    return {
        "plain_subscriber_dropped": not await plain.client.still_connected(),
        "plain_subscriber_messages": plain.messages,
        "drops_logged": drops_in_log(hub.homes[0]) - drops_before,
    }
