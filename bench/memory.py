"""Resident memory of a process: a sampling thread plus the kernel's high-water mark (VmHWM)."""

from __future__ import annotations

from pathlib import Path
import statistics
import threading
import time

import psutil  # type: ignore[import-untyped]

from .clock import now

MB = 2**20


def _high_water_mark(pid: int) -> int | None:
    """Peak RSS since the process started (bytes), from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class RssSampler:
    """Samples RSS every `interval` seconds in a thread between start() and stop()."""

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._process = psutil.Process(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss sampler", daemon=True)
        self.hwm_before: int | None = None
        self.hwm_after: int | None = None

    def rss(self) -> int:
        """RSS now (bytes)."""
        return int(self._process.memory_info().rss)

    def baseline(self, seconds: float = 1.0) -> int:
        """Median RSS over a quiet period (bytes)."""
        values = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            values.append(self.rss())
            time.sleep(0.05)
        return int(statistics.median(values))

    def start(self) -> None:
        """Begin sampling."""
        self.hwm_before = _high_water_mark(self.pid)
        self._thread.start()

    def stop(self) -> None:
        """End sampling."""
        self._stop.set()
        self._thread.join()
        self.hwm_after = _high_water_mark(self.pid)

    def peak(self) -> int:
        """Highest RSS in the window: the sampled maximum, or the kernel's if it rose meanwhile."""
        sampled = max((rss for _t, rss in self.samples), default=0)
        before, after = self.hwm_before, self.hwm_after
        if before is not None and after is not None and after > before:
            return max(sampled, after)
        return sampled

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append((now(), self.rss()))
            except psutil.NoSuchProcess:
                return
            self._stop.wait(self.interval)
