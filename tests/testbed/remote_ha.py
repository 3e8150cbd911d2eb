"""A real remote Home Assistant process for tests: started, onboarded, with a long-lived token."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import time
from typing import Any

import aiohttp

from .ports import free_port, wait_for_port
from .processes import stop_process_group
from .sync import run_sync

TEMPLATE_DIR = Path(__file__).parent / "remote_config"
PEER_TEMPLATE_DIR = Path(__file__).parent / "peer_config"
INTEGRATION_DIR = Path(__file__).parents[2] / "custom_components" / "remote_mtls"
CLIENT_ID = "http://127.0.0.1/"
OWNER = {"name": "Test Owner", "username": "owner", "password": "owner-password-1"}


@dataclass
class RemoteHomeAssistant:
    """`hass -c DIR` on 127.0.0.1 with demo entities and the testbed helper component."""

    config_dir: Path
    template: Path = TEMPLATE_DIR
    with_integration: bool = False  # install this repository's integration (peers for loops)
    python: str = sys.executable  # another venv runs another Home Assistant release
    skip_pip: bool = True  # False: Home Assistant installs what its integrations need
    port: int = field(default_factory=free_port)
    token: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the remote's own (plain HTTP) server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """Where the process's output goes."""
        return self.config_dir / "process.log"

    def prepare(self) -> None:
        """Write the configuration into an empty config directory."""
        shutil.copytree(self.template, self.config_dir, dirs_exist_ok=True)
        if self.with_integration:
            components = self.config_dir / "custom_components"
            components.mkdir(exist_ok=True)
            (components / "remote_mtls").symlink_to(INTEGRATION_DIR)
        template = self.config_dir / "configuration.yaml.in"
        config = template.read_text().replace("@PORT@", str(self.port))
        (self.config_dir / "configuration.yaml").write_text(config)
        template.unlink()
        self._write_http_settings()

    def _write_http_settings(self) -> None:
        """HTTP settings as Home Assistant 2026.8+ keeps them: in storage, not in YAML.

        127.0.0.1 only, on this instance's port; proxies on 127.0.0.1 are trusted (the test
        bed's nginx sends X-Forwarded-For). A YAML `http:` block would raise a deprecation repair.
        """
        settings = {
            "server_host": ["127.0.0.1"],
            "server_port": self.port,
            "cors_allowed_origins": ["https://cast.home-assistant.io"],
            "use_x_forwarded_for": True,
            "trusted_proxies": ["127.0.0.1/32"],
            "login_attempts_threshold": -1,
            "ip_ban_enabled": True,
            "ssl_profile": "modern",
            "use_x_frame_options": True,
            "created_at": "2026-01-01T00:00:00+00:00",
            "error": None,
            "error_message": None,
        }
        storage = self.config_dir / ".storage"
        storage.mkdir(exist_ok=True)
        (storage / "http").write_text(
            json.dumps(
                {
                    "version": 2,
                    "minor_version": 2,
                    "key": "http",
                    "data": {"stable": settings, "pending": None, "yaml_migration_done": True},
                }
            )
        )

    def start(self, timeout: float = 120.0) -> None:
        """Start the process and wait until its HTTP server listens."""
        if not (self.config_dir / "configuration.yaml").exists():
            self.prepare()
        log = self.log_path.open("ab")
        # Its own temp dir: every HA keeps uploads in $TMPDIR/home-assistant-file_upload and
        # deletes that folder when it stops, which breaks other HAs' uploads on this machine.
        tmp = self.config_dir / "tmp"
        tmp.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [
                self.python,
                "-m",
                "homeassistant",
                "-c",
                str(self.config_dir),
                *(["--skip-pip"] if self.skip_pip else []),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            # Not the checkout: `python -m` puts the cwd first on sys.path, and the remote must
            # find the config dir's custom_components, not this repository's.
            cwd=self.config_dir,
            env={**os.environ, "TMPDIR": str(tmp)},
        )
        log.close()
        try:
            wait_for_port(self.port, timeout)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"remote HA did not start; see {self.log_path}") from None

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and its children."""
        stop_process_group(self.process, timeout)
        self.process = None

    def restart(self) -> None:
        """Stop and start again on the same port, waiting until it runs."""
        self.stop()
        self.start()
        run_sync(self.async_wait_running())

    def setup(self) -> None:
        """Start, onboard and wait until HA runs."""
        self.start()
        run_sync(self._async_setup())

    async def _async_setup(self) -> None:
        self.token = await self.async_onboard()
        await self.async_wait_running()

    async def async_onboard(self) -> str:
        """Create the owner user and return a long-lived access token."""
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{self.url}/api/onboarding/users",
                json={**OWNER, "client_id": CLIENT_ID, "language": "en"},
            ) as resp:
                resp.raise_for_status()
                auth_code = (await resp.json())["auth_code"]
            async with session.post(
                f"{self.url}/auth/token",
                data={
                    "grant_type": "authorization_code",
                    "code": auth_code,
                    "client_id": CLIENT_ID,
                },
            ) as resp:
                resp.raise_for_status()
                access_token = (await resp.json())["access_token"]
        result = await self.async_ws_command(
            {"type": "auth/long_lived_access_token", "client_name": "tests", "lifespan": 3650},
            token=access_token,
        )
        assert isinstance(result, str)
        return result

    async def async_ws_command(self, command: dict[str, Any], token: str = "") -> Any:
        """Run one websocket command directly on the remote and return its result."""
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"{self.url}/api/websocket") as ws:
                await ws.receive_json()
                await ws.send_json({"type": "auth", "access_token": token or self.token})
                auth = await ws.receive_json()
                if auth["type"] != "auth_ok":
                    raise RuntimeError(f"remote refused the token: {auth}")
                await ws.send_json({"id": 1, **command})
                reply = await ws.receive_json()
        if not reply["success"]:
            raise RuntimeError(f"{command['type']} failed: {reply['error']}")
        return reply["result"]

    async def async_rest(self, method: str, path: str, json: Any = None) -> Any:
        """Call the remote's REST API directly (no proxy) with the token."""
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                method,
                f"{self.url}{path}",
                json=json,
                headers={"Authorization": f"Bearer {self.token}"},
            ) as resp,
        ):
            resp.raise_for_status()
            return await resp.json()

    async def async_wait_running(self, timeout: float = 120.0) -> None:
        """Wait until the remote reports state RUNNING."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                config = await self.async_rest("GET", "/api/config")
                if config.get("state") == "RUNNING":
                    return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"remote HA not running; see {self.log_path}")
            await asyncio.sleep(0.2)

    async def async_set_states(
        self, states: list[dict[str, Any]] | None = None, **bulk: Any
    ) -> None:
        """Write states on the remote in one call (testbed.set_states)."""
        await self.async_rest(
            "POST", "/api/services/testbed/set_states", {"states": states or [], **bulk}
        )
