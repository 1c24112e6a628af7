"""How the worker's verdicts and each site rule compare with moderators' final decisions.

Read over a window of scored comments (their latest verdict); only comments a moderator
decided count towards agreement. "Not published" is a moderator's ``spam`` or
``rejected``; the spam figures use ``spam`` alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from commentgate.domain import CommentStatus
from commentgate.storage.models import SiteRule, utcnow
from commentgate.storage.site_rules import Outcome, outcomes_since

SPAM, APPROVED = CommentStatus.SPAM.value, CommentStatus.APPROVED.value
NOT_PUBLISHED = frozenset({SPAM, CommentStatus.REJECTED.value})
DEFAULT_DAYS = 30


def window(session, site_id: str, days: int) -> list[Outcome]:
    """The site's outcomes over the last ``days`` days."""
    return outcomes_since(session, site_id, utcnow() - timedelta(days=days))


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _rule_hit(outcome: Outcome, rule_id: int) -> bool:
    return any((reason.get("rule") or {}).get("id") == rule_id for reason in outcome.reasons)


def _against_spam(rule: SiteRule) -> bool:
    """Whether the rule speaks for holding a comment back (else for publishing it)."""
    return rule.action in {"spam", "pending"} or (rule.weight or 0.0) >= 0


def rule_report(rule: SiteRule, outcomes: Iterable[Outcome], days: int) -> dict[str, Any]:
    """A rule's hits in the window and its agreement with moderators: precision (its
    decided hits moderators agreed with) and recall (the decisions it agreed with that it
    caught)."""
    decided = [o for o in outcomes if o.decided is not None]
    agrees = NOT_PUBLISHED if _against_spam(rule) else frozenset({APPROVED})
    hits = [o for o in outcomes if _rule_hit(o, rule.id)]
    decided_hits = [o for o in hits if o.decided is not None]
    agreed = sum(o.decided in agrees for o in decided_hits)
    wanted = sum(o.decided in agrees for o in decided)
    return {
        "id": rule.id,
        "name": rule.name,
        "state": rule.state,
        "days": days,
        "hits": len(hits),
        "decided_hits": len(decided_hits),
        "agreed": agreed,
        "precision": _ratio(agreed, len(decided_hits)),
        "recall": _ratio(agreed, wanted),
    }


def _overridden(outcome: Outcome) -> bool:
    if outcome.scored == SPAM:
        return outcome.decided == APPROVED
    return outcome.scored == APPROVED and outcome.decided in NOT_PUBLISHED


def engine_report(outcomes: Iterable[Outcome], days: int) -> dict[str, Any]:
    """The worker's verdicts against moderators' final decisions: how often a verdict
    that moved a comment on its own (spam, approved) was reversed, precision and recall
    of ``spam``, and the precision of each reason that weighed towards spam."""
    outcomes = list(outcomes)
    decided = [o for o in outcomes if o.decided is not None]
    final = [o for o in decided if o.scored in {SPAM, APPROVED}]
    said_spam = [o for o in decided if o.scored == SPAM]
    true_spam = sum(o.decided == SPAM for o in said_spam)
    return {
        "days": days,
        "scored": len(outcomes),
        "decided": len(decided),
        "overridden": sum(map(_overridden, final)),
        "override_rate": _ratio(sum(map(_overridden, final)), len(final)),
        "spam": {
            "predicted": len(said_spam),
            "confirmed": true_spam,
            "precision": _ratio(true_spam, len(said_spam)),
            "recall": _ratio(true_spam, sum(o.decided == SPAM for o in decided)),
        },
        "reasons": _reason_precision(decided),
    }


def _reason_precision(decided: list[Outcome]) -> list[dict[str, Any]]:
    """Per reason code that weighed towards spam: decided comments carrying it, and the
    share moderators did not publish."""
    seen: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for outcome in decided:
        codes = {r["code"] for r in outcome.reasons if (r.get("weight") or 0) > 0}
        seen.update(codes)
        if outcome.decided in NOT_PUBLISHED:
            right.update(codes)
    return [
        {"code": code, "decided": seen[code], "precision": _ratio(right[code], seen[code])}
        for code in sorted(seen)
    ]
