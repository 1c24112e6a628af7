"""What readers see: approved comments, their counts, and the site's privacy notice.

Host backends read the same through :mod:`service.host.views`, with these calls.
Both answers come from Redis when an earlier read left them there
(:mod:`commentgate.public_cache`; the lifecycle drops them after each change
readers can see), and carry an ETag, so a reader's browser that has the page
gets 304. Without Redis they are read from the database, as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Protocol

import redis
from flask import Response, request
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy.orm import Session

from commentgate.consent import notice_view
from commentgate.public_cache import COUNT_FIELD, Cached, PublicCache, page_field
from commentgate.storage.comments import count_approved, list_approved
from service.deps import services
from service.openapi_docs import error_responses, with_headers
from service.presenters import public_view
from service.schemas import (
    Counts,
    CountsQuery,
    NoticeQuery,
    PrivacyNotice,
    PublicListQuery,
    PublicPage,
)

log = logging.getLogger(__name__)

public = APIBlueprint("public", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="public")])

MISSED = Cached(None, "")


class SiteLike(Protocol):
    id: str
    name: str


def _encode(body: dict[str, Any]) -> bytes:
    # As Flask's own JSON answers are written: keys sorted, compact, UTF-8.
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _cached(site_id: str, articles: list[str], field: str) -> list[Cached]:
    try:
        return PublicCache(services().redis).get(site_id, articles, field)
    except redis.RedisError as exc:  # readers are served from the database meanwhile
        log.warning("public cache unreadable: %s", exc)
        return [MISSED] * len(articles)


def _keep(site_id: str, entries: list[tuple[str, str, Cached, bytes]]) -> None:
    if not entries:
        return
    try:
        PublicCache(services().redis).store(site_id, entries)
    except redis.RedisError as exc:
        log.warning("public cache not written: %s", exc)


def approved_page_json(session: Session, site: SiteLike, query: PublicListQuery) -> bytes:
    """One page of an article's approved comments, as readers see them, in JSON."""
    field = page_field(query.cursor, query.limit)
    (seen,) = _cached(site.id, [query.article], field)
    if seen.value is not None:
        return seen.value
    page = list_approved(session, site.id, query.article, query.cursor, query.limit)
    body = _encode({"items": [public_view(c) for c in page.items], "next_cursor": page.next_cursor})
    _keep(site.id, [(query.article, field, seen, body)])
    return body


def approved_counts_json(session: Session, site: SiteLike, query: CountsQuery) -> bytes:
    """Approved comment counts of the articles asked for (each counted once), in JSON."""
    articles = list(dict.fromkeys(query.article))
    seen = _cached(site.id, articles, COUNT_FIELD)
    counts = {a: int(c.value) for a, c in zip(articles, seen, strict=True) if c.value is not None}
    missing = [a for a in articles if a not in counts]
    if missing:
        fresh = count_approved(session, site.id, missing)
        counts.update(fresh)
        by_article = dict(zip(articles, seen, strict=True))
        entries = [(a, COUNT_FIELD, by_article[a], str(fresh[a]).encode()) for a in missing]
        _keep(site.id, entries)
    return _encode({"site": site.name, "counts": {a: counts[a] for a in articles}})


def json_answer(body: bytes) -> Response:
    """``body`` as JSON with a strong ETag: 304 when the client already has it."""
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    # Browsers may keep it, but ask each time (a 304 is cheap): comments appear any time.
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@public.get(
    "/comments",
    summary="Approved comments of an article, oldest first",
    responses={
        200: with_headers(PublicPage, ("ETag/page",)),
        304: None,
        **error_responses(404, 422, 429, 503),
    },
)
def list_comments(query: PublicListQuery):
    """One page of an article's approved comments (304 when ``If-None-Match`` matches)."""
    site = services().sites.get(query.site)
    with services().sessions() as session:
        return json_answer(approved_page_json(session, site, query))


@public.get(
    "/comments/counts",
    summary="Approved comment counts per article",
    responses={
        200: with_headers(Counts, ("ETag/page",)),
        304: None,
        **error_responses(404, 422, 429, 503),
    },
)
def comment_counts(query: CountsQuery):
    """Counts for up to 100 articles in one call (article may repeat)."""
    site = services().sites.get(query.site)
    with services().sessions() as session:
        return json_answer(approved_counts_json(session, site, query))


@public.get(
    "/privacy",
    summary="The privacy notice a site asks readers to consent to",
    responses={200: PrivacyNotice, **error_responses(404, 422, 429, 503)},
)
def privacy_notice(query: NoticeQuery):
    """What the widget shows next to the phone field, and when it asks consent."""
    return notice_view(services().sites.get(query.site))
