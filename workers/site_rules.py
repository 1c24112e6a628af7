"""What site rules and post-moderation holds need from the database: the site's rules,
whether the author is new, their phone when a rule asks for it, and held authors."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commentgate.config import Settings
from commentgate.errors import DataKeyError
from commentgate.rule_syntax import RuleDraft
from commentgate.sealing import reveal_phone
from commentgate.storage.models import Comment, Site, SiteRule
from commentgate.storage.site_rules import (
    SCORED_STATES,
    has_approved_comment,
    is_held,
    list_rules,
    recent_comments,
)
from workers.scoring.checks.site_rules import rule_matches
from workers.scoring.types import Reason, ReasonCode, SiteRuleSpec, Submission


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


def draft_spec(draft: RuleDraft, rule_id: int = 0) -> SiteRuleSpec:
    """A draft rule as the scoring would see it once active."""
    conditions = draft.conditions.model_dump(exclude_none=True)
    return SiteRuleSpec(
        rule_id, draft.name, tuple(sorted(conditions.items())), draft.weight, draft.action, False
    )


def scoring_rules(session: Session, site_id: str) -> tuple[SiteRuleSpec, ...]:
    """The site's active and shadow rules."""
    return tuple(spec_of(rule) for rule in list_rules(session, site_id, SCORED_STATES))


def author_facts(
    session: Session, settings: Settings, comment: Comment, specs: tuple[SiteRuleSpec, ...]
) -> tuple[bool, str | None]:
    """Whether the author is new on the site and their phone in clear, each looked up only
    when the site's holds or rules read it (else: new, no phone)."""
    reads_history = comment.site.hold_first_time or _reads(specs, "first_comment")
    first_time = is_first_time(session, comment) if reads_history else True
    return first_time, phone_for_rules(settings, comment, specs)


def _reads(specs: tuple[SiteRuleSpec, ...], condition: str) -> bool:
    return any(name == condition for spec in specs for name, _ in spec.conditions)


def is_first_time(session: Session, comment: Comment) -> bool:
    """No approved comment by this phone on the site before this one (without a phone:
    first-time)."""
    return not has_approved_comment(
        session, comment.site_id, comment.phone_hmac, comment.id, comment.created_at
    )


def phone_for_rules(
    settings: Settings, comment: Comment, specs: tuple[SiteRuleSpec, ...]
) -> str | None:
    """The comment's phone in clear, only when one of the rules looks at it."""
    if not _reads(specs, "phone_prefix"):
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


def try_rule(
    session: Session, settings: Settings, site_id: str, draft: RuleDraft, last: int
) -> tuple[int, list[Comment]]:
    """Run ``draft`` over the site's newest ``last`` comments: how many were read, and
    those it matches (newest first)."""
    spec = draft_spec(draft)
    comments = recent_comments(session, site_id, last)
    hits = [c for c in comments if rule_matches(spec, _as_scored(session, settings, c, spec))]
    return len(comments), hits


def _as_scored(
    session: Session, settings: Settings, comment: Comment, spec: SiteRuleSpec
) -> Submission:
    """The comment as the checks saw it, for the facts the rule reads."""
    needs_history = _reads((spec,), "first_comment")
    return Submission(
        content=comment.content,
        title=comment.title,
        name=comment.name,
        phone=phone_for_rules(settings, comment, (spec,)),
        article=comment.article,
        first_time=is_first_time(session, comment) if needs_history else True,
    )
