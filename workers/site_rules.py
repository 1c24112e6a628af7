"""What site rules and post-moderation holds need from the database: the site's rules,
whether the author is new, their phone when a rule asks for it, and held authors."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commentgate.config import Settings
from commentgate.errors import DataKeyError
from commentgate.sealing import reveal_phone
from commentgate.storage.models import Comment, Site, SiteRule
from commentgate.storage.site_rules import (
    SCORED_STATES,
    has_approved_comment,
    is_held,
    list_rules,
)
from workers.scoring.types import Reason, ReasonCode, SiteRuleSpec


def spec_of(rule: SiteRule) -> SiteRuleSpec:
    """A stored rule as the scoring sees it."""
    return SiteRuleSpec(
        id=rule.id,
        name=rule.name,
        conditions=tuple(sorted((rule.conditions or {}).items())),
        weight=rule.weight,
        action=rule.action,
        shadow=rule.state != "active",
    )


def scoring_rules(session: Session, site_id: str) -> tuple[SiteRuleSpec, ...]:
    """The site's active and shadow rules."""
    return tuple(spec_of(rule) for rule in list_rules(session, site_id, SCORED_STATES))


def is_first_time(session: Session, comment: Comment) -> bool:
    """No approved comment by this phone on the site yet (without a phone: first-time)."""
    return not has_approved_comment(session, comment.site_id, comment.phone_hmac, comment.id)


def phone_for_rules(
    settings: Settings, comment: Comment, specs: tuple[SiteRuleSpec, ...]
) -> str | None:
    """The comment's phone in clear, only when one of the rules looks at it."""
    if not any(name == "phone_prefix" for spec in specs for name, _ in spec.conditions):
        return None
    try:
        return reveal_phone(settings, comment)
    except DataKeyError:
        return None  # sealed under a key no longer configured: as if no phone


def hold_reasons(session: Session, site: Site, comment: Comment, first_time: bool) -> list[Reason]:
    """Why a post-moderated site holds the comment for a moderator whatever its score."""
    held = []
    if site.hold_first_time and first_time:
        held.append("first-time author")
    if site.hold_links and comment.has_link:
        held.append("a link")
    if is_held(session, site.id, comment.phone_hmac):
        held.append("author marked always pre-moderate")
    return [Reason(ReasonCode.HELD, 0.0, f"held: {what}") for what in held]
