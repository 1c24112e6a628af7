"""The README walk-through, end to end: ``commentgate run`` and plain HTTP.

Runs the real process tree (gunicorn, an RQ worker, the embedded Redis,
SQLite under ./var) exactly as ``make run`` does, in a scratch directory.
"""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from service.widget.demo import DEMO_ARTICLE as ARTICLE
from tests.services import free_port, wait_for


def call(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture
def running(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(PORT=str(port), COMMENTGATE_SWEEP_INTERVAL_SECONDS="2")
    process = subprocess.Popen(
        [sys.executable, "-m", "launch", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines = read_banner(process)
    base = lines["API"].rsplit("/api/v1", 1)[0]
    assert lines["Demo"] == f"{base}/demo"
    wait_for(lambda: _healthy(base), what="web server")
    yield base, lines["Moderator key"], env, tmp_path, process
    if process.poll() is None:
        stop(process)


# Only detects a hang: start-up takes seconds, even on a loaded machine.
BANNER_SECONDS = 120


def read_banner(process: subprocess.Popen) -> dict[str, str]:
    """The ``Name: value`` lines ``commentgate run`` prints, up to the moderator key."""
    output: queue.Queue[str | None] = queue.Queue()
    # A thread keeps reading after the banner, so the child never blocks on a full pipe.
    threading.Thread(target=_pump, args=(process.stdout, output), daemon=True).start()
    deadline = time.monotonic() + BANNER_SECONDS
    lines: dict[str, str] = {}
    while "Moderator key" not in lines:
        try:
            line = output.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            stop(process)
            pytest.fail(f"no moderator key printed within {BANNER_SECONDS} s; got {lines}")
        assert line is not None, f"commentgate run exited early; printed {lines}"
        key, _, value = line.strip().partition(": ")
        lines[key] = value
    return lines


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C, which stops the whole tree; a kill if that hangs."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _pump(stream, sink: queue.Queue) -> None:
    for line in stream:
        sink.put(line)
    sink.put(None)  # end of output


def _healthy(base):
    try:
        return call("GET", f"{base}/readyz")[0] == 200
    except OSError:
        return False


def test_comment_travels_from_form_to_public_list(running):
    base, key, env, cwd, process = running
    status, captcha = call("POST", f"{base}/api/v1/captchas?site=demo")
    assert status == 201
    answer = subprocess.run(
        [sys.executable, "-m", "launch", "captcha", "answer", captcha["id"]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    comment = {
        "site": "demo",
        "article": ARTICLE,
        "name": "Trần Thị Bình",
        "phone": "0912 345 678",
        "consent": True,  # the demo site names a privacy notice
        "title": "Cảm ơn",
        "content": "Bài viết rất bổ ích.",
        "captcha_id": captcha["id"],
        "captcha_answer": answer,
    }
    status, accepted = call("POST", f"{base}/api/v1/comments", comment)
    assert status == 202
    auth = {"Authorization": f"Bearer {key}"}
    url = f"{base}/api/v1/moderation/comments/{accepted['id']}"
    wait_for(lambda: call("GET", url, headers=auth)[1]["status"] == "pending", what="scoring")
    status, approved = call("POST", f"{url}/approve", headers=auth)
    assert (status, approved["status"]) == (200, "approved")
    _, page = call("GET", f"{base}/api/v1/comments?site=demo&article={ARTICLE}")
    assert [c["name"] for c in page["items"]] == ["Trần Thị Bình"]
    _, counts = call("GET", f"{base}/api/v1/comments/counts?site=demo&article={ARTICLE}")
    assert counts["counts"] == {ARTICLE: 1}


def test_run_prints_the_demo_article_with_the_widget(running):
    base, _, _, _, _ = running
    with urllib.request.urlopen(f"{base}/demo", timeout=10) as response:
        page = response.read().decode()
    assert 'data-commentgate data-site="demo"' in page and "/widget.js" in page
    with urllib.request.urlopen(f"{base}/widget.js", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/javascript")


def test_ctrl_c_stops_the_whole_tree(running):
    base, _, _, cwd, process = running
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    with pytest.raises(OSError):
        call("GET", f"{base}/healthz")
    assert not (cwd / "var" / "redis.sock").exists() or not _redis_answers(cwd)


def _redis_answers(cwd):
    import redis

    try:
        return redis.Redis(unix_socket_path=str(cwd / "var" / "redis.sock")).ping()
    except (redis.RedisError, OSError):
        return False
