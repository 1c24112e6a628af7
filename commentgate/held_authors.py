"""Authors marked "always pre-moderate" from one of their comments, by phone fingerprint."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commentgate.access import Principal
from commentgate.domain import AuditAction
from commentgate.errors import NoPhoneError
from commentgate.storage.audit import record_audit
from commentgate.storage.models import Comment
from commentgate.storage.site_rules import hold_author, release_author


def mark_author(session: Session, principal: Principal, comment: Comment, held: bool) -> bool:
    """Hold (or release) the comment's author on its site; returns whether that changed
    anything. Audited when it did, by comment id (never the fingerprint).

    Raises:
        NoPhoneError: the comment has no phone fingerprint to recognise its author by.
    """
    if comment.phone_hmac is None:
        raise NoPhoneError(comment.id)
    if held:
        changed = hold_author(session, comment.site_id, comment.phone_hmac, principal.key_id)
    else:
        changed = release_author(session, comment.site_id, comment.phone_hmac)
    if changed:
        action = AuditAction.AUTHOR_HOLD if held else AuditAction.AUTHOR_RELEASE
        record_audit(
            session, principal.key_id, action, ("comment", comment.id), site_id=comment.site_id
        )
    return changed
