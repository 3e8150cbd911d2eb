"""Machine facts reported with every result, and how much CPU others used meanwhile."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
import os
from pathlib import Path
import platform
import shutil
import ssl
import subprocess
import time
from typing import Any

import aiohttp
from homeassistant.const import __version__ as HA_VERSION
import psutil  # type: ignore[import-untyped]

# From this many cores of CPU used by processes outside the bench on, the machine was shared.
SHARED_THRESHOLD = 0.2


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _nginx_version() -> str:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    try:
        result = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False)
    except OSError:
        return "unknown"
    return result.stderr.strip().removeprefix("nginx version: ")


def _git(*args: str) -> str:
    root = Path(__file__).parents[1]
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    return result.stdout.strip()


def _code_version() -> str:
    """The integration's commit, marked `+changes` when its files differ from it."""
    try:
        commit = _git("rev-parse", "--short", "HEAD")
        changed = _git("status", "--porcelain", "custom_components")
    except OSError:
        return "unknown"
    return f"{commit or 'unknown'}{' +changes' if changed else ''}"


def machine_facts() -> dict[str, Any]:
    """Cores, CPU, memory, Python, Home Assistant and library versions, the code's commit."""
    return {
        "integration_commit": _code_version(),
        "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "cpu_model": _cpu_model(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "home_assistant": HA_VERSION,
        "aiohttp": aiohttp.__version__,
        "openssl": ssl.OPENSSL_VERSION,
        "nginx": _nginx_version(),
    }


def _process_tree_cpu(pids: list[int]) -> float:
    """CPU seconds used so far by these processes and their children (living ones)."""
    members: list[psutil.Process] = []
    for pid in pids:
        try:
            process = psutil.Process(pid)
            members += [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
    total = 0.0
    for member in members:
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess, psutil.AccessDenied:
            continue
        total += times.user + times.system
    return total


def _busy_cpu() -> float:
    """CPU seconds the whole machine spent busy (guest time is already inside user time)."""
    times = psutil.cpu_times()
    return float(
        times.user
        + times.nice
        + times.system
        + getattr(times, "irq", 0.0)
        + getattr(times, "softirq", 0.0)
    )


@dataclass
class LoadMonitor:
    """CPU used by processes outside the bench (other engineers' test runs) during a window.

    The bench's process tree (this process and its children: the Home Assistants, nginx) is
    subtracted from the machine's busy time. Children that ended within the window are not,
    so the foreign share is an upper bound when a bench child exits meanwhile.
    """

    pids: list[int] = field(default_factory=lambda: [os.getpid()])
    _start: tuple[float, float, float] = field(default=(0.0, 0.0, 0.0))

    def __enter__(self) -> LoadMonitor:
        self._start = (time.monotonic(), _busy_cpu(), _process_tree_cpu(self.pids))
        self.load_before = os.getloadavg()[0]
        return self

    def __exit__(self, *_exc: object) -> None:
        wall = time.monotonic() - self._start[0]
        busy = _busy_cpu() - self._start[1]
        ours = _process_tree_cpu(self.pids) - self._start[2]
        self.wall = wall
        self.bench_cores = ours / wall if wall else 0.0
        self.foreign_cores = max(0.0, busy - ours) / wall if wall else 0.0
        self.load_after = os.getloadavg()[0]

    def as_dict(self) -> dict[str, Any]:
        """What to store with a result."""
        return {
            "wall_s": round(self.wall, 2),
            "bench_cpu_cores": round(self.bench_cores, 2),
            "foreign_cpu_cores": round(self.foreign_cores, 2),
            "loadavg_1m_before": round(self.load_before, 2),
            "loadavg_1m_after": round(self.load_after, 2),
            "shared": self.foreign_cores >= SHARED_THRESHOLD,
        }
