"""One world per measurement: a private Redis, a fresh database, and the processes under test.

Every part starts from empty storage, so what one part leaves queued or cached never
disturbs the next. Processes are started as production starts them (``commentgate web``,
``commentgate worker``) in process groups of their own, and stopped on the way out,
whatever the way out is (a failure, Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis
from rq import Worker
from sqlalchemy import Engine, create_engine, text

from bench.harness import wrk
from bench.harness.load import Call, Client
from commentgate.captcha import captcha_key
from commentgate.queue import moderation_queue
from commentgate.storage.db import make_engine, make_session_factory, transaction
from commentgate.storage.migrate import upgrade
from commentgate.storage.sites import ensure_site
from tests.services import RedisServer, free_port, postgres_database, wait_for

SITE = "demo"
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
LIMIT = "1000000/minute"
# Raised out of the way: the targets measure the work, not the abuse limits' refusals.
RAISED_LIMITS = {
    "COMMENTGATE_RATE_LIMITS": LIMIT,
    "COMMENTGATE_SITE_RATE_LIMITS": LIMIT,
    "COMMENTGATE_READ_RATE_LIMITS": LIMIT,
}
WEB_WORKERS = 2
# Outside the captcha part, captchas are drawn on demand: a pool emptied by the captchas a
# part issues beforehand would have the worker drawing while its scoring is measured.
NO_POOL = {"COMMENTGATE_CAPTCHA_POOL_SIZE": "0"}


def postgres_reachable() -> bool:
    """Whether the machine's PostgreSQL answers at BENCH_POSTGRES_URL."""
    engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 (any failure means: skip PostgreSQL)
        return False
    finally:
        engine.dispose()


@dataclass
class World:
    """Storage and processes of one measurement."""

    backend: str
    workdir: Path
    redis_url: str
    database_url: str
    redis: redis.Redis
    settings: dict[str, str] = field(default_factory=dict)  # a part's own COMMENTGATE_*
    processes: dict[str, tuple[subprocess.Popen, int]] = field(default_factory=dict)
    _engine: Engine | None = None

    def env(self, port: int) -> dict[str, str]:
        """The environment of a process of ours: production settings, limits raised."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTGATE_")}
        env.update(RAISED_LIMITS)
        env.update(NO_POOL)
        env.update(self.settings)
        env.update(
            HOST="127.0.0.1",
            PORT=str(port),
            REDIS_URL=self.redis_url,
            DATABASE_URL=self.database_url,
            COMMENTGATE_VAR_DIR=str(self.workdir / "var"),
            COMMENTGATE_WEB_WORKERS=str(WEB_WORKERS),
        )
        return env

    def base(self, name: str = "web") -> str:
        """The URL of a started server."""
        return f"http://127.0.0.1:{self.processes[name][1]}"

    def start(self, name: str, *args: str) -> subprocess.Popen:
        """``python *args`` in its own process group, logging to workdir/<name>.log."""
        port = free_port()
        with open(self.workdir / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                [sys.executable, *args],
                env=self.env(port),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us only; we stop the group
            )
        self.processes[name] = (process, port)
        return process

    def start_web(self) -> str:
        """``commentgate web`` with WEB_WORKERS gunicorn workers; its base URL once it answers."""
        self.start("web", "-m", "launch", "web", "--workers", str(WEB_WORKERS))
        return self._answering("web")

    def start_baseline(self) -> str:
        """The baseline handlers under the same gunicorn settings; their base URL."""
        self.start("baseline", "-m", "bench.harness.baseline")
        return self._answering("baseline")

    def start_workers(self, count: int) -> None:
        """``count`` ``commentgate worker`` processes, returning once each is registered."""
        for i in range(count):
            self.start(f"worker-{i}", "-m", "launch", "worker")
        wait_for(lambda: self._workers() >= count, what="workers", timeout=120)

    def _workers(self) -> int:
        return len(Worker.all(connection=self.redis))

    def _answering(self, name: str) -> str:
        base = self.base(name)
        process = self.processes[name][0]

        def answers() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.workdir / name}.log")
            client = Client(base)
            try:
                return client.send(Call("GET", "/healthz")).status == 200
            finally:
                client.close()

        wait_for(answers, what=name, timeout=120, interval=0.2)
        return base

    def pid(self, name: str) -> int:
        """The process id of a started process."""
        return self.processes[name][0].pid

    def stop(self, name: str) -> None:
        """Stop a process group (gunicorn at once, a worker after its job); SIGKILL stragglers."""
        process, _ = self.processes.pop(name)
        # SIGINT is gunicorn's quick shutdown; its graceful one waits out keep-alive clients.
        quick = signal.SIGTERM if name.startswith("worker") else signal.SIGINT
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, quick)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        """Stop every process this world started."""
        for name in list(self.processes):
            self.stop(name)

    def queue_length(self) -> int:
        """Jobs waiting in the moderation queue."""
        return moderation_queue(self.redis).count

    def engine(self) -> Engine:
        """This process's engine on the world's database (disposed with the world)."""
        if self._engine is None:
            self._engine = make_engine(self.database_url)
        return self._engine

    def close(self) -> None:
        """Stop every process, and close our connections to the database."""
        self.stop_all()
        if self._engine is not None:
            self._engine.dispose()


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    """A new empty database: a SQLite file in ``workdir``, or one of its own on PostgreSQL."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    with postgres_database(POSTGRES_ADMIN_URL) as url:
        yield url


@contextmanager
def world(backend: str, model=None, settings: dict[str, str] | None = None) -> Iterator[World]:
    """A migrated database with the demo site (and ``model`` as the global prior), and Redis;
    the processes started get ``settings`` in their environment."""
    with tempfile.TemporaryDirectory(prefix="commentgate-bench-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        server = RedisServer(workdir / "redis").start()
        stack.callback(server.stop)
        url = stack.enter_context(database(backend, workdir))
        upgrade(url)
        client = redis.Redis.from_url(server.url)
        _seed(url, client, model)
        here = World(backend, workdir, server.url, url, client, dict(settings or {}))
        stack.callback(here.close)
        yield here


def _seed(url: str, client: redis.Redis, model) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        with transaction(sessions) as session:
            ensure_site(session, SITE)
        if model is not None:
            from workers.model_store import ModelStore

            with transaction(sessions) as session:
                ModelStore(sessions, client).save(
                    session, model, site_id=None, examples=0, last_decision_id=0
                )
    finally:
        engine.dispose()


def answered_captchas(base: str, client: redis.Redis, count: int) -> list[tuple[str, str]]:
    """``count`` captchas issued through the API, with their answers read from Redis."""
    issue = Call("POST", f"/api/v1/captchas?site={SITE}")
    ids = wrk.issued_ids(base, issue, count) if wrk.available() else _issued(base, issue, count)
    pipe = client.pipeline(transaction=False)
    for captcha_id in ids[:count]:
        pipe.hget(captcha_key(captcha_id), "answer")
    return [(i, a.decode()) for i, a in zip(ids, pipe.execute(), strict=False) if a]


def _issued(base: str, issue: Call, count: int) -> list[str]:
    ids: list[str] = []
    lock = threading.Lock()

    def issue_some(n: int) -> None:
        http = Client(base)
        try:
            for _ in range(n):
                reply = http.send(issue)
                if reply.status == 201:
                    with lock:
                        ids.append(json.loads(reply.body)["id"])
        finally:
            http.close()

    threads = [threading.Thread(target=issue_some, args=(count // 8 + 1,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ids


def comment_body(n: int, captcha: tuple[str, str] | None = None) -> bytes:
    """A comment of about 590 bytes of JSON, as the intake targets were set with."""
    body = {
        "site": SITE,
        "article": f"bai-viet-{n % 20}",
        "name": "Lê Thị Hoa",
        "phone": "0912 345 678",
        "title": f"Ý kiến số {n}",
        "content": (
            f"Bình luận thứ {n}: bài viết rất hay, cảm ơn tác giả đã phản ánh kịp thời tình hình "
            "giao thông ở khu vực này. Mong cơ quan chức năng sớm có biện pháp xử lý dứt điểm, "
            "vì người dân đi lại rất vất vả mỗi sáng. Tôi ở gần đó nhiều năm và chưa thấy ai đến "
            "kiểm tra, xin báo tiếp tục theo dõi."
        ),
    }
    if captcha:
        body.update(captcha_id=captcha[0], captcha_answer=captcha[1])
    return json.dumps(body, ensure_ascii=False).encode()
