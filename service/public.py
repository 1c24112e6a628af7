"""What readers see: approved comments, their counts, and the site's privacy notice.

Host backends read the same through :mod:`service.host.views`, with these calls.
"""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy.orm import Session

from commentgate.consent import notice_view
from commentgate.storage.comments import count_approved, list_approved
from commentgate.storage.models import Site
from commentgate.storage.sites import get_site
from service.deps import services
from service.openapi_docs import error_responses
from service.presenters import public_view
from service.schemas import (
    Counts,
    CountsQuery,
    NoticeQuery,
    PrivacyNotice,
    PublicListQuery,
    PublicPage,
)

public = APIBlueprint("public", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="public")])


def approved_page(session: Session, site: Site, query: PublicListQuery) -> dict[str, Any]:
    """One page of an article's approved comments, as readers see them."""
    page = list_approved(session, site.id, query.article, query.cursor, query.limit)
    return {"items": [public_view(c) for c in page.items], "next_cursor": page.next_cursor}


def approved_counts(session: Session, site: Site, query: CountsQuery) -> dict[str, Any]:
    """Approved comment counts of the articles asked for (each counted once)."""
    counts = count_approved(session, site.id, list(dict.fromkeys(query.article)))
    return {"site": site.name, "counts": counts}


@public.get(
    "/comments",
    summary="Approved comments of an article, oldest first",
    responses={200: PublicPage, **error_responses(404, 422, 429, 503)},
)
def list_comments(query: PublicListQuery):
    """One page of an article's approved comments."""
    with services().sessions() as session:
        return approved_page(session, get_site(session, query.site), query)


@public.get(
    "/comments/counts",
    summary="Approved comment counts per article",
    responses={200: Counts, **error_responses(404, 422, 429, 503)},
)
def comment_counts(query: CountsQuery):
    """Counts for up to 100 articles in one call (article may repeat)."""
    with services().sessions() as session:
        return approved_counts(session, get_site(session, query.site), query)


@public.get(
    "/privacy",
    summary="The privacy notice a site asks readers to consent to",
    responses={200: PrivacyNotice, **error_responses(404, 422, 429, 503)},
)
def privacy_notice(query: NoticeQuery):
    """What the widget shows next to the phone field, and when it asks consent."""
    with services().sessions() as session:
        return notice_view(get_site(session, query.site))
