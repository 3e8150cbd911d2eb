"""The bench's processes: a real remote HA behind a real nginx with client certificates, and a
real local HA that loads this integration. Built from the test bed's pieces; all on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
import ssl
from typing import Any

from tests.testbed import linking
from tests.testbed.bed import P12_PASSWORD
from tests.testbed.certs import Pki, export_p12
from tests.testbed.nginx import Nginx, Site
from tests.testbed.remote_ha import PEER_TEMPLATE_DIR, RemoteHomeAssistant

from .clock import now
from .wsclient import WsClient

BULK_PREFIX = "sensor.bulk_"


def bulk_attributes(index: int) -> dict[str, str]:
    """The attributes the test bed's `set_states` gives bulk entity `index`."""
    return {"friendly_name": f"Bulk {index}", "unit_of_measurement": "W"}


REFERENCE_COMPONENT = Path(__file__).parent / "reference" / "bench_reference"
SITE = "on"


@dataclass
class Rig:
    """Certificates, remote, proxy and (one at a time) a local Home Assistant."""

    directory: Path
    pki: Pki
    remote: RemoteHomeAssistant
    nginx: Nginx
    client_cert: Path
    client_key: Path
    ca_file: Path
    local: RemoteHomeAssistant | None = None
    entry_id: str = ""  # the link on the local HA
    locals_started: int = 0
    p12: bytes = field(default=b"", repr=False)

    @classmethod
    def create(cls, directory: Path, pki: Pki | None = None) -> Rig:
        """Make certificates (unless given) and describe the processes (nothing runs yet)."""
        pki = pki or Pki.create()
        files = pki.write_server_files(directory / "certs")
        client_cert, client_key = pki.client.write(directory / "certs", "client")
        remote = RemoteHomeAssistant(directory / "remote")
        nginx = Nginx(
            prefix=directory / "nginx",
            upstream=remote.port,
            sites={SITE: Site(files.cert, files.key, files.client_ca)},
        )
        p12 = export_p12(pki.client, P12_PASSWORD, include_ca=pki.root.cert)
        return cls(directory, pki, remote, nginx, client_cert, client_key, files.client_ca, p12=p12)

    @property
    def proxy_url(self) -> str:
        """The remote as the integration reaches it: through nginx, certificate required."""
        return self.nginx.url(SITE)

    def floor_ssl_context(self) -> ssl.SSLContext:
        """Client context of a bare client: trusts the test root, presents the client cert."""
        context = ssl.create_default_context(cafile=str(self.ca_file))
        context.load_cert_chain(self.client_cert, self.client_key)
        return context

    def floor_client(self, *, coalesce: bool = True) -> WsClient:
        """A bare websocket client on the remote through the proxy (the floor)."""
        return WsClient(
            self.proxy_url,
            self.remote.token,
            ssl_context=self.floor_ssl_context(),
            coalesce=coalesce,
        )

    def driver(self) -> WsClient:
        """A client straight on the remote's own port: it makes the remote change states."""
        return WsClient(self.remote.url, self.remote.token, coalesce=True)

    def local_client(self, *, coalesce: bool = False) -> WsClient:
        """A client on the local Home Assistant (plain: no coalescing, like a simple dashboard)."""
        assert self.local is not None
        return WsClient(self.local.url, self.local.token, coalesce=coalesce)

    def start_remote(self) -> None:
        """Start and onboard the remote, then the proxy in front of it (blocking)."""
        self.remote.setup()
        self.nginx.start()

    def start_local(self, *components: Path) -> RemoteHomeAssistant:
        """Start a fresh local Home Assistant with the integration installed (blocking).

        `components`: more custom components (directories) to install and set up.
        """
        return self._start_fresh("local", True, components)

    def start_reference(self) -> RemoteHomeAssistant:
        """Start a fresh local Home Assistant with only the reference component (blocking)."""
        return self._start_fresh("reference", False, (REFERENCE_COMPONENT,))

    def _start_fresh(
        self, name: str, with_integration: bool, components: Sequence[Path]
    ) -> RemoteHomeAssistant:
        self.stop_local()
        self.locals_started += 1
        self.local = RemoteHomeAssistant(
            self.directory / f"{name}{self.locals_started}",
            template=PEER_TEMPLATE_DIR,
            with_integration=with_integration,
        )
        self.local.prepare()
        installed = self.local.config_dir / "custom_components"
        installed.mkdir(exist_ok=True)
        for component in components:
            (installed / component.name).symlink_to(component)
            with (self.local.config_dir / "configuration.yaml").open("a") as config:
                config.write(f"\n{component.name}:\n")
        self.local.setup()
        return self.local

    def stop_local(self) -> None:
        """Stop the local Home Assistant, if one runs."""
        if self.local is not None:
            self.local.stop()

    def stop(self) -> None:
        """Stop everything that runs (safe to call more than once)."""
        with contextlib.suppress(Exception):
            self.stop_local()
        with contextlib.suppress(Exception):
            self.nginx.stop()
        self.remote.stop()

    async def link_entry(self) -> str:
        """Walk the integration's config flow on the local HA, as the UI does; the entry id."""
        assert self.local is not None
        return await linking.async_link(
            self.local, self.proxy_url, self.p12, P12_PASSWORD, self.remote.token
        )

    async def link(self) -> LinkTiming:
        """Walk the integration's config flow on the local HA, as the UI does, and time it."""
        assert self.local is not None
        timing = LinkTiming()
        original = linking._post

        async def timed_post(*args: Any, **kwargs: Any) -> Any:
            if "access_token" in (kwargs.get("json") or {}):
                timing.last_step = now()  # the flow's last step is sent now
            return await original(*args, **kwargs)

        linking._post = timed_post  # time the real flow, unchanged
        try:
            timing.entry_id = await self.link_entry()
        finally:
            linking._post = original
        timing.finished = now()
        return timing


@dataclass
class LinkTiming:
    """When the config flow's last step was sent and when the flow answered."""

    entry_id: str = ""
    last_step: float = 0.0
    finished: float = 0.0


@contextlib.contextmanager
def running_rig(directory: Path) -> Iterator[Rig]:
    """Start the remote and the proxy; stop every process on exit (also on Ctrl-C)."""
    rig = Rig.create(directory)
    try:
        rig.start_remote()
        yield rig
    finally:
        rig.stop()
