"""An author's phone number and IP address: masked for moderators by default, shown in full
only on request, and every such request audited (which fields, by which key; never values).

The one place the moderation API reads these fields, so rules about them (consent, erasure,
encryption at rest) have one place to go.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.orm import Session

from commentgate.access import Principal
from commentgate.domain import AuditAction
from commentgate.masking import mask_ip, mask_phone
from commentgate.storage.audit import record_audit
from commentgate.storage.models import Comment
from service.deps import services

REVEALABLE = ("phone", "ip")


def masked(comment: Comment) -> dict[str, Any]:
    """The phone number and IP address as moderators see them until they ask."""
    return {"phone": mask_phone(_phone(comment)), "ip": mask_ip(comment.ip)}


def _phone(comment: Comment) -> str | None:
    # Sealed at rest (commentgate.sealing); opened only here, for a mask or a reveal.
    sealed = comment.phone_sealed
    return services().keyring.open(sealed) if sealed else None


def reveal(
    session: Session, comment: Comment, principal: Principal, fields: Collection[str]
) -> dict[str, Any]:
    """The full values of ``fields`` (of :data:`REVEALABLE`); audits the fields that hold one."""
    wanted = [name for name in REVEALABLE if name in fields]
    plain = {"phone": _phone(comment) if "phone" in wanted else None, "ip": comment.ip}
    values = {name: plain[name] if name in wanted else None for name in REVEALABLE}
    shown = [name for name in wanted if values[name] is not None]
    record_audit(
        session,
        principal.key_id,
        AuditAction.COMMENT_REVEAL,
        ("comment", comment.id),
        site_id=comment.site_id,
        detail={"fields": shown},
    )
    return values
