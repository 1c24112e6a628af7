"""Real commentgate processes for fault and process tests, and ways to break their world.

:class:`Stack` runs ``commentgate web`` (gunicorn) and ``commentgate worker``
processes exactly as production does, on a Redis server the test owns and a
PostgreSQL database reached through a :class:`TcpProxy` the test can cut.
Tests never stop the machine's own services.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from commentgate.captcha import captcha_key
from tests.services import free_port, wait_for

# Short clocks so recovery happens within seconds; production values are in Settings.
FAST_CLOCKS = {
    "COMMENTGATE_SWEEP_AFTER_SECONDS": "2",
    "COMMENTGATE_SWEEP_INTERVAL_SECONDS": "1",
    "COMMENTGATE_WORKER_HEARTBEAT_SECONDS": "1",
    "COMMENTGATE_JOB_RETRY_INTERVALS": "[1, 2]",
    "COMMENTGATE_JOB_TIMEOUT_SECONDS": "20",
    "COMMENTGATE_RATE_LIMITS": "100000/minute",
    # No captcha refill jobs among the comments' jobs that tests count (as in conftest).
    "COMMENTGATE_CAPTCHA_POOL_SIZE": "0",
    "COMMENTGATE_SITE_RATE_LIMITS": "100000/minute",
}


class TcpProxy:
    """A TCP forwarder on a free port; :meth:`cut` drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._pairs: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._stopped = threading.Event()

    def start(self) -> TcpProxy:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.settimeout(0.2)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopped.is_set() and listener is self._listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.update({client, upstream})
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        for sock, other in ((a, b), (b, a)):
            sock.setblocking(True)
            selector.register(sock, selectors.EVENT_READ, other)
        try:
            while True:
                for key, _ in selector.select(timeout=0.5):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
                if a.fileno() < 0 or b.fileno() < 0:
                    return
        except OSError:
            return
        finally:
            selector.close()
            self._close(a, b)

    def _close(self, *socks: socket.socket) -> None:
        for sock in socks:
            with self._lock:
                self._pairs.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self) -> None:
        """The database is gone: open connections reset, new ones refused."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            pairs = list(self._pairs)
        self._close(*pairs)

    def restore(self) -> None:
        """The database is back on the same address."""
        if self._listener is None:
            self.start()

    def stop(self) -> None:
        self._stopped.set()
        self.cut()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: object
    raw: bytes = b""


def http(method: str, url: str, body=None, headers=None, timeout: float = 15) -> Reply:
    """One HTTP call; connection failures raise OSError."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return Reply(response.status, dict(response.headers), _decode(raw), raw)
    except urllib.error.HTTPError as error:
        raw = error.read()
        return Reply(error.code, dict(error.headers), _decode(raw), raw)


def _decode(raw: bytes):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


@dataclass
class Stack:
    """commentgate processes sharing one var dir, Redis URL and database URL."""

    workdir: Path
    redis_url: str
    database_url: str
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTGATE_")}
        env.update(FAST_CLOCKS)
        env.update(
            REDIS_URL=self.redis_url,
            DATABASE_URL=self.database_url,
            PORT=str(self.port),
            COMMENTGATE_VAR_DIR=str(self.workdir / "var"),
            COMMENTGATE_LOG_LEVEL="INFO",
        )
        env.update(self.extra_env)
        return env

    def _start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "-m", "launch", *args],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a SIGKILL takes its children too
        )
        log.close()
        self.processes[name] = process
        return process

    def start_web(self, workers: int = 2) -> Stack:
        self._start("web", "web", "--workers", str(workers))
        wait_for(self._web_answers, what="web server", timeout=60)
        return self

    def _web_answers(self) -> bool:
        try:
            return http("GET", f"{self.base}/healthz", timeout=2).status == 200
        except OSError:
            return False

    def start_worker(self, name: str = "worker") -> subprocess.Popen:
        return self._start(name, "worker")

    def kill(self, name: str) -> None:
        """SIGKILL a process and everything it forked (a crashed container).

        RQ puts its work-horse in a process group of its own, so the
        children are killed by pid as well as the group.
        """
        process = self.processes.pop(name)
        children = children_of(process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)

    def log_text(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.processes.clear()


def children_of(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.extend(int(p) for p in task.read_text().split())
    return found


def work_horses_of(pid: int) -> list[int]:
    """The RQ work-horses among a worker's children (each leads its own process group)."""
    horses = []
    for child in children_of(pid):
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{child}/stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) == child:
                horses.append(child)
    return horses


def captcha_answer(client: redis.Redis, captcha_id: str) -> str:
    """A live captcha's answer, read the way `commentgate captcha answer` does."""
    raw = client.hget(captcha_key(captcha_id), "answer")
    return raw.decode() if raw else ""


def comment_body(n: int, **overrides) -> dict:
    body = {
        "site": "demo",
        "article": f"bai-viet-{n % 7}",
        "name": "Lê Thị Hoa",
        "phone": "0912 345 678",
        "title": f"Ý kiến số {n}",
        "content": f"Bình luận thứ {n}: bài viết rất hay, cảm ơn tác giả.",
    }
    body.update(overrides)
    return body


def submit(stack: Stack, client: redis.Redis, n: int, **overrides) -> Reply:
    """Ask for a captcha, answer it, post comment ``n``; the first failing reply is returned."""
    issued = http("POST", f"{stack.base}/api/v1/captchas?site=demo")
    if issued.status != 201:
        return issued
    try:
        answer = captcha_answer(client, issued.body["id"])
    except (redis.RedisError, OSError):
        answer = "?"
    body = comment_body(n, captcha_id=issued.body["id"], captcha_answer=answer or "?", **overrides)
    return http("POST", f"{stack.base}/api/v1/comments", body)


def pg_database_url_via(proxy: TcpProxy, url: str) -> str:
    """``url`` rewritten to reach its server through ``proxy``."""
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(False)


def outcome_counts(engine, accepted: set[str]) -> dict[str, int]:
    """submitted/accepted are the caller's; scored, lost and duplicates come from the database."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, status FROM comments")).all()
        dupes = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT comment_id FROM verdicts GROUP BY comment_id"
                " HAVING count(*) > 1) AS d"
            )
        ).scalar_one()
    status = dict(rows)
    scored = sum(1 for cid in accepted if status.get(cid, "received") != "received")
    return {"scored": scored, "lost": len(accepted) - scored, "duplicates": dupes}
