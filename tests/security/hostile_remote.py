"""A scripted remote that speaks Home Assistant's websocket and REST API, and lies on request.

`HostileRemote` serves plain HTTP on 127.0.0.1 from a `BackgroundLoop`; the `hostile` fixture
puts a real nginx requiring the client certificate in front of it. Tests change `script`
(what it answers) and read `received` (what the integration sent). Pushes (`send_event`,
`send_raw`, `set_state`, `remove_state`, `drop`) come in pairs: a blocking one for plain
code and an `async_` one for code running in an event loop (a test with `hass`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
import json
import socket
import time
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from .background import BackgroundLoop

HA_VERSION = "2026.10.4"
CONTEXT_ID = "hostile-context"
AUTH_PROVIDERS = [{"name": "Home Assistant Local", "type": "homeassistant", "id": None}]
REGISTRY_COMMANDS = {
    "config/entity_registry/list": "entity_registry",
    "config/device_registry/list": "device_registry",
    "config/area_registry/list": "area_registry",
    "config/label_registry/list": "label_registry",
}


@dataclass
class ScriptedEntity:
    """One entity of the remote."""

    state: str
    attributes: dict[str, Any] = field(default_factory=dict)

    def compressed(self) -> dict[str, Any]:
        """As subscribe_entities sends an added or changed entity."""
        return {"s": self.state, "a": self.attributes, "c": CONTEXT_ID, "lc": time.time()}


@dataclass
class RawResponse:
    """A canned HTTP answer for one path."""

    body: bytes | str = b""
    content_type: str = "application/octet-stream"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def default_config() -> dict[str, Any]:
    """What get_config answers unless a test changes it."""
    return {
        "location_name": "Hostile Home",
        "version": HA_VERSION,
        "state": "RUNNING",
        "components": ["homeassistant", "sensor", "light"],
        "time_zone": "UTC",
        "unit_system": {
            "length": "km",
            "mass": "g",
            "temperature": "°C",
            "volume": "L",
            "pressure": "Pa",
            "wind_speed": "m/s",
            "accumulated_precipitation": "mm",
        },
        "latitude": 52.0,
        "longitude": 4.0,
        "elevation": 0,
        "language": "en",
        "currency": "EUR",
    }


HOSTILE_OWNER = "hostile-owner"


def default_results() -> dict[str, Any]:
    """Answers to commands that need more than an empty success: its owner (its identity)."""
    return {"config/auth/list": [{"id": HOSTILE_OWNER, "is_owner": True, "name": "Owner"}]}


@dataclass
class Script:
    """What the remote answers; tests change it freely, `HostileRemote.reset()` restores it."""

    token: str
    auth_invalid_message: str = "Invalid access token or password"
    ha_version: str = HA_VERSION
    config: dict[str, Any] = field(default_factory=default_config)
    states: dict[str, ScriptedEntity] = field(default_factory=dict)
    entity_registry: list[Any] = field(default_factory=list)
    device_registry: list[Any] = field(default_factory=list)
    area_registry: list[Any] = field(default_factory=list)
    label_registry: list[Any] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=default_results)  # command type -> result
    routes: dict[str, RawResponse] = field(default_factory=dict)  # path -> canned answer
    redirect_to: str | None = None  # GET /api/websocket answers 302 to this Location
    redirect_all: bool = False  # ... and so does every other path


@dataclass(frozen=True)
class HttpRequest:
    """One HTTP request the remote received (through nginx)."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]


@dataclass
class Received:
    """Everything the integration sent to the remote."""

    tokens: list[Any] = field(default_factory=list)  # access_token of every auth message
    messages: list[dict[str, Any]] = field(default_factory=list)  # every command after auth
    service_calls: list[dict[str, Any]] = field(default_factory=list)
    fired_events: list[dict[str, Any]] = field(default_factory=list)
    requests: list[HttpRequest] = field(default_factory=list)


@dataclass(eq=False)
class _Connection:
    """One authenticated websocket and its subscriptions."""

    request: web.Request
    ws: web.WebSocketResponse
    events: dict[int, str | None] = field(default_factory=dict)  # subscription id -> event_type
    entities: int | None = None  # the subscribe_entities id

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps(message))

    def subscription_for(self, event_type: str | None) -> int | None:
        """The id subscribed to `event_type`; None: the first non-registry subscription."""
        for sub_id, subscribed in self.events.items():
            if event_type is None:
                if not (subscribed or "").endswith("_registry_updated"):
                    return sub_id
            elif subscribed == event_type:
                return sub_id
        return None


class HostileRemote:
    """The scripted remote, serving http://127.0.0.1:port from a background loop."""

    def __init__(self, background: BackgroundLoop, token: str) -> None:
        """Nothing listens until start()."""
        self.background = background
        self.token = token
        self.script = Script(token)
        self.received = Received()
        self.port = 0
        self._connections: list[_Connection] = []
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Plain http URL (the integration reaches it through nginx instead)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def connection_count(self) -> int:
        """Authenticated websockets open right now."""
        return len(self._connections)

    # Lifecycle (blocking; call outside an event loop) ---------------------------------------

    def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        self.background.run(self._start())

    def stop(self) -> None:
        """Close every connection and stop listening."""
        self.background.run(self._stop())

    def reset(self) -> None:
        """Drop every connection; default script; nothing received."""
        self.background.run(self._reset())

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._http)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def _stop(self) -> None:
        await self._drop(abrupt=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _reset(self) -> None:
        await self._drop(abrupt=True)
        self.script = Script(self.token)
        self.received = Received()

    # Pushes to connected links ------------------------------------------------------------

    def send_event(
        self,
        event_type: str,
        data: dict[str, Any] | None = None,
        subscription_event_type: str | None = None,
    ) -> int:
        """Push an event on the subscription to `subscription_event_type`; see async_send_event."""
        return self.background.run(self._send_event(event_type, data, subscription_event_type))

    async def async_send_event(
        self,
        event_type: str,
        data: dict[str, Any] | None = None,
        subscription_event_type: str | None = None,
    ) -> int:
        """Push an event of `event_type` on the subscription to `subscription_event_type`.

        Default subscription: the first subscribe_events that is not a *_registry_updated one.
        The event type may differ from the subscribed one (a remote that lies). Returns the
        number of connections it went to; LookupError when none has such a subscription.
        """
        coro = self._send_event(event_type, data, subscription_event_type)
        return await self.background.async_run(coro)

    def send_raw(self, frame: str | bytes) -> int:
        """Push one frame as is; see async_send_raw."""
        return self.background.run(self._send_raw(frame))

    async def async_send_raw(self, frame: str | bytes) -> int:
        """Push one frame as is to every connection: str as a text frame, bytes as binary."""
        return await self.background.async_run(self._send_raw(frame))

    def set_state(
        self, entity_id: str, state: str, attributes: dict[str, Any] | None = None
    ) -> int:
        """Set an entity's state (before or while linked); see async_set_state."""
        return self.background.run(self._set_state(entity_id, state, attributes))

    async def async_set_state(
        self, entity_id: str, state: str, attributes: dict[str, Any] | None = None
    ) -> int:
        """Set an entity's state in the script and push it as an add/change to linked clients."""
        return await self.background.async_run(self._set_state(entity_id, state, attributes))

    async def async_push_entities(self, change: dict[str, Any]) -> int:
        """Send a raw subscribe_entities event (anything, well formed or not) to linked clients."""
        return await self.background.async_run(self._push_entities(change))

    def remove_state(self, entity_id: str) -> int:
        """Remove an entity; see async_remove_state."""
        return self.background.run(self._remove_state(entity_id))

    async def async_remove_state(self, entity_id: str) -> int:
        """Remove an entity from the script and push its removal to linked clients."""
        return await self.background.async_run(self._remove_state(entity_id))

    def drop(self, *, abrupt: bool = False) -> int:
        """Close every websocket; see async_drop."""
        return self.background.run(self._drop(abrupt=abrupt))

    async def async_drop(self, *, abrupt: bool = False) -> int:
        """Close every websocket (a close frame, or with `abrupt` a TCP abort)."""
        return await self.background.async_run(self._drop(abrupt=abrupt))

    async def _send_event(
        self, event_type: str, data: dict[str, Any] | None, subscription_event_type: str | None
    ) -> int:
        event = {
            "event_type": event_type,
            "data": data or {},
            "origin": "LOCAL",
            "time_fired": datetime.now(UTC).isoformat(),
            "context": {"id": "x"},
        }
        sent = 0
        for connection in list(self._connections):
            sub_id = connection.subscription_for(subscription_event_type)
            if sub_id is not None:
                await connection.send({"id": sub_id, "type": "event", "event": event})
                sent += 1
        if not sent:
            raise LookupError(f"no link subscribed to {subscription_event_type or 'events'}")
        return sent

    async def _send_raw(self, frame: str | bytes) -> int:
        connections = list(self._connections)
        for connection in connections:
            if isinstance(frame, str):
                await connection.ws.send_str(frame)
            else:
                await connection.ws.send_bytes(frame)
        return len(connections)

    async def _push_entities(self, change: dict[str, Any]) -> int:
        sent = 0
        for connection in list(self._connections):
            if connection.entities is not None:
                await connection.send({"id": connection.entities, "type": "event", "event": change})
                sent += 1
        return sent

    async def _set_state(
        self, entity_id: str, state: str, attributes: dict[str, Any] | None
    ) -> int:
        entity = self.script.states[entity_id] = ScriptedEntity(state, attributes or {})
        return await self._push_entities({"a": {entity_id: entity.compressed()}})

    async def _remove_state(self, entity_id: str) -> int:
        self.script.states.pop(entity_id, None)
        return await self._push_entities({"r": [entity_id]})

    async def _drop(self, *, abrupt: bool) -> int:
        connections, self._connections = self._connections, []
        for connection in connections:
            if abrupt and (transport := connection.request.transport) is not None:
                transport.abort()
            else:
                await connection.ws.close(code=WSCloseCode.GOING_AWAY)
        return len(connections)

    # HTTP ---------------------------------------------------------------------------------

    async def _http(self, request: web.Request) -> web.StreamResponse:
        self.received.requests.append(
            HttpRequest(request.method, request.path_qs, dict(request.headers))
        )
        script, path = self.script, request.path
        if script.redirect_to and (script.redirect_all or path == "/api/websocket"):
            return web.Response(status=302, headers={"Location": script.redirect_to})
        if path == "/api/websocket":
            return await self._websocket(request)
        if (raw := script.routes.get(path)) is not None:
            body = raw.body.encode() if isinstance(raw.body, str) else raw.body
            headers = {"Content-Type": raw.content_type, **raw.headers}
            return web.Response(body=body, status=raw.status, headers=headers)
        if path == "/auth/providers":
            return web.json_response(AUTH_PROVIDERS)
        if path.startswith("/api/"):
            if request.headers.get("Authorization") != f"Bearer {script.token}":
                return web.Response(status=401, text="401: Unauthorized")
            if path == "/api/":
                return web.json_response({"message": "API running."})
            if path == "/api/config":
                return web.json_response(script.config)
        return web.Response(status=404, text="404: Not Found")

    # Websocket ----------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=2.0, max_msg_size=0, compress=False)
        await ws.prepare(request)
        script = self.script
        await ws.send_json({"type": "auth_required", "ha_version": script.ha_version})
        auth = await _receive_json(ws)
        token = auth.get("access_token") if isinstance(auth, dict) else None
        self.received.tokens.append(token)
        if not isinstance(auth, dict) or auth.get("type") != "auth" or token != script.token:
            await ws.send_json({"type": "auth_invalid", "message": script.auth_invalid_message})
            await ws.close()
            return ws
        await ws.send_json({"type": "auth_ok", "ha_version": script.ha_version})
        connection = _Connection(request, ws)
        self._connections.append(connection)
        try:
            async for frame in ws:
                if frame.type is not WSMsgType.TEXT:
                    continue
                try:
                    payload = json.loads(frame.data)
                except ValueError:
                    continue
                for message in payload if isinstance(payload, list) else [payload]:
                    if isinstance(message, dict):
                        await self._command(connection, message)
        finally:
            if connection in self._connections:
                self._connections.remove(connection)
        return ws

    async def _command(self, connection: _Connection, message: dict[str, Any]) -> None:
        self.received.messages.append(message)
        script, kind, message_id = self.script, message.get("type"), message.get("id")
        if kind == "ping":
            await connection.send({"id": message_id, "type": "pong"})
            return
        result: Any = None
        if kind == "get_config":
            result = script.config
        elif kind in REGISTRY_COMMANDS:
            result = getattr(script, REGISTRY_COMMANDS[kind])
        elif kind == "subscribe_events" and isinstance(message_id, int):
            connection.events[message_id] = message.get("event_type")
        elif kind == "subscribe_entities" and isinstance(message_id, int):
            connection.entities = message_id
        elif kind == "unsubscribe_events" and isinstance(sub := message.get("subscription"), int):
            connection.events.pop(sub, None)
            if connection.entities == sub:
                connection.entities = None
        elif kind == "call_service":
            self.received.service_calls.append(message)
            result = {"context": {"id": CONTEXT_ID}}
            if message.get("return_response"):
                result["response"] = None
        elif kind == "fire_event":
            self.received.fired_events.append(message)
            result = {"context": {"id": CONTEXT_ID}}
        result = script.results.get(str(kind), result)
        await connection.send(
            {"id": message_id, "type": "result", "success": True, "result": result}
        )
        if kind == "subscribe_entities":
            added = {eid: entity.compressed() for eid, entity in script.states.items()}
            await connection.send({"id": message_id, "type": "event", "event": {"a": added}})


async def _receive_json(ws: web.WebSocketResponse) -> Any:
    """The next text frame, decoded; None when it is not JSON or does not come."""
    try:
        frame = await ws.receive(timeout=10.0)
        return json.loads(frame.data) if frame.type is WSMsgType.TEXT else None
    except TimeoutError, ValueError:
        return None
