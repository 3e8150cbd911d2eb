"""Which remote entities to mirror: the options turned into remote filters and local checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .api import RegistryDevice, RegistryEntity
from .const import (
    CONF_AREAS,
    CONF_EXCLUDE_DOMAINS,
    CONF_EXCLUDE_ENTITIES,
    CONF_EXCLUDED_DEVICES,
    CONF_INCLUDE_DOMAINS,
    CONF_INCLUDE_ENTITIES,
    CONF_LABELS,
    DOMAIN,
)


@dataclass(frozen=True, slots=True)
class MirrorFilter:
    """Domain and glob filters go to the remote; area and label filters need its registries."""

    include_domains: tuple[str, ...] = ()
    exclude_domains: tuple[str, ...] = ()
    include_globs: tuple[str, ...] = ()
    exclude_globs: tuple[str, ...] = ()
    areas: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()
    excluded_devices: frozenset[str] = frozenset()

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> MirrorFilter:
        """Read the entry's options."""
        return cls(
            include_domains=tuple(options.get(CONF_INCLUDE_DOMAINS, ())),
            exclude_domains=tuple(options.get(CONF_EXCLUDE_DOMAINS, ())),
            include_globs=tuple(options.get(CONF_INCLUDE_ENTITIES, ())),
            exclude_globs=tuple(options.get(CONF_EXCLUDE_ENTITIES, ())),
            areas=frozenset(options.get(CONF_AREAS, ())),
            labels=frozenset(options.get(CONF_LABELS, ())),
            excluded_devices=frozenset(options.get(CONF_EXCLUDED_DEVICES, ())),
        )

    def subscription(self) -> dict[str, dict[str, list[str]]]:
        """`include` / `exclude` arguments of subscribe_entities, evaluated by the remote."""
        arguments: dict[str, dict[str, list[str]]] = {}
        for key, domains, globs in (
            ("include", self.include_domains, self.include_globs),
            ("exclude", self.exclude_domains, self.exclude_globs),
        ):
            part = {"domains": list(domains), "entity_globs": list(globs)}
            if domains or globs:
                arguments[key] = {name: value for name, value in part.items() if value}
        return arguments

    def wanted(self, entity: RegistryEntity | None, device: RegistryDevice | None) -> bool:
        """Whether an entity passes the loop guard and the area and label filters."""
        if entity is not None and entity.platform == DOMAIN:
            return False  # the remote mirrors it from us: never mirror it back
        if entity is not None and entity.device_id in self.excluded_devices:
            return False
        if self.areas:
            area = (entity.area_id if entity else None) or (device.area_id if device else None)
            if area not in self.areas:
                return False
        return not self.labels or bool(set(entity.labels if entity else ()) & self.labels)
