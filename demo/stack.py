"""Start the demo's processes: remote HA + nginx (mTLS) and a local HA with this integration."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
import contextlib
from dataclasses import dataclass
import json
import os
from pathlib import Path
import shutil
import socket
import time

import aiohttp

from tests.testbed.certs import SeedFiles
from tests.testbed.linking import async_link
from tests.testbed.nginx import Nginx, Site
from tests.testbed.ports import free_port
from tests.testbed.remote_ha import RemoteHomeAssistant
from tests.testbed.sync import run_sync

from .certificates import P12_PASSWORD, demo_certificates

LOCAL_TEMPLATE = Path(__file__).parent / "local_config"
LOCAL_PORT = 8123  # preferred ports; taken ones are replaced by free ones
PROXY_PORT = 8443
REMOTE_NAME = "Remote Home"
PORCH = "input_boolean.porch"  # a remote helper the local side mirrors as switch.porch
PORCH_MIRROR = "switch.porch"
ONBOARDING_WITHOUT_OWNER = {
    "version": 4,
    "minor_version": 1,
    "key": "onboarding",
    "data": {"done": ["core_config", "analytics", "integration"]},
}


def preferred_port(port: int) -> int:
    """`port` if it is free on 127.0.0.1, else any free port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As the servers bind: a port left in TIME_WAIT by the last run is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return free_port()
    return port


@dataclass
class Demo:
    """The running demo."""

    certs: SeedFiles
    certs_created: bool
    remote: RemoteHomeAssistant
    nginx: Nginx
    local: RemoteHomeAssistant
    entry_id: str | None = None

    @property
    def proxy_url(self) -> str:
        """The remote as reached through nginx (client certificate required)."""
        return self.nginx.url("demo")

    def link(self) -> str:
        """Link local to remote as the UI does (upload, config flow); wait for the mirrors."""
        self.entry_id = run_sync(
            async_link(
                self.local,
                self.proxy_url,
                self.certs.client_p12.read_bytes(),
                P12_PASSWORD,
                self.remote.token,
            )
        )
        run_sync(wait_for_state(self.local, PORCH_MIRROR))
        return self.entry_id


async def wait_for_state(ha: RemoteHomeAssistant, entity_id: str, timeout: float = 60.0) -> str:
    """Wait until `entity_id` exists on `ha` and is available; return its state."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(aiohttp.ClientResponseError):
            state = str((await ha.async_rest("GET", f"/api/states/{entity_id}"))["state"])
            if state != "unavailable":
                return state
        if time.monotonic() > deadline:
            raise TimeoutError(f"{entity_id} did not appear on {ha.url}")
        await asyncio.sleep(0.2)


def _prepare(ha: RemoteHomeAssistant, extra_yaml: str = "") -> None:
    """Write the config dir; onboarding then only lacks the owner, which `setup` creates.

    The later onboarding steps are marked done so the frontend opens straight onto the
    dashboard (the real core_config step would set up met.no and other online services).
    """
    ha.prepare()
    with (ha.config_dir / "configuration.yaml").open("a") as config:
        config.write(extra_yaml)
    storage = ha.config_dir / ".storage"
    storage.mkdir(exist_ok=True)
    (storage / "onboarding").write_text(json.dumps(ONBOARDING_WITHOUT_OWNER))


@contextlib.contextmanager
def _private_tmpdir(ha: RemoteHomeAssistant) -> Iterator[None]:
    """Give the process started here its own TMPDIR.

    Every Home Assistant on a machine keeps uploads in $TMPDIR/home-assistant-file_upload,
    wipes it on its first upload and deletes it when it stops, so processes sharing /tmp break
    each other's uploads (the .p12 of the config flow).
    """
    tmp = ha.config_dir.with_name(f"{ha.config_dir.name}-tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    saved = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(tmp)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = saved


def _setup_remote(remote: RemoteHomeAssistant) -> None:
    """Start the test bed's remote (demo entities, helpers) with a frontend; name it."""
    _prepare(remote, "frontend:\n")
    with _private_tmpdir(remote):
        remote.setup()
    run_sync(remote.async_ws_command({"type": "config/core/update", "location_name": REMOTE_NAME}))


@contextlib.contextmanager
def running_demo(
    directory: Path,
    *,
    local_port: int | None = None,
    proxy_port: int | None = None,
    progress: Callable[[str], object] = lambda _: None,
) -> Iterator[Demo]:
    """Certificates (kept in `directory`), then fresh remote, nginx and local; stopped on exit.

    Ports default to free ones. The local HA is not linked yet: call `Demo.link`.
    """
    certs, created = demo_certificates(directory / "certs")
    progress(f"{'Created' if created else 'Reusing'} certificates in {certs.ca_crt.parent}")
    run = directory / "run"
    shutil.rmtree(run, ignore_errors=True)
    remote = RemoteHomeAssistant(run / "remote")
    local = RemoteHomeAssistant(
        run / "local",
        template=LOCAL_TEMPLATE,
        with_integration=True,
        port=local_port or free_port(),
    )
    site = Site(certs.server_crt, certs.server_key, certs.ca_crt, port=proxy_port or free_port())
    nginx = Nginx(prefix=run / "nginx", upstream=remote.port, sites={"demo": site})
    try:
        progress(f"Starting the remote Home Assistant (demo entities) on {remote.url}")
        _setup_remote(remote)
        progress(f"Starting nginx requiring client certificates on {nginx.url('demo')}")
        nginx.start()
        progress(f"Starting the local Home Assistant with this integration on {local.url}")
        _prepare(local)
        with _private_tmpdir(local):
            local.setup()
        yield Demo(certs, created, remote, nginx, local)
    finally:
        nginx.stop()
        local.stop()
        remote.stop()
