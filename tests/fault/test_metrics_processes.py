"""/metrics adds up every process: two gunicorn workers and a supervised worker process."""

from __future__ import annotations

import json

from tests.services import free_port, wait_for
from tests.stack import http, outcome_counts, submit
from tests.test_ops import metric


def total(text: str, name: str) -> float:
    """The sum of one metric over all its labels."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


def _scored(stack) -> float:
    text = http("GET", f"{stack.base}/metrics").raw.decode()
    return metric(text, "commentgate_scoring_latency_seconds_count")


def test_metrics_add_up_across_web_and_worker_processes(stack, redis_conn, engine):
    stack.extra_env["COMMENTGATE_WORKER_METRICS_PORT"] = str(free_port())
    stack.start_web(workers=2)
    accepted = {submit(stack, redis_conn, n).body["id"] for n in range(12)}
    waiting = http("GET", f"{stack.base}/metrics").raw.decode()
    assert metric(waiting, 'commentgate_queue_jobs{queue="moderation",state="queued"}') == 12
    assert metric(waiting, 'commentgate_queue_oldest_job_age_seconds{queue="moderation"}') > 0
    assert metric(waiting, 'commentgate_comments{status="received"}') == 12
    assert metric(waiting, "commentgate_workers_alive") == 0
    stack.start_worker()
    wait_for(lambda: outcome_counts(engine, accepted)["lost"] == 0, what="scoring")
    # The worker records its metrics just after committing the verdicts.
    wait_for(lambda: _scored(stack) == 12, what="the worker's metrics")
    seen = []
    for _ in range(8):  # several scrapes, answered by either web process
        reply = http("GET", f"{stack.base}/metrics")
        text = reply.raw.decode()
        seen.append(metric(text, 'commentgate_comments_accepted_total{site="demo"}'))
        assert metric(text, "commentgate_scoring_latency_seconds_count") == 12
        assert total(text, "commentgate_comments_scored_total") == 12
        assert metric(text, 'commentgate_comments{status="received"}') == 0
        assert metric(text, 'commentgate_queue_jobs{queue="moderation",state="queued"}') == 0
        assert metric(text, "commentgate_workers_alive") == 1
        assert metric(text, 'commentgate_captchas_total{event="solved"}') == 12
    assert seen == [12.0] * 8
    worker_metrics = http(
        "GET", f"http://127.0.0.1:{stack.extra_env['COMMENTGATE_WORKER_METRICS_PORT']}/"
    )
    assert metric(worker_metrics.raw.decode(), "commentgate_scoring_latency_seconds_count") == 12
    files = sorted(p.name for p in (stack.workdir / "var" / "metrics").glob("*.db"))
    horse_files = [name for name in files if "-jobs" in name]
    assert not horse_files, files  # scoring jobs run in the worker process: no fork per job


def test_gunicorn_writes_each_answers_access_line_and_count_once_it_is_sent(stack):
    stack.start_web(workers=2)
    ids = [f"sent-{n}" for n in range(10)]
    for request_id in ids:
        reply = http("GET", f"{stack.base}/healthz", headers={"X-Request-ID": request_id})
        assert reply.status == 200

    def logged() -> list[str]:
        """The request ids of the /healthz answers in the access log (the start's checks too)."""
        written = stack.log_text("web").rpartition("\n")[0]  # whole lines: one may be half written
        entries = [json.loads(line) for line in written.splitlines() if line[:1] == "{"]
        return [
            e.get("request_id", "")
            for e in entries
            if e.get("logger") == "commentgate.access" and e["message"] == "GET /healthz 200"
        ]

    def counted() -> float:
        endpoint = 'commentgate_http_requests_total{code="200",endpoint="/healthz",method="GET"}'
        return metric(http("GET", f"{stack.base}/metrics").raw.decode(), endpoint)

    wait_for(lambda: set(ids) <= set(logged()), what="the access lines")
    # Each answer is counted just before its line is written, after it was sent.
    wait_for(lambda: counted() == len(logged()), what="the counts of the lines written")
