"""API keys as admins manage them: issue, revoke, find by id or shown prefix.

Used by the admin API and by ``commentgate keys``. A key limited to one site
can only manage keys of that site; every issue and revocation is audited.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from commentgate.access import Principal
from commentgate.domain import AuditAction, Role
from commentgate.errors import AmbiguousError, ForbiddenError, NotFoundError
from commentgate.registry import get_scoped_site
from commentgate.storage.audit import record_audit
from commentgate.storage.keys import (
    KEY_PREFIX,
    find_key_by_id,
    find_keys_by_prefix,
    issue_key,
    revoke_key,
)
from commentgate.storage.models import ApiKey
from commentgate.text import clean_text, within

MAX_KEY_NAME = 100  # the column ApiKey.name


def _key_name(value: str) -> str:
    cleaned = clean_text(value)
    if not cleaned:
        raise ValueError("empty")
    return within(MAX_KEY_NAME, cleaned)


class NewKey(BaseModel):
    """A key to issue; the admin API and ``commentgate keys create`` both check this."""

    model_config = ConfigDict(extra="ignore")

    role: Role
    name: Annotated[
        str, AfterValidator(_key_name), Field(description="1–100 characters after cleaning")
    ]
    site: str | None = Field(None, max_length=100, description="Default: every site")


def _site_id_for(session: Session, principal: Principal, site_name: str | None) -> str | None:
    if site_name is not None:
        return get_scoped_site(session, principal, site_name).id
    if not principal.is_global:
        raise ForbiddenError("a key for all sites needs a key for all sites")
    return None


def issue(
    session: Session, principal: Principal, role: Role, name: str, site_name: str | None
) -> tuple[ApiKey, str]:
    """Create a key; returns it and its secret (shown this once). Flushes.

    Raises:
        UnknownSiteError: the site is unknown or outside the admin's sites.
        ForbiddenError: a site-limited admin asked for a key for all sites.
    """
    site_id = _site_id_for(session, principal, site_name)
    key, secret = issue_key(session, role, name, site_id)
    record_audit(
        session,
        principal.key_id,
        AuditAction.KEY_CREATE,
        ("key", key.id),
        site_id=site_id,
        detail={"role": role.value, "prefix": key.prefix},
    )
    return key, secret


def get_scoped_key(session: Session, principal: Principal, key_id: str) -> ApiKey:
    """The key with this id if the admin's sites cover it.

    Raises:
        NotFoundError: unknown or out of scope.
    """
    key = find_key_by_id(session, key_id)
    if key is None or not principal.covers(key.site_id):
        raise NotFoundError(key_id)
    return key


def revoke(session: Session, principal: Principal, key_id: str) -> ApiKey:
    """Revoke the key (a repeat changes nothing); flushes.

    Raises:
        NotFoundError: unknown or out of scope.
    """
    key = get_scoped_key(session, principal, key_id)
    if revoke_key(session, key):
        record_audit(
            session,
            principal.key_id,
            AuditAction.KEY_REVOKE,
            ("key", key.id),
            site_id=key.site_id,
            detail={"role": key.role, "prefix": key.prefix},
        )
    return key


def resolve(session: Session, id_or_prefix: str) -> ApiKey:
    """The key with this id, else the only one whose prefix starts so (command line).

    Raises:
        NotFoundError: none matches.
        AmbiguousError: the prefix matches several keys, or is too short to name one.
    """
    key = find_key_by_id(session, id_or_prefix)
    if key is not None:
        return key
    matches = find_keys_by_prefix(session, id_or_prefix)
    if not matches:
        raise NotFoundError(id_or_prefix)
    if len(matches) > 1:
        raise AmbiguousError(
            f"prefix {id_or_prefix} matches {len(matches)} keys; give more of it or the key's id"
        )
    if len(id_or_prefix) <= len(KEY_PREFIX):
        # Every key starts so: the one key it matches today is not the one meant tomorrow.
        raise AmbiguousError(
            f"prefix {id_or_prefix} is too short to name a key; give more of it or the key's id"
        )
    return matches[0]
