"""How much one remote may make this Home Assistant hold (the remote is not trusted)."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from homeassistant.helpers.json import json_bytes

from .api import RemoteState

# JSON size of one entity's attributes. Larger ones lose their biggest attributes (one warning).
# Home Assistant's recorder already refuses to store attributes above 16 KiB.
MAX_ATTRIBUTES_BYTES: Final = 64 * 1024
# Entities one link mirrors unless the options say otherwise.
DEFAULT_MAX_ENTITIES: Final = 20_000
# External statistics (not of a mirrored entity) one link imports; each is a statistic here.
MAX_EXTERNAL_STATISTICS: Final = 1000


def bounded_state(state: RemoteState) -> tuple[RemoteState, list[str]]:
    """Return the state within MAX_ATTRIBUTES_BYTES and the names of attributes dropped."""
    attributes = state.attributes
    if len(json_bytes(attributes)) <= MAX_ATTRIBUTES_BYTES:
        return state, []
    kept = dict(attributes)
    dropped: list[str] = []
    by_size = sorted(kept, key=lambda name: len(json_bytes(kept[name])), reverse=True)
    for name in by_size:
        del kept[name]
        dropped.append(name)
        if len(json_bytes(kept)) <= MAX_ATTRIBUTES_BYTES:
            break
    return replace(state, attributes=kept), dropped
