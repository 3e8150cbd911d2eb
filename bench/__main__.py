"""Run the benchmarks: `python -m bench [--quick] [--only latency,burst,...] [--keep]`, or the
hub of many homes: `python -m bench hub [--quick] ...` (see bench/hub.py).

Starts a real remote Home Assistant (demo + N extra entities) behind a real nginx that requires
client certificates, and a real local Home Assistant that loads this integration; links them
through the config flow; measures; stops every process on exit, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
import sys
import time
from typing import Any

from . import burst, hub, initial, latency, reconnect, service
from .console import log, work_directory
from .machine import LoadMonitor, machine_facts
from .model import FULL, QUICK, Measurement, Sizes
from .report import write_measurement, write_summary
from .rig import Rig, running_rig

RESULTS = Path(__file__).parent / "results"
STEPS = ("latency", "burst", "service", "reconnect")


def _measured[**P, T](
    load: list[dict[str, Any]],
    function: Callable[P, Coroutine[Any, Any, T]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run one async measurement on a fresh event loop; note the machine's load meanwhile."""
    with LoadMonitor() as monitor:
        result = asyncio.run(function(*args, **kwargs))
    load.append(monitor.as_dict())
    return result


def _initial(rig: Rig, sizes: Sizes) -> Measurement:
    load: list[dict[str, Any]] = []
    log("initial mirror of the remote's demo entities alone (the fixed cost of a link)")
    rig.start_local()
    fixed = _measured(load, initial.run_once, rig)
    log(f"  mirrored {fixed['entities']} in {fixed['mirror_s']:.3f} s")
    asyncio.run(latency.prepare_remote(rig, sizes.entities))
    count = asyncio.run(initial.count_remote_entities(rig))
    reference: list[dict[str, Any]] = []
    for index in range(sizes.initial_repeats):
        log(f"reference {index + 1}/{sizes.initial_repeats}: HA alone adds {count} entities")
        rig.start_reference()
        reference.append(_measured(load, initial.run_reference, rig, count))
        log(f"  added in {reference[-1]['add_s']:.3f} s")
    runs: list[dict[str, Any]] = []
    for index in range(sizes.initial_repeats):
        log(f"initial mirror {index + 1}/{sizes.initial_repeats}: fresh local HA")
        rig.start_local()
        runs.append(_measured(load, initial.run_once, rig))
        log(f"  mirrored {runs[-1]['entities']} in {runs[-1]['mirror_s']:.3f} s")
    result = initial.summarize(runs, fixed, reference)
    result.load = load
    return result


def _step(rig: Rig, sizes: Sizes, step: str) -> Measurement:
    load: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    if step == "latency":
        for _index in range(sizes.latency_rounds):
            runs.append(_measured(load, latency.run_once, rig, sizes.latency_samples))
        result = latency.summarize(runs)
    elif step == "service":
        for _index in range(sizes.service_rounds):
            runs.append(_measured(load, service.run_once, rig, sizes.service_toggles))
        result = service.summarize(runs)
    elif step == "burst":
        for index in range(sizes.burst_repeats):
            runs.append(_measured(load, burst.run_once, rig, sizes.burst_changes, index + 1))
            time.sleep(1)
        result = burst.summarize(runs)
    else:
        for _index in range(sizes.reconnect_repeats):
            runs.append(_measured(load, reconnect.run_once, rig, sizes.outage_s))
            time.sleep(2)
        result = reconnect.summarize(runs)
    result.load = load
    return result


def main(argv: list[str] | None = None) -> int:
    """Run all (or some) measurements and print the summary table (`hub ...`: the hub's)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["hub"]:
        return hub.main(argv[1:])
    parser = argparse.ArgumentParser(prog="script/bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for development")
    parser.add_argument(
        "--only",
        default=",".join(STEPS),
        help=f"subset of {','.join(STEPS)} (the initial mirror always runs: the rest needs it)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the processes' directories")
    args = parser.parse_args(argv)
    steps = [step for step in args.only.split(",") if step]
    if unknown := set(steps) - {*STEPS, "initial"}:
        parser.error(f"unknown measurements: {', '.join(sorted(unknown))}")
    sizes, mode = (QUICK, "quick") if args.quick else (FULL, "full")
    results = RESULTS / "quick" if args.quick else RESULTS
    machine = machine_facts()
    measurements: list[Measurement] = []
    try:
        with (
            work_directory("remote_mtls_bench_", args.keep) as directory,
            running_rig(directory) as rig,
        ):
            log(f"{mode} run, {sizes.entities} extra remote entities; work directory {directory}")
            log(f"remote HA on {rig.remote.url}, nginx mTLS proxy on {rig.proxy_url}")
            measurements.append(_initial(rig, sizes))
            for step in (step for step in STEPS if step in steps):
                log(f"{step} ...")
                measurements.append(_step(rig, sizes, step))
    except KeyboardInterrupt:
        log("interrupted; every process was stopped")
        return 130
    for measurement in measurements:
        write_measurement(results, measurement, mode, machine)
    print(write_summary(results))
    log(f"results in {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
