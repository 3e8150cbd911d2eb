"""A state_changed subscriber in its own process, so two subscribers never wait for each other.

Run as `python -m bench.receiver URL TOKEN ENTITY_ID [--cert C --key K --ca CA]`: prints
`ready`, then `<state>\\t<arrival time>` for every state_changed of ENTITY_ID (times from
`bench.clock.now`), until its standard input closes. `ReceiverProcess` is the parent's side.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import signal
import ssl
import sys
from typing import Any

from .wsclient import WsClient

ROOT = Path(__file__).parents[1]


async def _serve(args: argparse.Namespace) -> None:
    context = None
    if args.cert:
        context = ssl.create_default_context(cafile=args.ca)
        context.load_cert_chain(args.cert, args.key)

    def on_event(event: dict[str, Any], arrived: float) -> None:
        data = event["data"]
        if data["entity_id"] == args.entity_id and (new_state := data.get("new_state")):
            sys.stdout.write(f"{new_state['state']}\t{arrived:.9f}\n")
            sys.stdout.flush()

    async with WsClient(args.url, args.token, ssl_context=context) as client:
        await client.subscribe_events("state_changed", on_event)
        print("ready", flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes it


class ReceiverProcess:
    """Starts a receiver process and resolves armed states with their arrival times."""

    def __init__(self, url: str, token: str, entity_id: str, *, tls: tuple[Path, ...] = ()):
        self.arguments = [url, token, entity_id]
        if tls:
            cert, key, ca = tls
            self.arguments += ["--cert", str(cert), "--key", str(key), "--ca", str(ca)]
        self._armed: dict[str, asyncio.Future[float]] = {}
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    def arm(self, state: str) -> asyncio.Future[float]:
        """Arm before causing the change; the future gets the arrival time."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._armed[state] = future
        return future

    async def __aenter__(self) -> ReceiverProcess:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __name__,
            *self.arguments,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        assert self._process.stdout is not None
        try:
            async with asyncio.timeout(30):
                line = await self._process.stdout.readline()
            if line.strip() != b"ready":
                raise RuntimeError(f"receiver failed to start: {line!r}")
        except BaseException:
            await self._stop()
            raise
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._stop()

    async def _read(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        async for line in self._process.stdout:
            state, _, arrived = line.decode().rstrip("\n").partition("\t")
            future = self._armed.pop(state, None)
            if future is not None and not future.done():
                future.set_result(float(arrived))

    async def _stop(self) -> None:
        process = self._process
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            process.kill()
            await process.wait()
        if self._reader is not None:
            self._reader.cancel()


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent; it closes stdin
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("entity_id")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--ca")
    asyncio.run(_serve(parser.parse_args()))
