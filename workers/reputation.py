"""An author's history on the site: approved comments earn credit, spam costs.

Authors are known only by fingerprints (HMAC of phone and of IP), so history
follows a person across articles without storing who they are. A phone number
is one person; an IP often is many (mobile carriers and offices share them), so
IP history only ever costs, weighs less, and needs more than one spam.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from commentgate.domain import CommentStatus
from commentgate.storage.models import Comment
from workers.author_book import AuthorBook
from workers.scoring.types import Reason, ReasonCode

CREDIT_PER_APPROVED = 0.1
MAX_CREDIT = 0.3
COST_PER_SPAM = 0.4
MAX_COST = 1.2
COST_PER_IP_SPAM = 0.2
MIN_IP_SPAM = 2
MAX_IP_COST = 0.6


def _phone_reasons(history: dict[str, int]) -> list[Reason]:
    spam = history.get(CommentStatus.SPAM.value, 0)
    approved = history.get(CommentStatus.APPROVED.value, 0)
    if spam:
        weight = min(MAX_COST, COST_PER_SPAM * spam)
        return [Reason(ReasonCode.REPUTATION, weight, f"phone: {spam} earlier comment(s) spam")]
    if approved:
        credit = min(MAX_CREDIT, CREDIT_PER_APPROVED * approved)
        detail = f"phone: {approved} earlier comment(s) approved"
        return [Reason(ReasonCode.REPUTATION, -credit, detail)]
    return []


def _ip_reasons(history: dict[str, int]) -> list[Reason]:
    spam = history.get(CommentStatus.SPAM.value, 0)
    if spam < MIN_IP_SPAM:
        return []
    weight = min(MAX_IP_COST, COST_PER_IP_SPAM * spam)
    return [Reason(ReasonCode.REPUTATION, weight, f"IP: {spam} earlier comment(s) spam")]


def reputation_reasons(session: Session, comment: Comment, book: AuthorBook) -> list[Reason]:
    """Credit or cost from the same phone; cost from an IP with repeated spam."""
    by_phone, by_ip = book.history(session, comment)
    return _phone_reasons(by_phone) + _ip_reasons(by_ip)
