"""What every bench entry point shares: progress lines, and Ctrl-C / SIGTERM as an interrupt."""

from __future__ import annotations

import signal
import sys
import time
from typing import NoReturn


def log(message: str) -> None:
    """A timestamped progress line on stderr."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _interrupt(_signum: int, _frame: object) -> NoReturn:
    raise KeyboardInterrupt


def interrupt_on_signals() -> None:
    """Ctrl-C and SIGTERM raise KeyboardInterrupt, so `finally` blocks stop every process, also
    when a shell started the bench in the background (which would otherwise ignore SIGINT)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
