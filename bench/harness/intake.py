"""Intake: ``POST /api/v1/comments`` against handlers that only parse, commit and push.

Per database: the bare LPUSH handler; then the INSERT + COMMIT + LPUSH handler and the
service in turns, the service with captchas issued through its API beforehand and
answered from Redis (each captcha is good for one comment, so each body is sent once).
Then the service again, open-loop at half the peak it reached, for its p99.
"""

from __future__ import annotations

import sys
import time

from bench.harness import wrk
from bench.harness.load import Call, Turns, open_loop
from bench.harness.plan import Plan
from bench.harness.table import Row, judged
from bench.harness.tail import slow_in_log, slow_replies
from bench.harness.world import answered_captchas, comment_body, world

TARGET, STRETCH, P99_MS = 0.5, 0.65, 50
MAX_CAPTCHAS = 6_000  # issued (drawn) beforehand, about 700 a second here
TURNS = 4  # the commit handler and the service take turns


def run(plan: Plan) -> list[Row]:
    """The intake rows, per database."""
    rows: list[Row] = []
    for backend in plan.backends:
        with world(backend) as here:
            rows += _measure(plan, here)
    return rows


def _measure(plan: Plan, here) -> list[Row]:
    part, seconds = f"intake ({here.backend})", plan.load_seconds
    baseline, web = here.start_baseline(), here.start_web()
    plain = [Call("POST", "/lpush", comment_body(i)) for i in range(100)]
    lpush = wrk.closed(baseline, plain, "cycle", seconds)
    committing = [Call("POST", "/commit", c.body) for c in plain]
    commits, services = _alternated(here, baseline, committing, web, plan.turn_seconds)
    turns = Turns.of(commits, services)
    commit, service = turns.baseline, turns.measure
    half, tail_seconds = max(1.0, service.rate / 2), plan.tail_seconds
    paced = _comments(web, here, int(half * tail_seconds) + 10)
    since = time.time()
    tail = open_loop(web, lambda client, i: client.send(paced[i]), half, tail_seconds)
    if tail.p99 * 1000 >= P99_MS:
        _tell_tail(here, tail, since)
    return [
        Row(part, "bare handler: parse + LPUSH", f"{lpush.rate:,.0f} req/s"),
        Row(part, "handler: parse + INSERT/COMMIT + LPUSH", f"{commit.rate:,.0f} req/s"),
        judged(
            part,
            "POST /api/v1/comments",
            f"{service.rate:,.0f} req/s; median turn {turns.median:.2f}× the commit handler"
            f"{turns.spread()}{_errors(service)}",
            f"≥ {TARGET}× (stretch {STRETCH}×)",
            turns.median >= TARGET and service.errors == 0,
        ),
        judged(
            part,
            f"p99 at half the peak ({half:,.0f}/s open loop, {tail_seconds:g} s)",
            f"{tail.p99 * 1000:.1f} ms (p50 {tail.p50 * 1000:.1f}){_errors(tail)}",
            f"< {P99_MS} ms",
            tail.p99 * 1000 < P99_MS and tail.errors == 0,
        ),
    ]


def _alternated(here, baseline: str, committing: list[Call], web: str, span: float):
    """The commit handler and the service, ``TURNS`` turns of ``span`` seconds each.

    This host's speed drifts by a fifth within a minute; side by side, a drift weighs on
    both rates of a turn alike rather than on one of them. The commit handler's rate also
    moves from one turn to the next (a stall in its commit waits weighs on it more than on
    the service, busy with its own work): the median of four turns is not moved by one
    such turn more than by any other (:class:`bench.harness.load.Turns`).
    """
    commits = [wrk.closed(baseline, committing, "cycle", span)]
    # Enough for the service's turns at up to 0.7× the commit handler; a faster service
    # runs out of captchas sooner and its turn ends there (its rate counts from the replies).
    share = min(MAX_CAPTCHAS, int(commits[0].rate * span * TURNS * 0.7) + 100) // TURNS
    calls = _comments(web, here, share * TURNS)
    services = []
    for turn in range(TURNS):
        if turn:
            commits.append(wrk.closed(baseline, committing, "cycle", span))
        services.append(wrk.closed(web, calls[turn * share : (turn + 1) * share], "once", span))
    return commits, services


def _tell_tail(here, tail, since: float) -> None:
    """On stderr: where a missed p99's slow replies came from (bench/README.md, intake)."""
    over = P99_MS / 1000
    print(
        f"  intake ({here.backend}) p99 missed: {slow_replies(tail.replies, over)};",
        file=sys.stderr,
    )
    log = slow_in_log(here.workdir / "web.log", "POST /api/v1/comments", since, over)
    print(f"    {log}", file=sys.stderr, flush=True)


def _comments(web: str, here, count: int) -> list[Call]:
    captchas = answered_captchas(web, here.redis, count)
    return [
        Call("POST", "/api/v1/comments", comment_body(i, captcha))
        for i, captcha in enumerate(captchas)
    ]


def _errors(result) -> str:
    return f", {result.errors} errors" if result.errors else ""
