"""Websocket session to a remote Home Assistant: auth, commands, subscriptions, reconnects.

One `WebSocketSession` owns one connection at a time. `connect()` makes the first attempt and
raises a typed error; after that a background task keeps the link alive: it pings, detects
half-open links, reconnects with exponential backoff and jitter, and re-sends every
subscription. It never retries after the remote rejected the token (the remote bans IPs).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
from enum import StrEnum
import json
import logging
import random
import socket
from typing import Any

import aiohttp

from .client import RemoteClient
from .diagnose import diagnose_exception
from .encoding import json_default
from .entities import EntityChanges, EntityStateTracker
from .errors import (
    CannotConnect,
    CommandError,
    CommandTimeout,
    ConnectionFailure,
    InvalidToken,
    MessageTooLarge,
    NotConnected,
    NotHomeAssistant,
)

_LOGGER = logging.getLogger(__name__)

# Largest message accepted from the remote; a larger one ends the connection. Measured for
# 20,000 entities (bench/message_size.py): snapshot 7.2 MiB, entity registry list 11.1 MiB.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024

type EventCallback = Callable[[Any], None]
type StateCallback = Callable[[ConnectionState, ConnectionFailure | None], None]


class ConnectionState(StrEnum):
    """Where the session stands."""

    DISCONNECTED = "disconnected"
    CONNECTED = "connected"
    AUTH_FAILED = "auth_failed"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Timings:
    """Heartbeat, command and backoff timings in seconds."""

    heartbeat_interval: float = 30.0
    pong_timeout: float = 10.0
    command_timeout: float = 30.0
    connect_timeout: float = 15.0
    backoff_min: float = 1.0
    backoff_max: float = 60.0
    fast_retry_for: float = 30.0  # retry every backoff_min this long, then back off


def backoff_delay(timings: Timings, attempt: int, outage: float) -> float:
    """Longest wait before reconnect attempt `attempt` (0-based), `outage` seconds into it.

    Short outages (a proxy restart) heal within about a second; a long one backs off
    exponentially up to backoff_max. The actual wait is jittered between half and all of it.
    """
    if outage < timings.fast_retry_for:
        return timings.backoff_min
    slow_attempt = max(0, attempt - int(timings.fast_retry_for / timings.backoff_min))
    return float(min(timings.backoff_max, timings.backoff_min * 2 ** (slow_attempt + 1)))


@dataclass(eq=False)
class Subscription:
    """A subscription that survives reconnects until `unsubscribe()`."""

    session: WebSocketSession
    message: dict[str, Any]
    callback: EventCallback
    on_resubscribe: Callable[[], None] | None = None
    message_id: int | None = field(default=None, init=False)

    async def unsubscribe(self) -> None:
        """Stop receiving events (and tell the remote if connected)."""
        await self.session.unsubscribe(self)


class WebSocketSession:
    """A self-healing websocket connection to a remote Home Assistant."""

    def __init__(
        self,
        client: RemoteClient,
        *,
        timings: Timings = Timings(),
        on_state_change: StateCallback | None = None,
    ) -> None:
        """Use the client's aiohttp session, URL, token and SSL context."""
        self.client = client
        self.timings = timings
        self.on_state_change = on_state_change
        self.state = ConnectionState.DISCONNECTED
        self.last_error: ConnectionFailure | None = None
        self.tls_version: str | None = None
        self.tls_cipher: str | None = None
        self.latency: float | None = None
        self.reconnects = 0
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._dropped: aiohttp.ClientWebSocketResponse | None = None  # being aborted
        self._next_id = 1
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._subscriptions: dict[int, Subscription] = {}
        self._all_subscriptions: list[Subscription] = []
        self._runner: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._reconnect_now = asyncio.Event()
        self._read_error: ConnectionFailure | None = None

    @property
    def connected(self) -> bool:
        """Whether a connection is authenticated right now (and not being dropped)."""
        if self.state is not ConnectionState.CONNECTED:
            return False
        return self._ws is not None and self._ws is not self._dropped

    async def connect(self) -> None:
        """Connect once (raising a typed error), then keep the link alive in the background."""
        if self._runner is not None:
            raise RuntimeError("already started")
        reader = await self._open()
        self._runner = asyncio.create_task(self._run(reader), name="remote_mtls websocket")

    async def close(self) -> None:
        """Close the connection and stop reconnecting."""
        self._set_state(ConnectionState.CLOSED, None)
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
        await self._drop_connection()

    async def reconnect(self) -> None:
        """Connect again right away: drop the connection, or cut a reconnect backoff short."""
        self._reconnect_now.set()
        if self._ws is not None:
            await self._abort(self._ws)

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until the session is connected (after a reconnect)."""
        async with asyncio.timeout(timeout):
            await self._connected.wait()

    # Commands -----------------------------------------------------------------------------

    async def command(self, message: dict[str, Any], timeout: float | None = None) -> Any:
        """Send a command and return its result; raise CommandError with the remote's message."""
        if self._ws is None or not self.connected:
            raise NotConnected("Not connected to the remote")
        return await self._command(self._ws, message, timeout)

    async def _command(
        self, ws: aiohttp.ClientWebSocketResponse, message: dict[str, Any], timeout: float | None
    ) -> Any:
        message_id = self._next_id
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        try:
            await ws.send_str(json.dumps({**message, "id": message_id}, default=json_default))
            async with asyncio.timeout(timeout or self.timings.command_timeout):
                return await future
        except TimeoutError:
            raise CommandTimeout(f"No answer to {message.get('type')}") from None
        except (aiohttp.ClientError, ConnectionError) as err:
            raise NotConnected(str(err)) from err
        finally:
            self._pending.pop(message_id, None)

    async def call_service(
        self,
        domain: str,
        service: str,
        service_data: dict[str, Any] | None = None,
        target: dict[str, Any] | None = None,
        *,
        return_response: bool = False,
        timeout: float | None = None,
    ) -> Any:
        """call_service; returns the response data when return_response is set."""
        message: dict[str, Any] = {"type": "call_service", "domain": domain, "service": service}
        if service_data:
            message["service_data"] = service_data
        if target:
            message["target"] = target
        if return_response:
            message["return_response"] = True
        result = await self.command(message, timeout)
        return result.get("response") if return_response and isinstance(result, dict) else result

    # Subscriptions ------------------------------------------------------------------------

    async def subscribe(
        self,
        message: dict[str, Any],
        callback: EventCallback,
        on_resubscribe: Callable[[], None] | None = None,
    ) -> Subscription:
        """Subscribe (e.g. subscribe_events); re-sent after every reconnect."""
        subscription = Subscription(self, message, callback, on_resubscribe)
        self._all_subscriptions.append(subscription)
        if self._ws is not None and self.connected:
            try:
                await self._send_subscription(self._ws, subscription)
            except BaseException:
                self._all_subscriptions.remove(subscription)
                raise
        return subscription

    async def subscribe_entities(
        self,
        callback: Callable[[EntityChanges], None],
        *,
        entity_ids: list[str] | None = None,
        include: dict[str, list[str]] | None = None,
        exclude: dict[str, list[str]] | None = None,
    ) -> tuple[Subscription, EntityStateTracker]:
        """subscribe_entities, decoded; the tracker holds the remote's current states."""
        tracker = EntityStateTracker()
        message: dict[str, Any] = {"type": "subscribe_entities"}
        for key, value in (("entity_ids", entity_ids), ("include", include), ("exclude", exclude)):
            if value:
                message[key] = value
        subscription = await self.subscribe(
            message,
            lambda event: callback(tracker.apply(event)),
            on_resubscribe=tracker.expect_snapshot,
        )
        return subscription, tracker

    async def unsubscribe(self, subscription: Subscription) -> None:
        """Forget a subscription and tell the remote."""
        if subscription in self._all_subscriptions:
            self._all_subscriptions.remove(subscription)
        message_id = subscription.message_id
        subscription.message_id = None
        if message_id is None:
            return
        self._subscriptions.pop(message_id, None)
        if self.connected:
            with contextlib.suppress(CommandError, CommandTimeout, NotConnected):
                await self.command({"type": "unsubscribe_events", "subscription": message_id})

    async def _send_subscription(
        self, ws: aiohttp.ClientWebSocketResponse, subscription: Subscription
    ) -> None:
        if subscription.on_resubscribe is not None:
            subscription.on_resubscribe()
        message_id = self._next_id
        # Register before sending: the first event may arrive right after the result.
        self._subscriptions[message_id] = subscription
        subscription.message_id = message_id
        try:
            await self._command(ws, subscription.message, None)
        except BaseException:
            self._subscriptions.pop(message_id, None)
            subscription.message_id = None
            raise

    # Connection ---------------------------------------------------------------------------

    async def _open(self) -> asyncio.Task[None]:
        """Open, authenticate, enable coalescing, resubscribe; return the reader task."""
        client = self.client
        try:
            # Bounded: a proxy that accepts TCP but never answers must not stall reconnects.
            async with asyncio.timeout(self.timings.connect_timeout):
                ws = await client.session.ws_connect(
                    client.websocket_url,
                    ssl=client.ssl_context if client.ssl_context is not None else True,
                    max_msg_size=MAX_MESSAGE_BYTES,
                    autoping=True,
                    timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=2.0),
                )
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            raise diagnose_exception(err, sent_certificate=client.sent_certificate) from err
        try:
            await self._authenticate(ws)
        except BaseException:
            await ws.close()
            raise
        self._ws = ws
        if (ssl_object := ws.get_extra_info("ssl_object")) is not None:
            self.tls_version = ssl_object.version()
            self.tls_cipher = (ssl_object.cipher() or (None,))[0]
        reader = asyncio.create_task(self._read(ws), name="remote_mtls websocket reader")
        try:
            await self._command(
                ws, {"type": "supported_features", "features": {"coalesce_messages": 1}}, None
            )
            for subscription in list(self._all_subscriptions):
                await self._send_subscription(ws, subscription)
            with contextlib.suppress(CommandTimeout):  # the heartbeat judges a slow link
                await self._ping(ws)  # the latency is known from the start
        except BaseException:
            reader.cancel()
            await self._drop_connection()
            raise
        self._set_state(ConnectionState.CONNECTED, None)
        return reader

    async def _authenticate(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            async with asyncio.timeout(self.timings.connect_timeout):
                hello = await ws.receive_json()
                if hello.get("type") != "auth_required":
                    raise NotHomeAssistant("No auth_required from the websocket")
                await ws.send_json({"type": "auth", "access_token": self.client.token})
                answer = await ws.receive_json()
        except TimeoutError:
            raise CannotConnect("No answer during authentication", detail="timeout") from None
        except (TypeError, ValueError) as err:
            raise NotHomeAssistant("The websocket does not speak Home Assistant") from err
        except (aiohttp.ClientError, OSError) as err:
            raise diagnose_exception(err, sent_certificate=self.client.sent_certificate) from err
        if answer.get("type") == "auth_invalid":
            raise InvalidToken(str(answer.get("message") or "Invalid access token"))
        if answer.get("type") != "auth_ok":
            raise NotHomeAssistant(f"Unexpected answer to auth: {answer.get('type')}")

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Read until the connection ends; dispatch results and events at once."""
        heartbeat = asyncio.create_task(self._heartbeat(ws), name="remote_mtls heartbeat")
        try:
            async for frame in ws:
                if frame.type is aiohttp.WSMsgType.ERROR:
                    self._read_error = _read_failure(frame.data)
                if frame.type is not aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    payload = json.loads(frame.data)
                except ValueError:
                    _LOGGER.debug("Skipped a frame that is not JSON (%d bytes)", len(frame.data))
                    continue
                for message in payload if isinstance(payload, list) else (payload,):
                    self._dispatch(message)
        finally:
            heartbeat.cancel()

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        message_id = message.get("id")
        if kind == "event" and isinstance(message_id, int):
            if (subscription := self._subscriptions.get(message_id)) is not None:
                try:
                    subscription.callback(message["event"])
                except Exception:
                    _LOGGER.exception("Error handling an event of %s", subscription.message["type"])
            return
        if not isinstance(message_id, int) or (future := self._pending.get(message_id)) is None:
            return
        if future.done():
            return
        if kind == "pong":
            future.set_result(None)
        elif message.get("success"):
            future.set_result(message.get("result"))
        else:
            error = message.get("error") or {}
            future.set_exception(
                CommandError(
                    str(error.get("message", "")), code=str(error.get("code", "unknown_error"))
                )
            )

    async def _heartbeat(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Ping periodically; a missing pong means a dead (possibly half-open) link: drop it."""
        while True:
            await asyncio.sleep(self.timings.heartbeat_interval)
            try:
                await self._ping(ws)
            except CommandTimeout, NotConnected:
                _LOGGER.debug(
                    "No pong within %.1f s; dropping the connection", self.timings.pong_timeout
                )
                await self._abort(ws)
                return

    async def _ping(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Ping and measure the round trip."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        await self._command(ws, {"type": "ping"}, self.timings.pong_timeout)
        self.latency = loop.time() - started

    async def _abort(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        # From now on nothing is sent on it: a command fails as not sent, not as cut off.
        self._dropped = ws
        # Shutting the socket down ends a pending read at once, even on a half-open link.
        if (sock := ws.get_extra_info("socket")) is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(Exception):
            await ws.close()

    async def _drop_connection(self) -> None:
        ws, self._ws = self._ws, None
        self._connected.clear()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(NotConnected("Connection to the remote lost"))
        self._pending.clear()
        self._subscriptions.clear()
        for subscription in self._all_subscriptions:
            subscription.message_id = None
        if ws is not None and not ws.closed:
            await self._abort(ws)

    async def _run(self, reader: asyncio.Task[None]) -> None:
        """Supervise: when the reader ends, reconnect with backoff until closed or auth fails."""
        while True:
            with contextlib.suppress(Exception):
                await reader
            await self._drop_connection()
            error = self._read_error or CannotConnect(
                "Connection to the remote lost", detail="connection_lost"
            )
            self._read_error = None
            self._set_state(ConnectionState.DISCONNECTED, error)
            attempt = 0
            outage_start = asyncio.get_running_loop().time()
            while True:
                outage = asyncio.get_running_loop().time() - outage_start
                delay = backoff_delay(self.timings, attempt, outage)
                if not self._reconnect_now.is_set():
                    jitter = random.uniform(delay / 2, delay)  # noqa: S311 (not a secret)
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(jitter):
                            await self._reconnect_now.wait()
                self._reconnect_now.clear()
                attempt += 1
                try:
                    reader = await self._open()
                except InvalidToken as err:
                    self._set_state(ConnectionState.AUTH_FAILED, err)
                    return
                except ConnectionFailure as err:
                    _LOGGER.debug("Reconnect attempt %d failed: %s", attempt, err.reason)
                    self._set_state(ConnectionState.DISCONNECTED, err)
                    continue
                except (CommandError, CommandTimeout, NotConnected) as err:
                    _LOGGER.debug("Resubscribe failed after reconnect: %s", err)
                    continue
                self.reconnects += 1
                break

    def _set_state(self, state: ConnectionState, error: ConnectionFailure | None) -> None:
        if state is ConnectionState.CONNECTED:
            self._connected.set()
        else:
            self._connected.clear()
        changed = state is not self.state or error is not self.last_error
        self.state = state
        self.last_error = error
        if changed and self.on_state_change is not None:
            self.on_state_change(state, error)


def _read_failure(error: object) -> ConnectionFailure | None:
    """Name what ended a read when it was the remote's fault (a message too large)."""
    if (
        isinstance(error, aiohttp.WebSocketError)
        and error.code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
    ):
        return MessageTooLarge(f"The remote sent a message over {MAX_MESSAGE_BYTES} bytes")
    return None
