"""The model learns from moderators: approve = ham, reject as spam = spam.

The decision log (``decisions``) is the source of truth. Online learning
applies each new labelled decision once, in log order, on top of the site's
latest model (or a copy of the global prior), and stores a new version that
records how far into the log it got. A reversed decision (spam, then approved)
is applied online as a correcting example; :func:`rebuild_site` replays the log
from the prior keeping only each comment's final label, which makes it exact.
:func:`needs_rebuild` tells when a site's model has learned some comment twice (a
reversal, or the same label again) since it was last exact; the sweep then queues a
rebuild (:func:`sites_to_rebuild`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import redis
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from commentgate.domain import DecisionAction, RejectReason, teaches_model
from commentgate.queue import LEARN_TIMEOUT, REBUILD_TIMEOUT
from commentgate.redis_keys import redis_key
from commentgate.storage.db import SessionFactory, transaction
from commentgate.storage.models import Comment, Decision, ModelVersion, Site
from workers.model_store import ModelStore, new_version_name
from workers.scoring.corpus import Example, Label
from workers.scoring.model import SpamModel
from workers.scoring.types import Submission

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelledDecision:
    """A decision that teaches the model something."""

    decision_id: int
    comment_id: str
    example: Example


def label_of(decision: Decision) -> Label | None:
    """What a decision teaches: approve → ham, reject as spam → spam, others nothing."""
    action = DecisionAction(decision.action)
    reason = RejectReason(decision.reason) if decision.reason else None
    if not teaches_model(action, reason):
        return None
    return Label.HAM if action is DecisionAction.APPROVE else Label.SPAM


# commentgate.domain.teaches_model in SQL; tests/test_learning.py checks that both agree.
TEACHES = or_(
    Decision.action == DecisionAction.APPROVE.value,
    and_(
        Decision.action == DecisionAction.REJECT.value,
        Decision.reason == RejectReason.SPAM.value,
    ),
)


def comment_text(comment: Comment) -> str:
    """The text the model reads of a stored comment (as at scoring time)."""
    return Submission(content=comment.content, title=comment.title).text


def labelled_decisions(session: Session, site_id: str, after_id: int = 0) -> list[LabelledDecision]:
    """The site's teaching decisions after ``after_id``, in log order."""
    rows = session.execute(
        select(Decision, Comment)
        .join(Comment, Comment.id == Decision.comment_id)
        .where(Comment.site_id == site_id, Decision.id > after_id)
        .order_by(Decision.id)
    )
    found = []
    for decision, comment in rows:
        label = label_of(decision)
        if label is not None:
            example = Example(comment_text(comment), label)
            found.append(LabelledDecision(decision.id, comment.id, example))
    return found


def final_labels(decisions: Iterable[LabelledDecision]) -> list[LabelledDecision]:
    """Each comment's last teaching decision, ordered by when it was made."""
    last: dict[str, LabelledDecision] = {}
    for item in decisions:
        last.pop(item.comment_id, None)
        last[item.comment_id] = item
    return sorted(last.values(), key=lambda item: item.decision_id)


def _starting_point(
    session: Session, store: ModelStore, site: Site
) -> tuple[SpamModel, ModelVersion | None]:
    """The site's newest model, or a copy of the global prior, or a blank model."""
    model = store.current(session, site.id)
    row = session.scalar(
        select(ModelVersion)
        .where(ModelVersion.site_id == site.id)
        .order_by(ModelVersion.id.desc())
        .limit(1)
    )
    version = new_version_name(site.name)
    return (model.copy(version) if model else SpamModel.new(version)), row


def learn_site(sessions: SessionFactory, store: ModelStore, site_id: str) -> int:
    """Apply the site's new teaching decisions; returns how many were learned."""
    with transaction(sessions) as session:
        site = session.get(Site, site_id)
        if site is None:
            return 0
        model, row = _starting_point(session, store, site)
        new = labelled_decisions(session, site.id, row.last_decision_id if row else 0)
        if not new:
            return 0
        model.learn_many([item.example for item in new])
        store.save(
            session,
            model,
            site_id=site.id,
            examples=(row.examples if row else 0) + len(new),
            last_decision_id=new[-1].decision_id,
        )
    log.info("model for site %s learned %d decisions", site_id, len(new))
    return len(new)


def global_prior(session: Session, store: ModelStore) -> SpamModel | None:
    """The newest global model (from ``commentgate train``), if any."""
    return store.current(session, None)


def rebuild_site(sessions: SessionFactory, store: ModelStore, site_id: str) -> ModelVersion | None:
    """Replay the whole decision log on the global prior, final labels only."""
    with transaction(sessions) as session:
        site = session.get(Site, site_id)
        if site is None:
            return None
        prior = global_prior(session, store)
        items = final_labels(labelled_decisions(session, site.id))
        version = new_version_name(site.name)
        model = prior.copy(version) if prior else SpamModel.new(version)
        model.learn_many([item.example for item in items])
        last = max((i.decision_id for i in items), default=0)
        return store.save(
            session, model, site_id=site.id, examples=len(items), last_decision_id=last
        )


def needs_rebuild(session: Session, site_id: str) -> bool:
    """True when the site's newest model learned more decisions than it has comments.

    A rebuild counts each comment once (its final label); online learning counts every
    teaching decision. The two agree until a comment is decided twice (a reversal, or the
    same label again), so the newest version's count exceeding the distinct comments behind
    it means a rebuild would change the model.
    """
    row = session.scalar(
        select(ModelVersion)
        .where(ModelVersion.site_id == site_id)
        .order_by(ModelVersion.id.desc())
        .limit(1)
    )
    if row is None:
        return False
    comments = session.scalar(
        select(func.count(func.distinct(Decision.comment_id)))
        .join(Comment, Comment.id == Decision.comment_id)
        .where(Comment.site_id == site_id, Decision.id <= row.last_decision_id, TEACHES)
    )
    return row.examples > (comments or 0)


def sites_to_rebuild(sessions: SessionFactory) -> list[str]:
    """The sites whose model a rebuild from the log would change (a site whose check
    fails is logged and left for the next round)."""
    found = []
    with sessions() as session:
        for site_id in session.scalars(select(Site.id).order_by(Site.id)).all():
            try:
                if needs_rebuild(session, site_id):
                    found.append(site_id)
            except SQLAlchemyError:
                session.rollback()
                log.exception("could not tell whether site %s needs a rebuild", site_id)
    return found


# Learning and rebuilding a site take turns under one lock, so its versions form one line:
# a learning job that started from the version before a rebuild must not save after it.
# Each job holds it for as long as the job may run (LEARN_TIMEOUT, REBUILD_TIMEOUT).


def _site_lock(client: redis.Redis, site_id: str, seconds: int):
    return client.lock(redis_key("learn", "lock", site_id), timeout=seconds, blocking_timeout=60)


def learn_site_locked(
    sessions: SessionFactory, store: ModelStore, client: redis.Redis, site_id: str
) -> int:
    """:func:`learn_site` under the site's lock.

    Raises:
        redis.exceptions.LockError: if a rebuild held the lock for over a minute.
    """
    with _site_lock(client, site_id, LEARN_TIMEOUT):
        return learn_site(sessions, store, site_id)


def rebuild_site_locked(
    sessions: SessionFactory, store: ModelStore, client: redis.Redis, site_id: str
) -> ModelVersion | None:
    """:func:`rebuild_site` under the site's lock.

    Raises:
        redis.exceptions.LockError: if another job held the lock for over a minute.
    """
    with _site_lock(client, site_id, REBUILD_TIMEOUT):
        return rebuild_site(sessions, store, site_id)
