"""Faults of the network, the proxy and the remote, against the real bed.

Each fault asserts: the mirrored entities go unavailable (within the heartbeat window where
only the heartbeat can notice), come back showing the remote's true states, nothing is
duplicated, no websocket task is left behind, and reconnects follow the backoff (no storm).

The remaining fault of the issue, a token revoked while connected, is covered by
tests/components/test_init.py (reauthentication starts) and
tests/api/test_websocket.py::test_revoked_token_stops_without_retry (no reconnect loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import contextlib
from datetime import UTC, datetime, timedelta
import os
import signal
import subprocess
import time

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.remote_mtls.api import Timings
from custom_components.remote_mtls.const import DOMAIN

from ..components.conftest import Uploader, add_entry, local_entity_id
from ..testbed.bed import P12_PASSWORD, TestBed
from .health import (
    FAST,
    AttemptCounter,
    Footprint,
    OutageWatch,
    assert_healed,
    max_attempts,
    wait_until,
)

pytestmark = pytest.mark.slow

# Generous bound for noticing a fault: the heartbeat window of FAST is one second.
NOTICE = 10.0


@contextlib.contextmanager
def frozen(process: subprocess.Popen[bytes] | None) -> Iterator[None]:
    """SIGSTOP a process group (no FIN, no RST, no answer) and always SIGCONT it."""
    assert process is not None
    os.killpg(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(process.pid, signal.SIGCONT)


async def change_remote_directly(bed: TestBed) -> None:
    """Change remote states behind the proxy's back: the mirror must catch up on reconnect."""
    await bed.remote.async_rest(
        "POST", "/api/services/input_boolean/toggle", {"entity_id": "input_boolean.porch"}
    )
    await bed.remote.async_rest(
        "POST", "/api/services/light/toggle", {"entity_id": "light.bed_light"}
    )


def prepare(
    hass: HomeAssistant, entry: MockConfigEntry, timings: Timings | None = None
) -> tuple[Footprint, OutageWatch, AttemptCounter]:
    """Measure the link before a fault; optionally change its timings."""
    websocket = entry.runtime_data.websocket
    websocket.timings = timings or websocket.timings
    return Footprint.take(hass, entry), OutageWatch(hass, entry), AttemptCounter(websocket)


async def test_nginx_restart(
    hass: HomeAssistant, restore_testbed: TestBed, link: MockConfigEntry
) -> None:
    before, watch, attempts = prepare(hass, link)
    start = time.monotonic()
    restore_testbed.nginx.stop()
    await wait_until(watch.complete, NOTICE)
    await change_remote_directly(restore_testbed)
    await asyncio.to_thread(restore_testbed.nginx.start)
    await assert_healed(hass, link, restore_testbed, before)
    assert attempts.since(start) <= max_attempts(FAST, time.monotonic() - start)
    assert link.runtime_data.websocket.reconnects == 1


async def test_remote_restart(
    hass: HomeAssistant, restore_testbed: TestBed, link: MockConfigEntry
) -> None:
    before, watch, attempts = prepare(hass, link)
    start = time.monotonic()
    restart = asyncio.create_task(asyncio.to_thread(restore_testbed.remote.restart))
    await wait_until(watch.complete, NOTICE)
    await restart
    await assert_healed(hass, link, restore_testbed, before)
    assert attempts.since(start) <= max_attempts(FAST, time.monotonic() - start)


async def test_half_open_link(
    hass: HomeAssistant, restore_testbed: TestBed, link: MockConfigEntry
) -> None:
    """nginx frozen: the TCP connection stays open and silent; only the heartbeat notices."""
    before, watch, attempts = prepare(hass, link)
    start = time.monotonic()
    with frozen(restore_testbed.nginx.process):
        await wait_until(watch.complete, NOTICE)
        await change_remote_directly(restore_testbed)
        # A reconnect attempt hangs in the TLS handshake; it must time out and try again.
        await wait_until(lambda: attempts.since(start) >= 2, NOTICE)
        assert attempts.since(start) <= max_attempts(FAST, time.monotonic() - start)
    await assert_healed(hass, link, restore_testbed, before)
    assert attempts.since(start) <= max_attempts(FAST, time.monotonic() - start)


async def test_slow_remote_times_commands_out_cleanly(
    hass: HomeAssistant, restore_testbed: TestBed, link: MockConfigEntry
) -> None:
    """The remote stops answering: a call fails with a translated timeout, no crash.

    Briefly: its late answer is ignored and the link stays up. For longer: the heartbeat
    drops the link, and everything recovers when the remote answers again.
    """
    slow = Timings(
        heartbeat_interval=1.0,
        pong_timeout=3.0,
        command_timeout=1.0,
        backoff_min=0.2,
        backoff_max=1.0,
    )
    before, watch, attempts = prepare(hass, link, slow)
    websocket = link.runtime_data.websocket
    porch = local_entity_id(hass, link, "input_boolean.porch")

    async def toggle_times_out() -> None:
        with pytest.raises(HomeAssistantError) as raised:
            await hass.services.async_call("switch", "toggle", {"entity_id": porch}, blocking=True)
        assert raised.value.translation_key == "command_timeout"
        assert websocket.connected  # a slow answer alone does not drop the link

    with frozen(restore_testbed.remote.process):
        await toggle_times_out()
    await hass.services.async_call("switch", "toggle", {"entity_id": porch}, blocking=True)
    assert websocket.connected
    assert websocket.reconnects == 0
    assert not watch.seen

    start = time.monotonic()
    with frozen(restore_testbed.remote.process):
        await toggle_times_out()
        await wait_until(watch.complete, NOTICE)
    await assert_healed(hass, link, restore_testbed, before)
    assert attempts.since(start) <= max_attempts(slow, time.monotonic() - start)
    await hass.services.async_call("switch", "toggle", {"entity_id": porch}, blocking=True)


async def test_client_certificate_expiring_while_connected(
    hass: HomeAssistant,
    testbed: TestBed,
    enable_custom_integrations: None,
    fast_timings: None,
    late_upload: Uploader,
) -> None:
    """Connected with a certificate that then expires: the next reconnect is refused by the
    proxy, which raises the repair issue and one reauthentication; a new certificate heals."""
    not_after = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
    short_lived = testbed.pki.root.client("short-lived", not_after=not_after)
    entry = await add_entry(
        hass, testbed, p12=testbed.p12(short_lived), certificate_not_after=not_after.isoformat()
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, f"certificate_expiring_{entry.entry_id}") is not None
    before, watch, attempts = prepare(hass, entry)
    await asyncio.sleep((not_after - datetime.now(UTC)).total_seconds() + 1.5)
    assert entry.runtime_data.websocket.connected  # an open TLS session is not re-checked

    start = time.monotonic()
    await hass.services.async_call(DOMAIN, "reconnect", {}, blocking=True)
    await wait_until(watch.complete, NOTICE)
    refused = f"certificate_refused_{entry.entry_id}"
    await wait_until(lambda: issues.async_get_issue(DOMAIN, refused) is not None, NOTICE)
    await asyncio.sleep(2)  # the session keeps retrying with backoff meanwhile
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    assert attempts.since(start) <= max_attempts(FAST, time.monotonic() - start)

    result = await hass.config_entries.flow.async_configure(flows[0]["flow_id"])
    assert result["step_id"] == "reauth_confirm"
    assert "client_certificate" in result["data_schema"].schema  # it asks for a certificate
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "client_certificate": await late_upload(testbed.p12()),
            "certificate_password": P12_PASSWORD,
        },
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.runtime_data.websocket.connected
    assert issues.async_get_issue(DOMAIN, refused) is None
    assert issues.async_get_issue(DOMAIN, f"certificate_expiring_{entry.entry_id}") is None
    await assert_healed(hass, entry, testbed, before)
    await hass.config_entries.async_unload(entry.entry_id)
