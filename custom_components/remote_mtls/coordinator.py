"""One coordinator per link: remote states and registries in, local entities and devices out.

Remote changes arrive on one websocket and are applied in order from one queue. Small changes
are written at once; snapshots and bursts are written in batches that yield to the event loop,
so the local Home Assistant never falls behind its own websocket clients.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .api import (
    ClientIdentity,
    CommandError,
    CommandTimeout,
    ConnectionFailure,
    ConnectionState,
    EntityChanges,
    NotConnected,
    RemoteClient,
    RemoteError,
    RemoteState,
    WebSocketSession,
    remote_instance_id,
)
from .const import (
    BATCH_PAUSE,
    CONF_EVENT_TYPES,
    CONF_EXCLUDED_DEVICES,
    CONF_MAX_ENTITIES,
    CONF_MIRROR_DEVICES,
    DOMAIN,
    REMOVAL_GRACE,
    WRITE_BATCH,
)
from .devices import (
    DeviceSync,
    mirrored_device_info,
    register_hub_device,
    remote_device_id,
)
from .errors import CERTIFICATE_REFUSED_REASONS, safe_description, translated_errors
from .filters import MirrorFilter
from .issues import (
    CERTIFICATE_REFUSED,
    REMOTE_UNREACHABLE,
    UNREACHABLE_AFTER,
    async_check_entry_issues,
    async_set_issue,
)
from .limits import DEFAULT_MAX_ENTITIES, bounded_state
from .platform_map import local_platform
from .remote_events import EventForwarder, forwardable_event_types
from .remote_images import RemoteImages
from .scoped_ids import remote_id_of, scoped_id

_LOGGER = logging.getLogger(__name__)

REGISTRY_EVENTS = (
    "entity_registry_updated",
    "device_registry_updated",
    "area_registry_updated",
    "label_registry_updated",
)
SNAPSHOT_TIMEOUT = 60.0
ISSUE_CHECK_INTERVAL = timedelta(hours=1)
STATUS_INTERVAL = timedelta(seconds=30)  # the websocket heartbeat measures latency as often
# A reconnect snapshot may come from a remote that is still starting: removals wait longer.
RECONNECT_REMOVAL_GRACE = 30.0
_REFRESH_REGISTRIES = object()
_AVAILABILITY_CHANGED = object()

type PlatformAdder = Callable[[list[Mirror]], Awaitable[None]]
type RemoteMtlsConfigEntry = ConfigEntry[RemoteCoordinator]


@dataclass(eq=False, slots=True)
class Mirror:
    """One mirrored remote entity. `key` is stable across remote entity_id renames."""

    key: str
    entity_id: str
    platform: Platform
    state: RemoteState
    registry: dict[str, Any] | None

    @property
    def domain(self) -> str:
        """The remote domain (service calls go there)."""
        return self.entity_id.partition(".")[0]


def mirror_key(entity_id: str, registry_entry: dict[str, Any] | None) -> str:
    """Remote domain, platform and unique id when registered, else the remote entity id."""
    if registry_entry and registry_entry.get("unique_id"):
        domain = entity_id.partition(".")[0]
        return f"{domain}.{registry_entry['platform']}.{registry_entry['unique_id']}"
    return entity_id


class RemoteCoordinator:
    """Keeps the local mirror of one remote Home Assistant."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: RemoteClient,
        websocket: WebSocketSession,
        identity: ClientIdentity | None = None,
    ) -> None:
        """Nothing is fetched until async_start."""
        self.identity = identity
        self.hass = hass
        self.entry = entry
        self.client = client
        self.websocket = websocket
        self.images = RemoteImages(client)
        self.filter = MirrorFilter.from_options(entry.options)
        self.mirror_devices: bool = entry.options.get(CONF_MIRROR_DEVICES, True)
        self.max_entities: int = int(entry.options.get(CONF_MAX_ENTITIES, DEFAULT_MAX_ENTITIES))
        self._events = EventForwarder(hass, entry.entry_id, entry.title)
        self._warned_limits: set[str] = set()
        self.remote_config: dict[str, Any] = {}
        self.remote_id = ""
        self.entity_registry: dict[str, dict[str, Any]] = {}
        self.devices: dict[str, dict[str, Any]] = {}
        self.areas: dict[str, dict[str, Any]] = {}
        self.labels: dict[str, dict[str, Any]] = {}
        self.mirrors: dict[str, Mirror] = {}
        self.hub_device_id: str | None = None
        self._key_by_entity_id: dict[str, str] = {}
        self._listeners: dict[str, CALLBACK_TYPE] = {}
        self._status_listeners: list[CALLBACK_TYPE] = []
        self._adders: dict[Platform, PlatformAdder] = {}
        self._waiting: dict[Platform, list[Mirror]] = {}
        self._removals: dict[str, asyncio.TimerHandle] = {}
        self._queue: deque[Any] = deque()
        self._drain_task: asyncio.Task[None] | None = None
        self._snapshot = asyncio.Event()
        self._was_connected = True
        self._link_up = False  # up once a snapshot is applied; down when the websocket drops
        self._unreachable_timer: asyncio.TimerHandle | None = None
        self.recent_errors: deque[tuple[str, str, str]] = deque(maxlen=10)

    # Lifecycle ----------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether the link is up: connected, and the remote's current states are applied."""
        return self._link_up

    @property
    def entry_id(self) -> str:
        """The config entry this coordinator belongs to."""
        return self.entry.entry_id

    async def async_start(self) -> None:
        """Fetch config and registries, subscribe, and wait for the first full snapshot."""
        self.websocket.on_state_change = self._on_connection_state
        self.remote_config = await self.websocket.command({"type": "get_config"})
        self.remote_id = await remote_instance_id(self.websocket)
        await self._async_fetch_registries()
        self.hub_device_id = register_hub_device(self.hass, self.entry, self.remote_config)
        self._device_sync = DeviceSync(self.hass, self.entry_id, self.devices)
        # Subscriptions live as long as the websocket session (closed on unload).
        for event_type in REGISTRY_EVENTS:
            await self.websocket.subscribe(
                {"type": "subscribe_events", "event_type": event_type}, self._on_registry_event
            )
        for event_type in forwardable_event_types(self.entry.options.get(CONF_EVENT_TYPES, ())):
            await self.websocket.subscribe(
                {"type": "subscribe_events", "event_type": event_type},
                partial(self._events.forward, event_type),
            )
        filters = self.filter.subscription()
        await self.websocket.subscribe_entities(
            self._on_entity_changes, include=filters.get("include"), exclude=filters.get("exclude")
        )
        async with asyncio.timeout(SNAPSHOT_TIMEOUT):
            await self._snapshot.wait()
            await self.async_wait_idle()
        self._remove_stale_registry_entries()
        self.sync_devices()
        self.entry.async_on_unload(
            async_track_time_interval(self.hass, self._notify_status, STATUS_INTERVAL)
        )
        self.entry.async_on_unload(
            async_track_time_interval(self.hass, self._check_issues, ISSUE_CHECK_INTERVAL)
        )

    async def async_stop(self) -> None:
        """Stop processing; the entry's unload closes the websocket."""
        if self._unreachable_timer is not None:
            self._unreachable_timer.cancel()
        for handle in self._removals.values():
            handle.cancel()
        self._removals.clear()
        if self._drain_task is not None:
            self._drain_task.cancel()
        self._queue.clear()

    # Platforms and entities ---------------------------------------------------------------

    @callback
    def async_add_platform(self, platform: Platform, adder: PlatformAdder) -> None:
        """Hand a ready platform what it mirrors now and everything that appears later."""
        self._adders[platform] = adder
        self._ensure_draining()

    @callback
    def async_add_status_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` when the link goes up or down, and every status interval."""
        self._status_listeners.append(update)
        return lambda: self._status_listeners.remove(update)

    @callback
    def _check_issues(self, _now: datetime) -> None:
        async_check_entry_issues(self.hass, self.entry)

    @callback
    def _notify_status(self, _now: Any = None) -> None:
        for update in list(self._status_listeners):
            update()

    async def async_wait_idle(self) -> None:
        """Wait until every received change is applied and every new entity added."""
        while (task := self._drain_task) is not None:
            await task

    @callback
    def async_add_listener(self, key: str, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` whenever the mirror of `key` changes or availability flips."""
        self._listeners[key] = update

        @callback
        def _remove() -> None:
            if self._listeners.get(key) is update:
                del self._listeners[key]

        return _remove

    def key_for(self, remote_entity_id: str) -> str:
        """Return the mirror key of a remote entity id (KeyError when not mirrored)."""
        return self._key_by_entity_id[remote_entity_id]

    def device_for(self, mirror: Mirror) -> dict[str, Any] | None:
        """Return the remote device of a mirrored entity, when devices are mirrored."""
        if not self.mirror_devices or mirror.registry is None:
            return None
        device_id = mirror.registry.get("device_id")
        return self.devices.get(device_id) if device_id else None

    @callback
    def async_forget_device(self, device: dr.DeviceEntry) -> bool:
        """Stop mirroring a remote device the user deleted here (kept in the options)."""
        if (remote_id := remote_device_id(self.entry_id, device)) is None:
            return False  # the hub goes with the entry
        excluded = [*self.entry.options.get(CONF_EXCLUDED_DEVICES, ()), remote_id]
        self.hass.config_entries.async_update_entry(
            self.entry, options={**self.entry.options, CONF_EXCLUDED_DEVICES: excluded}
        )
        self.filter = MirrorFilter.from_options(self.entry.options)
        for key, mirror in list(self.mirrors.items()):
            if (mirror.registry or {}).get("device_id") == remote_id:
                del self.mirrors[key]
                self._key_by_entity_id.pop(mirror.entity_id, None)
        return True

    def device_info(self, mirror: Mirror) -> DeviceInfo | None:
        """Local device of a mirrored entity: its remote device, linked to the hub."""
        if (device := self.device_for(mirror)) is None:
            return None
        return mirrored_device_info(self.entry_id, device, self.areas, self.hub_device_id)

    # Service calls ------------------------------------------------------------------------

    async def async_call_service(
        self,
        domain: str,
        service: str,
        data: dict[str, Any] | None = None,
        target: dict[str, Any] | None = None,
        *,
        return_response: bool = False,
    ) -> Any:
        """Run a service on the remote once; its errors come back as Home Assistant errors."""
        with translated_errors(f"{domain}.{service}"):
            return await self.websocket.call_service(
                domain, service, data, target, return_response=return_response
            )

    async def async_event_types(self) -> list[str]:
        """Event types the remote knows of that may be forwarded (none while unreachable)."""
        if not self.connected:
            return []
        try:
            known = await self.client.event_types()
        except RemoteError:
            return []
        return forwardable_event_types(known)

    async def async_command(self, message: dict[str, Any]) -> Any:
        """Send a websocket command to the remote; errors as Home Assistant errors."""
        with translated_errors(str(message["type"])):
            return await self.websocket.command(message)

    # Remote entity changes ----------------------------------------------------------------

    @callback
    def _on_entity_changes(self, changes: EntityChanges) -> None:
        if changes.snapshot and self._snapshot.is_set():
            # A reconnect: registries may have changed while we were away.
            self._queue.append(_REFRESH_REGISTRIES)
        if (
            not self._queue
            and self._drain_task is None
            and len(changes.changed) + len(changes.removed) <= WRITE_BATCH
        ):
            self._apply_changes(changes, changes.changed.values())
            if self._waiting:
                self._ensure_draining()
            return
        self._queue.append(changes)
        self._ensure_draining()

    @callback
    def _on_registry_event(self, _event: Any) -> None:
        if not self._queue or self._queue[-1] is not _REFRESH_REGISTRIES:
            self._queue.append(_REFRESH_REGISTRIES)
        self._ensure_draining()

    def _ensure_draining(self) -> None:
        if self._drain_task is None:
            # Not eager: the task must be registered before it can finish.
            self._drain_task = self.entry.async_create_background_task(
                self.hass, self._drain(), "remote_mtls apply remote changes", eager_start=False
            )

    async def _drain(self) -> None:
        try:
            while True:
                await self._async_add_waiting()
                if not self._queue:
                    if self._waiting.keys() & self._adders.keys():
                        continue  # a platform became ready meanwhile
                    break
                item = self._queue.popleft()
                if item is _REFRESH_REGISTRIES:
                    try:
                        # A reconnect snapshot can arrive before the session reports connected.
                        await self.websocket.wait_connected(self.websocket.timings.command_timeout)
                        await self._async_refresh_registries()
                    except (CommandError, CommandTimeout, NotConnected, TimeoutError) as err:
                        _LOGGER.debug("Registry refresh failed: %s", err)
                elif item is _AVAILABILITY_CHANGED:
                    async for updates in _paced(list(self._listeners.values())):
                        for update in updates:
                            update()
                else:
                    await self._apply_in_batches(item)
        finally:
            self._drain_task = None

    async def _apply_in_batches(self, changes: EntityChanges) -> None:
        states = list(changes.changed.values())
        self._apply_changes(changes, states[:WRITE_BATCH])
        async for batch in _paced(states[WRITE_BATCH:]):
            await self._async_add_waiting()
            self._apply_states(batch, snapshot=changes.snapshot)

    async def _async_add_waiting(self) -> None:
        """Add new entities to their platforms, one batch at a time."""
        for platform, adder in list(self._adders.items()):
            async for batch in _paced(self._waiting.pop(platform, [])):
                await adder(batch)

    def _apply_changes(self, changes: EntityChanges, states: Iterable[RemoteState]) -> None:
        reconnect = changes.snapshot and self._snapshot.is_set()
        grace = RECONNECT_REMOVAL_GRACE if reconnect else REMOVAL_GRACE
        for entity_id in changes.removed:
            if (key := self._key_by_entity_id.get(entity_id)) is not None:
                self._schedule_removal(key, grace)
        if changes.snapshot:
            self._link_up = True  # entities are written available from this snapshot on
            self._snapshot.set()
        self._apply_states(states, snapshot=changes.snapshot)
        if reconnect:
            self._notify_status()

    def _apply_states(self, states: Iterable[RemoteState], *, snapshot: bool) -> None:
        for state in states:
            registry_entry = self.entity_registry.get(state.entity_id)
            key = mirror_key(state.entity_id, registry_entry)
            device = self.devices.get((registry_entry or {}).get("device_id") or "")
            if not self.filter.wanted(registry_entry, device):
                if key in self.mirrors:
                    self._schedule_removal(key, 0)
                continue
            if (handle := self._removals.pop(key, None)) is not None:
                handle.cancel()
            bounded = self._within_limits(key, state)
            mirror = self.mirrors.get(key)
            if mirror is None:
                if len(self.mirrors) >= self.max_entities:
                    self._warn_limit(
                        "entities",
                        "%s offers more entities than the limit of %d; the rest are not "
                        "mirrored (raise it in the link's options)",
                        self.entry.title,
                        self.max_entities,
                    )
                    continue
                mirror = Mirror(
                    key, state.entity_id, local_platform(state), bounded, registry_entry
                )
                self.mirrors[key] = mirror
                self._key_by_entity_id[state.entity_id] = key
                self._waiting.setdefault(mirror.platform, []).append(mirror)
                continue
            if mirror.entity_id != state.entity_id:
                self._key_by_entity_id.pop(mirror.entity_id, None)
                self._key_by_entity_id[state.entity_id] = key
                mirror.entity_id = state.entity_id
            if mirror.state == bounded and not snapshot:
                continue
            mirror.state = bounded
            mirror.registry = registry_entry
            if (update := self._listeners.get(key)) is not None:
                update()

    def _within_limits(self, key: str, state: RemoteState) -> RemoteState:
        bounded, dropped = bounded_state(state)
        if dropped:
            self._warn_limit(
                key,
                "%s: attributes %s of %s are too large and are not mirrored",
                self.entry.title,
                ", ".join(name[:50] for name in dropped[:5]),
                state.entity_id,
            )
        return bounded

    def _warn_limit(self, what: str, message: str, *args: Any) -> None:
        """Warn once per link and limit hit (a remote could otherwise flood the log)."""
        if what not in self._warned_limits:
            self._warned_limits.add(what)
            _LOGGER.warning(message, *args)

    def _schedule_removal(self, key: str, delay: float) -> None:
        if key not in self._removals:
            self._removals[key] = self.hass.loop.call_later(delay, self._remove, key)

    @callback
    def _remove(self, key: str) -> None:
        self._removals.pop(key, None)
        if (mirror := self.mirrors.pop(key, None)) is None:
            return
        if self._key_by_entity_id.get(mirror.entity_id) == key:
            del self._key_by_entity_id[mirror.entity_id]
        entity_registry = er.async_get(self.hass)
        unique_id = scoped_id(self.entry_id, key)
        if entity_id := entity_registry.async_get_entity_id(mirror.platform, DOMAIN, unique_id):
            entity_registry.async_remove(entity_id)

    # Connection ---------------------------------------------------------------------------

    @callback
    def _on_connection_state(self, state: ConnectionState, error: ConnectionFailure | None) -> None:
        if state is not ConnectionState.CONNECTED:
            self._link_up = False
        if error is not None:
            self.recent_errors.append(
                (dt_util.utcnow().isoformat(), error.reason, error.detail or "")
            )
        if state is ConnectionState.AUTH_FAILED:
            self.entry.async_start_reauth(self.hass)
        elif error is not None and error.reason in CERTIFICATE_REFUSED_REASONS:
            async_set_issue(
                self.hass,
                self.entry,
                CERTIFICATE_REFUSED,
                True,
                severity=ir.IssueSeverity.ERROR,
                placeholders={"error": safe_description(error)},
            )
            self.entry.async_start_reauth(self.hass)
        self._notify_status()
        connected = state is ConnectionState.CONNECTED
        if connected == self._was_connected or state is ConnectionState.CLOSED:
            return
        self._was_connected = connected
        if connected:
            _LOGGER.info("Connection to %s restored", self.entry.title)
            if self._unreachable_timer is not None:
                self._unreachable_timer.cancel()
                self._unreachable_timer = None
            async_set_issue(self.hass, self.entry, REMOTE_UNREACHABLE, False)
            async_set_issue(self.hass, self.entry, CERTIFICATE_REFUSED, False)
            return  # entities become available with the fresh snapshot
        _LOGGER.info(
            "Connection to %s lost: %s", self.entry.title, error and safe_description(error)
        )
        self._unreachable_timer = self.hass.loop.call_later(
            UNREACHABLE_AFTER.total_seconds(), self._report_unreachable, dt_util.utcnow()
        )
        self._queue.append(_AVAILABILITY_CHANGED)
        self._ensure_draining()

    @callback
    def _report_unreachable(self, since: datetime) -> None:
        self._unreachable_timer = None
        error = self.websocket.last_error
        async_set_issue(
            self.hass,
            self.entry,
            REMOTE_UNREACHABLE,
            True,
            placeholders={
                "since": since.isoformat(timespec="seconds"),
                "error": safe_description(error) if error else "-",
            },
        )

    # Registries ---------------------------------------------------------------------------

    async def _async_fetch_registries(self) -> None:
        entities, devices, areas, labels = await asyncio.gather(
            self.websocket.command({"type": "config/entity_registry/list"}),
            self.websocket.command({"type": "config/device_registry/list"}),
            self.websocket.command({"type": "config/area_registry/list"}),
            self.websocket.command({"type": "config/label_registry/list"}),
        )
        self.entity_registry = {entry["entity_id"]: entry for entry in entities}
        self.devices = {device["id"]: device for device in devices}
        self.areas = {area["area_id"]: area for area in areas}
        self.labels = {label["label_id"]: label for label in labels}

    async def _async_refresh_registries(self) -> None:
        await self._async_fetch_registries()
        self.sync_devices()
        states = [mirror.state for mirror in self.mirrors.values()]
        self._apply_states(states, snapshot=False)  # filters may now match differently
        for mirror in list(self.mirrors.values()):
            if (entry := self.entity_registry.get(mirror.entity_id)) != mirror.registry:
                mirror.registry = entry
                if (update := self._listeners.get(mirror.key)) is not None:
                    update()

    def sync_devices(self) -> None:
        """Bring mirrored devices in line with the remote's device registry."""
        used = {
            device_id
            for mirror in self.mirrors.values()
            if (device_id := (mirror.registry or {}).get("device_id"))
        }
        self._device_sync.sync(self.devices, self.areas, used, self.mirror_devices)

    def _remove_stale_registry_entries(self) -> None:
        """Local entities whose remote entity is gone (or now filtered out) are removed."""
        if self.remote_config.get("state") != "RUNNING":
            return  # a remote still starting may not have all its entities yet
        entity_registry = er.async_get(self.hass)
        for entry in er.async_entries_for_config_entry(entity_registry, self.entry_id):
            key = remote_id_of(self.entry_id, entry.unique_id)
            if key is not None and key not in self.mirrors:
                entity_registry.async_remove(entry.entity_id)


async def _paced[T](items: list[T]) -> AsyncIterator[list[T]]:
    """Yield batches of WRITE_BATCH items, pausing before each to let the event loop breathe."""
    for start in range(0, len(items), WRITE_BATCH):
        await asyncio.sleep(BATCH_PAUSE)
        yield items[start : start + WRITE_BATCH]
