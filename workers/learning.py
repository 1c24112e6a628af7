"""The model learns from moderators: approve = ham, reject as spam = spam.

The decision log (``decisions``) is the source of truth. Online learning
applies each new labelled decision once, in log order, on top of the site's
latest model (or a copy of the global prior), and stores a new version that
records how far into the log it got. The log is read in (txid, id) order and
only as far as it is settled (:mod:`commentgate.storage.commit_order`), so a
decision whose transaction commits late is learned later, never skipped. A
reversed decision (spam, then approved) is applied online as a correcting
example; :func:`rebuild_site` replays the log from the prior keeping only each
comment's final label, which makes it exact. A reopened decision (the comment went
back to ``pending``) leaves the comment without a final label: the rebuild forgets it.
:func:`needs_rebuild` tells when a site's model has learned some comment twice (a
reversal, or the same label again) since it was last exact; the sweep then queues a
rebuild (:func:`sites_to_rebuild`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import redis
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from commentgate.domain import DecisionAction, RejectReason, teaches_model
from commentgate.queue import LEARN_TIMEOUT, REBUILD_TIMEOUT
from commentgate.redis_keys import redis_key
from commentgate.storage.commit_order import LOG_START, LogPosition
from commentgate.storage.db import SessionFactory, transaction
from commentgate.storage.decision_log import (
    all_site_ids,
    newest_unlearned_txid,
    oldest_running,
    settled_decisions,
    taught_comments,
)
from commentgate.storage.model_versions import newest_site_version
from commentgate.storage.models import Comment, Decision, ModelVersion, Site
from workers.model_store import ModelStore, new_version_name
from workers.scoring.corpus import Example, Label
from workers.scoring.model import SpamModel
from workers.scoring.types import Submission

log = logging.getLogger(__name__)

# How long learning waits for older transactions to end before it retries later: a
# decision's transaction is short, so they usually take milliseconds.
SETTLE_WITHIN_SECONDS = 5.0


class DecisionsNotSettledError(Exception):
    """The site's newest decisions cannot be read in order yet; try again later."""


@dataclass(frozen=True)
class LabelledDecision:
    """A decision that teaches the model something, or (``example`` None) a reopening that
    takes back what the comment's earlier decisions taught."""

    decision_id: int
    txid: int
    comment_id: str
    example: Example | None

    @property
    def position(self) -> LogPosition:
        return LogPosition(self.txid, self.decision_id)


def label_of(decision: Decision) -> Label | None:
    """What a decision teaches: approve → ham, reject as spam → spam, others nothing."""
    action = DecisionAction(decision.action)
    reason = RejectReason(decision.reason) if decision.reason else None
    if not teaches_model(action, reason):
        return None
    return Label.HAM if action is DecisionAction.APPROVE else Label.SPAM


def comment_text(comment: Comment) -> str:
    """The text the model reads of a stored comment (as at scoring time)."""
    return Submission(content=comment.content, title=comment.title).text


def learned_to(row: ModelVersion | None) -> LogPosition:
    """How far into the decision log a model version has learned."""
    return LogPosition(row.last_decision_txid, row.last_decision_id) if row else LOG_START


def labelled_decisions(
    session: Session, site_id: str, since: LogPosition = LOG_START
) -> list[LabelledDecision]:
    """The site's settled teaching decisions and reopenings after ``since``, in log order."""
    found = []
    for decision, comment in settled_decisions(session, site_id, since):
        label = label_of(decision)
        if label is not None or decision.action == DecisionAction.REOPEN.value:
            example = Example(comment_text(comment), label) if label is not None else None
            found.append(LabelledDecision(decision.id, decision.txid, comment.id, example))
    return found


def _wait_until_settled(session: Session, site_id: str, since: LogPosition, seconds: float) -> bool:
    # Waits for the decisions there are now, not for whatever commits meanwhile, so a
    # steady stream of new decisions cannot keep it waiting. Each check is a statement
    # of its own, with a snapshot of its own.
    newest = newest_unlearned_txid(session, site_id, since)
    deadline = time.monotonic() + seconds
    while newest is not None and oldest_running(session) <= newest:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def final_labels(decisions: Iterable[LabelledDecision]) -> list[LabelledDecision]:
    """Each comment's last teaching decision, in log order; none if it was reopened since.

    Decisions on one comment are made one after the other (each changes the comment
    as the previous one left it), so among them the highest id is the last made,
    even where the log's order says otherwise.
    """
    last: dict[str, LabelledDecision] = {}
    for item in decisions:
        known = last.get(item.comment_id)
        if known is None or known.decision_id < item.decision_id:
            last[item.comment_id] = item
    taught = [item for item in last.values() if item.example is not None]
    return sorted(taught, key=lambda item: item.position)


def _starting_point(
    session: Session, store: ModelStore, site: Site
) -> tuple[SpamModel, ModelVersion | None]:
    """The site's newest model, or a copy of the global prior, or a blank model."""
    model = store.current(session, site.id)
    row = newest_site_version(session, site.id)
    version = new_version_name(site.name)
    return (model.copy(version) if model else SpamModel.new(version)), row


def learn_site(
    sessions: SessionFactory,
    store: ModelStore,
    site_id: str,
    settle_within: float = SETTLE_WITHIN_SECONDS,
) -> int:
    """Apply the site's new teaching decisions; returns how many were learned.

    Raises:
        DecisionsNotSettledError: some new decision could still be overtaken by one
            committing late after ``settle_within`` seconds; nothing was learned.
    """
    with transaction(sessions) as session:
        site = session.get(Site, site_id)
        if site is None:
            return 0
        model, row = _starting_point(session, store, site)
        since = learned_to(row)
        if not _wait_until_settled(session, site.id, since, settle_within):
            raise DecisionsNotSettledError(site_id)
        new = labelled_decisions(session, site.id, since)
        # A reopening cannot be unlearned online: the sweep's rebuild forgets it.
        examples = [item.example for item in new if item.example is not None]
        if not examples:
            return 0
        model.learn_many(examples)
        learned = (row.examples if row else 0) + len(examples)
        _save(store, session, model, site.id, learned, new[-1])
    log.info("model for site %s learned %d decisions", site_id, len(examples))
    return len(examples)


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
        logged = labelled_decisions(session, site.id)
        items = final_labels(logged)
        version = new_version_name(site.name)
        model = prior.copy(version) if prior else SpamModel.new(version)
        model.learn_many([item.example for item in items])
        # Up to the last decision read, superseded ones included: learning goes on after it.
        return _save(store, session, model, site.id, len(items), logged[-1] if logged else None)


def _save(
    store: ModelStore,
    session: Session,
    model: SpamModel,
    site_id: str,
    examples: int,
    last: LabelledDecision | None,
) -> ModelVersion:
    position = last.position if last else LOG_START
    return store.save(
        session,
        model,
        site_id=site_id,
        examples=examples,
        last_decision_id=position.id,
        last_decision_txid=position.txid,
    )


def needs_rebuild(session: Session, site_id: str) -> bool:
    """True when the site's newest model learned more decisions than it has comments.

    A rebuild counts each comment once (its final label); online learning counts every
    teaching decision. The two agree until a comment is decided twice (a reversal, or the
    same label again), so the newest version's count exceeding the distinct comments behind
    it means a rebuild would change the model.
    """
    row = newest_site_version(session, site_id)
    if row is None:
        return False
    return row.examples > taught_comments(session, site_id, learned_to(row))


def sites_to_rebuild(sessions: SessionFactory) -> list[str]:
    """The sites whose model a rebuild from the log would change (a site whose check
    fails is logged and left for the next round)."""
    found = []
    with sessions() as session:
        for site_id in all_site_ids(session):
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
