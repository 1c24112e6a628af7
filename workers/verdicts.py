"""From a comment to a verdict and a status. The scoring itself lives in ``scoring``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from commentgate.domain import CommentStatus, ModerationMode
from commentgate.storage.models import Comment, Site

PLACEHOLDER_VERSION = "heuristic-0"
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


@dataclass(frozen=True)
class Scored:
    """A score with the reasons behind it."""

    score: float
    reasons: list[dict] = field(default_factory=list)
    model_version: str = PLACEHOLDER_VERSION


def basic_verdict(comment: Comment) -> Scored:
    """A few plain heuristics: honeypot, links, speed."""
    reasons = []
    if comment.honeypot:
        reasons.append({"code": "honeypot", "weight": 1.0, "detail": "hidden field filled"})
    links = len(_LINK.findall(comment.content))
    if links:
        reasons.append({"code": "links", "weight": 0.4 * links, "detail": f"{links} link(s)"})
    if comment.submit_seconds is not None and comment.submit_seconds < 3:
        reasons.append({"code": "too_fast", "weight": 0.5, "detail": "sent within 3 s"})
    return Scored(round(sum(r["weight"] for r in reasons), 4), reasons)


def status_for(score: float, site: Site) -> CommentStatus:
    """Spam at or over the site's threshold; post-moderated sites publish clean ones."""
    if score >= site.spam_at:
        return CommentStatus.SPAM
    if site.mode == ModerationMode.POST.value and score < site.approve_below:
        return CommentStatus.APPROVED
    return CommentStatus.PENDING
