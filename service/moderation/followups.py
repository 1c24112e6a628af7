"""What a decision sets in motion once committed: the model learns, the host is told.

Both are best effort: learning reads the decision log, so the next queued
learning job (or a rebuild) catches up on anything missed here; a webhook that
cannot be queued is logged, and hosts can always read the events feed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import redis
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commentgate.domain import WEBHOOK_EVENTS, EventType, teaches_model
from commentgate.queue import enqueue_learning, enqueue_notification
from commentgate.storage.models import CommentEvent
from service.moderation.decisions import DecisionRequest

log = logging.getLogger(__name__)


def follow_up(
    queue: Queue,
    session: Session,
    wanted: DecisionRequest,
    decided: dict[str, str],
    since_event_id: int,
    request_id: str | None,
) -> None:
    """Queue learning for the sites of the ``decided`` comments (id → site id) and
    webhooks for the visibility events the decision recorded.

    Learning is queued even when the status did not move: a moderator
    confirming the worker's spam verdict is still a decision to learn from.
    """
    try:
        if teaches_model(wanted.action, wanted.reason):
            for site_id in sorted(set(decided.values())):
                enqueue_learning(queue, site_id)
    except redis.RedisError as exc:
        log.warning("learning not queued (%s); the next learning job catches up", exc)
    announce_events(queue, session, since_event_id, decided, request_id)


def last_event_id(session: Session) -> int:
    """The newest visibility event so far (0 when there is none)."""
    return session.scalar(select(func.max(CommentEvent.id))) or 0


def announce_events(
    queue: Queue,
    session: Session,
    after_event_id: int,
    comment_ids: Iterable[str],
    request_id: str | None,
) -> None:
    """Webhooks for the visibility events these comments got after ``after_event_id``.

    The events recorded with a change (decision, bulk, ban, its undo) say what
    the public saw change, whatever status each comment came from.
    """
    ids = set(comment_ids)
    if not ids:
        return
    events = session.execute(
        select(CommentEvent.comment_id, CommentEvent.type)
        .where(CommentEvent.id > after_event_id, CommentEvent.comment_id.in_(ids))
        .order_by(CommentEvent.id)
    )
    try:
        for comment_id, kind in events:
            webhook = WEBHOOK_EVENTS.get(EventType(kind))
            if webhook:
                enqueue_notification(queue, comment_id, webhook, request_id)
    except redis.RedisError as exc:
        log.warning("webhooks not queued (%s); hosts can read the events feed", exc)
