"""`commentgate run` on a terminal logs plain lines; JSON stays the default elsewhere."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import time

import pytest

from commentgate.config import Settings

# TextFormatter: "2026-11-25 16:47:22,123 INFO gunicorn.error: Listening at: ..."
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ [\w.]+: ")
# A line the web child (gunicorn, under `run`) logs once it listens.
LISTENING = "Listening at: "
GIVE_UP_SECONDS = 180  # a guard against hanging, not a measured bound


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _read_until(fd: int, proc: subprocess.Popen, wanted: str) -> list[str]:
    """Lines from ``fd`` up to the first holding ``wanted`` (all of them if it never came)."""
    buffer, deadline = b"", time.monotonic() + GIVE_UP_SECONDS
    while wanted.encode() not in buffer and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal closed: the process is gone
            break
        if not chunk:
            break
        buffer += chunk
    return buffer.decode(errors="replace").replace("\r\n", "\n").splitlines()


def _run_logs(tmp_path, on_terminal: bool, log_format: str | None) -> list[str]:
    """What `commentgate run` writes to stderr until its web child listens, then stop it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "DATABASE_URL", "COMMENTGATE_LOG_FORMAT"}
    }
    env.update(HOST="127.0.0.1", PORT=str(_free_port()))
    if log_format is not None:
        env["COMMENTGATE_LOG_FORMAT"] = log_format
    if on_terminal:
        reader, stderr = pty.openpty()
    else:
        reader, stderr = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-m", "launch", "run"],
        cwd=tmp_path,  # no training corpora here: nothing to train before it starts
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    os.close(stderr)
    try:
        return _read_until(reader, proc, LISTENING)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        os.close(reader)


def _listening_line(lines: list[str]) -> str:
    found = [line for line in lines if LISTENING in line]
    assert found, f"the web server never said it listens; stderr was: {lines[-20:]}"
    return found[0]


def test_run_on_a_terminal_logs_plain_lines(tmp_path):
    line = _listening_line(_run_logs(tmp_path, on_terminal=True, log_format=None))
    assert TEXT_LINE.match(line), line


@pytest.mark.parametrize(
    ("on_terminal", "log_format"),
    [(False, None), (True, "json")],
    ids=["not-a-terminal", "json-asked-for"],
)
def test_run_logs_json_off_a_terminal_or_when_asked(tmp_path, on_terminal, log_format):
    line = _listening_line(_run_logs(tmp_path, on_terminal, log_format))
    entry = json.loads(line)
    assert entry["logger"] == "gunicorn.error" and entry["level"] == "info"


@pytest.mark.parametrize(
    ("given", "terminal", "expected"),
    [
        ("", True, "text"),
        ("", False, "json"),
        ("json", True, "json"),
        ("text", False, "text"),
    ],
)
def test_the_log_format_is_text_only_for_a_person_unless_set(given, terminal, expected):
    assert Settings(log_format=given).resolved_log_format(terminal) == expected
