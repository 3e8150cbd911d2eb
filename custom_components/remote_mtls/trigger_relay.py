"""Remote device triggers, run on the remote and fired here.

A relay lives as long as the local automation that uses the trigger. It subscribes on the
remote when its link is loaded (now, or when the link is set up later) and the websocket
session re-subscribes it after every reconnect, so each firing arrives once. What the remote
sends is checked: firings are rate limited and oversized trigger data is left out.
"""

from __future__ import annotations

from functools import partial
import logging
from typing import Any, Final

from homeassistant.core import HassJob, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
from homeassistant.util.hass_dict import HassKey

from .api import RemoteError, Subscription, subscribe_trigger
from .const import DOMAIN
from .coordinator import RemoteCoordinator
from .rate_limit import TokenBucket
from .remote_automations import CONF_REMOTE_DOMAIN, DeviceLink, link_of, to_remote
from .remote_events import EVENT_BURST, EVENT_RATE, MAX_EVENT_DATA_BYTES

_LOGGER = logging.getLogger(__name__)

RELAYS: Final[HassKey[set[TriggerRelay]]] = HassKey(f"{DOMAIN}_trigger_relays")
# Trigger data that names things here, never taken from the remote's firing.
LOCAL_TRIGGER_KEYS: Final = ("platform", "domain", "device_id", "id", "idx", "alias")


class TriggerRelay:
    """One local automation's trigger on a remote device."""

    def __init__(
        self,
        hass: HomeAssistant,
        config: ConfigType,
        action: TriggerActionType,
        trigger_info: TriggerInfo,
    ) -> None:
        """Nothing runs until a link attaches it."""
        self._hass = hass
        self._config = config
        self._job = HassJob(action, f"remote_mtls device trigger {config.get('type')}")
        self._trigger_data = dict(trigger_info["trigger_data"])
        self._subscription: Subscription | None = None
        self._attached_to: str | None = None
        self._limit = TokenBucket(EVENT_RATE, EVENT_BURST)
        self._stopped = False

    @property
    def device_id(self) -> str:
        """The local device whose remote trigger this is."""
        return str(self._config["device_id"])

    async def async_attach(self, coordinator: RemoteCoordinator) -> None:
        """Subscribe on the remote through `coordinator`, if it mirrors the device."""
        device = dr.async_get(self._hass).async_get(self.device_id)
        link = link_of(coordinator, device) if device is not None else None
        if link is None or self._subscription is not None or self._stopped:
            return
        self._attached_to = coordinator.entry_id
        try:
            self._subscription = await subscribe_trigger(
                coordinator.websocket, to_remote(link, self._config), self._fired_on(link)
            )
        except RemoteError as err:
            _LOGGER.warning(
                "%s refused the trigger %s of %s: %s",
                coordinator.entry.title,
                self._config.get("type"),
                self._config[CONF_REMOTE_DOMAIN],
                str(err)[:200],
            )

    @callback
    def async_detach(self, entry_id: str) -> None:
        """Forget the subscription of a link that is unloading (its session closes)."""
        if self._attached_to == entry_id:
            self._subscription = None
            self._attached_to = None

    async def async_stop(self) -> None:
        """Unsubscribe on the remote: the automation is gone."""
        self._stopped = True
        self._hass.data.get(RELAYS, set()).discard(self)
        if (subscription := self._subscription) is not None:
            self._subscription = None
            await subscription.unsubscribe()

    def _warn_flood(self, link: DeviceLink) -> None:
        _LOGGER.warning(
            "%s fires trigger %s more than %.0f times per second; firings are dropped until it "
            "slows down",
            link.coordinator.entry.title,
            self._config.get("type"),
            EVENT_RATE,
        )

    def _fired_on(self, link: DeviceLink) -> Any:
        warn_flood = partial(self._warn_flood, link)

        @callback
        def _fired(event: Any) -> None:
            variables = event.get("variables") if isinstance(event, dict) else None
            remote = variables.get("trigger") if isinstance(variables, dict) else None
            if not isinstance(remote, dict):
                return
            if not self._limit.take(warn_flood):
                return
            if len(json_bytes(remote)) > MAX_EVENT_DATA_BYTES:
                remote = {}
            trigger = {key: v for key, v in remote.items() if key not in LOCAL_TRIGGER_KEYS}
            trigger.update(
                {key: self._config[key] for key in ("type", "subtype") if key in self._config},
                **self._trigger_data,
                platform="device",
                domain=DOMAIN,
                device_id=self.device_id,
                remote_device_id=link.remote_device_id,
                description=f"remote {str(remote.get('description') or 'device trigger')[:200]}",
            )
            self._hass.async_run_hass_job(self._job, {"trigger": trigger})

        return _fired


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> Any:
    """Start relaying a remote trigger; return the callback that stops it."""
    relay = TriggerRelay(hass, config, action, trigger_info)
    hass.data.setdefault(RELAYS, set()).add(relay)
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        await relay.async_attach(entry.runtime_data)

    @callback
    def _stop() -> None:
        hass.async_create_background_task(relay.async_stop(), "remote_mtls trigger stop")

    return _stop


async def async_attach_relays(hass: HomeAssistant, coordinator: RemoteCoordinator) -> None:
    """Subscribe the triggers of the link's devices that automations wait for (it is up)."""
    for relay in list(hass.data.get(RELAYS, ())):
        await relay.async_attach(coordinator)


@callback
def async_detach_relays(hass: HomeAssistant, entry_id: str) -> None:
    """Forget the subscriptions of an unloading link; they wait for its next setup."""
    for relay in hass.data.get(RELAYS, ()):
        relay.async_detach(entry_id)
