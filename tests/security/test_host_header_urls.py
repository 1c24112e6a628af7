"""Without COMMENTGATE_PUBLIC_URL, captcha URLs follow the Host header: say so when reachable.

On loopback only this machine can send a request, so only a server bound elsewhere
warns at start-up that a client's Host header decides the captcha's ``image_url``.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from commentgate.config import Settings
from launch.gunicorn_app import warn_if_urls_follow_host
from tests.services import free_port

WARNING = "captcha image and audio URLs follow each request's Host header"


@pytest.mark.parametrize(
    ("host", "public_url", "warns"),
    [
        ("0.0.0.0", "", True),
        ("::", "", True),
        ("192.0.2.10", "", True),
        ("comments.example", "", True),
        ("0.0.0.0", "https://comments.example", False),
        ("127.0.0.1", "", False),
        ("127.0.0.2", "", False),
        ("::1", "", False),
        ("localhost", "", False),
    ],
)
def test_warns_only_when_reachable_without_a_public_url(tmp_path, caplog, host, public_url, warns):
    settings = Settings(var_dir=tmp_path, host=host, public_url=public_url)
    with caplog.at_level(logging.WARNING, logger="launch.gunicorn_app"):
        assert warn_if_urls_follow_host(settings) is warns
    assert (WARNING in caplog.text) is warns
    assert "COMMENTGATE_PUBLIC_URL" in caplog.text or not warns


def test_commentgate_web_warns_at_start_up(tmp_path):
    """192.0.2.1 (TEST-NET-1) is on no interface here: gunicorn cannot bind and gives up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTGATE_")}
    env.update(
        HOST="192.0.2.1",
        PORT=str(free_port()),
        COMMENTGATE_VAR_DIR=str(tmp_path / "var"),
        COMMENTGATE_LOG_FORMAT="text",
    )
    out = subprocess.run(
        [sys.executable, "-m", "launch", "web", "--workers", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0  # it could not listen, as intended
    assert WARNING in out.stderr and "set COMMENTGATE_PUBLIC_URL" in out.stderr
