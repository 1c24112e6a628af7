"""The moderation API on authors: ban by phone or IP, list bans, lift (and undo) them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import request
from flask_openapi3 import APIBlueprint, Tag

from commentgate.access import Permission
from commentgate.domain import BanKind
from commentgate.registry import get_scoped_site
from commentgate.storage.bans import count_rejections, list_bans
from commentgate.storage.models import Ban, utcnow
from service.deps import comment_work, services
from service.http.auth import current_principal, require
from service.moderation.bans import BanOutcome, BanRequest, create_ban, get_scoped_ban, lift_ban
from service.moderation.schemas import BanIn, BanOut, BanPage, BanPath, BanQuery, BanResult, LiftIn
from service.openapi_docs import BODY, SECURITY, protected
from service.presenters import rfc3339

LIFT_BODY_DOC = {
    "required": False,
    "content": {"application/json": {"schema": LiftIn.model_json_schema()}},
}

bans = APIBlueprint(
    "bans",
    __name__,
    url_prefix="/api/v1/moderation",
    abp_tags=[Tag(name="bans")],
    abp_security=SECURITY,
)


@bans.before_request
def require_ban_rights() -> None:
    """Every call here needs a key that may ban (moderator or admin)."""
    require(Permission.BAN)


def _view(ban: Ban, rejected_count: int) -> dict[str, Any]:
    now = utcnow()
    active = ban.lifted_at is None and (ban.expires_at is None or ban.expires_at > now)
    return {
        "id": ban.id,
        "kind": ban.kind,
        "site": ban.site.name if ban.site else None,
        "note": ban.note,
        "source_comment_id": ban.source_comment_id,
        "reject_recent_hours": ban.reject_recent_hours,
        "rejected_count": rejected_count,
        "active": active,
        "created_at": rfc3339(ban.created_at),
        "created_by": ban.created_by,
        "expires_at": rfc3339(ban.expires_at),
        "lifted_at": rfc3339(ban.lifted_at),
        "lifted_by": ban.lifted_by,
    }


def ban_views(session, bans: Sequence[Ban]) -> list[dict[str, Any]]:
    """Bans as moderators see them: never the phone or IP, only its kind.

    Their rejection counts come in one query, so a page costs the same
    number of queries whatever its size.
    """
    counts = count_rejections(session, [ban.id for ban in bans])
    return [_view(ban, counts[ban.id]) for ban in bans]


def ban_view(session, ban: Ban) -> dict[str, Any]:
    """One ban as moderators see it."""
    [view] = ban_views(session, [ban])
    return view


def _result(session, outcome: BanOutcome) -> dict[str, Any]:
    return {
        "ban": ban_view(session, outcome.ban),
        "rejected": outcome.rejected,
        "restored": outcome.restored,
        "kept": outcome.kept,
    }


@bans.post(
    "/bans",
    summary="Ban an author by phone or IP (given, or taken from a comment)",
    responses={201: BanResult, **protected(*BODY, 404)},
)
def create(body: BanIn):
    """Stored as an HMAC; optionally marks their comments of the last N hours spam."""
    wanted = BanRequest(
        kind=BanKind(body.kind),
        value=body.value,
        comment_id=body.comment_id,
        site=body.site,
        reject_recent_hours=body.reject_recent_hours,
        duration_hours=body.duration_hours,
        note=body.note,
    )
    secret = services().settings.resolved_secret_key()
    with comment_work() as life:
        outcome = create_ban(life, secret, current_principal(), wanted)
        return _result(life.session, outcome), 201


@bans.get(
    "/bans",
    summary="Bans on the key's sites, newest first",
    responses={200: BanPage, **protected(404, 422)},
)
def index(query: BanQuery):
    """Filter by site and by whether they are active."""
    principal = current_principal()
    with services().sessions() as session:
        site_ids = principal.site_ids
        if query.site is not None:
            site_ids = frozenset({get_scoped_site(session, principal, query.site).id})
        page = list_bans(session, site_ids, query.active, query.cursor, query.limit)
        return {
            "items": ban_views(session, page.items),
            "next_cursor": page.next_cursor,
        }


@bans.get(
    "/bans/<ban_id>",
    summary="One ban",
    responses={200: BanOut, **protected(404)},
)
def show(path: BanPath):
    """The ban, with how many comments it rejected."""
    with services().sessions() as session:
        return ban_view(session, get_scoped_ban(session, path.ban_id, current_principal()))


@bans.post(
    "/bans/<ban_id>/lift",
    summary="Lift a ban and undo what it rejected",
    responses={200: BanResult, **protected(*BODY, 404)},
    openapi_extensions={"requestBody": LIFT_BODY_DOC},
)
def lift(path: BanPath):
    """Ends the ban; ``restore`` (default true) puts back the comments it rejected."""
    body = LiftIn.model_validate(request.get_json(silent=True) or {})
    with comment_work() as life:
        outcome = lift_ban(life, path.ban_id, current_principal(), restore=body.restore)
        return _result(life.session, outcome)
