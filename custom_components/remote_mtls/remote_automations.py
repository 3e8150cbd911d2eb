"""A mirrored device's own triggers, conditions and actions: the remote's, translated.

A remote automation becomes a local one of this domain: `device_id` is the local mirror,
`remote_domain` keeps the remote integration, and an entity it names is kept as
`remote_entity_id` (plus the local mirror as `entity_id`, when there is one). Extra fields the
user fills in travel back to the remote unchanged. Automations the local platform of a
mirrored entity already offers (a light's "turned on") are not listed twice, and a remote's
own mirrors (this domain there) are never relayed, so two linked homes cannot loop.

Listing them and asking their extra fields is open to every local user (as for local devices)
and costs a remote command each: per link, at most EDITOR_BURST at once and EDITOR_RATE per
second on average; beyond that the answer is empty (one warning per flood).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import logging
from typing import Any, Final
from weakref import WeakKeyDictionary

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    selector,
)
import probatio

from .api import AutomationKind, device_automation_capabilities, list_device_automations
from .const import DOMAIN
from .coordinator import RemoteCoordinator
from .devices import remote_device_id
from .errors import translated_errors
from .rate_limit import TokenBucket

_LOGGER = logging.getLogger(__name__)

CONF_REMOTE_DOMAIN: Final = "remote_domain"
CONF_REMOTE_ENTITY_ID: Final = "remote_entity_id"
# Keys that mean something here only; everything else goes to the remote as it is.
LOCAL_KEYS: Final = frozenset(
    {
        "domain",
        "device_id",
        "entity_id",
        "metadata",
        "id",
        "alias",
        "enabled",
        "variables",
        "options",
        "continue_on_error",
        CONF_REMOTE_DOMAIN,
        CONF_REMOTE_ENTITY_ID,
    }
)
# Remote commands the automation editor may cause per link: a device's three lists and a few
# extra-field forms at once, then one a second.
EDITOR_BURST: Final = 30
EDITOR_RATE: Final = 1.0
_EDITOR_LIMITS: WeakKeyDictionary[RemoteCoordinator, TokenBucket] = WeakKeyDictionary()

REMOTE_SCHEMA: Final = {
    probatio.Required(CONF_REMOTE_DOMAIN): cv.string,
    probatio.Optional(CONF_REMOTE_ENTITY_ID): cv.string,
}
FIELD_TYPES: Final[Mapping[str, Any]] = {
    "string": cv.string,
    "integer": probatio.Coerce(int),
    "float": probatio.Coerce(float),
    "boolean": cv.boolean,
    "positive_time_period_dict": cv.positive_time_period_dict,
}


@dataclass(frozen=True, slots=True)
class DeviceLink:
    """The link that mirrors a local device, and the device's id on the remote."""

    coordinator: RemoteCoordinator
    device_id: str
    remote_device_id: str


def link_of(coordinator: RemoteCoordinator, device: dr.BaseDeviceEntry) -> DeviceLink | None:
    """Return the link of `coordinator` to a device it mirrors (None for its hub or others)."""
    if device.config_entry_id != coordinator.entry_id:
        return None
    if (remote_id := remote_device_id(coordinator.entry_id, device)) is None:
        return None
    return DeviceLink(coordinator, device.id, remote_id)


def device_link(hass: HomeAssistant, device_id: str) -> DeviceLink | None:
    """Return the loaded link mirroring `device_id` (None for a hub or an unloaded link)."""
    if (device := dr.async_get(hass).async_get(device_id)) is None:
        return None
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        if (link := link_of(entry.runtime_data, device)) is not None:
            return link
    return None


def require_device_link(hass: HomeAssistant, device_id: str) -> DeviceLink:
    """Return the link of a device, or the usual not-connected error."""
    if (link := device_link(hass, device_id)) is None:
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="not_connected")
    return link


def to_remote(link: DeviceLink, config: Mapping[str, Any]) -> dict[str, Any]:
    """Return the remote's config of a local device automation of this domain."""
    remote = {key: value for key, value in config.items() if key not in LOCAL_KEYS}
    remote["domain"] = config[CONF_REMOTE_DOMAIN]
    remote["device_id"] = link.remote_device_id
    if CONF_REMOTE_ENTITY_ID in config:
        remote["entity_id"] = config[CONF_REMOTE_ENTITY_ID]
    return remote


def _to_local(link: DeviceLink, remote: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the local form of a remote automation, None when it is not offered here."""
    domain = remote["domain"]
    if domain == DOMAIN:
        return None  # a mirror on the remote: relaying it could loop between two homes
    local = {key: value for key, value in remote.items() if key not in LOCAL_KEYS}
    local.update(domain=DOMAIN, device_id=link.device_id, **{CONF_REMOTE_DOMAIN: domain})
    if (remote_entity := remote.get("entity_id")) is None:
        return local
    if not isinstance(remote_entity, str):
        return None
    local[CONF_REMOTE_ENTITY_ID] = remote_entity
    mirrored = _mirrored_entity(link, remote_entity)
    if mirrored is not None:
        if mirrored.domain == domain:
            return None  # the local platform offers it on the mirrored entity
        local["entity_id"] = mirrored.id
    return local


def _mirrored_entity(link: DeviceLink, remote_entity: str) -> er.RegistryEntry | None:
    """Return the local entry mirroring a remote entity (named by entity id or registry id)."""
    coordinator = link.coordinator
    local_id = coordinator.local_entity_id(coordinator.registries.entity_id_of(remote_entity))
    return er.async_get(coordinator.hass).async_get(local_id) if local_id else None


async def async_list(
    hass: HomeAssistant, kind: AutomationKind, device_id: str
) -> list[dict[str, Any]]:
    """Return the remote device's automations of a kind, in local form (none while down)."""
    link = device_link(hass, device_id)
    if link is None or not link.coordinator.connected or not _editor_may_ask(link):
        return []
    with translated_errors(f"device_automation/{kind}/list"):
        remote = await list_device_automations(
            link.coordinator.websocket, kind, link.remote_device_id
        )
    return [local for item in remote if (local := _to_local(link, item)) is not None]


async def async_capabilities(
    hass: HomeAssistant, kind: AutomationKind, config: Mapping[str, Any]
) -> dict[str, probatio.Schema]:
    """Return the remote automation's extra fields, as a schema the local editor shows."""
    link = device_link(hass, config["device_id"])
    if link is None or not link.coordinator.connected or not _editor_may_ask(link):
        return {}
    with translated_errors(f"device_automation/{kind}/capabilities"):
        fields = await device_automation_capabilities(
            link.coordinator.websocket, kind, to_remote(link, config)
        )
    schema = fields_schema(fields)
    return {"extra_fields": schema} if schema.schema else {}


def _editor_may_ask(link: DeviceLink) -> bool:
    """Whether the link's bucket for editor requests has room for one more remote command."""
    coordinator = link.coordinator
    if (bucket := _EDITOR_LIMITS.get(coordinator)) is None:
        bucket = _EDITOR_LIMITS[coordinator] = TokenBucket(EDITOR_RATE, EDITOR_BURST)

    def flood_started() -> None:
        _LOGGER.warning(
            "%s: device automations are asked for too often; answering with none for now",
            coordinator.entry.title,
        )

    return bucket.take(flood_started)


def fields_schema(fields: list[dict[str, Any]]) -> probatio.Schema:
    """Rebuild a schema from the remote's serialized extra fields (unknown kinds left out)."""
    schema: dict[Any, Any] = {}
    for field in fields:
        validator = _field_validator(field)
        if validator is None:
            _LOGGER.debug("Extra field %s of a remote automation cannot be shown", field["name"])
            continue
        marker = probatio.Required if field.get("required") else probatio.Optional
        options: dict[str, Any] = {}
        if "default" in field:
            options["default"] = field["default"]
        if isinstance(field.get("description"), dict):
            options["description"] = field["description"]
        schema[marker(field["name"], **options)] = validator
    return probatio.Schema(schema)


def _field_validator(field: Mapping[str, Any]) -> Any:
    if isinstance(field.get("selector"), dict):
        try:
            return selector.selector(field["selector"])
        except HomeAssistantError, probatio.Invalid, KeyError, TypeError, ValueError:
            return None
    kind = field.get("type")
    if kind == "select" and isinstance(options := field.get("options"), list):
        pairs = [tuple(o) for o in options if isinstance(o, list | tuple) and len(o) == 2]
        return probatio.In(dict(pairs)) if pairs else None
    if kind == "constant":
        return field.get("value")
    validator = FIELD_TYPES.get(str(kind))
    bounds = {
        k: field[k] for k in ("valueMin", "valueMax") if isinstance(field.get(k), int | float)
    }
    if validator is not None and bounds and kind in ("integer", "float"):
        return probatio.All(
            validator, probatio.Range(min=bounds.get("valueMin"), max=bounds.get("valueMax"))
        )
    return validator
