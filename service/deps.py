"""The clients a web process uses, built once by ``create_app`` and passed around."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from flask import current_app
from flask_limiter import Limiter
from rq import Queue

from commentgate.captcha import CaptchaService
from commentgate.config import Settings
from commentgate.queue import DEFAULT_POLICY, JobPolicy
from commentgate.storage.db import SessionFactory

EXTENSION = "commentgate"


@dataclass(frozen=True)
class Services:
    """Everything a view needs besides the request."""

    settings: Settings
    sessions: SessionFactory
    redis: redis.Redis
    queue: Queue
    captchas: CaptchaService
    limiter: Limiter
    policy: JobPolicy = DEFAULT_POLICY


def services() -> Services:
    """The current app's services."""
    return current_app.extensions[EXTENSION]
