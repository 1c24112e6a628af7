"""The host API: a host site's backend reads what readers may see, and what changed.

Same data as the public endpoints (never phone, IP or moderation details), but
authenticated instead of rate-limited per IP, with article keys and an events
feed so a host can cache pages and drop them when a comment appears or goes.
"""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from commentgate.access import Permission
from commentgate.registry import get_scoped_site
from commentgate.storage.events import event_cursor, list_events
from commentgate.storage.models import CommentEvent
from service.deps import services
from service.http.auth import current_principal, require
from service.openapi_docs import SECURITY, protected, with_headers
from service.presenters import rfc3339
from service.public import approved_counts_json, approved_page_json, json_answer
from service.schemas import Counts, CountsQuery, PageQuery, PublicListQuery, PublicPage

host = APIBlueprint(
    "host",
    __name__,
    url_prefix="/api/v1/host",
    abp_tags=[Tag(name="host")],
    abp_security=SECURITY,
)


class EventsQuery(PageQuery):
    site: str = Field(max_length=100)


class EventOut(BaseModel):
    id: str
    type: str = Field(description="published, unpublished or edited")
    comment_id: str
    article: str
    at: str


class EventPage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None = Field(
        description="Where the next poll starts (after the last item); null only before any event"
    )


@host.before_request
def require_host() -> None:
    """Every call here needs a key that may read published comments (host or admin)."""
    require(Permission.READ_PUBLISHED)


@host.get(
    "/comments",
    summary="Approved comments of an article, oldest first",
    responses={200: with_headers(PublicPage, ("ETag/page",)), 304: None, **protected(404, 422)},
)
def comments(query: PublicListQuery):
    """What readers see, page by page."""
    with services().sessions() as session:
        site = get_scoped_site(session, current_principal(), query.site)
        return json_answer(approved_page_json(session, site, query))


@host.get(
    "/comments/counts",
    summary="Approved comment counts per article",
    responses={200: with_headers(Counts, ("ETag/page",)), 304: None, **protected(404, 422)},
)
def counts(query: CountsQuery):
    """Counts for up to 100 articles in one call (article may repeat)."""
    with services().sessions() as session:
        site = get_scoped_site(session, current_principal(), query.site)
        return json_answer(approved_counts_json(session, site, query))


def _event_view(event: CommentEvent) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "type": event.type,
        "comment_id": event.comment_id,
        "article": event.article,
        "at": rfc3339(event.created_at),
    }


@host.get(
    "/events",
    summary="Feed of comments published, unpublished or edited while public",
    responses={200: EventPage, **protected(404, 422)},
)
def events(query: EventsQuery):
    """Oldest first from the cursor; poll with the last ``next_cursor`` you got."""
    with services().sessions() as session:
        site = get_scoped_site(session, current_principal(), query.site)
        page = list_events(session, [site.id], query.cursor, query.limit)
        return {"items": [_event_view(e) for e in page.items], "next_cursor": _resume(page, query)}


def _resume(page, query: EventsQuery) -> str | None:
    # A feed never ends: the cursor after the last event is where the next poll starts.
    if page.next_cursor or not page.items:
        return page.next_cursor or query.cursor
    return event_cursor(page.items[-1])
