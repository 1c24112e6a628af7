"""Bearer API keys for the moderation API."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request

from commentgate.domain import Role
from commentgate.errors import ForbiddenError, UnauthorizedError
from commentgate.storage.keys import find_key
from service.deps import services


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key, its role, and the sites it covers (None = all)."""

    key_id: str
    role: Role
    site_ids: frozenset[str] | None


def _bearer_secret() -> str:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise UnauthorizedError("missing bearer key")
    return secret.strip()


def authenticate(roles: frozenset[Role]) -> Principal:
    """Resolve the request's key and check its role; remembers it on ``g``.

    Raises:
        UnauthorizedError: no key, or an unknown or revoked one.
        ForbiddenError: the key's role may not use this API.
    """
    with services().sessions() as session:
        key = find_key(session, _bearer_secret())
    if key is None:
        raise UnauthorizedError("unknown key")
    role = Role(key.role)
    if role not in roles:
        raise ForbiddenError(f"role {role.value}")
    principal = Principal(key.id, role, frozenset({key.site_id}) if key.site_id else None)
    g.principal = principal
    return principal


def current_principal() -> Principal:
    """The principal :func:`authenticate` resolved for this request."""
    return g.principal
