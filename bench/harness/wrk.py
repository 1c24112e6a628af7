"""Closed-loop load with wrk (Debian package ``wrk``), the generator the targets were set with.

wrk spends far less CPU per request than a Python client, which matters when the
server, the database and the load share two cores. :func:`closed` falls back to
:func:`bench.harness.load.closed_loop` when wrk is not installed (and says so).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from bench.harness.load import Call, LoadResult, captcha_pair, closed_loop, take_from

SCRIPT = Path(__file__).with_name("wrk.lua")
THREADS, CONNECTIONS = 2, 32  # as the targets were measured: wrk -t2 -c32
INSTALL_HINT = "apt-get install wrk"


def available() -> bool:
    """Whether wrk is on the PATH."""
    return shutil.which("wrk") is not None


def generator() -> str:
    """Which closed-loop generator this run uses, for the table's header."""
    if available():
        return f"wrk -t{THREADS} -c{CONNECTIONS}"
    return f"Python threads ×{CONNECTIONS} (wrk not found: {INSTALL_HINT})"


def closed(base: str, calls: list[Call], mode: str, seconds: float) -> LoadResult:
    """Load ``base`` for ``seconds``: mode "cycle", "once" (each call once) or "captcha"."""
    if available():
        return _wrk(base, calls, mode, seconds)
    if mode == "captcha":
        pair = lambda client: captcha_pair(client, calls[0])  # noqa: E731
        return closed_loop(base, pair, CONNECTIONS, seconds)
    feed = iter(calls) if mode == "once" else _forever(calls)
    return closed_loop(base, take_from(feed), CONNECTIONS, seconds)


def _forever(calls: list[Call]):
    while True:
        yield from calls


def issued_ids(base: str, issue: Call, count: int) -> list[str]:
    """The ids of ``count`` objects made by sending ``issue`` that often (201 replies)."""
    with tempfile.TemporaryDirectory() as tmp:
        # Replies in flight when a thread stops are not read: ask for that many more.
        _wrk(base, [issue] * (count + 2 * CONNECTIONS), "once", 600, {"BENCH_OUT": f"{tmp}/ids"})
        return [i for path in Path(tmp).glob("ids.*") for i in path.read_text().split()]


def _wrk(
    base: str, calls: list[Call], mode: str, seconds: float, extra: dict[str, str] | None = None
) -> LoadResult:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "calls"
        script.write_text("".join(f"{c.method}\t{c.path}\t{c.body.decode()}\n" for c in calls))
        env = {**os.environ, "BENCH_CALLS": str(script), "BENCH_MODE": mode}
        env.update(BENCH_THREADS=str(THREADS), BENCH_STOPPED=f"{tmp}/stopped", **(extra or {}))
        command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s"]
        command += ["--timeout", "10s", "-s", str(SCRIPT), base]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        try:
            _interrupt_when_stopped(process, Path(tmp))
            output = process.communicate(timeout=seconds + 30)[0]
        finally:
            if process.poll() is None:
                process.kill()
    if process.returncode != 0:
        raise RuntimeError(f"wrk exited with {process.returncode}:\n{output}")
    return _parse(output, mode)


def _interrupt_when_stopped(process: subprocess.Popen, tmp: Path) -> None:
    # wrk sleeps out its whole duration even when every thread stopped (all calls sent
    # once): its SIGINT ends the sleep, and the summary's duration ends there.
    while process.poll() is None:
        if len(list(tmp.glob("stopped.*"))) >= THREADS:
            process.send_signal(signal.SIGINT)
            return
        time.sleep(0.02)


def _parse(output: str, mode: str) -> LoadResult:
    line = next((x for x in output.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    good, pairs, errors, duration_us, p50_us, p99_us = (int(x) for x in line.split()[1:])
    return LoadResult(
        done=pairs if mode == "captcha" else good,
        seconds=duration_us / 1e6,
        errors=errors,
        p50=p50_us / 1e6,
        p99=p99_us / 1e6,
    )
