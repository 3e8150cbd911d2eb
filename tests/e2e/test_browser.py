"""A user links the remote in a real browser, sees its entities and switches one of them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
import time
from typing import Any

import aiohttp
from homeassistant.util import dt as dt_util
from playwright.async_api import Page, expect
import pytest

from demo.certificates import P12_PASSWORD
from demo.stack import PORCH, REMOTE_NAME, Demo

from .conftest import screenshot

pytestmark = pytest.mark.slow

INTEGRATION = "Remote Home Assistant (mTLS)"
DASHBOARD = "/remote-home/mirrored"  # demo/local_config/remote_dashboard.yaml
METER = "sensor.stats_holiday_grid"  # the remote keeps no own statistics of sensor.stats_*


async def _eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    """Poll `check` until it is true (changes cross two Home Assistants and a proxy)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.2)


async def _remote_state(demo: Demo, entity_id: str) -> str:
    state: dict[str, Any] = await demo.remote.async_rest("GET", f"/api/states/{entity_id}")
    return str(state["state"])


async def _is(demo: Demo, entity_id: str, expected: str) -> bool:
    return await _remote_state(demo, entity_id) == expected


async def _add_integration(page: Page, demo: Demo) -> None:
    """Settings → Devices & services → Add integration, through every step of the flow."""
    await page.goto("/config/integrations/dashboard")
    await page.get_by_role("button", name="Add integration").click()
    await page.get_by_placeholder("Search for a brand name").fill(INTEGRATION)
    await page.get_by_text(INTEGRATION, exact=True).click()

    await expect(page.get_by_text("Link a remote Home Assistant")).to_be_visible()
    await page.get_by_role("textbox", name="URL").fill(demo.proxy_url)
    await screenshot(page, "config-flow-1-url")
    await page.get_by_role("button", name="Submit").click()

    # The proxy's server certificate comes from the user's own CA, which the .p12 carries.
    await expect(page.get_by_text("requires a client certificate")).to_be_visible()
    await page.locator("input[type=file]").set_input_files(demo.certs.client_p12)
    await expect(page.get_by_text("client.p12")).to_be_visible()  # uploaded
    # A typo in the password: said so, and the file is kept for the next try.
    await page.get_by_role("textbox", name="Certificate password").fill("not-the-password")
    await page.get_by_role("button", name="Submit").click()
    await expect(
        page.get_by_text("The password does not open this certificate file")
    ).to_be_visible()
    await expect(page.get_by_text("Your file is kept")).to_be_visible()
    await page.get_by_role("textbox", name="Certificate password").fill(P12_PASSWORD)
    await screenshot(page, "config-flow-2-certificate")
    await page.get_by_role("button", name="Submit").click()
    # Its CA signed the server: the form fills it in; trusting it is the user's choice.
    await expect(page.get_by_text("inside your certificate file")).to_be_visible()
    await page.get_by_role("button", name="Submit").click()

    await expect(page.get_by_text("Certificate: CN=my-phone")).to_be_visible()
    await _wrong_token_then_the_right_one(page, "Long-lived access token", demo)
    await screenshot(page, "config-flow-3-token")
    await page.get_by_role("button", name="Submit").click()

    # Created: the dialog offers to name the new devices and assign areas.
    finish = page.get_by_role("button", name="finish")
    await expect(finish).to_be_visible()
    await screenshot(page, "config-flow-4-created")
    await finish.click()
    await expect(finish).to_be_hidden()


async def _wrong_token_then_the_right_one(page: Page, field: str, demo: Demo) -> None:
    """A mistyped token is refused with its message; then the right one is filled in."""
    token = page.get_by_role("textbox", name=field)
    await token.fill("a-token-the-remote-never-issued")
    await page.get_by_role("button", name="Submit").click()
    await expect(page.get_by_text("The remote rejected the access token")).to_be_visible()
    await token.fill(demo.remote.token)


async def _reconfigure(page: Page, demo: Demo) -> None:
    """⋮ → Reconfigure on the link: a wrong token is refused, then the right one is taken."""
    # The link's own ⋮ (after its Configure button; the first one is the page's).
    await page.get_by_role("button", name="Menu").nth(1).click()
    await page.get_by_role("menuitem", name="Reconfigure").click()
    await expect(page.get_by_text("Change the link")).to_be_visible()
    await _wrong_token_then_the_right_one(page, "New long-lived access token", demo)
    await page.get_by_role("button", name="Submit").click()
    await expect(page.get_by_text("Change the link")).to_be_hidden()  # done: the link reloads
    await _eventually_loaded(demo)


async def _automation_from_a_remote_device_trigger(page: Page, demo: Demo) -> None:
    """Build an automation in the editor on the remote device's own trigger; see it fire."""
    await page.goto("/config/automation/edit/new")
    await page.get_by_role("button", name="Add trigger").click()
    await page.get_by_role("button", name="By type").click()
    await page.get_by_role("button", name="Device", exact=True).click()
    await page.get_by_text("Triggers when something happens to a device").click()
    await page.get_by_text("Select a device").click()
    devices = page.get_by_role("dialog", name="Device")
    await devices.get_by_placeholder("Search").fill("Garden remote")
    await devices.get_by_text("Garden remote", exact=True).click()
    # The remote device's own triggers (button presses, no entity); the first is chosen.
    await expect(page.get_by_text('"button_1" short_press').first).to_be_visible()
    await screenshot(page, "automation-remote-trigger")
    await page.get_by_role("button", name="Save").click()
    await page.get_by_role("textbox", name="Name*").fill("Garden button one")
    await page.get_by_role("button", name="Save").last.click()

    automation = "automation.garden_button_one"

    async def _last_triggered() -> str | None:
        try:
            state = await demo.local.async_rest("GET", f"/api/states/{automation}")
        except aiohttp.ClientResponseError:
            return None
        return state["attributes"].get("last_triggered")

    await _eventually(lambda: _exists(demo, automation))
    assert await _last_triggered() is None
    await demo.remote.async_rest("POST", "/api/services/testbed/press", {"button": "button_1"})
    await _eventually(lambda: _is_set(_last_triggered()))


async def _exists(demo: Demo, entity_id: str) -> bool:
    states = await demo.local.async_rest("GET", "/api/states")
    return any(state["entity_id"] == entity_id for state in states)


async def _is_set(value: Awaitable[str | None]) -> bool:
    return await value is not None


async def _remote_meter_with_history(demo: Demo) -> None:
    """A grid meter on the remote with two days of hourly statistics: 0 kWh, then 24 kWh."""
    await demo.remote.async_rest(
        "POST",
        "/api/services/testbed/set_states",
        {
            "states": [
                {
                    "entity_id": METER,
                    "state": "24",
                    "attributes": {
                        "unit_of_measurement": "kWh",
                        "device_class": "energy",
                        "state_class": "total_increasing",
                    },
                }
            ]
        },
    )
    today = dt_util.start_of_local_day()
    rows = []
    for back in range(48, 0, -1):  # hours before today: yesterday each adds 1 kWh
        total = float(max(0, 25 - back))
        start = (today - timedelta(hours=back)).isoformat()
        rows.append({"start": start, "state": total, "sum": total})
    await demo.remote.async_ws_command(
        {
            "type": "recorder/import_statistics",
            "metadata": {
                "statistic_id": METER,
                "source": "recorder",
                "name": None,
                "unit_of_measurement": "kWh",
                "unit_class": "energy",
                "has_sum": True,
                "mean_type": 0,
            },
            "stats": rows,
        }
    )


async def _energy_dashboard_shows_the_remote_past(page: Page, demo: Demo) -> None:
    """The Energy dashboard, set to the mirrored meter, shows the remote's yesterday."""

    async def _imported() -> bool:
        rows = await demo.local.async_ws_command(
            {
                "type": "recorder/statistics_during_period",
                "start_time": (dt_util.utcnow() - timedelta(days=3)).isoformat(),
                "statistic_ids": [METER],
                "period": "hour",
                "types": ["sum"],
            }
        )
        return len(rows.get(METER, [])) >= 48

    await _eventually(_imported, 60)
    await demo.local.async_ws_command(
        {
            "type": "energy/save_prefs",
            "energy_sources": [
                {"type": "grid", "stat_energy_from": METER, "cost_adjustment_day": 0}
            ],
            "device_consumption": [],
        }
    )
    await page.goto("/energy")
    await page.get_by_role("button", name="Previous").click()
    await expect(page.get_by_role("row", name="Grid total 24 kWh")).to_be_visible()
    await screenshot(page, "energy-remote-history")


async def _eventually_loaded(demo: Demo) -> None:
    deadline = time.monotonic() + 30
    while await _entry_states(demo) != ["loaded"]:
        if time.monotonic() > deadline:
            raise AssertionError(await _entry_states(demo))
        await asyncio.sleep(0.2)


async def _entry_states(demo: Demo) -> list[str]:
    entries = await demo.local.async_rest("GET", "/api/config/config_entries/entry")
    return [entry["state"] for entry in entries if entry["domain"] == "remote_mtls"]


async def _hub_device_id(demo: Demo) -> str:
    devices = await demo.local.async_ws_command({"type": "config/device_registry/list"})
    return next(
        str(device["id"])
        for device in devices
        if device["name"] == REMOTE_NAME and device["entry_type"] == "service"
    )


async def test_link_in_the_browser_then_switch_a_remote_entity(page: Page, demo: Demo) -> None:
    assert await _remote_state(demo, PORCH) == "off"
    await _remote_meter_with_history(demo)

    await _add_integration(page, demo)
    assert await _entry_states(demo) == ["loaded"]

    await page.goto("/config/integrations/integration/remote_mtls")
    await expect(page.get_by_text(REMOTE_NAME).first).to_be_visible()
    await expect(page.get_by_text("Basement Floor Wet").first).to_be_visible()
    await screenshot(page, "integration-page")

    await _reconfigure(page, demo)

    await page.goto(f"/config/devices/device/{await _hub_device_id(demo)}")
    await expect(page.get_by_text("Client certificate expiry")).to_be_visible()
    await expect(page.get_by_text("Basement Floor Wet")).to_be_visible()  # a connected device
    await screenshot(page, "device-page")

    # The dashboard shows mirrored remote entities; switching the porch switches the remote's.
    await page.goto(DASHBOARD)
    porch = page.locator("hui-toggle-entity-row").filter(has_text="Porch light switch")
    porch_status = page.locator("hui-sensor-entity-row").filter(has_text="Porch status")
    link = page.locator("hui-simple-entity-row").filter(has_text="Remote Home Link")
    await expect(link).to_contain_text("Connected")
    await expect(porch.get_by_role("switch")).not_to_be_checked()
    await porch.locator("ha-switch").click()
    await _eventually(lambda: _is(demo, PORCH, "on"))
    await expect(porch.get_by_role("switch")).to_be_checked()
    # The remote's template sensor follows its porch and comes back through the link.
    await expect(porch_status).to_contain_text("On")
    await screenshot(page, "dashboard")

    # A change made on the remote reaches the open page.
    await demo.remote.async_rest(
        "POST", "/api/services/input_boolean/turn_off", {"entity_id": PORCH}
    )
    await expect(porch.get_by_role("switch")).not_to_be_checked()
    await expect(porch_status).to_contain_text("Off")

    await _automation_from_a_remote_device_trigger(page, demo)
    await _energy_dashboard_shows_the_remote_past(page, demo)
