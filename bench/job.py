"""The whole scoring job with its I/O: Redis queue, database reads and writes.

Runs real RQ workers against a private redis-server and a SQLite file (and
PostgreSQL when BENCH_DATABASE_URL is set), with a model trained on the
project's Vietnamese training split stored as the global prior, so the number
includes job (de)serialisation, the model, the verdict transaction and the
recent-activity memory. Two workers: the batch worker ``commentgate worker``
runs (up to 50 jobs taken, scored and committed at once, in process), and RQ's
in-process SimpleWorker, one job and one transaction at a time. Intake is
measured beside it through the Flask app (captcha + validation + commit +
enqueue per comment).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import redis
from rq import SimpleWorker, Worker

from bench.result import Result
from commentgate.config import Settings
from commentgate.queue import enqueue_moderation
from commentgate.storage.db import make_engine, make_session_factory, transaction
from commentgate.storage.migrate import upgrade
from commentgate.storage.models import Comment
from commentgate.storage.sites import ensure_site
from tests.services import RedisServer
from workers.batch_worker import BatchWorker
from workers.jobs import warm_up
from workers.model_store import ModelStore
from workers.runtime import build_runtime, install
from workers.scoring.corpus import read_corpus
from workers.scoring.training import train

COMMENTS = 500
TRAIN = Path(__file__).resolve().parents[1] / "data" / "vi_comments.train.jsonl"
TEXT = "Bài viết rất hay, cảm ơn tác giả đã phản ánh kịp thời tình hình giao thông số {i}."


def _database_url(workdir: Path) -> str:
    return os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"


def _seed(sessions, count: int) -> list[str]:
    with transaction(sessions) as session:
        site, _ = ensure_site(session, "bench")
        comments = [
            Comment(
                site_id=site.id,
                article=f"a{i % 20}",
                name="Độc giả",
                title="Ý kiến",
                content=TEXT.format(i=i),
                ip=f"10.0.{i % 250}.1",
                submit_seconds=30.0,
            )
            for i in range(count)
        ]
        session.add_all(comments)
    return [c.id for c in comments]


def _store_prior(sessions, client: redis.Redis) -> None:
    model = train(read_corpus([TRAIN]), version="bench-prior")
    with transaction(sessions) as session:
        ModelStore(sessions, client).save(
            session, model, site_id=None, examples=0, last_decision_id=0
        )


def _jobs_per_second(settings: Settings, client: redis.Redis, worker_class: type[Worker]) -> float:
    # Set up as a process of `commentgate worker` is: word lists and matchers loaded, an
    # engine of its own, no model loaded yet.
    warm_up()
    runtime = build_runtime(settings, client)
    install(runtime)
    for comment_id in _seed(runtime.sessions, COMMENTS):
        enqueue_moderation(runtime.queue, comment_id)
    started = time.perf_counter()
    worker_class([runtime.queue], connection=client).work(burst=True, logging_level="WARNING")
    return COMMENTS / (time.perf_counter() - started)


def _intake_per_second(settings: Settings, sessions, client: redis.Redis) -> float:
    from service.app import create_app

    app = create_app(settings, redis_client=client, sessions=sessions)
    web = app.test_client()
    captchas = app.extensions["commentgate"].captchas
    started = time.perf_counter()
    for i in range(COMMENTS):
        issued = web.post("/api/v1/captchas?site=bench")
        assert issued.status_code == 201, (i, issued.status_code, issued.json)
        captcha_id = issued.json["id"]
        body = {
            "site": "bench",
            "article": "a1",
            "name": "An",
            "title": "Ý kiến",
            "content": TEXT.format(i=i),
            "captcha_id": captcha_id,
            "captcha_answer": captchas.answer(captcha_id),
        }
        assert web.post("/api/v1/comments", json=body).status_code == 202
    return COMMENTS / (time.perf_counter() - started)


def run() -> list[Result]:
    """Jobs/s through a real worker, and comments/s through intake."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        server = RedisServer(workdir / "redis").start()
        try:
            url = _database_url(workdir)
            upgrade(url)
            settings = Settings(
                var_dir=workdir,
                redis_url=server.url,
                database_url=url,
                rate_limits="100000/minute",
                site_rate_limits="100000/minute",
            )
            sessions = make_session_factory(make_engine(url))
            client = redis.Redis.from_url(server.url)
            _store_prior(sessions, client)
            backend = url.split(":", 1)[0].split("+", 1)[0]
            return [
                Result(
                    f"job: score + I/O, batch worker ({backend})",
                    _jobs_per_second(settings, client, BatchWorker),
                    "comments/s",
                ),
                Result(
                    f"job: score + I/O, one by one, SimpleWorker ({backend})",
                    _jobs_per_second(settings, client, SimpleWorker),
                    "comments/s",
                ),
                Result(
                    f"intake: captcha + POST ({backend})",
                    _intake_per_second(settings, sessions, client),
                    "comments/s",
                ),
            ]
        finally:
            server.stop()
