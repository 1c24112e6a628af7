"""The public-visibility feed: comments published, unpublished or edited while public.

Host backends poll it to invalidate their caches: "everything after the last event
I got" is the whole protocol. Events are handed out in (txid, id) order and only once
no running transaction can commit one before them (commentgate.storage.commit_order),
so a cursor never passes an event that commits late.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from commentgate.domain import CommentStatus, EventType
from commentgate.errors import ValidationFailedError
from commentgate.storage.commit_order import current_txid, settled
from commentgate.storage.models import Comment, CommentEvent, utcnow
from commentgate.storage.pagination import (
    Page,
    decode_cursor_values,
    encode_cursor_values,
    id_key,
    int_key,
    paginate_by,
)

PUBLIC = CommentStatus.APPROVED.value


def visibility_event(from_status: str, to_status: str) -> EventType | None:
    """The event a status change means for readers, if any."""
    if to_status == PUBLIC and from_status != PUBLIC:
        return EventType.PUBLISHED
    if from_status == PUBLIC and to_status != PUBLIC:
        return EventType.UNPUBLISHED
    return None


def record_event(session: Session, comment: Comment, event: EventType) -> None:
    """Append an event about ``comment``, after every earlier event about it."""
    session.add(
        CommentEvent(
            site_id=comment.site_id,
            comment_id=comment.id,
            article=comment.article,
            type=event.value,
            created_at=utcnow(),
            txid=_not_before_last_event(comment.id),
        )
    )


def _not_before_last_event(comment_id: str):
    # A transaction that wrote something else first (a ban, then the comments it
    # sweeps) can hold an older transaction id than one that changed the same comment
    # and committed before it. The comment's events must still come in the order they
    # happened, so an event sorts no earlier than the comment's last one. That one has
    # committed: this transaction has just changed the comment after it.
    last = (
        select(func.coalesce(func.max(CommentEvent.txid), 0))
        .where(CommentEvent.comment_id == comment_id)
        .scalar_subquery()
    )
    return case((last > current_txid(), last), else_=current_txid())


def note_status_change(
    session: Session, comment: Comment, from_status: str, to_status: str
) -> EventType | None:
    """Append the event a status change means, if it means one, and return it."""
    event = visibility_event(from_status, to_status)
    if event is not None:
        record_event(session, comment, event)
    return event


FEED_ORDER = [int_key(CommentEvent.txid, "txid"), id_key(CommentEvent.id, int)]


def list_events(
    session: Session, site_ids: Collection[str], cursor: str | None, limit: int
) -> Page[CommentEvent]:
    """Events on the given sites after ``cursor``, oldest first, as far as they are settled."""
    query = select(CommentEvent).where(
        CommentEvent.site_id.in_(site_ids), settled(CommentEvent.txid)
    )
    cursor = _current_cursor(cursor)
    return paginate_by(session, query, FEED_ORDER, cursor=cursor, limit=limit, descending=False)


def event_cursor(event: CommentEvent) -> str:
    """The cursor that resumes the feed right after ``event``."""
    return encode_cursor_values([key.encode(key.value(event)) for key in FEED_ORDER])


def _current_cursor(cursor: str | None) -> str | None:
    # Cursors handed out before events had a txid hold the event id alone; every event
    # of that time has txid 0.
    if not cursor:
        return cursor
    try:
        (event_id,) = decode_cursor_values(cursor, FEED_ORDER[1:])
    except ValidationFailedError:
        return cursor
    return encode_cursor_values([0, event_id])
