"""The clients a web process uses, built once by ``create_app`` and passed around."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis
from flask import current_app, g
from flask_limiter import Limiter
from rq import Queue
from sqlalchemy import Engine

from commentgate.captcha import CaptchaService
from commentgate.comments.lifecycle import CommentLifecycle
from commentgate.config import Settings
from commentgate.queue import DEFAULT_POLICY, JobPolicy
from commentgate.sealing import DataKeyring
from commentgate.storage.db import SessionFactory, one_statement_work, unit_of_work
from service.known_sites import KnownSites

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
    keyring: DataKeyring  # seals phone numbers at intake, opens them for moderators
    sites: KnownSites  # the registered sites, cached in this process
    policy: JobPolicy = DEFAULT_POLICY

    @property
    def engine(self) -> Engine:
        """The engine the sessions are bound to."""
        return self.sessions.kw["bind"]


def services() -> Services:
    """The current app's services."""
    return current_app.extensions[EXTENSION]


@contextmanager
def comment_work(*, one_statement: bool = False) -> Iterator[CommentLifecycle]:
    """The request's unit of work, with the comment lifecycle bound to it.

    Commits when the block ends without an error; follow-ups run after that.
    ``one_statement``: the work is one statement (a new comment's INSERT), run in
    autocommit once the block has ended (:class:`commentgate.storage.db.OneStatement`).
    """
    svc = services()
    work = one_statement_work(svc.engine) if one_statement else unit_of_work(svc.sessions)
    with work as uow:
        yield CommentLifecycle(
            uow=uow, queue=svc.queue, policy=svc.policy, request_id=g.get("request_id")
        )
