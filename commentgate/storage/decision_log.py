"""Reading the decision log for learning: what teaches, in (txid, id) order, once settled."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from commentgate.domain import DecisionAction, RejectReason
from commentgate.storage.commit_order import LogPosition, after, oldest_running_txid, settled
from commentgate.storage.models import Comment, Decision, Site

# commentgate.domain.teaches_model in SQL; tests/test_learning.py checks that both agree.
TEACHES = or_(
    Decision.action == DecisionAction.APPROVE.value,
    and_(
        Decision.action == DecisionAction.REJECT.value,
        Decision.reason == RejectReason.SPAM.value,
    ),
)


def settled_decisions(
    session: Session, site_id: str, since: LogPosition
) -> list[tuple[Decision, Comment]]:
    """The site's settled decisions after ``since`` with their comments, in log order."""
    rows = session.execute(
        select(Decision, Comment)
        .join(Comment, Comment.id == Decision.comment_id)
        .where(
            Comment.site_id == site_id,
            after(Decision.txid, Decision.id, since),
            settled(Decision.txid),
        )
        .order_by(Decision.txid, Decision.id)
    )
    return [(decision, comment) for decision, comment in rows]


def newest_unlearned_txid(session: Session, site_id: str, since: LogPosition) -> int | None:
    """The newest transaction among the site's teaching decisions after ``since``."""
    return session.scalar(
        select(func.max(Decision.txid))
        .join(Comment, Comment.id == Decision.comment_id)
        .where(Comment.site_id == site_id, after(Decision.txid, Decision.id, since), TEACHES)
    )


def oldest_running(session: Session) -> int:
    """The oldest transaction still running (a statement, and a snapshot, of its own)."""
    return session.scalar(select(oldest_running_txid()))


def taught_comments(session: Session, site_id: str, upto: LogPosition) -> int:
    """How many distinct comments of the site teach the model up to ``upto``: those whose
    last teaching decision was not reopened after it (a reopening counts wherever it is in
    the log, since online learning cannot take anything back)."""
    learned = ~after(Decision.txid, Decision.id, upto)
    reopened = Decision.action == DecisionAction.REOPEN.value
    last = (
        select(func.max(Decision.id))
        .join(Comment, Comment.id == Decision.comment_id)
        .where(Comment.site_id == site_id, or_(and_(TEACHES, learned), reopened))
        .group_by(Decision.comment_id)
    )
    count = session.scalar(select(func.count()).where(Decision.id.in_(last), TEACHES))
    return count or 0


def all_site_ids(session: Session) -> list[str]:
    """Every site's id, in id order."""
    return list(session.scalars(select(Site.id).order_by(Site.id)).all())
