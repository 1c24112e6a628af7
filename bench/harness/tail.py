"""Where an open-loop run's slow replies came from, told from the client's side and the server's.

A reply is slow for the client from when it was due; the service's access log says how
long Flask held the request (``duration_ms``) and which gunicorn worker did (``pid``).
Sent late: the load generator itself stalled (its threads off the CPU) and the request
left after it was due. Slow for the client but neither sent late nor in the log: the
request waited before Flask saw it (every thread busy, a worker process off the CPU).
Slow in the log: the work itself stalled, in one worker or in all of them, at one
moment or spread over the run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from bench.harness.load import Reply


def slow_replies(replies: Iterable[tuple[int, float, Reply]], over: float) -> str:
    """The replies slower than ``over`` seconds: how many, and in how many seconds of the run."""
    slow = [(at, reply) for _i, at, reply in replies if reply.seconds > over]
    if not slow:
        return f"no reply over {over * 1000:.0f} ms"
    start = min(at for at, _reply in slow)
    seconds = Counter(int(at - start) for at, _reply in slow)
    busiest, most = seconds.most_common(1)[0]
    sent_late = sum(reply.sent_late > over / 2 for _at, reply in slow)
    return (
        f"{len(slow)} replies over {over * 1000:.0f} ms in {len(seconds)} s of the run"
        f" (most in one second: {most}, at +{busiest} s; slowest {_slowest(slow):.0f} ms;"
        f" {sent_late} sent over {over * 500:.0f} ms late by the client)"
    )


def slow_in_log(log: Path, request: str, since: float, over: float) -> str:
    """The log's ``request`` lines (``"POST /api/v1/comments"``) since ``since`` (Unix time)
    that Flask held longer than ``over`` seconds: how many, and in which worker."""
    held = [entry for entry in _access_entries(log, request) if entry["at"] >= since]
    slow = [entry for entry in held if entry["duration_ms"] > over * 1000]
    if not slow:
        return f"none of {len(held):,} logged requests held over {over * 1000:.0f} ms by Flask"
    workers = Counter(entry.get("pid", "?") for entry in slow)
    shares = ", ".join(f"{pid}: {n}" for pid, n in workers.most_common())
    longest = max(entry["duration_ms"] for entry in slow)
    return (
        f"{len(slow)} of {len(held):,} logged requests held over {over * 1000:.0f} ms by Flask"
        f" (longest {longest:.0f} ms; by worker pid {shares})"
    )


def _access_entries(log: Path, request: str) -> list[dict]:
    entries = []
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("logger") == "commentgate.access" and entry.get("message", "").startswith(
            request
        ):
            entry["at"] = datetime.fromisoformat(entry["ts"]).timestamp()
            entries.append(entry)
    return entries


def _slowest(slow: list[tuple[float, Reply]]) -> float:
    return max(reply.seconds for _at, reply in slow) * 1000
