"""Bulk decisions: one action on up to 500 comments, each judged on its own.

Every id gets the same rules as a single decision and its own outcome; one
comment's conflict never blocks the others. All outcomes commit together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from commentgate.access import Principal
from commentgate.errors import ConflictError, NotFoundError, PreconditionFailedError
from commentgate.storage.models import Comment
from service.moderation.decisions import DecisionRequest, apply_decision, get_scoped_comment
from service.presenters import etag_of

MAX_BULK_IDS = 500


class Outcome(str, Enum):
    """What happened to one id of a bulk call."""

    OK = "ok"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    PRECONDITION_FAILED = "precondition_failed"


_OUTCOMES: dict[type[Exception], Outcome] = {
    NotFoundError: Outcome.NOT_FOUND,
    ConflictError: Outcome.CONFLICT,
    PreconditionFailedError: Outcome.PRECONDITION_FAILED,
}


@dataclass(frozen=True)
class BulkResult:
    """One id's outcome, with the comment's status and ETag when it exists in scope."""

    id: str
    result: Outcome
    status: str | None = None
    etag: str | None = None


def _one(
    session: Session, comment_id: str, principal: Principal, wanted: DecisionRequest
) -> tuple[Outcome, Comment | None]:
    comment = None
    try:
        comment = get_scoped_comment(session, comment_id, principal)
        apply_decision(session, comment, principal, wanted)
        return Outcome.OK, comment
    except (NotFoundError, ConflictError, PreconditionFailedError) as exc:
        return _OUTCOMES[type(exc)], comment


def decide_many(
    session: Session,
    ids: Sequence[str],
    principal: Principal,
    template: DecisionRequest,
    if_match: Mapping[str, str],
) -> list[BulkResult]:
    """Apply ``template`` to every id (duplicates once), ``if_match`` per id; commits."""
    outcomes: dict[str, Outcome] = {}
    for comment_id in dict.fromkeys(ids):
        wanted = DecisionRequest(
            template.action, template.reason, template.note, if_match.get(comment_id)
        )
        outcomes[comment_id] = _one(session, comment_id, principal, wanted)[0]
    session.commit()
    found = {
        c.id: c
        for c in _reload(session, [i for i, o in outcomes.items() if o is not Outcome.NOT_FOUND])
    }
    return [
        _result(comment_id, outcome, found.get(comment_id))
        for comment_id, outcome in outcomes.items()
    ]


def _reload(session: Session, ids: list[str]) -> list[Comment]:
    if not ids:
        return []
    query = select(Comment).where(Comment.id.in_(ids)).execution_options(populate_existing=True)
    return list(session.scalars(query))


def _result(comment_id: str, outcome: Outcome, comment: Comment | None) -> BulkResult:
    if comment is None:
        return BulkResult(comment_id, outcome)
    return BulkResult(comment_id, outcome, comment.status, etag_of(comment))
