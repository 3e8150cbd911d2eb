"""Typed, frozen views of a remote's registries (what `config/*_registry/list` answers).

Only the fields a mirror uses are kept. An entry that is not shaped as Home Assistant sends it
is skipped with one warning; the rest of the list still counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
import logging
from typing import Any

_LOGGER = logging.getLogger(__name__)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class RegistryEntity:
    """An entity registry entry of the remote."""

    entity_id: str
    id: str | None = None  # the registry id device automations name the entity by
    unique_id: str | None = None
    platform: str | None = None
    device_id: str | None = None
    area_id: str | None = None
    labels: tuple[str, ...] = ()
    entity_category: str | None = None
    hidden_by: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)  # per domain, as the remote keeps them

    def domain_options(self, domain: str) -> Mapping[str, Any]:
        """Return the entry's options of one domain (sensor precision, vacuum area mapping)."""
        options = self.options.get(domain)
        return options if isinstance(options, Mapping) else {}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RegistryEntity:
        """Decode one entry of `config/entity_registry/list`."""
        return cls(
            entity_id=str(data["entity_id"]),
            id=_text(data.get("id")),
            unique_id=_text(data.get("unique_id")) or None,
            platform=_text(data.get("platform")),
            device_id=_text(data.get("device_id")),
            area_id=_text(data.get("area_id")),
            labels=tuple(str(label) for label in data.get("labels") or ()),
            entity_category=_text(data.get("entity_category")),
            hidden_by=_text(data.get("hidden_by")),
            options=dict(data.get("options") or {}),
        )


@dataclass(frozen=True, slots=True)
class RegistryDevice:
    """A device registry entry of the remote."""

    id: str
    name: str | None = None
    name_by_user: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    model_id: str | None = None
    sw_version: str | None = None
    hw_version: str | None = None
    serial_number: str | None = None
    area_id: str | None = None

    @property
    def display_name(self) -> str | None:
        """The name the remote shows: the user's, else the integration's."""
        return self.name_by_user or self.name

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RegistryDevice:
        """Decode one entry of `config/device_registry/list`."""
        return cls(
            id=str(data["id"]),
            **{
                name: _text(data.get(name))
                for name in (
                    "name",
                    "name_by_user",
                    "manufacturer",
                    "model",
                    "model_id",
                    "sw_version",
                    "hw_version",
                    "serial_number",
                    "area_id",
                )
            },
        )


@dataclass(frozen=True, slots=True)
class RegistryName:
    """An area or a label of the remote: its id and its name."""

    id: str
    name: str

    @staticmethod
    def decoder(id_key: str) -> Callable[[Mapping[str, Any]], RegistryName]:
        """Decode entries of a list whose id is `id_key` (area_id, label_id)."""
        return lambda data: RegistryName(id=str(data[id_key]), name=str(data["name"]))


def decode_registry[T](
    entries: Any, decode: Callable[[Mapping[str, Any]], T], key: Callable[[T], str]
) -> dict[str, T]:
    """Decode a registry list by key; skip malformed entries with one warning each."""
    decoded: dict[str, T] = {}
    for data in entries if isinstance(entries, Iterable) else ():
        try:
            item = decode(data)
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            _LOGGER.warning("Skipped a malformed remote registry entry: %s", repr(err)[:200])
            continue
        decoded[key(item)] = item
    return decoded
