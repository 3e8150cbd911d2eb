"""What every bench entry point shares: progress lines, and Ctrl-C / SIGTERM as an interrupt."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from pathlib import Path
import shutil
import signal
import sys
import tempfile
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


@contextlib.contextmanager
def work_directory(prefix: str, keep: bool) -> Iterator[Path]:
    """A fresh directory for the processes of one run, with Ctrl-C and SIGTERM as interrupts.

    Removed when the run finishes, unless `keep`; kept (and named) when it did not.
    """
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    interrupt_on_signals()
    finished = False
    try:
        yield directory
        finished = True
    finally:
        if finished and not keep:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            log(f"logs kept in {directory}")
