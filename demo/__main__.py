"""Run the demo until Ctrl-C (see script/demo)."""

from __future__ import annotations

import argparse
import fcntl
from pathlib import Path
import signal
import sys
import time
from types import FrameType
from typing import NoReturn

from tests.testbed.remote_ha import OWNER

from .certificates import P12_PASSWORD
from .stack import (
    LOCAL_PORT,
    PORCH,
    PORCH_MIRROR,
    PROXY_PORT,
    Demo,
    preferred_port,
    running_demo,
)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _stop_requested(signum: int, frame: FrameType | None) -> NoReturn:
    """Stop once: further signals are ignored so that the clean-up runs to its end."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="script/demo", description=__doc__)
    parser.add_argument("--dir", type=Path, required=True, help="state directory")
    parser.add_argument("--local-port", type=int, default=LOCAL_PORT, help="used if free")
    parser.add_argument("--proxy-port", type=int, default=PROXY_PORT, help="used if free")
    parser.add_argument(
        "--no-link", action="store_true", help="do not link: add the integration in the UI yourself"
    )
    return parser.parse_args()


def _summary(demo: Demo, linked: bool) -> str:
    certs = demo.certs
    login = f"{OWNER['username']} / {OWNER['password']}"
    lines = [
        "",
        "The demo is running. Ctrl-C stops it.",
        "",
        f"  Local Home Assistant (this integration)   {demo.local.url}",
        f"      login                                 {login}",
        f"  Remote Home Assistant behind nginx (mTLS) {demo.proxy_url}",
        f"      client certificate                    {certs.client_p12} (password {P12_PASSWORD})",
        f"      CA of the server certificate          {certs.ca_crt}",
        f"  Remote Home Assistant directly (no proxy) {demo.remote.url}",
        f"      login                                 {login}",
        f"      long-lived access token               {demo.remote.token}",
        "",
    ]
    if linked:
        lines.append(
            f"Linked. Toggle {PORCH_MIRROR} in the local Home Assistant and watch {PORCH} "
            "change on the remote."
        )
    else:
        lines.append(
            "Not linked: Settings -> Devices & services -> Add integration -> Remote Home "
            f"Assistant (mTLS), URL {demo.proxy_url}, the client certificate above and the token."
        )
    lines.append(f"Logs: {demo.local.log_path}, {demo.remote.log_path}")
    return "\n".join(lines)


def _wait(demo: Demo) -> None:
    """Sleep until a stop signal, or until a process ends by itself (then say which)."""
    while True:
        for name, process in (
            ("local HA", demo.local.process),
            ("remote HA", demo.remote.process),
            ("nginx", demo.nginx.process),
        ):
            if process is None or process.poll() is not None:
                raise SystemExit(f"{name} stopped unexpectedly; stopping the demo")
        time.sleep(1)


def main() -> int:
    """Start, link, print, wait; stop everything on Ctrl-C."""
    args = _arguments()
    args.dir.mkdir(parents=True, exist_ok=True)
    lock = (args.dir / "demo.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"Another demo runs with {args.dir}; set REMOTE_MTLS_DEMO_DIR", file=sys.stderr)
        return 1
    for sig in STOP_SIGNALS:
        signal.signal(sig, _stop_requested)
    try:
        with running_demo(
            args.dir,
            local_port=preferred_port(args.local_port),
            proxy_port=preferred_port(args.proxy_port),
            progress=lambda line: print(line, flush=True),
        ) as demo:
            if not args.no_link:
                print(
                    "Linking them through the config flow (upload + steps, as the UI does)",
                    flush=True,
                )
                demo.link()
            print(_summary(demo, linked=not args.no_link), flush=True)
            _wait(demo)
    except KeyboardInterrupt:
        print("\nStopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
