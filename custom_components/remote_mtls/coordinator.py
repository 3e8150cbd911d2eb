"""One coordinator per link: the parts of a link put together, and what entities may use.

- `LinkManager` (link_manager.py) follows the connection: availability, repairs, reauth.
- `MirrorStore` (mirror_store.py) holds the mirrors and is the one way remote states come in.
- `RemoteRegistries` (remote_registries.py) and `DeviceSync` (devices.py) keep the remote's
  registries and the local devices in step.

Entities get their data through one path: `mirrors[key]` and the listener registered with
`async_add_listener(key, ...)`; they reach the remote only through `async_call_service`,
`async_command` and `images`, whose errors are translated in one place (errors.py).
"""

from __future__ import annotations

import asyncio
from collections import deque
from functools import partial
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

from .api import (
    ClientIdentity,
    CommandError,
    CommandTimeout,
    NotConnected,
    RegistryDevice,
    RemoteClient,
    RemoteError,
    WebSocketSession,
    remote_instance_id,
)
from .const import CONF_EVENT_TYPES, CONF_EXCLUDED_DEVICES, CONF_MAX_ENTITIES, CONF_MIRROR_DEVICES
from .devices import DeviceSync, mirrored_device_info, register_hub_device, remote_device_id
from .errors import translated_errors
from .filters import MirrorFilter
from .limits import DEFAULT_MAX_ENTITIES
from .link_manager import STATUS_INTERVAL, LinkManager, OpenLink
from .mirror_store import Mirror, MirrorStore, PlatformAdder, mirror_key
from .remote_events import EventForwarder, forwardable_event_types
from .remote_images import RemoteImages
from .remote_pictures import RemotePictures
from .remote_registries import RemoteRegistries

if TYPE_CHECKING:
    from .statistics_sync import StatisticsSync

_LOGGER = logging.getLogger(__name__)

__all__ = ["STATUS_INTERVAL", "Mirror", "RemoteCoordinator", "RemoteMtlsConfigEntry", "mirror_key"]

REGISTRY_EVENTS = (
    "entity_registry_updated",
    "device_registry_updated",
    "area_registry_updated",
    "label_registry_updated",
)
SNAPSHOT_TIMEOUT = 60.0

type RemoteMtlsConfigEntry = ConfigEntry[RemoteCoordinator]


class RemoteCoordinator:
    """Keeps the local mirror of one remote Home Assistant."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], link: OpenLink) -> None:
        """Nothing is fetched until async_start."""
        self.hass = hass
        self.entry = entry
        self.client: RemoteClient = link.client
        self.websocket: WebSocketSession = link.websocket
        self.identity: ClientIdentity | None = link.identity
        self.images = RemoteImages(link.client)
        self.pictures = RemotePictures(hass, self.images)
        self.mirror_devices: bool = entry.options.get(CONF_MIRROR_DEVICES, True)
        self.remote_config: dict[str, Any] = {}
        self.remote_id = ""
        self.hub_device_id: str | None = None
        self.registries = RemoteRegistries()
        self.store = MirrorStore(
            hass,
            entry,
            self.registries,
            MirrorFilter.from_options(entry.options),
            int(entry.options.get(CONF_MAX_ENTITIES, DEFAULT_MAX_ENTITIES)),
            refresh_registries=self._async_refresh_registries,
            notify_status=self._on_reconnected,
        )
        self.link = LinkManager(hass, entry, link.websocket, self.store)
        self._events = EventForwarder(hass, entry.entry_id, entry.title)
        self._device_sync: DeviceSync | None = None
        # Long-term statistics of the remote, only when the local recorder runs.
        self.statistics: StatisticsSync | None = None

    # Lifecycle ----------------------------------------------------------------------------

    @property
    def entry_id(self) -> str:
        """The config entry this coordinator belongs to."""
        return self.entry.entry_id

    @property
    def connected(self) -> bool:
        """Whether the link is up: connected, and the remote's current states are applied."""
        return self.store.link_up

    async def async_start(self) -> None:
        """Fetch config and registries, subscribe, and wait for the first full snapshot."""
        self.link.start()
        self.remote_config = await self.websocket.command({"type": "get_config"})
        self.remote_id = await remote_instance_id(self.websocket)
        await self.registries.async_fetch(self.websocket)
        self.hub_device_id = register_hub_device(self.hass, self.entry, self.remote_config)
        self._device_sync = DeviceSync(self.hass, self.entry_id, self.registries.devices)
        # Subscriptions live as long as the websocket session (closed on unload).
        for event_type in REGISTRY_EVENTS:
            await self.websocket.subscribe(
                {"type": "subscribe_events", "event_type": event_type},
                self.store.on_registry_changed,
            )
        for event_type in forwardable_event_types(self.entry.options.get(CONF_EVENT_TYPES, ())):
            await self.websocket.subscribe(
                {"type": "subscribe_events", "event_type": event_type},
                partial(self._events.forward, event_type),
            )
        filters = self.store.filter.subscription()
        await self.websocket.subscribe_entities(
            self.store.on_entity_changes,
            include=filters.get("include"),
            exclude=filters.get("exclude"),
        )
        async with asyncio.timeout(SNAPSHOT_TIMEOUT):
            await self.store.async_wait_snapshot()
        if self.remote_config.get("state") == "RUNNING":
            # A remote still starting may not have all its entities yet.
            self.store.remove_stale_registry_entries()
        self.sync_devices()

    def start_statistics(self) -> None:
        """Import the remote's long-term statistics (when the local recorder runs)."""
        if "recorder" not in self.hass.config.components:
            return
        from .statistics_sync import StatisticsSync  # noqa: PLC0415 (recorder is optional)

        self.statistics = StatisticsSync(
            self.hass,
            self.entry,
            self.websocket,
            self.store,
            link_id=lambda: self.remote_id.partition(":")[2] or self.entry_id,
            notify_status=self._notify_status,
        )
        self.statistics.start()

    async def async_stop(self) -> None:
        """Stop processing; the entry's unload closes the websocket."""
        self.link.stop()
        self.store.stop()
        self.pictures.forget_all()
        if self.statistics is not None:
            self.statistics.stop()

    # What entities and platforms use --------------------------------------------------------

    @property
    def mirrors(self) -> dict[str, Mirror]:
        """Every mirrored remote entity by its key."""
        return self.store.mirrors

    @property
    def filter(self) -> MirrorFilter:
        """What is mirrored (from the options)."""
        return self.store.filter

    @property
    def recent_errors(self) -> deque[tuple[str, str, str]]:
        """The last connection errors: time, reason, detail."""
        return self.link.recent_errors

    @callback
    def async_add_platform(self, platform: Platform, adder: PlatformAdder) -> None:
        """Hand a ready platform what it mirrors now and everything that appears later."""
        self.store.async_add_platform(platform, adder)

    @callback
    def async_add_listener(self, key: str, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` whenever the mirror of `key` changes or availability flips."""
        return self.store.async_add_listener(key, update)

    @callback
    def async_add_status_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` when the link goes up or down, and every status interval."""
        return self.link.async_add_status_listener(update)

    async def async_wait_idle(self) -> None:
        """Wait until every received change is applied and every new entity added."""
        await self.store.async_wait_idle()

    def key_for(self, remote_entity_id: str) -> str:
        """Return the mirror key of a remote entity id (KeyError when not mirrored)."""
        return self.store.key_for(remote_entity_id)

    def local_entity_id(self, remote_entity_id: str) -> str | None:
        """Return the local entity mirroring a remote one (None: not mirrored, or not added yet)."""
        return self.store.local_entity_id(remote_entity_id)

    def device_for(self, mirror: Mirror) -> RegistryDevice | None:
        """Return the remote device of a mirrored entity, when devices are mirrored."""
        if not self.mirror_devices or mirror.registry is None or not mirror.registry.device_id:
            return None
        return self.registries.devices.get(mirror.registry.device_id)

    def device_info(self, mirror: Mirror) -> DeviceInfo | None:
        """Local device of a mirrored entity: its remote device, linked to the hub."""
        if (device := self.device_for(mirror)) is None:
            return None
        return mirrored_device_info(
            self.entry_id, device, self.registries.areas, self.hub_device_id
        )

    @callback
    def async_forget_device(self, device: dr.DeviceEntry) -> bool:
        """Stop mirroring a remote device the user deleted here (kept in the options)."""
        if (remote_id := remote_device_id(self.entry_id, device)) is None:
            return False  # the hub goes with the entry
        excluded = [*self.entry.options.get(CONF_EXCLUDED_DEVICES, ()), remote_id]
        self.hass.config_entries.async_update_entry(
            self.entry, options={**self.entry.options, CONF_EXCLUDED_DEVICES: excluded}
        )
        self.store.forget_device(remote_id, MirrorFilter.from_options(self.entry.options))
        return True

    def sync_devices(self) -> None:
        """Bring mirrored devices in line with the remote's device registry."""
        if self._device_sync is None:
            return
        used = {
            device_id
            for mirror in self.store.mirrors.values()
            if mirror.registry is not None and (device_id := mirror.registry.device_id)
        }
        self._device_sync.sync(
            self.registries.devices, self.registries.areas, used, self.mirror_devices
        )

    # The remote, for entities ---------------------------------------------------------------

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

    async def async_command(self, message: dict[str, Any]) -> Any:
        """Send a websocket command to the remote; errors as Home Assistant errors."""
        with translated_errors(str(message["type"])):
            return await self.websocket.command(message)

    async def async_event_types(self) -> list[str]:
        """Event types the remote knows of that may be forwarded (none while unreachable)."""
        if not self.connected:
            return []
        try:
            known = await self.client.event_types()
        except RemoteError:
            return []
        return forwardable_event_types(known)

    # Internals ------------------------------------------------------------------------------

    @callback
    def _notify_status(self) -> None:
        self.link.notify_status()

    @callback
    def _on_reconnected(self) -> None:
        """Fill in what an outage missed, now that the remote's states are applied again."""
        self.link.notify_status()
        if self.statistics is not None:
            self.statistics.request()

    async def _async_refresh_registries(self) -> None:
        try:
            # A reconnect snapshot can arrive before the session reports connected.
            await self.websocket.wait_connected(self.websocket.timings.command_timeout)
            await self.registries.async_fetch(self.websocket)
        except (CommandError, CommandTimeout, NotConnected, TimeoutError) as err:
            _LOGGER.debug("Registry refresh failed: %s", err)
            return
        self.sync_devices()
        self.store.reapply()
