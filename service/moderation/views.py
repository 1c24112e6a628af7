"""The moderation API: review queue, one comment, approve, reject."""

from __future__ import annotations

from flask import request
from flask_openapi3 import APIBlueprint, Tag

from commentgate.domain import DecisionAction, RejectReason, Role, teaches_model
from commentgate.errors import UnknownSiteError
from commentgate.storage.comments import latest_verdict, list_for_review
from commentgate.storage.sites import find_site
from service.deps import services
from service.http.auth import Principal, authenticate, current_principal
from service.moderation.decisions import (
    DecisionRequest,
    decide,
    get_scoped_comment,
    queue_learning,
)
from service.openapi_docs import SECURITY, error_responses
from service.presenters import etag_of, moderator_view
from service.schemas import CommentPath, ModeratorComment, RejectIn, ReviewPage, ReviewQuery

MODERATION_ROLES = frozenset({Role.MODERATOR, Role.ADMIN})
# The reject body is optional, so it is parsed in the view and documented by hand.
REJECT_BODY_DOC = {
    "required": False,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "reason": {
                        "type": "string",
                        "enum": [r.value for r in RejectReason],
                        "default": RejectReason.OTHER.value,
                    },
                    "note": {"type": "string", "maxLength": 1000},
                },
            }
        }
    },
}

moderation = APIBlueprint(
    "moderation",
    __name__,
    url_prefix="/api/v1/moderation",
    abp_tags=[Tag(name="moderation")],
    abp_security=SECURITY,
)


@moderation.before_request
def require_moderator() -> None:
    """Every moderation call needs a moderator's or admin's key."""
    authenticate(MODERATION_ROLES)


def _site_filter(session, principal: Principal, site_name: str | None) -> frozenset[str] | None:
    if site_name is None:
        return principal.site_ids
    site = find_site(session, site_name)
    if site is None or (principal.site_ids is not None and site.id not in principal.site_ids):
        raise UnknownSiteError(site_name)
    return frozenset({site.id})


def _with_etag(comment, verdict, status: int = 200):
    return moderator_view(comment, verdict), status, {"ETag": etag_of(comment)}


@moderation.get(
    "/comments",
    summary="Review queue, newest first",
    responses={200: ReviewPage, **error_responses(401, 403, 404, 422, 503)},
)
def review_queue(query: ReviewQuery):
    """Comments in the given statuses (default ``pending``) on the key's sites."""
    with services().sessions() as session:
        site_ids = _site_filter(session, current_principal(), query.site)
        statuses = [s.value for s in query.status]
        page = list_for_review(session, site_ids, statuses, query.cursor, query.limit)
        items = [moderator_view(c, latest_verdict(session, c.id)) for c in page.items]
        return {"items": items, "next_cursor": page.next_cursor}


@moderation.get(
    "/comments/<comment_id>",
    summary="One comment with everything, including the verdict",
    responses={200: ModeratorComment, **error_responses(401, 403, 404, 503)},
)
def get_comment(path: CommentPath):
    """The comment with phone, IP and the worker's reasons; carries an ETag."""
    with services().sessions() as session:
        comment = get_scoped_comment(session, path.comment_id, current_principal())
        return _with_etag(comment, latest_verdict(session, comment.id))


def _decide(comment_id: str, wanted: DecisionRequest):
    svc = services()
    with svc.sessions() as session:
        comment = decide(session, comment_id, current_principal(), wanted)
        if teaches_model(wanted.action, wanted.reason):
            queue_learning(svc.queue, comment.site_id)
        return _with_etag(comment, latest_verdict(session, comment.id))


_DECISION_ERRORS = error_responses(401, 403, 404, 409, 412, 415, 422, 503)


@moderation.post(
    "/comments/<comment_id>/approve",
    summary="Approve: the comment becomes public",
    responses={200: ModeratorComment, **_DECISION_ERRORS},
)
def approve(path: CommentPath):
    """Approve; repeating is a no-op, changing a decided comment needs If-Match."""
    return _decide(path.comment_id, DecisionRequest(DecisionAction.APPROVE, if_match=_if_match()))


@moderation.post(
    "/comments/<comment_id>/reject",
    summary="Reject (reason spam marks it spam and teaches the model)",
    responses={200: ModeratorComment, **_DECISION_ERRORS},
    openapi_extensions={"requestBody": REJECT_BODY_DOC},
)
def reject(path: CommentPath):
    """Reject with a reason (spam, abuse, off_topic, other) and an optional note."""
    body = RejectIn.model_validate(request.get_json(silent=True) or {})
    wanted = DecisionRequest(DecisionAction.REJECT, body.reason, body.note, _if_match())
    return _decide(path.comment_id, wanted)


def _if_match() -> str | None:
    value = request.headers.get("If-Match")
    return value.strip() if value else None
