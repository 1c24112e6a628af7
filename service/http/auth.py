"""Bearer API keys: who is calling, with which role, for which sites."""

from __future__ import annotations

from flask import g, request

from commentgate.access import Permission, Principal, roles_with
from commentgate.domain import Role
from commentgate.errors import ForbiddenError, UnauthorizedError
from commentgate.storage.keys import find_key
from service.deps import services
from service.http.auth_throttle import check_not_throttled, count_failure

# RFC 6750: a 401 names the scheme the client should retry with.
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="commentgate"'}

__all__ = ["Principal", "authenticate", "current_principal", "require"]


def _bearer_secret() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def _principal_for(secret: str | None) -> Principal | None:
    if secret is None or len(secret) > 200:
        return None
    with services().sessions() as session:
        key = find_key(session, secret)
    if key is None:
        return None
    return Principal(key.id, Role(key.role), frozenset({key.site_id}) if key.site_id else None)


def authenticate(roles: frozenset[Role]) -> Principal:
    """Resolve the request's key and check its role; remembers it on ``g``.

    Raises:
        RateLimitedError: this client failed to authenticate too often lately.
        UnauthorizedError: no key, or an unknown or revoked one.
        ForbiddenError: the key's role may not use this API.
    """
    check_not_throttled()
    principal = _principal_for(_bearer_secret())
    if principal is None:
        count_failure()
        raise UnauthorizedError("missing, unknown or revoked key", headers=_CHALLENGE)
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
