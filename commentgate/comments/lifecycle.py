"""The one service that changes a comment: accepts it, scores it, decides, edits, bans.

Every change of status goes through :meth:`CommentLifecycle._change`, which
checks the transition table, writes with optimistic locking and records the
event readers' caches need; the public methods add the decision and audit rows
that go with it. What a change sets in motion (scoring, learning, webhooks,
readers' cached pages and counts, counters) waits for the unit of work's commit.
The service never commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from rq import Queue
from sqlalchemy.orm import Session

from commentgate.comments.followups import (
    forget_public_answers,
    queue_learning,
    queue_scoring,
    queue_webhook,
)
from commentgate.comments.metrics import PROMETHEUS, LifecycleMetrics, since
from commentgate.comments.rulings import Ruling
from commentgate.comments.transitions import check_transition
from commentgate.domain import (
    WEBHOOK_EVENTS,
    AuditAction,
    CommentStatus,
    DecisionAction,
    EventType,
    RejectReason,
    teaches_model,
)
from commentgate.errors import ConflictError
from commentgate.links import has_link
from commentgate.queue import DEFAULT_POLICY, JobPolicy
from commentgate.storage.audit import record_audit
from commentgate.storage.bans import add_rejection
from commentgate.storage.comments import (
    NewComment,
    add_decision,
    add_verdict,
    find_comment,
    insert_comment,
    latest_verdict,
    reason_codes_text,
    update_if_status,
    update_if_unchanged,
)
from commentgate.storage.db import UnitOfWork
from commentgate.storage.edits import add_edit
from commentgate.storage.events import note_status_change, record_event
from commentgate.storage.models import Ban, BanRejection, Comment, new_id, utcnow
from commentgate.storage.retention import Expired, expire_comments, reduce_ips
from commentgate.storage.subjects import delete_comment, strip_comment, was_ever_public

Clock = Callable[[], datetime]
RECEIVED, PENDING, SPAM = (
    CommentStatus.RECEIVED.value,
    CommentStatus.PENDING.value,
    CommentStatus.SPAM.value,
)
ANONYMOUS = "Ẩn danh"  # the name an anonymised comment shows


@dataclass(frozen=True)
class Standing:
    """Where a comment stands after a change: its status and who decided it, why, when."""

    status: str
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None
    note: str | None = None

    def values(self) -> dict[str, Any]:
        """The comment's columns for this standing."""
        return {
            "status": self.status,
            "decided_at": self.decided_at,
            "decided_by": self.decided_by,
            "decision_reason": self.reason,
            "decision_note": self.note,
        }


@dataclass(frozen=True)
class Logged:
    """What the decision log and the audit log say about one change of status."""

    comment_id: str
    site_id: str
    key_id: str | None
    action: DecisionAction
    audit: AuditAction
    before: str
    after: str
    reason: str | None = None
    note: str | None = None
    ban_id: str | None = None


class CommentLifecycle:
    """Changes comments inside one unit of work; its follow-ups run after the commit."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        queue: Queue | None = None,
        clock: Clock = utcnow,
        metrics: LifecycleMetrics = PROMETHEUS,
        policy: JobPolicy = DEFAULT_POLICY,
        request_id: str | None = None,
    ) -> None:
        self._uow = uow
        self._queue = queue
        self._clock = clock
        self._metrics = metrics
        self._policy = policy
        self._request_id = request_id

    @property
    def session(self) -> Session:
        """The unit of work's session, for reads around a change."""
        return self._uow.session

    def accept(self, comment: NewComment, site_name: str) -> str:
        """Store a new comment (its column values) as ``received``; its scoring is queued
        after the commit. Returns its id, drawn here unless ``comment`` has one.

        The INSERT comes last: on SQLite it takes the database's one write lock until the
        commit. Intake's unit of work holds it as its one statement, run at the unit's end.
        """
        comment_id = comment.get("id") or new_id()
        insert_comment(self.session, {**comment, "id": comment_id, "status": RECEIVED})
        self._later(partial(self._metrics.accepted, site_name))
        self._later(partial(queue_scoring, self._queue, comment_id, self._request_id, self._policy))
        return comment_id

    def record_verdict(
        self,
        comment: Comment,
        *,
        score: float,
        reasons: list[dict[str, Any]],
        model_version: str,
        status: CommentStatus,
    ) -> bool:
        """Move a ``received`` comment to the worker's ``status`` and log the verdict.

        Returns False, writing nothing, when the comment has left ``received``
        (scored by another run, or decided by a moderator first). The reasons'
        codes are copied onto the comment for the review queue's filter. The worker
        rejects only for abuse (the site's ``abuse_action``): such a comment is decided
        by no key, and audited.
        """
        check_transition(RECEIVED, status.value)
        now, created_at = self._clock(), comment.created_at
        values = {"status": status.value, "score": score, "scored_at": now}
        values["reason_codes"] = reason_codes_text(reasons)
        rejected = status is CommentStatus.REJECTED
        if rejected:
            values.update(Standing(status.value, now, None, RejectReason.ABUSE.value).values())
        if not update_if_status(self.session, comment.id, RECEIVED, **values):
            return False
        add_verdict(
            self.session,
            comment.id,
            score=score,
            reasons=reasons,
            model_version=model_version,
            status=status.value,
            created_at=now,
        )
        if rejected:
            self._log_abuse_rejection(comment, now)
        self._later(lambda: self._metrics.scored(status, since(created_at, self._clock()) or 0.0))
        self._announce(comment, RECEIVED, status.value)
        self.session.expire(comment)
        return True

    def _log_abuse_rejection(self, comment: Comment, at: datetime) -> None:
        action, audit = DecisionAction.REJECT, AuditAction.COMMENT_ABUSE_REJECT
        after, reason = CommentStatus.REJECTED.value, RejectReason.ABUSE.value
        site_id = comment.site_id
        self._log(Logged(comment.id, site_id, None, action, audit, RECEIVED, after, reason), at)

    def decide(self, comment: Comment, ruling: Ruling, key_id: str | None) -> bool:
        """Apply a moderator's ruling; a repeat of the current one writes nothing.

        Returns False when someone changed the comment since it was read. The
        model learns from it (after the commit) even when nothing moved: a
        moderator confirming the worker's call is still a decision.
        """
        if ruling.repeats(comment):
            self._learn(comment.site_id, ruling)
            return True
        now, to_status = self._clock(), ruling.target_status()
        before, site_id, first = comment.status, comment.site_id, comment.decided_at is None
        standing = Standing(to_status.value, now, key_id, ruling.reason_code(), ruling.note)
        if not self._change(comment, comment.version, before, standing):
            return False
        self._log(
            Logged(
                comment.id,
                site_id,
                key_id,
                ruling.action,
                ruling.audit_action(),
                before,
                standing.status,
                standing.reason,
                standing.note,
            ),
            now,
        )
        self._learn(site_id, ruling)
        waited = since(comment.scored_at, now) if first else None
        verdict = latest_verdict(self.session, comment.id)
        self._later(partial(self._metrics.decided, verdict, ruling.action, to_status, waited))
        self.session.expire(comment)
        return True

    def reopen(self, comment: Comment, key_id: str | None) -> bool:
        """Take the decision back: the comment is ``pending`` and undecided again.

        Returns False when someone changed the comment since it was read. A public
        comment is withdrawn (``comment.removed``); the decision log records the
        reopening, so rebuilding the site's model forgets what the decision taught.

        Raises:
            TransitionRefusedError: the comment is not decided (received or pending).
        """
        before, site_id, now = comment.status, comment.site_id, self._clock()
        if not self._change(comment, comment.version, before, Standing(PENDING)):
            return False
        action, audit = DecisionAction.REOPEN, AuditAction.COMMENT_REOPEN
        self._log(Logged(comment.id, site_id, key_id, action, audit, before, PENDING), now)
        self.session.expire(comment)
        return True

    def edit(self, comment: Comment, key_id: str | None, title: str, content: str) -> bool:
        """Change the text, keeping the old one in the history, and audit which fields.

        Returns False when someone changed the comment first (optimistic locking).
        """
        now = self._clock()
        pairs = zip(
            ("title", "content"), (comment.title, comment.content), (title, content), strict=True
        )
        fields = [name for name, old, new in pairs if old != new]
        values = {"title": title, "content": content, "has_link": has_link(title, content)}
        if not update_if_unchanged(
            self.session, comment.id, comment.version, **values, edited_at=now
        ):
            return False
        add_edit(self.session, comment, key_id, now)
        if comment.status == CommentStatus.APPROVED.value:
            record_event(self.session, comment, EventType.EDITED)
            self._forget_public(comment)
        target = ("comment", comment.id)
        detail = {"fields": fields}
        record_audit(
            self.session,
            key_id,
            AuditAction.COMMENT_EDIT,
            target,
            site_id=comment.site_id,
            detail=detail,
        )
        self.session.expire(comment)
        return True

    def reject_for_ban(self, ban: Ban, comment: Comment, key_id: str | None) -> bool:
        """Mark ``comment`` spam because of ``ban``, remembering how to undo it.

        Returns False when the comment changed since it was read.
        """
        before, site_id, now = comment.status, comment.site_id, self._clock()
        standing = Standing(SPAM, now, key_id, RejectReason.SPAM.value)
        if not self._change(comment, comment.version, before, standing):
            return False
        add_rejection(self.session, ban, comment)
        action, audit = DecisionAction.BAN, AuditAction.COMMENT_BAN_REJECT
        self._log(
            Logged(
                comment.id,
                site_id,
                key_id,
                action,
                audit,
                before,
                SPAM,
                standing.reason,
                ban_id=ban.id,
            ),
            now,
        )
        self.session.expire(comment)
        return True

    def restore(self, ban: Ban, rejection: BanRejection, key_id: str | None) -> bool:
        """Put a comment back as it was before ``ban``, if nobody touched it since.

        Returns False (and leaves it) when the comment changed after the ban.
        """
        comment = find_comment(self.session, rejection.comment_id)
        if comment is None:
            return False
        site_id = comment.site_id
        standing = Standing(
            rejection.from_status,
            rejection.from_decided_at,
            rejection.from_decided_by,
            rejection.from_reason,
            rejection.from_note,
        )
        if not self._change(comment, rejection.version, SPAM, standing):
            return False
        rejection.restored_at = now = self._clock()
        action, audit = DecisionAction.RESTORE, AuditAction.COMMENT_RESTORE
        after = standing.status
        self._log(
            Logged(comment.id, site_id, key_id, action, audit, SPAM, after, ban_id=ban.id), now
        )
        self.session.expire(comment)
        return True

    def erase_author(self, comment: Comment, key_id: str | None, *, delete: bool) -> str:
        """Erase the author's data from ``comment`` on their request; returns what became
        of it: "deleted", "blanked" (kept as an empty row: readers' caches were told of
        it) or "anonymised" (the text kept without its author).

        A public comment is taken down first like any other (event, webhook).

        Raises:
            ConflictError: the comment changed since it was read.
        """
        before, site_id = comment.status, comment.site_id
        if before == CommentStatus.APPROVED.value:
            now = self._clock()
            reason = RejectReason.OTHER.value
            standing = Standing(CommentStatus.REJECTED.value, now, key_id, reason)
            if not self._change(comment, comment.version, before, standing):
                raise ConflictError(comment.id)  # changed meanwhile: the whole erasure retries
        target = ("comment", comment.id)
        if delete and not was_ever_public(self.session, comment.id):
            outcome = "deleted"
            delete_comment(self.session, comment.id)  # the session forgets it too
        else:
            outcome = "blanked" if delete else "anonymised"
            strip_comment(self.session, comment.id, ANONYMOUS, keep_text=not delete)
            self.session.expire(comment)
        detail = {"from": before, "outcome": outcome}
        record_audit(
            self.session, key_id, AuditAction.COMMENT_ERASE, target, site_id=site_id, detail=detail
        )
        return outcome

    def reduce_ips(self, before: datetime, limit: int) -> int:
        """Keep only the fingerprint of the IP of up to ``limit`` comments before ``before``."""
        return reduce_ips(self.session, before, limit)

    def expire(self, site_id: str, before: datetime, limit: int) -> Expired:
        """Apply the site's retention period to up to ``limit`` comments older than ``before``."""
        return expire_comments(self.session, site_id, before, limit)

    def _change(self, comment: Comment, version: int, before: str, standing: Standing) -> bool:
        check_transition(before, standing.status)
        if not update_if_unchanged(self.session, comment.id, version, **standing.values()):
            return False
        self._announce(comment, before, standing.status)
        return True

    def _announce(self, comment: Comment, before: str, after: str) -> None:
        event = note_status_change(self.session, comment, before, after)
        if event is not None:
            self._forget_public(comment)
        webhook = WEBHOOK_EVENTS.get(event) if event is not None else None
        if webhook is not None:
            self._later(partial(queue_webhook, self._queue, comment.id, webhook, self._request_id))

    def _forget_public(self, comment: Comment) -> None:
        # Readers' cached answers live in the queue's Redis; what readers see of the
        # article changed, so they go once the change is committed.
        if self._queue is not None:
            site_id, article = comment.site_id, comment.article
            forget = partial(forget_public_answers, self._queue, site_id, article)
            self._later(forget, key=("public", site_id, article))

    def _log(self, entry: Logged, at: datetime) -> None:
        # decisions.key_id names an API key; a change made from the command line has none.
        if entry.key_id is not None:
            add_decision(
                self.session,
                entry.comment_id,
                key_id=entry.key_id,
                action=entry.action.value,
                reason=entry.reason,
                note=entry.note,
                from_status=entry.before,
                to_status=entry.after,
                created_at=at,
            )
        detail = {"ban": entry.ban_id} if entry.ban_id else {}
        record_audit(
            self.session,
            entry.key_id,
            entry.audit,
            ("comment", entry.comment_id),
            site_id=entry.site_id,
            reason=entry.reason,
            detail={**detail, "from": entry.before, "to": entry.after},
        )

    def _learn(self, site_id: str, ruling: Ruling) -> None:
        if teaches_model(ruling.action, ruling.reason):
            learn = partial(queue_learning, self._queue, site_id)
            self._later(learn, key=("learn", site_id))

    def _later(self, hook: Callable[[], None], *, key: Any = None) -> None:
        self._uow.after_commit(hook, key=key)
