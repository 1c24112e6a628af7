"""Keyset pagination over (created_at, id), with opaque cursors.

Keyset rather than OFFSET so that a page stays correct while new comments
arrive and a deep page costs the same as the first.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from commentgate.errors import FieldError, ValidationFailedError

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the cursor of the next one (None at the end)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(created_at: datetime, row_id: str) -> str:
    """An opaque cursor pointing just after the row (created_at, row_id)."""
    raw = json.dumps([created_at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position a cursor points after.

    Raises:
        ValidationFailedError: the cursor was not made by :func:`encode_cursor`.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, row_id = json.loads(raw)
        return datetime.fromisoformat(created_at), str(row_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailedError({"cursor": FieldError("invalid")}) from exc


def paginate(
    session: Session,
    query: Select[Any],
    entity: Any,
    *,
    cursor: str | None,
    limit: int,
    newest_first: bool,
) -> Page[Any]:
    """Run ``query`` ordered by (created_at, id) and cut one page from it."""
    created: InstrumentedAttribute[datetime] = entity.created_at
    ident: InstrumentedAttribute[str] = entity.id
    if cursor:
        at, row_id = decode_cursor(cursor)
        if newest_first:
            query = query.where(or_(created < at, and_(created == at, ident < row_id)))
        else:
            query = query.where(or_(created > at, and_(created == at, ident > row_id)))
    order = (created.desc(), ident.desc()) if newest_first else (created.asc(), ident.asc())
    rows = list(session.scalars(query.order_by(*order).limit(limit + 1)))
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items, encode_cursor(items[-1].created_at, items[-1].id) if more else None)
