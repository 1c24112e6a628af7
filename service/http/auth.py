"""Bearer API keys: who is calling, with which role, for which sites."""

from __future__ import annotations

from flask import g, request

from commentgate.access import Permission, Principal, roles_with
from commentgate.domain import Role
from commentgate.errors import ForbiddenError, UnauthorizedError
from service.http.auth_throttle import find_presented_key

# RFC 6750: a 401 names the scheme the client should retry with.
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="commentgate"'}

__all__ = ["Principal", "authenticate", "current_principal", "require"]


def _bearer_secret(header: str) -> str:
    """The secret of an ``Authorization: Bearer`` header ("" when it is malformed)."""
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def _principal_for(header: str) -> Principal | None:
    key = find_presented_key(_bearer_secret(header))
    if key is None:
        return None
    return Principal(key.id, Role(key.role), frozenset({key.site_id}) if key.site_id else None)


def authenticate(roles: frozenset[Role]) -> Principal:
    """Resolve the request's key and check its role; remembers it on ``g``.

    Raises:
        UnauthorizedError: no key, or an unknown or revoked one.
        RateLimitedError: a wrong key, and this client sent too many of them lately.
        ForbiddenError: the key's role may not use this API.
    """
    header = request.headers.get("Authorization")
    if header is None:  # nothing presented: not a failed login
        raise UnauthorizedError("missing key", headers=_CHALLENGE)
    principal = _principal_for(header)
    if principal is None:
        raise UnauthorizedError("unknown or revoked key", headers=_CHALLENGE)
    if principal.role not in roles:
        raise ForbiddenError(f"role {principal.role.value}")
    g.principal = principal
    return principal


def require(permission: Permission) -> Principal:
    """:func:`authenticate` for the roles that hold ``permission``."""
    return authenticate(roles_with(permission))


def current_principal() -> Principal:
    """The principal :func:`authenticate` resolved for this request."""
    return g.principal
