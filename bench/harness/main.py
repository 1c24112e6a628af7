"""``python -m bench [--quick] [--only intake,worker,…]``: run the targets, print one table."""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import signal
import sys
import time
import traceback

from bench.harness import wrk
from bench.harness.plan import PARTS, Plan, make_plan
from bench.harness.table import FAIL, Row, failures, render
from bench.harness.world import LIMIT, RAISED_LIMITS, WEB_WORKERS


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line of ``make bench``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short smoke run (seconds)")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts of: {', '.join(PARTS)}"
    )
    args = parser.parse_args(argv)
    args.parts = tuple(p for p in args.only.split(",") if p)
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    return args


def header(plan: Plan) -> str:
    """The conditions of the run, printed above the table."""
    from commentgate.config import Settings
    from launch.gunicorn_app import gunicorn_options

    options = gunicorn_options(Settings(), WEB_WORKERS)
    gunicorn = f"{options['worker_class']} ×{options['workers']}, {options['threads']} threads"
    lines = [
        f"machine: {_cpu()} ×{os.cpu_count()}, Python {platform.python_version()},"
        f" load average {os.getloadavg()[0]:.2f} at start",
        f"databases: {', '.join(plan.backends)}"
        + ("" if plan.postgres else " (PostgreSQL not reachable: skipped)"),
        f"gunicorn (service and baselines): {gunicorn}",
        f"closed-loop load: {wrk.generator()}; open-loop load: Python threads, sends on schedule",
        f"rate limits raised to {LIMIT}: {', '.join(sorted(RAISED_LIMITS))}",
        "captcha pool: off (captchas drawn on demand) except in the captcha part",
    ]
    if plan.quick:
        lines.append("--quick: a smoke run; its figures are not the targets' measurements")
    return "\n".join(lines)


def _cpu() -> str:
    try:
        for line in open("/proc/cpuinfo"):  # noqa: SIM115 (read to the first match)
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def run_part(name: str, plan: Plan) -> list[Row]:
    """One part's rows; a part that fails becomes a failing row, and the others still run."""
    started = time.monotonic()
    print(f"running {name} ...", file=sys.stderr, flush=True)
    try:
        rows = importlib.import_module(f"bench.harness.{name}").run(plan)
    except Exception as exc:  # noqa: BLE001 (reported in the table, traceback on stderr)
        traceback.print_exc()
        rows = [Row(name, "the part failed", f"{type(exc).__name__}: {exc}"[:120], "", FAIL)]
    print(f"  {name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return rows


def _stop_on_signals() -> None:
    # SIGTERM unwinds like Ctrl-C, so every process and database of the run is cleaned up;
    # SIGINT too when the shell that started us in the background ignored it for us.
    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def main(argv: list[str]) -> int:
    """Run the chosen parts and print the table; 1 when a target was missed."""
    args = parse(argv)
    _stop_on_signals()
    plan = make_plan(args.parts, args.quick)
    started = time.monotonic()
    print(header(plan), flush=True)
    try:
        rows = [row for name in plan.parts for row in run_part(name, plan)]
    except KeyboardInterrupt:
        print("interrupted: every process and database of the run was stopped", file=sys.stderr)
        return 130
    print(render(rows))
    print(f"{failures(rows)} target(s) missed; {time.monotonic() - started:.0f} s in all")
    return 1 if failures(rows) else 0
