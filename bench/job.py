"""The whole scoring job with its I/O: Redis queue, database reads and writes.

Runs a real RQ SimpleWorker against a private redis-server and a SQLite file
(and PostgreSQL when BENCH_DATABASE_URL is set), so the number includes job
(de)serialisation, the verdict transaction and the recent-activity memory.
Intake is measured beside it through the Flask app (captcha + validation +
commit + enqueue per comment).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import redis
from rq import SimpleWorker

from bench.result import Result
from commentgate.config import Settings
from commentgate.queue import enqueue_moderation
from commentgate.storage.db import make_engine, make_session_factory, transaction
from commentgate.storage.migrate import upgrade
from commentgate.storage.models import Comment
from commentgate.storage.sites import ensure_site
from tests.services import RedisServer
from workers.runtime import install, runtime_for

COMMENTS = 500
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


def _jobs_per_second(settings: Settings, sessions, client: redis.Redis) -> float:
    runtime = runtime_for(settings, sessions, client)
    install(runtime)
    for comment_id in _seed(sessions, COMMENTS):
        enqueue_moderation(runtime.queue, comment_id)
    started = time.perf_counter()
    SimpleWorker([runtime.queue], connection=client).work(burst=True, logging_level="WARNING")
    return COMMENTS / (time.perf_counter() - started)


def _intake_per_second(settings: Settings, sessions, client: redis.Redis) -> float:
    from service.app import create_app

    app = create_app(settings, redis_client=client, sessions=sessions)
    web = app.test_client()
    captchas = app.extensions["commentgate"].captchas
    started = time.perf_counter()
    for i in range(COMMENTS):
        issued = web.post("/api/v1/captchas")
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
            backend = url.split(":", 1)[0].split("+", 1)[0]
            return [
                Result(
                    f"job: score + I/O ({backend})",
                    _jobs_per_second(settings, sessions, client),
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
