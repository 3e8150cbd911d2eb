"""More real Home Assistants (the peer configuration) behind one nginx, one mTLS site each,
with the test bed's certificates: second remotes for a local Home Assistant, or homes that
link each other."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from dataclasses import dataclass
from pathlib import Path

from .certs import Pki
from .nginx import Nginx, Site
from .remote_ha import PEER_TEMPLATE_DIR, RemoteHomeAssistant


@dataclass
class Peers:
    """Peer Home Assistants by name; the nginx site of each has the same name."""

    homes: dict[str, RemoteHomeAssistant]
    nginx: Nginx

    def url(self, name: str) -> str:
        """The peer as a link reaches it: through nginx, client certificate required."""
        return self.nginx.url(name)


@contextlib.contextmanager
def running_peers(
    directory: Path, pki: Pki, names: tuple[str, ...], *, with_integration: bool = True
) -> Iterator[Peers]:
    """Start the peers (this integration installed unless told) and their nginx; stop all."""
    files = pki.write_server_files(directory / "certs")
    homes = {
        name: RemoteHomeAssistant(
            directory / name, template=PEER_TEMPLATE_DIR, with_integration=with_integration
        )
        for name in names
    }
    nginx = Nginx(
        prefix=directory / "nginx",
        upstream=homes[names[0]].port,
        sites={
            name: Site(files.cert, files.key, files.client_ca, upstream=home.port)
            for name, home in homes.items()
        },
    )
    try:
        for home in homes.values():
            home.setup()
        nginx.start()
        yield Peers(homes, nginx)
    finally:
        nginx.stop()
        for home in homes.values():
            home.stop()
