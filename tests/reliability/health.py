"""What a healthy link looks like after a fault: measured the same way in every fault test."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import time
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.remote_mtls.api import Timings, WebSocketSession
from custom_components.remote_mtls.api.websocket import backoff_delay

from ..components.conftest import local_entity_id, mirrored_entries, remote_ids
from ..testbed.bed import TestBed

# Remote domains whose local mirror shows the remote state string unchanged.
SAME_STATE_DOMAINS = frozenset(
    {
        "alarm_control_panel",
        "binary_sensor",
        "climate",
        "cover",
        "fan",
        "humidifier",
        "input_boolean",
        "input_select",
        "input_text",
        "light",
        "lock",
        "media_player",
        "select",
        "siren",
        "switch",
        "text",
        "vacuum",
        "valve",
    }
)
# Fast heartbeat and backoff, so faults are noticed and healed within seconds.
FAST = Timings(
    heartbeat_interval=0.5,
    pong_timeout=0.5,
    command_timeout=5.0,
    connect_timeout=2.0,
    backoff_min=0.2,
    backoff_max=1.0,
)


def link_tasks() -> Counter[str]:
    """Running tasks of the integration's websocket, by name."""
    return Counter(
        task.get_name()
        for task in asyncio.all_tasks()
        if task.get_name().startswith("remote_mtls websocket")
        or task.get_name() == "remote_mtls heartbeat"
    )


@dataclass
class Footprint:
    """What must not grow or change across a fault: mirrors, devices, background tasks."""

    local_ids: dict[str, str]  # remote entity id -> local entity id
    registry_entries: int
    devices: int
    tasks: Counter[str]

    @classmethod
    def take(cls, hass: HomeAssistant, entry: MockConfigEntry) -> Footprint:
        """Measure now."""
        coordinator = entry.runtime_data
        prefix = f"{entry.entry_id}-"
        entries = mirrored_entries(hass, entry)
        return cls(
            local_ids={
                coordinator.mirrors[key].entity_id: e.entity_id
                for e in entries
                if (key := e.unique_id.removeprefix(prefix)) in coordinator.mirrors
            },
            registry_entries=len(entries),
            devices=len(dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)),
            tasks=link_tasks(),
        )


class AttemptCounter:
    """Counts the websocket's connection attempts (each reconnect try opens once)."""

    def __init__(self, websocket: WebSocketSession) -> None:
        """Wrap the session's `_open`."""
        self.times: list[float] = []
        original = websocket._open

        async def _counted() -> Any:
            self.times.append(time.monotonic())
            return await original()

        websocket._open = _counted  # type: ignore[method-assign]

    def since(self, start: float) -> int:
        """Attempts made at or after `start` (time.monotonic())."""
        return sum(1 for moment in self.times if moment >= start)


def max_attempts(timings: Timings, seconds: float) -> int:
    """The most attempts the backoff allows in `seconds`: each waits >= half its delay."""
    attempts, waited = 1, 0.0  # the first retry may start at once (reconnect action)
    while True:
        waited += backoff_delay(timings, attempts - 1, waited) / 2
        if waited > seconds:
            return attempts
        attempts += 1


async def wait_until(predicate: Callable[[], Any], timeout: float) -> None:
    """Poll a sync predicate until it holds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.05)


async def wait_until_async(predicate: Callable[[], Awaitable[bool]], timeout: float) -> None:
    """Poll an async predicate until it holds."""
    async with asyncio.timeout(timeout):
        while not await predicate():
            await asyncio.sleep(0.2)


class OutageWatch:
    """Records which mirrored entities went unavailable (however briefly)."""

    def __init__(self, hass: HomeAssistant, entry: MockConfigEntry) -> None:
        """Start listening; only entities available now are expected to go unavailable."""
        self.expected = {
            e.entity_id
            for e in mirrored_entries(hass, entry)
            if (state := hass.states.get(e.entity_id)) is not None
            and state.state != STATE_UNAVAILABLE
        }
        self.seen: set[str] = set()
        self.stop = hass.bus.async_listen(EVENT_STATE_CHANGED, self._changed)

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and new.state == STATE_UNAVAILABLE:
            self.seen.add(event.data["entity_id"])

    def complete(self) -> bool:
        """Every expected entity went unavailable."""
        return bool(self.expected) and self.expected <= self.seen


async def mismatches(hass: HomeAssistant, entry: MockConfigEntry, bed: TestBed) -> list[str]:
    """Remote entities whose mirror is missing or shows another state (same-state domains)."""
    remote_states: list[dict[str, Any]] = await bed.remote.async_rest("GET", "/api/states")
    coordinator = entry.runtime_data
    wrong = []
    for remote in remote_states:
        entity_id = remote["entity_id"]
        if entity_id not in remote_ids(coordinator):
            wrong.append(f"{entity_id}: not mirrored")
            continue
        if entity_id.partition(".")[0] not in SAME_STATE_DOMAINS:
            continue
        local = hass.states.get(local_entity_id(hass, entry, entity_id))
        if local is None or local.state != remote["state"]:
            wrong.append(f"{entity_id}: remote {remote['state']}, local {local and local.state}")
    return wrong


async def assert_healed(
    hass: HomeAssistant, entry: MockConfigEntry, bed: TestBed, before: Footprint
) -> None:
    """Back to the remote's true states; nothing duplicated, no task left behind."""

    async def _matches() -> bool:
        return not await mismatches(hass, entry, bed)

    try:
        await wait_until_async(_matches, timeout=60)
    except TimeoutError:
        raise AssertionError(await mismatches(hass, entry, bed)) from None
    await entry.runtime_data.async_wait_idle()
    after = Footprint.take(hass, entry)
    # One registry entry per mirror (the remote's own entities may come and go meanwhile).
    assert after.registry_entries == len(after.local_ids) == len(entry.runtime_data.mirrors)
    kept = before.local_ids.keys() & after.local_ids.keys()
    assert {k: after.local_ids[k] for k in kept} == {k: before.local_ids[k] for k in kept}
    assert after.devices == before.devices
    assert after.tasks == before.tasks
