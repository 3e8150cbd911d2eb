"""Repair issues appear when something needs the user and clear themselves when resolved."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.remote_mtls import (
    issues as issues_module,
    link_manager as link_manager_module,
)
from custom_components.remote_mtls.api import Timings
from custom_components.remote_mtls.const import DOMAIN

from ..testbed.bed import TestBed
from .conftest import add_entry, wait_for


def _issue(hass: HomeAssistant, kind: str, entry_id: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{entry_id}")


async def test_certificate_expiring_appears_and_clears(
    hass: HomeAssistant, testbed: TestBed, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_after = dt_util.utcnow() + timedelta(days=40)
    entry = await add_entry(hass, testbed, certificate_not_after=not_after.isoformat())
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert _issue(hass, "certificate_expiring", entry.entry_id) is None
    # Time passes: the hourly check sees the certificate within the warning window.
    monkeypatch.setattr(issues_module, "EXPIRY_WARNING", timedelta(days=45))
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=1, seconds=1))
    await hass.async_block_till_done()
    issue = _issue(hass, "certificate_expiring", entry.entry_id)
    assert issue is not None
    assert issue.translation_placeholders["date"] == not_after.date().isoformat()
    # A new certificate (as reconfigure stores it) clears the issue.
    later = not_after + timedelta(days=365)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "certificate_not_after": later.isoformat()}
    )
    await hass.config_entries.async_reload(entry.entry_id)
    assert _issue(hass, "certificate_expiring", entry.entry_id) is None
    await hass.config_entries.async_unload(entry.entry_id)


async def test_verification_disabled_warning(hass: HomeAssistant, testbed: TestBed) -> None:
    entry = await add_entry(hass, testbed, verify_ssl=False)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert _issue(hass, "verify_disabled", entry.entry_id) is not None
    hass.config_entries.async_update_entry(entry, data={**entry.data, "verify_ssl": True})
    await hass.config_entries.async_reload(entry.entry_id)
    assert _issue(hass, "verify_disabled", entry.entry_id) is None
    await hass.config_entries.async_remove(entry.entry_id)


async def test_expired_certificate_is_an_error_and_starts_reauth(
    hass: HomeAssistant, testbed: TestBed
) -> None:
    entry = await add_entry(hass, testbed, p12=testbed.p12(testbed.pki.client_expired))
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue = _issue(hass, "certificate_refused", entry.entry_id)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flows[0]["context"]["source"] == "reauth"
    await hass.config_entries.async_remove(entry.entry_id)
    assert _issue(hass, "certificate_refused", entry.entry_id) is None


async def test_remote_unreachable_appears_and_clears(
    hass: HomeAssistant, restore_testbed: TestBed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(link_manager_module, "UNREACHABLE_AFTER", timedelta(seconds=0.3))
    entry = await add_entry(hass, restore_testbed)
    assert await hass.config_entries.async_setup(entry.entry_id)
    websocket = entry.runtime_data.websocket
    websocket.timings = Timings(backoff_min=0.2, backoff_max=0.4)
    restore_testbed.nginx.stop()
    await wait_for(lambda: _issue(hass, "remote_unreachable", entry.entry_id) is not None)
    restore_testbed.nginx.start()
    await wait_for(lambda: _issue(hass, "remote_unreachable", entry.entry_id) is None, timeout=20)
    await hass.config_entries.async_unload(entry.entry_id)
