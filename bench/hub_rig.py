"""The hub's processes: R remote Home Assistants, each behind its own nginx requiring the client
certificate, and one local Home Assistant linked to all of them. One `Rig` per remote home; the
homes share the certificates and the local Home Assistant. All on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
import contextlib
from dataclasses import dataclass
from pathlib import Path

from tests.testbed.certs import Pki
from tests.testbed.remote_ha import RemoteHomeAssistant

from .rig import Rig

STARTING_AT_ONCE = 3  # remotes started in parallel (a 2-core machine: more only contend)


@dataclass
class Hub:
    """The remote homes; `homes[0]` owns the local Home Assistant, the others share it."""

    homes: list[Rig]

    @property
    def local(self) -> RemoteHomeAssistant:
        """The local Home Assistant (started)."""
        local = self.homes[0].local
        assert local is not None
        return local

    def start_remotes(self) -> None:
        """Start and onboard every remote and its proxy (a few at a time; blocking)."""
        with ThreadPoolExecutor(STARTING_AT_ONCE, thread_name_prefix="hub-remote") as pool:
            list(pool.map(Rig.start_remote, self.homes))

    def start_local(self, *components: Path) -> RemoteHomeAssistant:
        """Start a fresh local Home Assistant with the integration; every home links to it."""
        local = self.homes[0].start_local(*components)
        for home in self.homes[1:]:
            home.local = local
        return local

    def stop(self) -> None:
        """Stop every process (the shared local once, through its owner)."""
        for home in self.homes[1:]:
            home.local = None
        for home in self.homes:
            with contextlib.suppress(Exception):
                home.stop()


@contextlib.contextmanager
def running_hub(directory: Path, remotes: int) -> Iterator[Hub]:
    """Start the remotes and their proxies; stop every process on exit (also on Ctrl-C)."""
    pki = Pki.create()
    hub = Hub([Rig.create(directory / f"home{index}", pki) for index in range(remotes)])
    try:
        hub.start_remotes()
        yield hub
    finally:
        hub.stop()
