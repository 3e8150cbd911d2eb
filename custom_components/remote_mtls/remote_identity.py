"""A link's unique id is the remote instance (see api.remote_instance_id), not its address."""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN
from .coordinator import RemoteMtlsConfigEntry

_LOGGER = logging.getLogger(__name__)


def is_url_identity(unique_id: str | None) -> bool:
    """Whether a unique id is a URL, as links made before 0.3 have."""
    return unique_id is None or unique_id.startswith(("http://", "https://"))


@callback
def async_migrate_unique_id(
    hass: HomeAssistant, entry: RemoteMtlsConfigEntry, remote_id: str
) -> None:
    """Give a link made before 0.3 its remote's identity (unless another link has it)."""
    if not is_url_identity(entry.unique_id) or entry.unique_id == remote_id:
        return
    if hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, remote_id) is not None:
        _LOGGER.warning(
            "%s links the same remote Home Assistant as another link; remove one of them",
            entry.title,
        )
        return
    hass.config_entries.async_update_entry(entry, unique_id=remote_id)
