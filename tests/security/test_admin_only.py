"""Attack: a local user who is not an administrator uses the link's admin token on the remote."""

from __future__ import annotations

from typing import Any

from homeassistant.auth.models import User
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.remote_mtls.const import DOMAIN

from ..components.conftest import loaded_link, remote_state
from ..testbed.bed import TestBed

ATTACKS: list[tuple[str, dict[str, Any]]] = [
    (
        "call_service",
        {
            "domain": "input_boolean",
            "service": "toggle",
            "target": {"entity_id": "input_boolean.guest_mode"},
        },
    ),
    ("fire_event", {"event_type": "remote_mtls_attack"}),
    ("reconnect", {}),
]


async def _token_of(hass: HomeAssistant, user: User) -> str:
    refresh = await hass.auth.async_create_refresh_token(user, "http://127.0.0.1/")
    return hass.auth.async_create_access_token(refresh)


@pytest.fixture
async def linked(hass: HomeAssistant, testbed: TestBed, hass_owner_user: User) -> Any:
    """A loaded link and the HTTP API; the owner exists, so new users are not owners."""
    assert await async_setup_component(hass, "api", {})
    async with loaded_link(hass, testbed) as entry:
        yield entry


@pytest.mark.parametrize(("service", "data"), ATTACKS)
async def test_non_admin_user_is_refused(
    hass: HomeAssistant,
    testbed: TestBed,
    linked: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    service: str,
    data: dict[str, Any],
) -> None:
    """A real user of group system-users calls the action over the REST API: 401, no effect."""
    user = await hass.auth.async_create_user("Guest", group_ids=["system-users"])
    assert not user.is_admin
    before = (await remote_state(testbed, "input_boolean.guest_mode"))["state"]
    reconnects = linked.runtime_data.websocket.reconnects

    client = await hass_client_no_auth()
    resp = await client.post(
        f"/api/services/{DOMAIN}/{service}",
        json=data,
        headers={"Authorization": f"Bearer {await _token_of(hass, user)}"},
    )

    assert resp.status == 401
    assert (await remote_state(testbed, "input_boolean.guest_mode"))["state"] == before
    assert linked.runtime_data.websocket.reconnects == reconnects


async def test_admin_user_keeps_working(
    hass: HomeAssistant,
    testbed: TestBed,
    linked: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The same request by an administrator runs on the remote."""
    admin = await hass.auth.async_create_user("Admin", group_ids=["system-admin"])
    before = (await remote_state(testbed, "input_boolean.guest_mode"))["state"]
    client = await hass_client_no_auth()
    resp = await client.post(
        f"/api/services/{DOMAIN}/call_service",
        json=ATTACKS[0][1],
        headers={"Authorization": f"Bearer {await _token_of(hass, admin)}"},
    )
    assert resp.status == 200, await resp.text()
    assert (await remote_state(testbed, "input_boolean.guest_mode"))["state"] != before
    await hass.services.async_call(  # back as it was
        DOMAIN, "call_service", ATTACKS[0][1], blocking=True
    )


async def test_non_admin_user_cannot_run_remote_device_automations(
    hass: HomeAssistant,
    testbed: TestBed,
    linked: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Running a remote device's trigger, condition or action needs an administrator here.

    Listing them is open to every user, as for local devices (read-only); running them goes
    through subscribe_trigger, test_condition or execute_script, which refuse other users.
    """
    assert await async_setup_component(hass, "device_automation", {})
    device = next(
        d
        for d in dr.async_entries_for_config_entry(dr.async_get(hass), linked.entry_id)
        if d.name == "Garden remote"
    )
    base = {"domain": DOMAIN, "device_id": device.id, "remote_domain": "testbed"}
    user = await hass.auth.async_create_user("Guest", group_ids=["system-users"])
    client = await hass_ws_client(hass, await _token_of(hass, user))
    before = (await remote_state(testbed, "sensor.garden_remote_battery"))["state"]
    attempts: list[dict[str, Any]] = [
        {
            "type": "subscribe_trigger",
            "trigger": {"trigger": "device", **base, "type": "short_press", "subtype": "button_1"},
        },
        {
            "type": "test_condition",
            "condition": {"condition": "device", **base, "type": "battery_below", "level": 50},
        },
        {"type": "execute_script", "sequence": [{**base, "type": "set_battery", "level": 1}]},
    ]
    for attempt in attempts:
        await client.send_json_auto_id(attempt)
        answer = await client.receive_json()
        assert answer["success"] is False, attempt
        assert answer["error"]["code"] == "unauthorized"
    assert (await remote_state(testbed, "sensor.garden_remote_battery"))["state"] == before

    await client.send_json_auto_id(
        {"type": "device_automation/trigger/list", "device_id": device.id}
    )
    listed = await client.receive_json()
    assert {t["subtype"] for t in listed["result"] if t["domain"] == DOMAIN} == {
        "button_1",
        "button_2",
    }
