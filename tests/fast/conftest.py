"""The fast tier: the integration against a recorded remote (tests/fast/remote.json), no network.

`RecordedSession` stands in for the websocket session: it answers the integration's commands
from the recording and delivers the recorded snapshot to `subscribe_entities`. Everything else
(coordinator, platforms, entities, registries) is the real integration in a test Home Assistant.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.const import CONF_URL, Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.remote_mtls.api import (
    ConnectionState,
    RemoteClient,
    Subscription,
    WebSocketSession,
)
from custom_components.remote_mtls.const import CONF_SECRET_KEY, CONF_VERIFY_SSL, DOMAIN
from custom_components.remote_mtls.platform_map import PLATFORMS
from custom_components.remote_mtls.secret_store import Secrets, async_save_secrets

RECORDING = json.loads(Path(__file__).with_name("remote.json").read_text())
ENTRY_ID = "01FASTTIERRECORDEDREMOTE00"
URL = "https://remote.example:8443"


class RecordedSession(WebSocketSession):
    """A connected session whose remote is the recording."""

    service_calls: list[dict[str, Any]]

    async def connect(self) -> None:
        """Connected at once."""
        self.service_calls = []
        self._set_state(ConnectionState.CONNECTED, None)

    async def close(self) -> None:
        """Closed at once."""
        self._set_state(ConnectionState.CLOSED, None)

    async def command(self, message: dict[str, Any], timeout: float | None = None) -> Any:
        """Answer from the recording; service calls are kept (and answered empty)."""
        if message["type"] == "call_service":
            self.service_calls.append(message)
            return {"context": {"id": "recorded"}}
        return RECORDING["commands"].get(message["type"])

    async def subscribe(
        self,
        message: dict[str, Any],
        callback: Callable[[Any], None],
        on_resubscribe: Callable[[], None] | None = None,
    ) -> Subscription:
        """subscribe_entities gets the recorded snapshot right away; events get nothing."""
        if on_resubscribe is not None:
            on_resubscribe()
        if message["type"] == "subscribe_entities":
            callback(RECORDING["entities"])
        return Subscription(self, message, callback, on_resubscribe)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in Home Assistant's format (registry entries and states without volatile ids)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture(autouse=True)
def _integration(enable_custom_integrations: None) -> None:
    """Load custom integrations (no sockets: nothing here goes to the network)."""


@pytest.fixture
def platforms() -> list[Platform]:
    """The platforms the link loads (a test may parametrize this)."""
    return list(PLATFORMS)


@pytest.fixture
async def recorded_link(
    hass: HomeAssistant, platforms: list[Platform]
) -> AsyncIterator[MockConfigEntry]:
    """A link to the recorded remote, loaded with `platforms`."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        entry_id=ENTRY_ID,
        title="Remote Test Home",
        unique_id="owner:recorded",
        minor_version=2,
        data={
            CONF_URL: URL,
            CONF_VERIFY_SSL: True,
            CONF_SECRET_KEY: "fast",
            "certificate_subject": None,
            "certificate_fingerprint": None,
            "certificate_not_after": None,
        },
    )
    entry.add_to_hass(hass)
    await async_save_secrets(hass, "fast", Secrets(token="recorded-token"))

    async def _client(hass: HomeAssistant, url: str, token: str, _settings: Any) -> RemoteClient:
        return RemoteClient(None, url, token, None, sent_certificate=False)  # type: ignore[arg-type]

    with (
        patch("custom_components.remote_mtls.PLATFORMS", platforms),
        patch("custom_components.remote_mtls.link_manager.async_create_client", _client),
        patch("custom_components.remote_mtls.link_manager.WebSocketSession", RecordedSession),
    ):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        yield entry
        await hass.config_entries.async_unload(entry.entry_id)
