"""The one base entity: a local entity whose state and attributes come from a remote entity.

Platforms subclass `MirroredEntity` with a table of `Attr` (remote attribute -> `_attr_<name>`),
a `_apply_state` hook for the state itself, and service methods that call `_async_call`.
Remote attributes the local platform does not produce itself stay visible as extra attributes.
Remote data the local platform cannot show (wrong types, impossible values) makes the entity
unavailable with one warning, until the remote sends data it can show again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import contextlib
from dataclasses import dataclass
from enum import IntFlag
import logging
from typing import Any, ClassVar

from homeassistant.const import (
    ATTR_ASSUMED_STATE,
    ATTR_ATTRIBUTION,
    ATTR_DEVICE_CLASS,
    ATTR_ENTITY_PICTURE,
    ATTR_FRIENDLY_NAME,
    ATTR_ICON,
    ATTR_SUPPORTED_FEATURES,
    ATTR_UNIT_OF_MEASUREMENT,
    MAX_LENGTH_STATE_STATE,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    EntityCategory,
    Platform,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import (
    AddConfigEntryEntitiesCallback,
    async_get_current_platform,
)

from .api import RemoteState
from .coordinator import Mirror, RemoteCoordinator, RemoteMtlsConfigEntry
from .scoped_ids import scoped_id

_LOGGER = logging.getLogger(__name__)

# Attributes every entity computes from its properties; never copied as extras.
COMMON_ATTRIBUTES = frozenset(
    {
        ATTR_ASSUMED_STATE,
        ATTR_ATTRIBUTION,
        ATTR_DEVICE_CLASS,
        ATTR_ENTITY_PICTURE,  # served through the link (remote_pictures.py)
        ATTR_FRIENDLY_NAME,
        ATTR_ICON,
        ATTR_SUPPORTED_FEATURES,
        ATTR_UNIT_OF_MEASUREMENT,
        "access_token",
        "restored",
    }
)
# Platforms that refuse the config category (a remote read-only entity may have it).
READ_ONLY_PLATFORMS = frozenset({Platform.SENSOR, Platform.BINARY_SENSOR})


@dataclass(frozen=True, slots=True)
class Attr:
    """Copy remote attribute `source` (default: `name`) into `_attr_<name>`.

    A missing value becomes None, or leaves the platform's default with `keep_default`.
    """

    name: str
    source: str | None = None
    convert: Callable[[Any], Any] | None = None
    keep_default: bool = False


class MirroredEntity(Entity):
    """A local entity mirroring one remote entity."""

    _attr_should_poll = False
    _attr_has_entity_name = True
    mirrored_attributes: ClassVar[tuple[Attr, ...]] = ()
    feature_type: ClassVar[type[IntFlag] | None] = None
    # Platforms that make their own picture (camera, image, media player) turn this off.
    mirrors_picture: ClassVar[bool] = True

    def __init__(self, coordinator: RemoteCoordinator, mirror: Mirror) -> None:
        """Describe the entity from the remote state and registry entry."""
        self.coordinator = coordinator
        self.mirror = mirror
        self._attr_unique_id = scoped_id(coordinator.entry_id, mirror.key)
        self._attr_device_info = coordinator.device_info(mirror)
        self.entity_id = f"{mirror.platform}.{mirror.entity_id.partition('.')[2]}"
        registry = mirror.registry
        if registry is not None and (category := registry.entity_category):
            self._attr_entity_category = EntityCategory(category)
            if category == EntityCategory.CONFIG and mirror.platform in READ_ONLY_PLATFORMS:
                self._attr_entity_category = EntityCategory.DIAGNOSTIC
        if registry is not None and registry.hidden_by:
            self._attr_entity_registry_visible_default = False
        self._remote_attributes: Mapping[str, Any] = {}
        self._unusable = False  # the current remote data cannot be shown
        self._reported = False  # ... and that was logged once
        self._guarded(self._apply, self.mirror.state)  # properties that need hass wait for adding

    @property
    def remote_entity_id(self) -> str:
        """The remote entity this one mirrors (follows remote renames)."""
        return self.mirror.entity_id

    @property
    def available(self) -> bool:
        """Unavailable while the link is down or when the remote entity is."""
        return (
            self.coordinator.connected
            and self.mirror.state.state != STATE_UNAVAILABLE
            and not self._unusable
        )

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Remote attributes that the local platform does not produce itself."""
        remote = self._remote_attributes
        names = remote.keys() - COMMON_ATTRIBUTES
        if not names:
            return None
        names -= (self.capability_attributes or {}).keys()
        names -= (self.state_attributes or {}).keys()
        return {name: value for name, value in remote.items() if name in names} or None

    async def async_prepare_to_add_to_hass(self) -> None:
        """Check the remote data renders before the registry reads the capabilities."""
        await super().async_prepare_to_add_to_hass()
        if not self._unusable:
            self._guarded(self._check_renderable)

    async def async_added_to_hass(self) -> None:
        """Follow the remote entity."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.async_add_listener(self.mirror.key, self._update))

    @callback
    def _update(self) -> None:
        self._unusable = False
        if self._guarded(self._apply, self.mirror.state):
            self._guarded(self._check_state_length)
        try:
            self.async_write_ha_state()  # computes every property once
        except Exception as err:  # a platform property fails on this remote data
            self._reject(err)
            self.async_write_ha_state()
        if not self._unusable:
            self._reported = False  # usable again: a later breakage is reported again

    def _guarded[*Args](self, step: Callable[[*Args], None], *args: *Args) -> bool:
        """Run one step on remote data; what fails makes the entity unusable (False)."""
        try:
            step(*args)
        except Exception as err:  # whatever the remote sends must not escape
            self._reject(err)
            return False
        return True

    def _check_renderable(self) -> None:
        """Read every public property a state write reads, as the write will.

        Before the entity is added: its first write is Home Assistant's, not guarded here.
        Platforms compute these from the remote data and raise on what they cannot show;
        reading them first lets the entity be written unavailable instead of failing.
        """
        _ = (self.capability_attributes, self.state_attributes, self.extra_state_attributes)
        _ = (self.unit_of_measurement, self.device_class, self.entity_picture, self.icon)
        _ = (self.assumed_state, self.attribution, self.name, self.supported_features)
        self._check_state_length()

    def _check_state_length(self) -> None:
        """Refuse a computed state over 255 characters (Home Assistant would write `unknown`)."""
        if (state := self.state) is not None and len(str(state)) > MAX_LENGTH_STATE_STATE:
            raise ValueError(f"state longer than {MAX_LENGTH_STATE_STATE} characters")

    def _reject(self, err: Exception) -> None:
        """Log once, reset everything taken from the remote and show the entity unavailable."""
        self._unusable = True
        if not self._reported:
            self._reported = True
            _LOGGER.warning(
                "Remote %s sent data the local %s platform cannot show (%s: %s); "
                "unavailable until the remote sends usable data",
                self.mirror.entity_id,
                self.mirror.platform,
                type(err).__name__,
                str(err)[:200],
            )
        for attr in self.mirrored_attributes:
            with contextlib.suppress(AttributeError):
                delattr(self, f"_attr_{attr.name}")  # back to the platform's default
        self._apply(RemoteState(self.mirror.entity_id, STATE_UNAVAILABLE, {}, 0.0, 0.0))

    def _apply(self, state: RemoteState) -> None:
        if len(state.state) > MAX_LENGTH_STATE_STATE:
            raise ValueError(f"state longer than {MAX_LENGTH_STATE_STATE} characters")
        attributes = state.attributes
        self._remote_attributes = attributes
        for attr in self.mirrored_attributes:
            value = attributes.get(attr.source or attr.name)
            if value is None and attr.keep_default:
                continue
            if value is not None and attr.convert is not None:
                value = attr.convert(value)
            setattr(self, f"_attr_{attr.name}", value)
        self._attr_name = self._local_name(attributes.get(ATTR_FRIENDLY_NAME))
        self._attr_icon = attributes.get(ATTR_ICON)
        self._attr_device_class = attributes.get(ATTR_DEVICE_CLASS)
        self._attr_assumed_state = bool(attributes.get(ATTR_ASSUMED_STATE))
        self._attr_attribution = attributes.get(ATTR_ATTRIBUTION)
        if self.mirrors_picture:
            self._attr_entity_picture = self.coordinator.pictures.local_url(
                self.mirror.key, state.entity_id, attributes.get(ATTR_ENTITY_PICTURE)
            )
        if self.feature_type is not None:
            self._attr_supported_features = self.feature_type(
                int(attributes.get(ATTR_SUPPORTED_FEATURES) or 0)
            )
        self._apply_state(state)

    def _apply_state(self, state: RemoteState) -> None:
        """Platform hook: set the state properties from the remote state."""

    def _local_name(self, friendly_name: Any) -> str | None:
        """Return the remote's friendly name minus the device name the local device adds."""
        friendly = str(friendly_name) if friendly_name else None
        device = self.coordinator.device_for(self.mirror)
        prefix = device.display_name if device is not None else None
        if friendly is None:
            return None if prefix else self.mirror.entity_id.partition(".")[2]
        if prefix is None:
            return friendly
        if friendly == prefix:
            return None
        if friendly.startswith(f"{prefix} "):
            return friendly[len(prefix) + 1 :]
        return friendly

    async def _async_call(
        self, service: str, data: Mapping[str, Any] | None = None, *, domain: str | None = None
    ) -> Any:
        """Run a service of the remote entity's domain on the remote entity."""
        return await self.coordinator.async_call_service(
            domain or self.mirror.domain,
            service,
            dict(data or {}),
            {"entity_id": self.remote_entity_id},
        )


class RemoteOnOff(MirroredEntity):
    """turn_on, turn_off and toggle run on the remote with the arguments Home Assistant gave."""

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the remote entity on."""
        await self._async_call("turn_on", kwargs)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the remote entity off."""
        await self._async_call("turn_off", kwargs)

    async def async_toggle(self, **kwargs: Any) -> None:
        """Toggle the remote entity (the remote knows its own state best)."""
        await self._async_call("toggle", kwargs)


type EntityFactory = Callable[[RemoteCoordinator, Mirror], MirroredEntity]


type PlatformSetup = Callable[
    [HomeAssistant, RemoteMtlsConfigEntry, AddConfigEntryEntitiesCallback], Awaitable[None]
]


@callback
def async_setup_mirrors(
    coordinator: RemoteCoordinator, platform: Platform, factory: EntityFactory
) -> None:
    """Add the platform's mirrored entities now and whenever the remote adds more.

    Call from the platform's setup. Entities are added through the platform's awaitable add,
    so the coordinator adds one batch at a time (`async_add_entities` would only schedule them).
    """
    entity_platform = async_get_current_platform()

    async def _add(mirrors: list[Mirror]) -> None:
        await entity_platform.async_add_entities(
            [factory(coordinator, mirror) for mirror in mirrors]
        )

    coordinator.async_add_platform(platform, _add)


def mirrored_platform(platform: Platform, factory: EntityFactory) -> PlatformSetup:
    """Return a platform's `async_setup_entry` that only mirrors remote entities."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: RemoteMtlsConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        async_setup_mirrors(entry.runtime_data, platform, factory)

    async_setup_entry.__doc__ = f"Mirror the remote entities that become local {platform}s."
    return async_setup_entry


def by_remote_domain(
    classes: Mapping[str, type[MirroredEntity]], default: type[MirroredEntity]
) -> EntityFactory:
    """Return a factory choosing the entity class by the remote domain."""

    def _create(coordinator: RemoteCoordinator, mirror: Mirror) -> MirroredEntity:
        return classes.get(mirror.domain, default)(coordinator, mirror)

    return _create


# Converters for `Attr` ------------------------------------------------------------------


def as_tuple(value: Any) -> tuple[Any, ...]:
    """JSON lists back to tuples (colours)."""
    return tuple(value)


def as_list(value: Any) -> list[Any]:
    """Any iterable as a list."""
    return list(value)


def on_off(state: str) -> bool | None:
    """`on` / `off` as a bool; anything else (unknown) as None."""
    if state == STATE_ON:
        return True
    return False if state == STATE_OFF else None
