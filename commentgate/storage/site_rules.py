"""Site rules, held authors, and what rule and engine reports read: verdicts and decisions."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commentgate.domain import CommentStatus
from commentgate.storage.models import Comment, HeldAuthor, SiteRule, Verdict

SCORED_STATES = ("shadow", "active")


def list_rules(
    session: Session, site_id: str, states: Collection[str] | None = None
) -> list[SiteRule]:
    """The site's rules (in ``states``, or all), oldest first."""
    query = select(SiteRule).where(SiteRule.site_id == site_id)
    if states is not None:
        query = query.where(SiteRule.state.in_(states))
    return list(session.scalars(query.order_by(SiteRule.id)))


def find_rule(session: Session, site_id: str, rule_id: int) -> SiteRule | None:
    """The site's rule with this id, or None."""
    return session.scalar(
        select(SiteRule).where(SiteRule.site_id == site_id, SiteRule.id == rule_id)
    )


def add_rule(session: Session, rule: SiteRule) -> SiteRule:
    """Store a new rule; flushes so it has its id."""
    session.add(rule)
    session.flush()
    return rule


def recent_comments(session: Session, site_id: str, limit: int) -> list[Comment]:
    """The site's newest ``limit`` comments, newest first."""
    query = select(Comment).where(Comment.site_id == site_id)
    return list(session.scalars(query.order_by(Comment.created_at.desc()).limit(limit)))


def has_approved_comment(
    session: Session,
    site_id: str,
    phone_hmac: str | None,
    other_than: str | None = None,
    before: datetime | None = None,
) -> bool:
    """Whether the author (by phone fingerprint) has an approved comment on the site
    (other than ``other_than``, written before ``before``)."""
    if phone_hmac is None:
        return False
    query = select(Comment.id).where(
        Comment.site_id == site_id,
        Comment.phone_hmac == phone_hmac,
        Comment.status == CommentStatus.APPROVED.value,
    )
    if other_than is not None:
        query = query.where(Comment.id != other_than)
    if before is not None:
        query = query.where(Comment.created_at <= before)
    return session.scalar(query.limit(1)) is not None


def is_held(session: Session, site_id: str, phone_hmac: str | None) -> bool:
    """Whether the author's comments always wait for a moderator on the site."""
    if phone_hmac is None:
        return False
    return session.get(HeldAuthor, (site_id, phone_hmac)) is not None


def hold_author(session: Session, site_id: str, phone_hmac: str, key_id: str | None) -> bool:
    """Mark the author as always held; returns whether the mark is new."""
    if is_held(session, site_id, phone_hmac):
        return False
    session.add(HeldAuthor(site_id=site_id, phone_hmac=phone_hmac, created_by=key_id))
    session.flush()
    return True


def release_author(session: Session, site_id: str, phone_hmac: str) -> bool:
    """Remove the mark; returns whether there was one."""
    held = session.get(HeldAuthor, (site_id, phone_hmac))
    if held is not None:
        session.delete(held)
        session.flush()
    return held is not None


@dataclass(frozen=True)
class Outcome:
    """A comment's latest verdict in a window and, if a moderator decided it, the status."""

    comment_id: str
    reasons: list[dict[str, Any]]
    scored: str
    decided: str | None


def outcomes_since(session: Session, site_id: str, since: datetime) -> list[Outcome]:
    """The latest verdict of each of the site's comments scored since ``since``, with the
    status a moderator (not the worker) left it in."""
    rows = session.execute(
        select(Verdict.id, Verdict.comment_id, Verdict.reasons, Verdict.status)
        .add_columns(Comment.status, Comment.decided_at)
        .join(Comment, Comment.id == Verdict.comment_id)
        .where(Comment.site_id == site_id, Verdict.created_at >= since)
        .order_by(Verdict.id)
    )
    latest: dict[str, Outcome] = {}
    for _id, comment_id, reasons, scored, status, decided_at in rows:
        decided = status if decided_at is not None else None
        latest[comment_id] = Outcome(comment_id, reasons or [], scored, decided)
    return list(latest.values())
