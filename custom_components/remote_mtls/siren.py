"""Remote sirens: on/off, available tones; turn_on with tone, volume and duration."""

from __future__ import annotations

from typing import Any

from homeassistant.components.siren import SirenEntity
from homeassistant.components.siren.const import SirenEntityFeature
from homeassistant.const import Platform

from .api import RemoteState
from .entity import Attr, RemoteOnOff, mirrored_platform, on_off

PARALLEL_UPDATES = 0


def _tones(value: Any) -> list[int | str] | dict[int | str, str]:
    """Return the tones; JSON turned integer keys of a tone dict into strings."""
    if isinstance(value, dict):
        return {int(key) if key.isdecimal() else key: name for key, name in value.items()}
    return list(value)


class RemoteSiren(RemoteOnOff, SirenEntity):
    """A remote siren; tone names are resolved locally as Home Assistant does."""

    feature_type = SirenEntityFeature
    mirrored_attributes = (Attr("available_tones", convert=_tones),)

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_is_on = on_off(state.state)


async_setup_entry = mirrored_platform(Platform.SIREN, RemoteSiren)
