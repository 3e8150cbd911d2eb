"""Device conditions of mirrored devices: the remote device's own, evaluated on the remote.

Home Assistant checks conditions synchronously, so a condition cannot ask the remote when it
is checked. Each one keeps the remote's last answer instead, asked again whenever an entity of
the device changes here (the mirror follows the remote) and at every link status tick. While
the link is down, or before the first answer, the condition is false.
"""

from __future__ import annotations

import logging
from typing import Any, Final
import weakref

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.typing import ConfigType, TemplateVarsType
from homeassistant.util.hass_dict import HassKey
import probatio

from .api import RemoteError, test_condition
from .coalesced_job import CoalescedJob
from .const import DOMAIN
from .remote_automations import (
    REMOTE_SCHEMA,
    async_capabilities,
    async_list,
    device_link,
    to_remote,
)

_LOGGER = logging.getLogger(__name__)

CONDITION_SCHEMA = cv.DEVICE_CONDITION_BASE_SCHEMA.extend(REMOTE_SCHEMA, extra=probatio.ALLOW_EXTRA)
CONDITIONS: Final[HassKey[weakref.WeakSet[RemoteCondition]]] = HassKey(
    f"{DOMAIN}_device_conditions"
)


class RemoteCondition:
    """The remote's last answer to one device condition."""

    def __init__(self, hass: HomeAssistant, config: ConfigType) -> None:
        """Start false; ask the remote right away."""
        self._hass = hass
        self._config = config
        self.value = False
        self._warned = False
        self._refresh = CoalescedJob(
            self._async_refresh,
            lambda coro: hass.async_create_background_task(coro, "remote_mtls condition"),
        )

    @property
    def device_id(self) -> str:
        """The local device whose remote condition this is."""
        return str(self._config["device_id"])

    def __call__(self, hass: HomeAssistant, variables: TemplateVarsType = None) -> bool:
        """Return the last answer."""
        return self.value

    @callback
    def async_schedule_refresh(self) -> None:
        """Ask the remote again (once more after the answer in flight, if any)."""
        self._refresh.request()

    async def _async_refresh(self) -> None:
        self.value = await self._async_ask()

    async def _async_ask(self) -> bool:
        link = device_link(self._hass, self._config["device_id"])
        if link is None or not link.coordinator.connected:
            return False
        try:
            return await test_condition(link.coordinator.websocket, to_remote(link, self._config))
        except RemoteError as err:
            if not self._warned:
                self._warned = True
                _LOGGER.warning(
                    "%s could not evaluate the condition %s: %s",
                    link.coordinator.entry.title,
                    self._config.get("type"),
                    str(err)[:200],
                )
            return False


async def async_get_conditions(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """List the remote device's conditions."""
    return await async_list(hass, "condition", device_id)


async def async_get_condition_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, probatio.Schema]:
    """Return the remote condition's extra fields."""
    return await async_capabilities(hass, "condition", config)


@callback
def async_condition_from_config(hass: HomeAssistant, config: ConfigType) -> RemoteCondition:
    """Return a condition that answers with the remote's last evaluation."""
    condition = RemoteCondition(hass, config)
    hass.data.setdefault(CONDITIONS, weakref.WeakSet()).add(condition)
    entities = er.async_entries_for_device(er.async_get(hass), config["device_id"])
    reference = weakref.ref(condition)  # the automation owns the condition, not this listener

    @callback
    def _entity_changed(_event: Event[EventStateChangedData]) -> None:
        if (alive := reference()) is None:
            unsubscribe()
        else:
            alive.async_schedule_refresh()

    unsubscribe = async_track_state_change_event(
        hass, [entity.entity_id for entity in entities], _entity_changed
    )
    condition.async_schedule_refresh()
    return condition


@callback
def async_refresh_conditions(hass: HomeAssistant, entry_id: str) -> None:
    """Ask the remote again for the conditions of a link's devices (up, down, or a tick)."""
    devices = dr.async_get(hass)
    for condition in list(hass.data.get(CONDITIONS, ())):
        device = devices.async_get(condition.device_id)
        if device is not None and device.config_entry_id == entry_id:
            condition.async_schedule_refresh()
