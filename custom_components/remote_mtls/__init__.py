"""Remote Home Assistant (mTLS): link a remote Home Assistant behind a client-certificate proxy."""

from __future__ import annotations

from functools import partial

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .api import CommandError, CommandTimeout, NotConnected
from .const import CONF_SECRET_KEY, DOMAIN
from .coordinator import RemoteCoordinator, RemoteMtlsConfigEntry
from .device_condition import async_refresh_conditions
from .issues import async_check_entry_issues, async_delete_entry_issues
from .link_manager import async_open_link
from .platform_map import PLATFORMS
from .remote_identity import async_migrate_unique_id
from .remote_pictures import RemotePictureView
from .secret_store import async_remove_secrets
from .services import async_setup_services
from .trigger_relay import async_attach_relays, async_detach_relays

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions (they exist even while no link is loaded)."""
    async_setup_services(hass)
    hass.http.register_view(RemotePictureView(hass))
    return True


async def async_setup_entry(hass: HomeAssistant, entry: RemoteMtlsConfigEntry) -> bool:
    """Connect to the remote, mirror its entities; ask for reauthentication when refused."""
    async_check_entry_issues(hass, entry)
    link = await async_open_link(hass, entry)
    entry.async_on_unload(link.websocket.close)
    coordinator = RemoteCoordinator(hass, entry, link)
    entry.async_on_unload(coordinator.async_stop)
    try:
        await coordinator.async_start()
    except (CommandError, CommandTimeout, NotConnected, TimeoutError) as err:
        await link.websocket.close()
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": type(err).__name__},
        ) from err
    entry.runtime_data = coordinator
    async_migrate_unique_id(hass, entry, coordinator.remote_id)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await coordinator.async_wait_idle()
    entry.async_on_unload(partial(async_detach_relays, hass, entry.entry_id))
    await async_attach_relays(hass, coordinator)
    entry.async_on_unload(
        coordinator.async_add_status_listener(
            partial(async_refresh_conditions, hass, entry.entry_id)
        )
    )
    coordinator.start_statistics()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: RemoteMtlsConfigEntry) -> bool:
    """Unload the platforms; the websocket closes through async_on_unload."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: RemoteMtlsConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a mirrored device; it stays away until the link is re-added."""
    return entry.runtime_data.async_forget_device(device)


async def async_remove_entry(hass: HomeAssistant, entry: RemoteMtlsConfigEntry) -> None:
    """Delete the entry's secrets and repair issues."""
    await async_remove_secrets(hass, entry.data[CONF_SECRET_KEY])
    async_delete_entry_issues(hass, entry)
