"""``make bench`` cannot rot: its baseline server, load generators and table work (no timings)."""

from __future__ import annotations

import json

import pytest

from bench.harness import wrk
from bench.harness.captcha import PoolSampler
from bench.harness.load import Call, captcha_pair, closed_loop, open_loop, take_from
from bench.harness.main import parse
from bench.harness.memory import rss_mb
from bench.harness.table import FAIL, PASS, Row, failures, judged, render
from bench.harness.world import comment_body, world
from commentgate.captcha import CaptchaKind, pool_key
from tests.services import wait_for


@pytest.fixture(scope="module")
def baseline():
    """The baseline handlers under gunicorn, on a private Redis and a SQLite file."""
    with world("sqlite") as here:
        yield here, here.start_baseline()


def test_baseline_handlers_answer_the_python_load(baseline):
    here, base = baseline
    calls = iter([Call("POST", "/commit", comment_body(i)) for i in range(20)])
    committed = closed_loop(base, take_from(calls), connections=4, seconds=60)
    assert (committed.done, committed.errors) == (20, 0)  # every call once, then it stops
    assert here.redis.llen("bench:baseline") == 20
    paced = open_loop(base, lambda client, i: client.send(Call("GET", "/healthz")), 50, 0.2)
    assert [i for i, _, _ in paced.replies] == list(range(10))
    assert paced.done == 10 and paced.p99 >= paced.p50 > 0
    assert all(0 <= r.sent_late < r.seconds for _, _, r in paced.replies)  # sent, then answered


def test_a_captcha_pair_fetches_the_picture_it_was_given(baseline):
    _, base = baseline
    result = closed_loop(
        base, lambda client: captcha_pair(client, Call("POST", "/captchas")), 1, 0.3
    )
    assert result.done >= 1 and result.errors == 0


@pytest.mark.skipif(not wrk.available(), reason="wrk is not installed")
def test_wrk_sends_each_call_once_and_reports(baseline):
    here, base = baseline
    before = here.redis.llen("bench:baseline")
    calls = [Call("POST", "/lpush", comment_body(i)) for i in range(200)]
    result = wrk.closed(base, calls, "once", 30)
    # One call is spent when wrk checks the script; replies in flight at the end are cut.
    pushed = here.redis.llen("bench:baseline") - before
    assert 200 - wrk.CONNECTIONS <= pushed <= 200
    assert result.done > 0 and result.seconds < 30  # stopped when the calls ran out
    pairs = wrk.closed(base, [Call("POST", "/captchas")], "captcha", 1)
    assert pairs.done > 0 and pairs.errors == 0


def test_the_pool_sampler_reads_the_services_pool(baseline):
    here, _ = baseline
    here.redis.rpush(pool_key(CaptchaKind.IMAGE), "a", "b", "c")
    sampler = PoolSampler(here.redis).start()
    wait_for(lambda: sampler.largest == 3, what="a sample of the full pool")
    here.redis.lpop(pool_key(CaptchaKind.IMAGE))
    wait_for(lambda: sampler.smallest == 2, what="a sample after one was taken")
    sampler.stop()
    assert (sampler.smallest, sampler.largest) == (2, 3)


def test_the_table_renders_verdicts_and_counts_misses(baseline):
    here, _ = baseline
    rows = [
        Row("intake", "bare handler", "2,800 req/s"),
        judged("intake", "POST", "0.3×", "≥ 0.5×", False),
        judged("worker", "rate", "120 jobs/s", "≥ 100", True),
        judged("captcha", "pool", "not available", "never empty", None),
    ]
    table = render(rows).splitlines()
    assert len(table) == 6 and all(line.startswith("| ") for line in table)
    assert [line.rsplit("|", 2)[1].strip() for line in table[2:]] == ["-", FAIL, PASS, "-"]
    assert failures(rows) == 1
    assert rss_mb(here.pid("baseline")) > 0


def test_the_command_line_picks_parts():
    assert parse(["--quick", "--only", "intake,worker"]).parts == ("intake", "worker")
    with pytest.raises(SystemExit):
        parse(["--only", "intake,nonsense"])
    assert json.loads(comment_body(1, ("id", "ANSWER")))["captcha_answer"] == "ANSWER"


def _access_line(formatter, request: str, duration_ms: float, created: float, pid: int) -> str:
    import logging

    record = logging.LogRecord("commentgate.access", logging.INFO, __file__, 1, request, None, None)
    record.created, record.process, record.duration_ms = created, pid, duration_ms
    return formatter.format(record)


def test_a_missed_tail_is_told_by_worker_and_by_second(tmp_path):
    from bench.harness.load import Reply
    from bench.harness.tail import slow_in_log, slow_replies
    from commentgate.logging import JsonFormatter

    formatter = JsonFormatter()
    post = "POST /api/v1/comments 202"
    lines = [
        _access_line(formatter, post, 120.0, 1000.5, 11),  # before the run: not counted
        _access_line(formatter, post, 4.0, 1001.0, 11),
        _access_line(formatter, post, 80.0, 1001.2, 12),
        _access_line(formatter, post, 95.0, 1001.3, 12),
        _access_line(formatter, post, 60.0, 1002.0, 11),
        _access_line(formatter, "GET /api/v1/comments 200", 500.0, 1002.0, 11),
    ]
    log = tmp_path / "web.log"
    log.write_text("[gunicorn] booting\n" + "\n".join(lines) + "\n")
    told = slow_in_log(log, "POST /api/v1/comments", since=1000.9, over=0.05)
    assert told.startswith("3 of 4 logged requests held over 50 ms")
    assert "longest 95 ms" in told and "12: 2, 11: 1" in told
    assert slow_in_log(log, "POST /api/v1/comments", since=1000.9, over=0.1).startswith("none")

    replies = [
        (i, 2000.0 + i / 10, Reply(202, b"", 0.2 if i in (3, 4, 25) else 0.01, 0.03 * (i == 4)))
        for i in range(30)
    ]
    told = slow_replies(replies, over=0.05)
    assert told.startswith("3 replies over 50 ms in 2 s of the run")
    assert "most in one second: 2, at +0 s" in told and "slowest 200 ms" in told
    assert "1 sent over 25 ms late by the client" in told
    assert slow_replies(replies[:3], over=0.05) == "no reply over 50 ms"


def test_json_log_lines_name_their_process():
    import logging
    import os

    from commentgate.logging import JsonFormatter

    record = logging.LogRecord("commentgate.access", logging.INFO, __file__, 1, "x", None, None)
    assert json.loads(JsonFormatter().format(record))["pid"] == os.getpid()


def _results(*done: int) -> list:
    from bench.harness.load import LoadResult

    return [LoadResult(done=n, seconds=1.0, errors=0) for n in done]


def test_turns_judge_by_the_median_turn_and_show_the_spread_and_the_whole():
    from bench.harness.load import Turns

    turns = Turns.of(_results(100, 200, 100), _results(60, 90, 55))
    assert turns.ratios == pytest.approx((0.6, 0.45, 0.55))
    assert turns.median == 0.55
    assert turns.spread() == " (turns 0.45-0.60×, all together 0.51×)"
    assert Turns.of(_results(100), _results(60)).spread() == ""


def test_one_stalled_turn_moves_the_median_no_more_than_the_whole():
    from bench.harness.load import Turns

    steady = Turns.of(_results(400, 400, 400, 400, 400), _results(900, 900, 900, 900, 900))
    # The host stops for half a second in one of the service's turns.
    stalled = Turns.of(_results(400, 400, 400, 400, 400), _results(900, 450, 900, 900, 900))
    assert steady.median == stalled.median == 2.25
    assert stalled.overall == pytest.approx(2.025)
