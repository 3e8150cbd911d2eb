"""A hub of many homes: `script/bench hub [--quick] [--remotes R] [--entities E] [--profile]`.

R real remote Home Assistants (demo + E bulk sensors each), each behind its own nginx requiring
the client certificate; one real local Home Assistant linked to all of them through the config
flow (all flows at once). In one run: time until everything is mirrored and the RSS per 1000
mirrored entities; whether a plain local subscriber (state_changed and subscribe_entities, no
coalescing) is ever dropped; the first link's state latency against its floor while the other
remotes churn; the time from a local restart until every mirror is available again.
Writes bench/results/hub.json and hub.md. `--profile` instead looks inside the local Home
Assistant (memory of the first mirror, CPU of a restart, GC pauses under churn:
bench/results/hub_profile.md).
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import hub_load, hub_mirror, hub_profile, hub_restart, latency
from .console import log, work_directory
from .hub_rig import Hub, running_hub
from .initial import drops_in_log
from .machine import LoadMonitor, machine_facts
from .model import Measurement, Row
from .report import write_measurement, write_summary

RESULTS = Path(__file__).parent / "results"
NAME = "hub"
TARGET_MB_PER_1000 = 12.0
P99_MARGIN_MS = 3.0
TARGET_RESTART_S = 3.0


@dataclass(frozen=True)
class HubSizes:
    """How big the hub is and how much is measured."""

    remotes: int
    entities: int
    latency_rounds: int
    latency_samples: int
    churn_rate: float = 10.0  # changes per second on each other remote


FULL = HubSizes(remotes=10, entities=1000, latency_rounds=3, latency_samples=300)
QUICK = HubSizes(remotes=3, entities=200, latency_rounds=1, latency_samples=50)


async def _prepare(hub: Hub, entities: int) -> None:
    await asyncio.gather(*(latency.prepare_remote(home, entities) for home in hub.homes))


async def _measure(hub: Hub, sizes: HubSizes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    drops_before = drops_in_log(hub.homes[0])
    async with hub.homes[0].local_client() as client:
        plain = hub_mirror.PlainSubscriber(client)
        await plain.subscribe()
        log(f"linking {len(hub.homes)} homes at once")
        mirrored = await hub_mirror.link_all(hub, plain)
        log(f"  mirrored {mirrored.result['mirrored']} in {mirrored.result['all_mirrored_s']} s")
        for home, entry_id in zip(hub.homes, mirrored.entry_ids, strict=True):
            home.entry_id = entry_id
        log(f"latency of link 1 while {len(hub.homes) - 1} links churn")
        runs, churn = await hub_load.run(
            hub,
            mirrored.mappings,
            sizes.entities,
            sizes.churn_rate,
            sizes.latency_rounds,
            sizes.latency_samples,
        )
        subscriber = await hub_mirror.subscriber_verdict(hub, plain, drops_before)
    log("restarting the local Home Assistant")
    restart = await hub_restart.run(hub, mirrored.mappings)
    log(f"  all available {restart['all_available_s']} s after the start")
    return {**mirrored.result, **churn, **subscriber, "restart": restart}, runs


def summarize(found: dict[str, Any], runs: list[dict[str, Any]], sizes: HubSizes) -> Measurement:
    """The hub's table rows (targets of issue #17) and summary."""
    remotes = found["remotes"]
    restart = found["restart"]
    rate = found["churn_rate_per_remote"]
    title = f"Hub latency of link 1 while {remotes - 1} links churn ({rate:.1f}/s each)"
    latency_part = latency.summarize(runs, name=NAME, title=title, p99_margin_ms=P99_MARGIN_MS)
    dropped = found["plain_subscriber_dropped"] or found["drops_logged"] > 0
    after_api = restart["all_available_after_api_s"]
    rows = [
        Row(
            f"Hub: {remotes} remotes x ({sizes.entities} bulk + demo) entities mirrored",
            "all",
            f"{found['mirrored']} of {found['remote_entities']} in {found['all_mirrored_s']:.2f} s"
            f" ({remotes} config flows at once; flows answered after"
            f" {found['flow_answered_median_s']:.2f} s, median)",
            f"all {remotes} snapshots through their proxies {found['floor_all_snapshots_s']:.2f} s",
            found["mirrored"] == found["remote_entities"],
        ),
        Row(
            "Hub: RSS increase per 1000 mirrored entities (steady)",
            f"≤ {TARGET_MB_PER_1000:g} MB",
            f"{found['rss_steady_mb_per_1000']:.1f} MB (peak {found['rss_peak_mb_per_1000']:.1f};"
            f" {found['rss_baseline_mb']:.0f} -> {found['rss_steady_mb']:.0f} MB)",
            "-",
            found["rss_steady_mb_per_1000"] <= TARGET_MB_PER_1000,
        ),
        Row(
            "Hub: plain local subscriber (state_changed + subscribe_entities) dropped",
            "never",
            f"{'yes' if dropped else 'no'} ({found['plain_subscriber_messages']} messages;"
            f" after the restart: dropped {restart['subscriber_drops']} times)",
            "-",
            not dropped and not restart["subscriber_drops"],
        ),
        *latency_part.rows,
        Row(
            f"Hub: churned updates lost ({found['churn_changes']} changes)",
            "0",
            str(found["churn_lost"]),
            "-",
            found["churn_lost"] == 0,
        ),
        Row(
            f"Hub: local restart, all {restart['tracked_mirrors']} mirrors available",
            f"≤ {TARGET_RESTART_S:g} s after the API answers",
            (
                f"{after_api:.2f} s after the API answered ({restart['all_available_s']:.2f} s"
                f" after the start; API {restart['api_answers_s']:.2f} s,"
                f" running {restart['running_s']:.2f} s)"
                if after_api is not None
                else f"{restart['still_unavailable']} still unavailable"
            ),
            "-",
            after_api is not None and after_api <= TARGET_RESTART_S,
        ),
    ]
    summary = {**found, "latency": latency_part.summary, "sizes": sizes.__dict__}
    return Measurement(NAME, summary, runs, rows)


def main(argv: list[str]) -> int:
    """Run the hub and print its table."""
    parser = argparse.ArgumentParser(prog="script/bench hub", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for development")
    parser.add_argument("--remotes", type=int, help="remote homes (default 10; quick 3)")
    parser.add_argument("--entities", type=int, help="bulk entities per remote (1000; quick 200)")
    parser.add_argument("--profile", action="store_true", help="profile instead of measuring")
    parser.add_argument("--keep", action="store_true", help="keep the processes' directories")
    args = parser.parse_args(argv)
    sizes, mode = (QUICK, "quick") if args.quick else (FULL, "full")
    sizes = HubSizes(
        args.remotes or sizes.remotes,
        args.entities or sizes.entities,
        sizes.latency_rounds,
        sizes.latency_samples,
    )
    results = RESULTS / "quick" if args.quick else RESULTS
    machine = machine_facts()
    try:
        with (
            work_directory("remote_mtls_hub_", args.keep) as directory,
            running_hub(directory, sizes.remotes) as hub,
        ):
            log(f"{mode} hub: {sizes.remotes} remotes x {sizes.entities} entities in {directory}")
            log(f"remotes behind {', '.join(home.proxy_url for home in hub.homes)}")
            asyncio.run(_prepare(hub, sizes.entities))
            if args.profile:
                hub.start_local(hub_profile.COMPONENT)
                text = asyncio.run(hub_profile.run(hub, directory, sizes.entities))
                results.mkdir(parents=True, exist_ok=True)
                (results / "hub_profile.md").write_text(text)
                print(text)
                return 0
            hub.start_local()
            with LoadMonitor() as monitor:
                found, runs = asyncio.run(_measure(hub, sizes))
    except KeyboardInterrupt:
        log("interrupted; every process was stopped")
        return 130
    measurement = summarize(found, runs, sizes)
    measurement.load = [monitor.as_dict()]
    write_measurement(results, measurement, mode, machine)
    print(write_summary(results, (NAME,), f"{NAME}.md"))
    log(f"results in {results}")
    return 0
