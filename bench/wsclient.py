"""A bare Home Assistant websocket client that stamps every frame on arrival.

Used on both sides: on the local Home Assistant (what a dashboard sees) and on the remote
through nginx with the client certificate (the floor: no integration in between).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import ssl
from typing import Any

import aiohttp
import orjson

from .clock import now

type EventHandler = Callable[[dict[str, Any], float], None]


class Dropped(Exception):
    """The server closed the connection while we still used it."""


class WsClient:
    """One authenticated websocket; events go to handlers with their arrival time."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        coalesce: bool = False,
    ) -> None:
        self.url = url.rstrip("/") + "/api/websocket"
        self.token = token
        self.ssl_context = ssl_context
        self.coalesce = coalesce
        self.closed_by_server = False
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._handlers: dict[int, EventHandler] = {}
        self._next_id = 1
        self._closing = False

    async def __aenter__(self) -> WsClient:
        await self.connect()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def connect(self) -> None:
        """Connect, authenticate and (optionally) enable coalescing."""
        self._session = aiohttp.ClientSession()
        try:
            self._ws = await self._session.ws_connect(
                self.url, ssl=self.ssl_context or False, max_msg_size=0, autoping=True
            )
            hello = await self._ws.receive_json()
            if hello.get("type") != "auth_required":
                raise RuntimeError(f"unexpected hello {hello}")
            await self._ws.send_json({"type": "auth", "access_token": self.token})
            answer = await self._ws.receive_json()
            if answer.get("type") != "auth_ok":
                raise RuntimeError(f"authentication failed: {answer}")
        except BaseException:
            await self._session.close()
            raise
        self._reader = asyncio.create_task(self._read(self._ws))
        if self.coalesce:
            await self.command({"type": "supported_features", "features": {"coalesce_messages": 1}})

    async def close(self) -> None:
        """Close the connection (not counted as dropped)."""
        self._closing = True
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._session is not None:
            await self._session.close()

    @property
    def dropped(self) -> bool:
        """Whether the server ended the connection before we closed it."""
        return self.closed_by_server

    async def send(self, message: dict[str, Any]) -> tuple[asyncio.Future[Any], float]:
        """Send a command without waiting for its result; return the result future, send time."""
        if self._ws is None or self.closed_by_server:
            raise Dropped(self.url)
        message_id = self._next_id
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        data = orjson.dumps({**message, "id": message_id}).decode()
        sent = now()
        await self._ws.send_str(data)
        return future, sent

    async def command(self, message: dict[str, Any], timeout: float = 60.0) -> Any:
        """Send a command and return its result."""
        future, _sent = await self.send(message)
        async with asyncio.timeout(timeout):
            return await future

    async def subscribe_events(self, event_type: str, handler: EventHandler) -> None:
        """subscribe_events; `handler(event, arrival_time)` for each event."""
        await self.subscribe({"type": "subscribe_events", "event_type": event_type}, handler)

    async def subscribe(self, message: dict[str, Any], handler: EventHandler) -> None:
        """Any subscription command (subscribe_entities ...)."""
        message_id = self._next_id
        self._handlers[message_id] = handler
        await self.command(message)

    async def ping(self, timeout: float = 30.0) -> None:
        """Round trip through the server's queue (all earlier events are read after this)."""
        await self.command({"type": "ping"}, timeout)

    async def wait_closed(self) -> None:
        """Until the connection ends (the server dropped it, or we closed it)."""
        if self._reader is not None:
            await asyncio.shield(self._reader)

    async def still_connected(self) -> bool:
        """Whether the server kept this connection (checked with a ping)."""
        if self.closed_by_server:
            return False
        with contextlib.suppress(Dropped):
            await self.ping()
        return not self.closed_by_server

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            async for frame in ws:
                arrived = now()
                if frame.type is not aiohttp.WSMsgType.TEXT:
                    continue
                payload = orjson.loads(frame.data)
                for message in payload if isinstance(payload, list) else (payload,):
                    self._dispatch(message, arrived)
        finally:
            if not self._closing:
                self.closed_by_server = True
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(Dropped(self.url))

    def _dispatch(self, message: dict[str, Any], arrived: float) -> None:
        message_id = message.get("id")
        if message.get("type") == "event":
            if (handler := self._handlers.get(message_id or 0)) is not None:
                handler(message["event"], arrived)
            return
        future = self._pending.pop(message_id or 0, None)
        if future is None or future.done():
            return
        if message.get("type") == "pong" or message.get("success"):
            future.set_result(message.get("result"))
        else:
            future.set_exception(RuntimeError(f"command failed: {message.get('error')}"))
