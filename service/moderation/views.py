"""The moderation API on comments: queue, counts, one comment, decide, edit, bulk."""

from __future__ import annotations

from flask import request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from commentgate.access import Permission, Principal
from commentgate.domain import CommentStatus, DecisionAction, RejectReason
from commentgate.held_authors import mark_author
from commentgate.registry import get_scoped_site
from commentgate.storage.comments import latest_verdict, latest_verdicts
from commentgate.storage.db import transaction
from commentgate.storage.edits import list_edits
from commentgate.storage.review import ReviewFilter, SameAuthor, count_by_status, list_review
from service.deps import comment_work, services
from service.http.auth import current_principal, require
from service.moderation.bulk import decide_many
from service.moderation.decisions import (
    DecisionRequest,
    decide,
    get_scoped_comment,
    reopen,
)
from service.moderation.edits import EditRequest, edit_comment
from service.moderation.reveal import reveal
from service.moderation.schemas import (
    AuthorHold,
    BulkIn,
    BulkOut,
    EditHistory,
    EditIn,
    RevealIn,
    RevealOut,
    ReviewFilterQuery,
    ReviewPage,
    ReviewQuery,
    StatusCounts,
)
from service.openapi_docs import BODY, SECURITY, optional_json_body, protected, with_headers
from service.presenters import etag_of, moderator_view, rfc3339
from service.schemas import CommentPath, ModeratorComment, RejectIn

# The reject body is optional: no body means reason "other".
REJECT_BODY_DOC = optional_json_body(
    {
        "reason": {
            "type": "string",
            "enum": [r.value for r in RejectReason],
            "default": RejectReason.OTHER.value,
        },
        "note": {"anyOf": [{"type": "string", "maxLength": 1000}, {"type": "null"}]},
    }
)
WITH_ETAG = with_headers(ModeratorComment, ("ETag",))
REVEAL_BODY_DOC = optional_json_body(
    {
        "fields": {
            "type": "array",
            "items": {"type": "string", "enum": ["phone", "ip"]},
            "minItems": 1,
            "maxItems": 2,
            "default": ["phone", "ip"],
        }
    }
)

moderation = APIBlueprint(
    "moderation",
    __name__,
    url_prefix="/api/v1/moderation",
    abp_tags=[Tag(name="moderation")],
    abp_security=SECURITY,
)


class IfMatchHeader(BaseModel):
    if_match: str | None = Field(
        None, alias="If-Match", max_length=100, description="ETag last read"
    )


@moderation.before_request
def require_moderator() -> None:
    """Every call here needs a key that may review (moderator or admin)."""
    permission = Permission.REVIEW if request.method == "GET" else Permission.DECIDE
    require(permission)


def _site_filter(session, principal: Principal, site_name: str | None) -> frozenset[str] | None:
    if site_name is None:
        return principal.site_ids
    return frozenset({get_scoped_site(session, principal, site_name).id})


def _review_filter(
    session, query: ReviewFilterQuery, statuses=(), same_author: SameAuthor | None = None
) -> ReviewFilter:
    return ReviewFilter(
        same_author=same_author,
        site_ids=_site_filter(session, current_principal(), query.site),
        articles=query.article,
        statuses=[s.value for s in statuses],
        score_min=query.score_min,
        score_max=query.score_max,
        reason_codes=query.reason,
        has_link=query.has_link,
        text=query.q,
        since=query.since,
        until=query.until,
    )


def _with_etag(comment, verdict, status: int = 200):
    return moderator_view(comment, verdict), status, {"ETag": etag_of(comment)}


@moderation.get(
    "/comments",
    summary="Review queue: filter, sort, paginate",
    responses={200: ReviewPage, **protected(404, 422)},
)
def review_queue(query: ReviewQuery):
    """Comments in the given statuses (default ``pending``) on the key's sites, filtered;
    with ``same_author_as``, the author's other comments (every status by default)."""
    with services().sessions() as session:
        author = _same_author(session, query.same_author_as)
        statuses = query.status or ([] if author else [CommentStatus.PENDING])
        review = _review_filter(session, query, statuses, author)
        page = list_review(session, review, query.sort, query.cursor, query.limit)
        verdicts = latest_verdicts(session, [c.id for c in page.items])
        items = [moderator_view(c, verdicts.get(c.id)) for c in page.items]
        body = {"items": items, "next_cursor": page.next_cursor}
        if author is not None:
            body["author"] = _author_counts(session, author)
        return body


def _same_author(session, comment_id: str | None) -> SameAuthor | None:
    """The author of a comment on the key's sites (404 otherwise), or None if not asked."""
    if comment_id is None:
        return None
    return SameAuthor.of(get_scoped_comment(session, comment_id, current_principal()))


def _author_counts(session, author: SameAuthor) -> dict[str, int]:
    everywhere = ReviewFilter(site_ids=current_principal().site_ids, same_author=author)
    counts = count_by_status(session, everywhere)
    shown = ("approved", "rejected", "spam", "pending")
    return {**{name: counts[name] for name in shown}, "total": sum(counts.values())}


@moderation.get(
    "/comments/counts",
    summary="How many comments per status, with the queue's filters",
    responses={200: StatusCounts, **protected(404, 422)},
)
def status_counts(query: ReviewFilterQuery):
    """Counts for every status (0 when none), filtered like the queue."""
    with services().sessions() as session:
        return {"counts": count_by_status(session, _review_filter(session, query))}


@moderation.get(
    "/comments/<comment_id>",
    summary="One comment with everything, including the verdict",
    responses={200: WITH_ETAG, **protected(404)},
)
def get_comment(path: CommentPath):
    """The comment with phone, IP and the worker's reasons; carries an ETag."""
    with services().sessions() as session:
        comment = get_scoped_comment(session, path.comment_id, current_principal())
        return _with_etag(comment, latest_verdict(session, comment.id))


def _decide(comment_id: str, wanted: DecisionRequest):
    with comment_work() as life:
        comment = decide(life, comment_id, current_principal(), wanted)
        return _with_etag(comment, latest_verdict(life.session, comment.id))


_DECISION_ERRORS = protected(*BODY, 404, 409, 412)


@moderation.post(
    "/comments/<comment_id>/approve",
    summary="Approve: the comment becomes public",
    responses={200: WITH_ETAG, **_DECISION_ERRORS},
)
def approve(path: CommentPath, header: IfMatchHeader):
    """Approve; repeating is a no-op, changing a decided comment needs If-Match."""
    wanted = DecisionRequest(DecisionAction.APPROVE, if_match=_if_match(header))
    return _decide(path.comment_id, wanted)


@moderation.post(
    "/comments/<comment_id>/reject",
    summary="Reject (reason spam marks it spam and teaches the model)",
    responses={200: WITH_ETAG, **_DECISION_ERRORS},
    openapi_extensions={"requestBody": REJECT_BODY_DOC},
)
def reject(path: CommentPath, header: IfMatchHeader):
    """Reject with a reason (spam, abuse, off_topic, other) and an optional note."""
    body = RejectIn.model_validate(request.get_json(silent=True) or {})
    wanted = DecisionRequest(DecisionAction.REJECT, body.reason, body.note, _if_match(header))
    return _decide(path.comment_id, wanted)


@moderation.post(
    "/comments/<comment_id>/reopen",
    summary="Reopen: take a decision back, the comment waits in pending again",
    responses={200: WITH_ETAG, **_DECISION_ERRORS},
)
def reopen_comment(path: CommentPath, header: IfMatchHeader):
    """Approved, rejected or spam back to pending; needs If-Match (409 without, 412 if stale,
    409 ``not_decided`` for a received or pending comment). A public comment is withdrawn."""
    with comment_work() as life:
        comment = reopen(life, path.comment_id, current_principal(), _if_match(header))
        return _with_etag(comment, latest_verdict(life.session, comment.id))


@moderation.post(
    "/comments/<comment_id>/reveal",
    summary="The author's full phone number and IP address (audited)",
    responses={200: RevealOut, **protected(*BODY, 404)},
    openapi_extensions={"requestBody": REVEAL_BODY_DOC},
)
def reveal_personal(path: CommentPath):
    """Moderator views mask them; this shows them in full and records who asked for which
    fields (never the values) in the audit log."""
    body = RevealIn.model_validate(request.get_json(silent=True) or {})
    with transaction(services().sessions) as session:
        comment = get_scoped_comment(session, path.comment_id, current_principal())
        return reveal(session, comment, current_principal(), body.fields)


def _mark_author(path: CommentPath, held: bool) -> dict[str, bool]:
    with transaction(services().sessions) as session:
        principal = current_principal()
        comment = get_scoped_comment(session, path.comment_id, principal)
        return {"held": held, "changed": mark_author(session, principal, comment, held)}


@moderation.post(
    "/comments/<comment_id>/hold-author",
    summary="Always pre-moderate this comment's author on its site (audited)",
    responses={200: AuthorHold, **protected(*BODY, 404, 409)},
)
def hold_comment_author(path: CommentPath):
    """By phone fingerprint: their comments wait for a moderator even on a post-moderated
    site. A comment without a phone has no author to recognise (409)."""
    return _mark_author(path, True)


@moderation.post(
    "/comments/<comment_id>/release-author",
    summary="Stop always pre-moderating this comment's author (audited)",
    responses={200: AuthorHold, **protected(*BODY, 404, 409)},
)
def release_comment_author(path: CommentPath):
    """Undo hold-author; repeating is a no-op."""
    return _mark_author(path, False)


@moderation.patch(
    "/comments/<comment_id>",
    summary="Edit title and/or content (the previous text is kept)",
    responses={200: WITH_ETAG, **_DECISION_ERRORS},
)
def edit(path: CommentPath, header: IfMatchHeader, body: EditIn):
    """Fix a typo before approving; a decided comment needs If-Match, like decisions."""
    wanted = EditRequest(body.title, body.content, _if_match(header))
    with comment_work() as life:
        comment = edit_comment(life, path.comment_id, current_principal(), wanted)
        return _with_etag(comment, latest_verdict(life.session, comment.id))


@moderation.get(
    "/comments/<comment_id>/edits",
    summary="Edit history: the text before each edit, oldest first",
    responses={200: EditHistory, **protected(404)},
)
def edit_history(path: CommentPath):
    """Every edit of the comment; the first item holds the reader's original text."""
    with services().sessions() as session:
        comment = get_scoped_comment(session, path.comment_id, current_principal())
        items = [
            {
                "title": e.title,
                "content": e.content,
                "edited_by": e.key_id,
                "edited_at": rfc3339(e.created_at),
            }
            for e in list_edits(session, comment.id)
        ]
        return {"items": items}


@moderation.post(
    "/comments/bulk",
    summary="Approve or reject up to 500 comments, with a result per id",
    responses={200: BulkOut, **protected(*BODY)},
)
def bulk(body: BulkIn):
    """Each id follows the single-comment rules; ``if_match`` maps ids to ETags."""
    template = DecisionRequest(DecisionAction(body.action), body.reason, body.note)
    with comment_work() as life:
        results = decide_many(life, body.ids, current_principal(), template, body.if_match)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.result.value] = counts.get(r.result.value, 0) + 1
    items = [
        {"id": r.id, "result": r.result.value, "status": r.status, "etag": r.etag} for r in results
    ]
    return {"results": items, "counts": counts}


def _if_match(header: IfMatchHeader) -> str | None:
    value = header.if_match
    return value.strip() if value and value.strip() else None
