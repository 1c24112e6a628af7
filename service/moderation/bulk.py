"""Bulk decisions: one action on up to 500 comments, each judged on its own.

Every id gets the same rules as a single decision and its own outcome; one
comment's conflict never blocks the others. All outcomes commit together, in the
caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from commentgate.access import Principal
from commentgate.comments.lifecycle import CommentLifecycle
from commentgate.errors import ConflictError, NotFoundError, PreconditionFailedError
from commentgate.storage.comments import find_comments
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
    life: CommentLifecycle, comment_id: str, principal: Principal, wanted: DecisionRequest
) -> tuple[Outcome, Comment | None]:
    comment = None
    try:
        comment = get_scoped_comment(life.session, comment_id, principal)
        apply_decision(life, comment, principal, wanted)
        return Outcome.OK, comment
    except (NotFoundError, ConflictError, PreconditionFailedError) as exc:
        return _OUTCOMES[type(exc)], comment


def decide_many(
    life: CommentLifecycle,
    ids: Sequence[str],
    principal: Principal,
    template: DecisionRequest,
    if_match: Mapping[str, str],
) -> list[BulkResult]:
    """Apply ``template`` to every id (duplicates once), ``if_match`` per id."""
    outcomes: dict[str, Outcome] = {}
    for comment_id in dict.fromkeys(ids):
        wanted = DecisionRequest(
            template.action, template.reason, template.note, if_match.get(comment_id)
        )
        outcomes[comment_id] = _one(life, comment_id, principal, wanted)[0]
    in_scope = [i for i, o in outcomes.items() if o is not Outcome.NOT_FOUND]
    found = {c.id: c for c in find_comments(life.session, in_scope, fresh=True)}
    return [
        _result(comment_id, outcome, found.get(comment_id))
        for comment_id, outcome in outcomes.items()
    ]


def _result(comment_id: str, outcome: Outcome, comment: Comment | None) -> BulkResult:
    if comment is None:
        return BulkResult(comment_id, outcome)
    return BulkResult(comment_id, outcome, comment.status, etag_of(comment))
