"""Keyset pagination with opaque cursors.

Keyset rather than OFFSET so that a page stays correct while new comments
arrive and a deep page costs the same as the first. A cursor is the sort key
of the last row served, as JSON in URL-safe base64; a page is ordered by
``keys`` (the last one unique, e.g. the id), all ascending or all descending.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import BigInteger, ColumnElement, Select, and_, or_
from sqlalchemy.orm import Session

from commentgate.errors import FieldError, ValidationFailedError
from commentgate.storage.models import to_utc

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the cursor of the next one (None at the end)."""

    items: list[T]
    next_cursor: str | None


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("naive datetime in cursor")
    # In UTC now, while a time too far out for that is still a bad cursor (not at bind time).
    return to_utc(moment)


@dataclass(frozen=True)
class SortKey:
    """One column of a keyset order: how to read it from a row and to (de)serialise it."""

    column: ColumnElement[Any]
    value: Callable[[Any], Any]
    decode: Callable[[Any], Any] = lambda v: v
    encode: Callable[[Any], Any] = lambda v: v


def time_key(column: ColumnElement[Any], attr: str = "created_at") -> SortKey:
    """A key on an aware datetime column."""
    return SortKey(column, lambda row: getattr(row, attr), _aware, lambda v: v.isoformat())


def id_key(column: ColumnElement[Any], kind: type = str) -> SortKey:
    """The unique tie-breaker key (a string or integer id)."""
    decode = _int_id(_int_range(column)) if kind is int else _str_id
    return SortKey(column, lambda row: row.id, decode)


def int_key(column: ColumnElement[Any], attr: str) -> SortKey:
    """A key on an integer column other than the id."""
    return SortKey(column, lambda row: getattr(row, attr), _int_id(_int_range(column)))


def _int_range(column: ColumnElement[Any]) -> range:
    # PostgreSQL's integer has 32 bits (SQLite's 64); a cursor must fit the narrower.
    bits = 64 if isinstance(column.type, BigInteger) else 32
    return range(-(2 ** (bits - 1)), 2 ** (bits - 1))


def _int_id(column_range: range) -> Callable[[Any], int]:
    def decode(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("integer expected")
        if value not in column_range:
            raise ValueError("integer beyond the column's range")
        return value

    return decode


def _str_id(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("string expected")
    if "\x00" in value:  # PostgreSQL text cannot hold NUL, not even to compare with
        raise ValueError("NUL in string id")
    return value


def encode_cursor_values(values: Sequence[Any]) -> str:
    """An opaque cursor for the given (already JSON-friendly) key values."""
    raw = json.dumps(list(values)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor_values(cursor: str, keys: Sequence[SortKey]) -> list[Any]:
    """The key values a cursor holds.

    Raises:
        ValidationFailedError: the cursor was not made for this order.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError("cursor does not fit this order")
        return [key.decode(v) for key, v in zip(keys, values, strict=True)]
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailedError({"cursor": FieldError("invalid")}) from exc


def _after(keys: Sequence[SortKey], values: list[Any], descending: bool) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the (lexicographic) keyset order."""
    clauses = []
    for i, key in enumerate(keys):
        beyond = key.column < values[i] if descending else key.column > values[i]
        equal_before = [keys[j].column == values[j] for j in range(i)]
        clauses.append(and_(*equal_before, beyond))
    return or_(*clauses)


def paginate_by(
    session: Session,
    query: Select[Any],
    keys: Sequence[SortKey],
    *,
    cursor: str | None,
    limit: int,
    descending: bool,
) -> Page[Any]:
    """Run ``query`` ordered by ``keys`` and cut one page from it."""
    if cursor:
        query = query.where(_after(keys, decode_cursor_values(cursor, keys), descending))
    order = [k.column.desc() if descending else k.column.asc() for k in keys]
    rows = list(session.scalars(query.order_by(*order).limit(limit + 1)))
    items = rows[:limit]
    if len(rows) <= limit:
        return Page(items, None)
    last = items[-1]
    return Page(items, encode_cursor_values([k.encode(k.value(last)) for k in keys]))


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
    keys = [time_key(entity.created_at), id_key(entity.id)]
    return paginate_by(session, query, keys, cursor=cursor, limit=limit, descending=newest_first)
