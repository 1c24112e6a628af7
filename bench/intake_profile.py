"""Intake under load: ``python -m bench.intake_profile [--database-url URL] [--seconds 15]``.

Starts a private redis-server and ``commentgate web --workers 2`` on loopback (rate
limits raised out of the way), issues enough captchas for the whole run straight into
Redis, and lets ``wrk`` post comments with pre-answered captchas, each captcha once.
Prints requests/s and the count of answers other than 202. ``--profile SECONDS``
also records a py-spy profile of one web worker (needs ``py-spy`` on PATH or in
``$PY_SPY``). Not part of ``make bench``: a tool to see where intake's time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import redis

from commentgate.captcha import CaptchaService

SITE = "demo"
WRK_SCRIPT = """
local bodies = {}
local next_body = 0
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local n, i = tonumber(args[2]), 0
  for line in io.lines(args[1]) do
    if i % n == id then bodies[#bodies + 1] = line end
    i = i + 1
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format(nil, "/api/v1/comments", nil, bodies[next_body])
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _process(args: list[str], env: dict[str, str] | None = None, log: Path | None = None):
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_http(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _bodies(client: redis.Redis, count: int, path: Path) -> None:
    captchas = CaptchaService(client, 3600)
    with path.open("w") as out:
        for n in range(count):
            challenge = captchas.issue(site=SITE)
            body = {
                "site": SITE,
                "article": f"{SITE}/bai-viet-{n % 50}",
                "name": "Nguyễn Văn An",
                "phone": "0912 345 678",
                "title": "Cảm ơn tác giả",
                "content": f"Bài viết rất hay, cảm ơn tác giả đã chia sẻ thông tin này. #{n} "
                + "Mong có thêm nhiều bài như vậy về giao thông công cộng ở Hà Nội. " * 4,
                "captcha_id": challenge.id,
                "captcha_answer": captchas.answer(challenge.id),
            }
            out.write(json.dumps(body, ensure_ascii=False) + "\n")


def _pids_of_workers(master: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


def main() -> int:
    """Start everything, load intake, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", type=int, default=0, help="py-spy seconds (0: none)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    redis_port, web_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "PORT": str(web_port),
        "COMMENTGATE_VAR_DIR": str(tmp / "var"),
        "COMMENTGATE_RATE_LIMITS": "10000000/minute",
        "COMMENTGATE_SITE_RATE_LIMITS": "10000000/minute",
        "COMMENTGATE_LOG_LEVEL": "WARNING",
    }
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    cli = [sys.executable, "-m", "launch"]
    redis_cmd = ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"]
    try:
        with _process(redis_cmd):
            subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
            subprocess.run([*cli, "sites", "add", SITE], env=env, check=True, capture_output=True)
            web_cmd = [*cli, "web", "--workers", str(args.workers)]
            with _process(web_cmd, env, tmp / "web.log") as web:
                _wait_http(f"http://127.0.0.1:{web_port}/healthz")
                client = redis.Redis(port=redis_port)
                bodies = tmp / "bodies.jsonl"
                _bodies(client, 3000 * args.seconds, bodies)
                (tmp / "post.lua").write_text(WRK_SCRIPT)
                profiler = None
                if args.profile:
                    spy = os.environ.get("PY_SPY") or shutil.which("py-spy") or "py-spy"
                    target = _pids_of_workers(web.pid)[0]
                    profiler = subprocess.Popen(
                        [
                            spy,
                            "record",
                            "-p",
                            str(target),
                            "-d",
                            str(args.profile),
                            "-f",
                            "raw",
                            *os.environ.get("PY_SPY_ARGS", "").split(),
                        ]
                        + ["-o", str(tmp / "profile.txt"), "--nonblocking"],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                wrk = subprocess.run(
                    ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency"]
                    + ["-s", str(tmp / "post.lua"), f"http://127.0.0.1:{web_port}"]
                    + ["--", str(bodies), "2"],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                if profiler is not None:
                    profiler.wait()
                    print(f"profile: {tmp / 'profile.txt'}")
                print(wrk.stdout)
                rate = re.search(r"Requests/sec:\s+([\d.]+)", wrk.stdout)
                bad = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk.stdout)
                queued = client.llen("rq:queue:moderation")
                print(f"intake: {float(rate.group(1)) if rate else 0:.0f} req/s, ", end="")
                print(f"non-2xx: {bad.group(1) if bad else 0}, queued jobs: {queued}")
    finally:
        if not args.profile:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
