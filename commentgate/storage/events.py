"""The public-visibility feed: comments published, unpublished or edited while public.

Host backends poll it to invalidate their caches. Ids grow monotonically, so
"everything after event N" is the whole protocol.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from commentgate.domain import CommentStatus, EventType
from commentgate.storage.models import Comment, CommentEvent, utcnow
from commentgate.storage.pagination import Page, id_key, paginate_by

PUBLIC = CommentStatus.APPROVED.value


def visibility_event(from_status: str, to_status: str) -> EventType | None:
    """The event a status change means for readers, if any."""
    if to_status == PUBLIC and from_status != PUBLIC:
        return EventType.PUBLISHED
    if from_status == PUBLIC and to_status != PUBLIC:
        return EventType.UNPUBLISHED
    return None


def record_event(session: Session, comment: Comment, event: EventType) -> None:
    """Append an event about ``comment``."""
    session.add(
        CommentEvent(
            site_id=comment.site_id,
            comment_id=comment.id,
            article=comment.article,
            type=event.value,
            created_at=utcnow(),
        )
    )


def note_status_change(
    session: Session, comment: Comment, from_status: str, to_status: str
) -> None:
    """Append the event a status change means, if it means one."""
    event = visibility_event(from_status, to_status)
    if event is not None:
        record_event(session, comment, event)


def list_events(
    session: Session, site_ids: Collection[str], cursor: str | None, limit: int
) -> Page[CommentEvent]:
    """Events on the given sites after ``cursor``, oldest first."""
    query = select(CommentEvent).where(CommentEvent.site_id.in_(site_ids))
    keys = [id_key(CommentEvent.id, int)]
    return paginate_by(session, query, keys, cursor=cursor, limit=limit, descending=False)
