"""Who may do what: roles grant permissions, keys are scoped to sites.

The table below is the single source of truth for every authenticated
endpoint; the web layer asks :func:`roles_with` and the tests read it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from commentgate.domain import Role
from commentgate.errors import ForbiddenError


class Permission(str, Enum):
    """One family of endpoints."""

    REVIEW = "review"  # the review queue and full comments (phone and IP masked, verdict)
    DECIDE = "decide"  # approve, reject, reopen, bulk, edit, reveal phone and IP
    BAN = "ban"  # ban authors and lift bans
    READ_PUBLISHED = "read_published"  # approved comments, counts, events (host backends)
    MANAGE_SITES = "manage_sites"
    MANAGE_KEYS = "manage_keys"
    READ_AUDIT = "read_audit"
    OPERATE = "operate"  # queues and failed jobs
    SUBJECT_RIGHTS = "subject_rights"  # a reader's data exported or erased on request


_MODERATION = {Permission.REVIEW, Permission.DECIDE, Permission.BAN}
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.MODERATOR: frozenset(_MODERATION),
    Role.HOST: frozenset({Permission.READ_PUBLISHED}),
    Role.OPS: frozenset({Permission.OPERATE}),
    # Admins can stand in for anyone, so an admin key alone runs a newsroom.
    Role.ADMIN: frozenset(Permission),
}


def roles_with(permission: Permission) -> frozenset[Role]:
    """The roles granted ``permission``."""
    return frozenset(role for role, granted in GRANTS.items() if permission in granted)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key, its role, and the sites it covers (None = all)."""

    key_id: str | None
    role: Role
    site_ids: frozenset[str] | None

    @property
    def is_global(self) -> bool:
        """True when the key covers every site."""
        return self.site_ids is None

    def covers(self, site_id: str | None) -> bool:
        """Whether ``site_id`` is in scope; ``None`` (all sites) only for global keys."""
        if self.site_ids is None:
            return True
        return site_id is not None and site_id in self.site_ids

    def require_global(self) -> None:
        """Some acts (creating a site) need a key for every site.

        Raises:
            ForbiddenError: the key is limited to some sites.
        """
        if not self.is_global:
            raise ForbiddenError("needs a key for all sites")


# The command line acts with full powers on the machine it runs on.
CLI = Principal(key_id=None, role=Role.ADMIN, site_ids=None)
