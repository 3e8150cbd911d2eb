"""Reliability tests talk to real processes on 127.0.0.1."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Allow sockets to 127.0.0.1."""
