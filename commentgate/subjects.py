"""A person's rights over what their comments left here: see it all, or have it erased.

A person is found by their phone number's fingerprint (never by opening sealed
phones), optionally narrowed by one comment id they know. Neither proves who is
asking: the operator verifies the person before running either (docs/privacy.md).

- export: one JSON document of their comments with statuses, edits, moderators'
  decisions, the worker's verdicts and consent records;
- erase: each comment loses its author's phone, IP, user agent, fingerprints, consent
  and name; a public one is taken down first (``comment.removed``); then, as the site
  says, it is deleted (a comment readers' caches heard of stays as an empty row) or
  anonymised (its text kept). Their traces leave the workers' memory in Redis. Bans
  keep their fingerprint: a ban is the site's own protection. The audit log is checked
  to name none of it (it holds ids and codes only, and refuses changes).

Both are audited under an opaque request id, never the phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis

from commentgate.comments.lifecycle import CommentLifecycle
from commentgate.config import Settings
from commentgate.domain import AuditAction
from commentgate.errors import FieldError, NotFoundError, ValidationFailedError
from commentgate.fingerprint import normalized_fingerprints
from commentgate.phone import normalize_phone
from commentgate.recent_keys import forget_recent
from commentgate.sealing import reveal_phone
from commentgate.storage.audit import record_audit
from commentgate.storage.models import Comment, new_id, utcnow
from commentgate.storage.subjects import audit_mentions, comments_of_author, history_of


@dataclass(frozen=True)
class Subject:
    """Whose data is asked for: a phone number and, to narrow it, one comment."""

    phone: str  # E.164
    phone_hmac: str
    comment_id: str | None = None


@dataclass
class Erased:
    """What an erasure did."""

    request_id: str
    comments: dict[str, str] = field(default_factory=dict)  # id -> deleted/blanked/anonymised
    redis_entries: int = 0
    audit_mentions: int = 0

    def summary(self) -> dict[str, Any]:
        """Counts of what was done, for the audit log and the caller."""
        outcomes = list(self.comments.values())
        return {
            "request_id": self.request_id,
            "comments": len(outcomes),
            **{kind: outcomes.count(kind) for kind in ("deleted", "blanked", "anonymised")},
            "redis_entries": self.redis_entries,
            "audit_mentions": self.audit_mentions,
        }


def subject_of(settings: Settings, phone: str, comment_id: str | None = None) -> Subject:
    """The subject a request names.

    Raises:
        ValidationFailedError: ``phone`` is not a phone number (``phone_invalid``).
    """
    e164 = normalize_phone(phone)
    prints = normalized_fingerprints(settings, e164, None)
    if e164 is None or prints.phone_hmac is None:
        raise ValidationFailedError({"phone": FieldError("phone_invalid")})
    return Subject(e164, prints.phone_hmac, comment_id)


def subject_comments(session, subject: Subject, site_ids=None) -> list[Comment]:
    """The subject's comments (on ``site_ids``, None = every site).

    Raises:
        NotFoundError: nothing carries that phone, or the named comment is not among
            its comments (the two are indistinguishable, so neither can be probed).
    """
    comments = comments_of_author(session, subject.phone_hmac, site_ids)
    known = {c.id for c in comments}
    if not comments or (subject.comment_id is not None and subject.comment_id not in known):
        raise NotFoundError("no comment carries that phone number")
    return comments


def export_subject(
    session, settings: Settings, subject: Subject, key_id: str | None, site_ids=None
) -> dict[str, Any]:
    """Everything stored about the subject, as one JSON-ready document; audited.

    Raises:
        NotFoundError: see :func:`subject_comments`.
    """
    comments = subject_comments(session, subject, site_ids)
    history = history_of(session, [c.id for c in comments])
    request_id = new_id()
    document = {
        "request_id": request_id,
        "exported_at": _moment(utcnow()),
        "phone": subject.phone,
        "comments": [_comment_record(settings, c, history[c.id]) for c in comments],
    }
    target, detail = ("subject", request_id), {"comments": len(comments)}
    record_audit(session, key_id, AuditAction.SUBJECT_EXPORT, target, detail=detail)
    return document


def _comment_record(settings: Settings, c: Comment, history: dict[str, list]) -> dict[str, Any]:
    consent = None
    if c.consent_version is not None:
        at = _moment(c.consent_at)
        consent = {"notice_version": c.consent_version, "purpose": c.consent_purpose, "at": at}
    return {
        "id": c.id,
        "site": c.site.name,
        "article": c.article,
        "status": c.status,
        "name": c.name,
        "title": c.title,
        "content": c.content,
        "phone": reveal_phone(settings, c),
        "ip": c.ip,
        "user_agent": c.user_agent,
        "created_at": _moment(c.created_at),
        "decided_at": _moment(c.decided_at),
        "decision_reason": c.decision_reason,
        "edited_at": _moment(c.edited_at),
        "consent": consent,
        "edits": [
            {"title": e.title, "content": e.content, "at": _moment(e.created_at)}
            for e in history["edits"]
        ],
        "decisions": [
            {
                "action": d.action,
                "reason": d.reason,
                "note": d.note,
                "from": d.from_status,
                "to": d.to_status,
                "at": _moment(d.created_at),
            }
            for d in history["decisions"]
        ],
        "verdicts": [
            {
                "score": v.score,
                "status": v.status,
                "reasons": [r.get("code") for r in v.reasons],
                "at": _moment(v.created_at),
            }
            for v in history["verdicts"]
        ],
    }


def erase_subject(
    life: CommentLifecycle,
    settings: Settings,
    client: redis.Redis | None,
    subject: Subject,
    key_id: str | None,
    site_ids=None,
) -> Erased:
    """Erase the subject's data from their comments and the workers' memory; audited.

    Raises:
        NotFoundError: see :func:`subject_comments`.
        ConflictError: a comment changed meanwhile (nothing is erased; try again).
    """
    session = life.session
    comments = subject_comments(session, subject, site_ids)
    done = Erased(new_id())
    needles = {subject.phone, subject.phone_hmac}
    traces: dict[str, tuple[list[str], set[str]]] = {}
    for comment in comments:
        ids, authors = traces.setdefault(comment.site_id, ([], set()))
        ids.append(comment.id)
        authors.update(a for a in (comment.phone_hmac, comment.ip_hmac, comment.name) if a)
        needles.update(v for v in (comment.ip, comment.ip_hmac, comment.phone_sealed) if v)
        delete, comment_id = comment.site.erasure == "delete", comment.id
        done.comments[comment_id] = life.erase_author(comment, key_id, delete=delete)
    if client is not None:
        for site_id, (ids, authors) in traces.items():
            done.redis_entries += forget_recent(client, site_id, ids, authors)
    done.audit_mentions = audit_mentions(session, needles)
    target = ("subject", done.request_id)
    record_audit(session, key_id, AuditAction.SUBJECT_ERASE, target, detail=done.summary())
    return done


def _moment(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None
