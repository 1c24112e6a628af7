"""Every metric commentgate records, in one place, with what it means.

Counters and histograms are recorded where things happen (web processes and
work-horses) and add up across processes through
:mod:`commentgate.multiprocess`. Queue, worker and comment-status gauges are
read from Redis and the database when ``/metrics`` is scraped; see
``service/ops/metrics.py``.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_QUEUE = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600)
_HUMAN = (10, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 3 * 86400)

HTTP_REQUESTS = Counter(
    "commentgate_http_requests",
    "HTTP requests answered, by route, method and status code.",
    ["endpoint", "method", "code"],
)
HTTP_SECONDS = Histogram(
    "commentgate_http_request_duration_seconds",
    "Time to answer an HTTP request, by route and method.",
    ["endpoint", "method"],
    buckets=_FAST,
)
COMMENTS_ACCEPTED = Counter(
    "commentgate_comments_accepted", "Comments stored and answered 202, by site.", ["site"]
)
COMMENTS_SCORED = Counter(
    "commentgate_comments_scored", "Verdicts committed by workers, by the status given.", ["status"]
)
SCORING_SECONDS = Histogram(
    "commentgate_scoring_latency_seconds",
    "From a comment's acceptance (202) to its committed verdict.",
    buckets=_QUEUE,
)
DECISION_SECONDS = Histogram(
    "commentgate_decision_latency_seconds",
    "From a comment's verdict to a moderator's first decision on it.",
    buckets=_HUMAN,
)
DECISIONS = Counter(
    "commentgate_decisions",
    "Moderator decisions; overrides_score is true when the decision contradicts the "
    "verdict (approving what was scored spam, or rejecting as spam what was not).",
    ["action", "overrides_score"],
)
JOBS = Counter(
    "commentgate_jobs",
    "Scoring job runs, by outcome (scored, skipped, missing, error).",
    ["outcome"],
)
CAPTCHAS = Counter(
    "commentgate_captchas", "Captchas by event: issued, solved, failed, expired.", ["event"]
)
WEBHOOK_DELIVERIES = Counter(
    "commentgate_webhook_deliveries",
    "Webhook deliveries by outcome (ok, refused: non-2xx, error, timeout, blocked: refused URL).",
    ["outcome"],
)
SWEEP_REQUEUED = Counter(
    "commentgate_sweep_requeued",
    "Comments the sweep queued again, by reason (lost, failed, abandoned, stranded).",
    ["reason"],
)
DEPENDENCY_ERRORS = Counter(
    "commentgate_dependency_errors",
    "Requests answered 503 because a dependency failed, by dependency (redis, database).",
    ["dependency"],
)
RATE_LIMITS_SKIPPED = Counter(
    "commentgate_rate_limits_skipped",
    "Rate-limit checks let through because Redis could not count (an outage), by operation "
    "(hit: count one, test: look, window: read what is left).",
    ["operation"],
)
