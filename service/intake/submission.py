"""Accepting a validated comment: store first, then queue.

The database is the source of truth. Once the comment is committed we answer
202 even if Redis refuses the job: the sweep re-queues anything left in
``received``, so an accepted comment is never lost.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis
from rq import Queue

from commentgate import metrics
from commentgate.errors import ForbiddenError
from commentgate.fingerprint import AuthorFingerprints
from commentgate.links import has_link
from commentgate.queue import DEFAULT_POLICY, JobPolicy, enqueue_moderation
from commentgate.storage.db import SessionFactory
from commentgate.storage.models import Comment, Site
from commentgate.storage.sites import get_site, normalize_origin
from service.schemas import CommentIn

log = logging.getLogger(__name__)
NO_FINGERPRINTS = AuthorFingerprints(None, None)


@dataclass(frozen=True)
class ClientInfo:
    """What we know of the sender besides the form."""

    ip: str | None
    user_agent: str | None
    origin: str | None
    request_id: str | None = None


def check_origin(site: Site, origin: str | None) -> None:
    """A browser request must come from one of the site's registered origins.

    Raises:
        ForbiddenError: the ``Origin`` header names another origin.
    """
    if origin and normalize_origin(origin) not in site.origin_set():
        raise ForbiddenError(f"origin {origin} not registered for {site.name}")


def _new_comment(
    site: Site,
    form: CommentIn,
    client: ClientInfo,
    issued_at: float | None,
    fingerprints: AuthorFingerprints,
):
    return Comment(
        site_id=site.id,
        article=form.article,
        name=form.name,
        phone=form.phone,
        title=form.title,
        content=form.content,
        ip=client.ip,
        user_agent=(client.user_agent or "")[:300] or None,
        honeypot=form.website,
        submit_seconds=round(time.time() - issued_at, 3) if issued_at else None,
        phone_hmac=fingerprints.phone_hmac,
        ip_hmac=fingerprints.ip_hmac,
        has_link=has_link(form.title, form.content),
    )


def submit_comment(
    sessions: SessionFactory,
    queue: Queue,
    form: CommentIn,
    client: ClientInfo,
    captcha_issued_at: float | None,
    fingerprints: AuthorFingerprints = NO_FINGERPRINTS,
    policy: JobPolicy = DEFAULT_POLICY,
) -> str:
    """Store the comment as ``received``, queue its scoring, return its id.

    Raises:
        UnknownSiteError: the form names no registered site.
        ForbiddenError: the request came from an unregistered origin.
    """
    with sessions() as session:
        site = get_site(session, form.site)
        check_origin(site, client.origin)
        comment = _new_comment(site, form, client, captcha_issued_at, fingerprints)
        session.add(comment)
        session.commit()
        comment_id = comment.id
    metrics.COMMENTS_ACCEPTED.labels(site.name).inc()
    try:
        enqueue_moderation(queue, comment_id, client.request_id, policy)
    except redis.RedisError as exc:
        log.warning(
            "comment %s stored but not queued (%s); the sweep will queue it", comment_id, exc
        )
    return comment_id
