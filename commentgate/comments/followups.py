"""What a committed change sets in motion: scoring, learning, webhooks, readers' caches.

All are best effort and run only after the commit (see
:class:`commentgate.storage.db.UnitOfWork`): the sweep re-queues a comment left
in ``received``, learning reads the decision log so the next learning job
catches up, and hosts can always read the events feed instead of a webhook.
"""

from __future__ import annotations

import logging

import redis
from rq import Queue

from commentgate.public_cache import forget_article
from commentgate.queue import JobPolicy, enqueue_learning, enqueue_moderation, enqueue_notification

log = logging.getLogger(__name__)


def queue_scoring(queue: Queue, comment_id: str, request_id: str | None, policy: JobPolicy) -> None:
    """Queue the comment's scoring."""
    try:
        enqueue_moderation(queue, comment_id, request_id, policy)
    except redis.RedisError as exc:
        log.warning(
            "comment %s stored but not queued (%s); the sweep will queue it", comment_id, exc
        )


def queue_learning(queue: Queue, site_id: str) -> None:
    """Queue learning from the site's new decisions."""
    try:
        enqueue_learning(queue, site_id)
    except redis.RedisError as exc:
        log.warning("learning not queued (%s); the next learning job catches up", exc)


def queue_webhook(queue: Queue, comment_id: str, event: str, request_id: str | None) -> None:
    """Queue the webhook announcing ``event`` about the comment to its site."""
    try:
        enqueue_notification(queue, comment_id, event, request_id)
    except redis.RedisError as exc:
        log.warning(
            "webhook for comment %s not queued (%s); hosts can read the events feed",
            comment_id,
            exc,
        )


def forget_public_answers(queue: Queue, site_id: str, article: str) -> None:
    """Drop the article's cached public pages and count (they expire anyway if Redis fails)."""
    try:
        forget_article(queue.connection, site_id, article)
    except redis.RedisError as exc:
        log.warning("cached answers of an article not dropped (%s); they expire soon", exc)
