"""What commentgate keeps on disk (var/) is readable by its own user only.

The database holds phone numbers, IP addresses and webhook secrets; the embedded
Redis' snapshot and append-only file hold captcha answers and queued comments.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import free_port, wait_for

SHARED = 0o077  # group and other bits


@pytest.fixture
def umask_022() -> Iterator[None]:
    """A umask that lets everyone read new files (the usual one), restored afterwards."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def readable_var(tmp_path: Path) -> Path:
    """A var/ as earlier releases left it: a 755 directory of 644 files."""
    var_dir = tmp_path / "var"
    (var_dir / "metrics").mkdir(parents=True)
    for name in ("commentgate.sqlite3", "redis.rdb", "appendonly.aof", "secret_key"):
        (var_dir / name).write_text("x")
    (var_dir / "metrics" / "counter_1.db").write_text("x")
    for path in [var_dir, *var_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return var_dir


def test_start_up_makes_var_and_what_it_holds_private(tmp_path, umask_022):
    from commentgate.local_files import keep_private

    var_dir = readable_var(tmp_path)
    elsewhere = tmp_path / "shared.txt"
    elsewhere.write_text("not ours to change")
    elsewhere.chmod(0o644)
    (var_dir / "link").symlink_to(elsewhere)
    keep_private(var_dir)  # what `commentgate run`, `web` and `worker` do first
    assert os.umask(0o022) == 0o077
    assert mode(var_dir) == 0o700 and mode(var_dir / "metrics") == 0o700
    for name in ("commentgate.sqlite3", "redis.rdb", "appendonly.aof", "secret_key"):
        assert mode(var_dir / name) == 0o600, name
    assert mode(var_dir / "metrics" / "counter_1.db") == 0o600
    assert mode(elsewhere) == 0o644  # a link is not followed


def test_a_new_sqlite_database_is_private_whatever_the_umask(tmp_path, umask_022):
    from sqlalchemy import text

    from commentgate.storage.db import make_engine

    database = tmp_path / "new" / "commentgate.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (phone TEXT)"))
        connection.execute(text("INSERT INTO t VALUES ('+84912345678')"))
        modes = {p.name: mode(p) for p in database.parent.iterdir()}  # -wal, -shm while open
    engine.dispose()
    assert mode(database.parent) == 0o700
    names = [database.name + suffix for suffix in ("", "-wal", "-shm")]
    assert modes == dict.fromkeys(names, 0o600)


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def test_commentgate_run_keeps_var_private(tmp_path):
    """`make run` from a 755 var/: every file the run leaves behind is private."""
    var_dir = tmp_path / "var"
    var_dir.mkdir(mode=0o755)
    (var_dir / "notes.txt").write_text("left by hand")
    (var_dir / "notes.txt").chmod(0o644)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTGATE_")}
    port = free_port()
    env.update(HOST="127.0.0.1", PORT=str(port), REDIS_URL="", DATABASE_URL="")
    with (tmp_path / "run.log").open("wb") as log:
        run = subprocess.Popen(
            [sys.executable, "-m", "launch", "run"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            umask=0o022,
            start_new_session=True,
        )
    try:
        wait_for(lambda: answers(port), what="commentgate run's web server", timeout=120)
        os.kill(run.pid, signal.SIGTERM)
        assert run.wait(timeout=60) == 0
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait(timeout=10)
    names = {p.relative_to(var_dir).as_posix(): p for p in var_dir.rglob("*")}
    assert {"commentgate.sqlite3", "redis.rdb", "appendonly.aof", "notes.txt"} <= set(names)
    assert any(name.startswith("metrics/") for name in names)
    assert mode(var_dir) & SHARED == 0
    assert {name: mode(p) & SHARED for name, p in names.items()} == dict.fromkeys(names, 0)
