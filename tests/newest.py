"""This integration on the newest Home Assistant release: `python -m tests.newest PYTHON`.

PYTHON is the interpreter of a venv with that release (script/newest makes it). A local Home
Assistant of that release, with this integration, links the test bed's remote through nginx mTLS
with the config flow, mirrors it and forwards an action. Any warning or error of Home Assistant
that names this integration (deprecations included) fails the run.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import re
import sys
import tempfile
import time
from typing import Any

from .testbed.bed import P12_PASSWORD, TestBed, running_testbed
from .testbed.linking import async_link
from .testbed.remote_ha import PEER_TEMPLATE_DIR, RemoteHomeAssistant

MIRRORED_SWITCH = "switch.porch"  # the remote's input_boolean.porch
MIRRORED_CLIMATE = "climate.hvac"  # a demo climate: temperatures and their unit
NAMES_US = re.compile(r"(WARNING|ERROR|CRITICAL).*remote_mtls|remote_mtls.*(deprecat|Detected)")
# Said of every custom integration at every start.
ALWAYS_SAID = "which has not been tested by Home Assistant"


async def _wait(check: Any, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.5)


async def _state(ha: RemoteHomeAssistant, entity_id: str) -> str | None:
    states = await ha.async_rest("GET", "/api/states")
    return next((s["state"] for s in states if s["entity_id"] == entity_id), None)


async def _exercise(local: RemoteHomeAssistant, bed: TestBed) -> str:
    await async_link(local, bed.url("on"), bed.p12(), P12_PASSWORD, bed.token)
    for entity_id in (MIRRORED_SWITCH, MIRRORED_CLIMATE):
        await _wait(lambda e=entity_id: _mirrored(local, e), f"{entity_id} on the local side")
    before = await _state(bed.remote, "input_boolean.porch")
    await local.async_rest("POST", "/api/services/switch/toggle", {"entity_id": MIRRORED_SWITCH})
    await _wait(lambda: _changed(bed, before), "the remote to follow the local action")
    await local.async_rest("POST", "/api/services/switch/toggle", {"entity_id": MIRRORED_SWITCH})
    version = await local.async_rest("GET", "/api/config")
    return str(version["version"])


async def _mirrored(local: RemoteHomeAssistant, entity_id: str) -> bool:
    return (await _state(local, entity_id)) not in (None, "unavailable")


async def _changed(bed: TestBed, before: str | None) -> bool:
    return (await _state(bed.remote, "input_boolean.porch")) != before


def main(python: str) -> int:
    """Run the check; return the process exit code."""
    with tempfile.TemporaryDirectory(prefix="remote_mtls_newest_") as tmp:
        directory = Path(tmp)
        with running_testbed(directory / "bed") as bed:
            local = RemoteHomeAssistant(
                directory / "local",
                template=PEER_TEMPLATE_DIR,
                with_integration=True,
                python=python,
                skip_pip=False,
            )
            try:
                local.setup()
                version = asyncio.run(_exercise(local, bed))
            finally:
                local.stop()
            log = local.log_path.read_text(errors="replace").splitlines()
    findings = [line for line in log if NAMES_US.search(line) and ALWAYS_SAID not in line]
    for line in findings:
        print(line)
    print(f"Home Assistant {version}: linked, mirrored, action forwarded; {len(findings)} warnings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
