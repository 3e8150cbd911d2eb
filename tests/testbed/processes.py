"""Stopping the test bed's child processes (each leads its own process group)."""

from __future__ import annotations

import os
import signal
import subprocess


def stop_process_group(process: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    """SIGTERM the process group, SIGKILL it after `timeout`, and reap the leader."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
