"""WebSocketSession against the real remote through nginx: states, diffs, reconnects, auth."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import json
import os
import signal
from typing import Any

import pytest

from custom_components.remote_mtls.api import (
    CommandError,
    ConnectionState,
    EntityChanges,
    InvalidToken,
    NotConnected,
    RemoteState,
    Timings,
    WebSocketSession,
)
from custom_components.remote_mtls.api.websocket import backoff_delay

from ..testbed.bed import TestBed
from .conftest import ClientFactory, identity_of

FAST = Timings(
    heartbeat_interval=0.5, pong_timeout=0.5, command_timeout=5, backoff_min=0.1, backoff_max=0.5
)

type SessionFactory = Callable[..., WebSocketSession]


@pytest.fixture
async def make_session(
    testbed: TestBed, make_client: ClientFactory
) -> AsyncIterator[SessionFactory]:
    sessions: list[WebSocketSession] = []

    def factory(
        token: str | None = None, timings: Timings = FAST, **kwargs: Any
    ) -> WebSocketSession:
        client = make_client(testbed.url("on"), identity_of(testbed), token=token)
        session = WebSocketSession(client, timings=timings, **kwargs)
        sessions.append(session)
        return session

    yield factory
    for session in sessions:
        await session.close()


async def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.05)


def comparable(state: RemoteState) -> tuple[str, str, str]:
    return (state.entity_id, state.state, json.dumps(state.attributes, sort_keys=True, default=str))


def rest_comparable(state: dict[str, Any]) -> tuple[str, str, str]:
    return (state["entity_id"], state["state"], json.dumps(state["attributes"], sort_keys=True))


async def test_snapshot_and_diffs_match_remote_states(
    testbed: TestBed, make_session: SessionFactory
) -> None:
    session = make_session()
    await session.connect()
    assert session.connected
    assert session.tls_version in ("TLSv1.2", "TLSv1.3")
    events: list[EntityChanges] = []
    _subscription, tracker = await session.subscribe_entities(events.append)
    await wait_for(lambda: bool(events))
    assert events[0].snapshot

    # Live changes: state, added and removed attributes, new and removed entities.
    await testbed.remote.async_set_states(
        [{"entity_id": "sensor.diff_probe", "state": "1", "attributes": {"a": 1, "b": [1, 2]}}]
    )
    await session.call_service(
        "input_boolean", "toggle", target={"entity_id": "input_boolean.porch"}
    )
    await testbed.remote.async_set_states(
        [{"entity_id": "sensor.diff_probe", "state": "2", "attributes": {"a": 2, "c": "x"}}]
    )
    await testbed.remote.async_set_states([{"entity_id": "sensor.gone", "state": "here"}])
    await testbed.remote.async_rest(
        "POST", "/api/services/testbed/remove_states", {"entity_ids": ["sensor.gone"]}
    )
    await wait_for(lambda: "sensor.gone" in sum((e.removed for e in events), ()))
    await wait_for(lambda: tracker.states["sensor.diff_probe"].state == "2")

    remote_states = await testbed.remote.async_rest("GET", "/api/states")
    # Entities whose attributes change every second on their own (e.g. demo media positions)
    # may move between the two reads: compare the rest exactly.
    assert {s["entity_id"] for s in remote_states} == set(tracker.states)
    mismatched = {
        s["entity_id"]
        for s in remote_states
        if rest_comparable(s) != comparable(tracker.states[s["entity_id"]])
    }
    assert len(mismatched) <= 3, mismatched
    probe = tracker.states["sensor.diff_probe"]
    assert dict(probe.attributes) == {"a": 2, "c": "x"}
    assert probe.last_changed > 0 and probe.context_id


async def test_commands_and_errors(make_session: SessionFactory) -> None:
    session = make_session()
    await session.connect()
    config = await session.command({"type": "get_config"})
    assert config["location_name"] == "Remote Test Home"
    with pytest.raises(CommandError) as err:
        await session.call_service("no_such_domain", "nothing")
    assert err.value.code == "not_found"
    with pytest.raises(CommandError) as err:
        await session.call_service(
            "input_number",
            "set_value",
            {"value": 99},
            {"entity_id": "input_number.thermostat_offset"},
        )
    assert err.value.code in ("service_validation_error", "invalid_format", "home_assistant_error")
    response = await session.call_service(
        "weather",
        "get_forecasts",
        {"type": "daily"},
        {"entity_id": "weather.demo_weather_north"},
        return_response=True,
    )
    assert "weather.demo_weather_north" in response
    devices = await session.command({"type": "config/device_registry/list"})
    assert devices


async def test_a_connection_being_dropped_takes_no_more_commands(
    make_session: SessionFactory,
) -> None:
    """From the moment a reconnect drops it, a command fails as not sent (it surely did not run)
    instead of being written to a closing socket; the session says it is not connected."""
    session = make_session()
    await session.connect()
    dropping = asyncio.create_task(session.reconnect())
    await asyncio.sleep(0)  # the drop has begun; the session has not noticed the closed reader
    assert not session.connected
    with pytest.raises(NotConnected, match=r"^Not connected to the remote$"):
        await session.command({"type": "get_config"})
    await dropping
    await session.wait_connected(20)
    assert (await session.command({"type": "get_config"}))["location_name"] == "Remote Test Home"
    await session.close()


async def test_invalid_token_never_connects(make_session: SessionFactory) -> None:
    with pytest.raises(InvalidToken):
        await make_session(token="bad-token").connect()


async def test_reconnects_and_resubscribes_after_nginx_restart(
    restore_testbed: TestBed, make_session: SessionFactory
) -> None:
    bed = restore_testbed
    changes: list[tuple[ConnectionState, Any]] = []
    session = make_session(on_state_change=lambda state, error: changes.append((state, error)))
    await session.connect()
    events: list[EntityChanges] = []
    _subscription, tracker = await session.subscribe_entities(events.append)
    await wait_for(lambda: bool(events))

    bed.nginx.restart()
    await wait_for(lambda: session.reconnects == 1 and session.connected)
    assert any(state is ConnectionState.DISCONNECTED for state, _ in changes)
    snapshots = sum(e.snapshot for e in events)
    await wait_for(lambda: sum(e.snapshot for e in events) == snapshots)
    await bed.remote.async_set_states([{"entity_id": "sensor.after_restart", "state": "ok"}])
    await wait_for(lambda: "sensor.after_restart" in tracker.states)
    assert sum(e.snapshot for e in events) == 2


async def test_half_open_link_is_detected(
    restore_testbed: TestBed, make_session: SessionFactory
) -> None:
    bed = restore_testbed
    session = make_session()
    await session.connect()
    assert bed.nginx.process is not None
    os.killpg(bed.nginx.process.pid, signal.SIGSTOP)  # no FIN, no RST: only the heartbeat notices
    try:
        await wait_for(lambda: not session.connected, timeout=10)
        with pytest.raises(NotConnected):
            await session.command({"type": "ping"})
    finally:
        os.killpg(bed.nginx.process.pid, signal.SIGCONT)
    await wait_for(lambda: session.connected, timeout=20)
    assert session.reconnects == 1


async def test_backoff_while_remote_is_down_then_recovery(
    restore_testbed: TestBed, make_session: SessionFactory
) -> None:
    bed = restore_testbed
    errors: list[Any] = []
    session = make_session(on_state_change=lambda state, error: errors.append(error))
    await session.connect()
    bed.remote.stop()
    await wait_for(lambda: not session.connected)
    await asyncio.sleep(1.5)
    assert not session.connected
    failed_attempts = len(errors)
    assert failed_attempts >= 2  # retried (every backoff_min at first)
    await asyncio.to_thread(bed.remote.start)
    await wait_for(lambda: session.connected, timeout=60)
    await bed.remote.async_wait_running()


async def test_revoked_token_stops_without_retry(
    testbed: TestBed, make_session: SessionFactory
) -> None:
    token = await testbed.remote.async_ws_command(
        {"type": "auth/long_lived_access_token", "client_name": "revoke-me", "lifespan": 1}
    )
    states: list[ConnectionState] = []
    session = make_session(token=token, on_state_change=lambda state, _error: states.append(state))
    await session.connect()
    tokens = await testbed.remote.async_ws_command({"type": "auth/refresh_tokens"})
    revoke = next(t["id"] for t in tokens if t["client_name"] == "revoke-me")
    await testbed.remote.async_ws_command(
        {"type": "auth/delete_refresh_token", "refresh_token_id": revoke}
    )
    await wait_for(lambda: session.state is ConnectionState.AUTH_FAILED)
    assert isinstance(session.last_error, InvalidToken)
    await asyncio.sleep(1)
    assert states.count(ConnectionState.AUTH_FAILED) == 1
    assert session.state is ConnectionState.AUTH_FAILED


async def test_unsubscribe_and_close(make_session: SessionFactory) -> None:
    session = make_session()
    await session.connect()
    received: list[Any] = []
    subscription = await session.subscribe(
        {"type": "subscribe_events", "event_type": "state_changed"}, received.append
    )
    assert subscription.message_id is not None
    await subscription.unsubscribe()
    assert subscription.message_id is None
    await session.close()
    assert session.state is ConnectionState.CLOSED
    with pytest.raises(NotConnected):
        await session.command({"type": "ping"})


def test_backoff_is_quick_at_first_then_exponential() -> None:
    timings = Timings(backoff_min=1.0, backoff_max=60.0, fast_retry_for=30.0)
    assert [backoff_delay(timings, attempt, attempt * 0.75) for attempt in range(5)] == [1.0] * 5
    slow = [backoff_delay(timings, attempt, 31.0) for attempt in range(30, 38)]
    assert slow == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
