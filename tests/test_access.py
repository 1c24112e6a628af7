"""Every role against every authenticated endpoint: allowed, forbidden, unauthenticated.

The expected answer comes from ``commentgate.access.GRANTS``, the same table
the app enforces, so a grant changed in one place shows up here as a diff.
"""

import pytest

from commentgate.access import GRANTS, Permission
from commentgate.domain import Role
from tests.helpers import auth, make_key

M = "/api/v1/moderation"
A = "/api/v1/admin"
H = "/api/v1/host"
RULE = {"name": "r", "conditions": {"content": "x"}, "action": "pending"}
# (method, path, JSON body, permission needed)
ENDPOINTS = [
    ("GET", f"{M}/comments", None, Permission.REVIEW),
    ("GET", f"{M}/comments/counts", None, Permission.REVIEW),
    ("GET", f"{M}/comments/nope", None, Permission.REVIEW),
    ("GET", f"{M}/comments/nope/edits", None, Permission.REVIEW),
    ("GET", f"{M}/sites", None, Permission.REVIEW),
    ("POST", f"{M}/comments/nope/reopen", None, Permission.DECIDE),
    ("POST", f"{M}/comments/nope/reveal", None, Permission.DECIDE),
    ("POST", f"{M}/comments/nope/hold-author", None, Permission.DECIDE),
    ("POST", f"{M}/comments/nope/release-author", None, Permission.DECIDE),
    ("POST", f"{M}/comments/nope/approve", None, Permission.DECIDE),
    ("POST", f"{M}/comments/nope/reject", {"reason": "spam"}, Permission.DECIDE),
    ("PATCH", f"{M}/comments/nope", {"title": "Sửa"}, Permission.DECIDE),
    ("POST", f"{M}/comments/bulk", {"action": "approve", "ids": ["nope"]}, Permission.DECIDE),
    ("POST", f"{M}/bans", {"kind": "ip", "value": "203.0.113.9"}, Permission.BAN),
    ("GET", f"{M}/bans", None, Permission.BAN),
    ("GET", f"{M}/bans/nope", None, Permission.BAN),
    ("POST", f"{M}/bans/nope/lift", None, Permission.BAN),
    ("GET", f"{A}/sites", None, Permission.MANAGE_SITES),
    ("POST", f"{A}/sites", {"name": "new-site"}, Permission.MANAGE_SITES),
    ("GET", f"{A}/sites/demo", None, Permission.MANAGE_SITES),
    ("PATCH", f"{A}/sites/demo", {"mode": "post"}, Permission.MANAGE_SITES),
    ("GET", f"{A}/sites/demo/rules", None, Permission.MANAGE_SITES),
    ("POST", f"{A}/sites/demo/rules", RULE, Permission.MANAGE_SITES),
    ("POST", f"{A}/sites/demo/rules/try", {"rule": RULE}, Permission.MANAGE_SITES),
    ("GET", f"{A}/sites/demo/rules/1", None, Permission.MANAGE_SITES),
    ("PUT", f"{A}/sites/demo/rules/1", RULE, Permission.MANAGE_SITES),
    ("POST", f"{A}/sites/demo/rules/1/promote", None, Permission.MANAGE_SITES),
    ("POST", f"{A}/sites/demo/rules/1/retire", None, Permission.MANAGE_SITES),
    ("GET", f"{A}/sites/demo/rules/1/report", None, Permission.MANAGE_SITES),
    ("GET", f"{A}/sites/demo/report", None, Permission.MANAGE_SITES),
    ("GET", f"{A}/keys", None, Permission.MANAGE_KEYS),
    ("POST", f"{A}/keys", {"role": "moderator", "name": "an"}, Permission.MANAGE_KEYS),
    ("POST", f"{A}/keys/nope/revoke", None, Permission.MANAGE_KEYS),
    ("GET", f"{A}/audit", None, Permission.READ_AUDIT),
    ("GET", f"{H}/comments?site=demo&article=a", None, Permission.READ_PUBLISHED),
    ("GET", f"{H}/comments/counts?site=demo&article=a", None, Permission.READ_PUBLISHED),
    ("GET", f"{H}/events?site=demo", None, Permission.READ_PUBLISHED),
]
CASES = [
    pytest.param(role, method, path, body, permission, id=f"{role.value}-{method}-{path}")
    for role in Role
    for method, path, body, permission in ENDPOINTS
]


def _call(client, method, path, body, headers):
    return client.open(path, method=method, json=body, headers=headers)


@pytest.mark.parametrize(("role", "method", "path", "body", "permission"), CASES)
def test_role_is_allowed_exactly_where_granted(
    client, sessions, role, method, path, body, permission
):
    response = _call(client, method, path, body, auth(make_key(sessions, role.value)))
    if permission in GRANTS[role]:
        assert response.status_code not in (401, 403), response.json
    else:
        assert response.status_code == 403, response.json
        assert response.json["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path", "body"), [e[:3] for e in ENDPOINTS])
def test_every_endpoint_needs_a_key(client, site, method, path, body):
    response = _call(client, method, path, body, {})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_grants_follow_the_issue():
    assert GRANTS[Role.HOST] == {Permission.READ_PUBLISHED}
    assert GRANTS[Role.OPS] == {Permission.OPERATE}
    assert GRANTS[Role.MODERATOR] == {Permission.REVIEW, Permission.DECIDE, Permission.BAN}
    assert GRANTS[Role.ADMIN] == set(Permission)


def test_failed_authentication_is_rate_limited(settings, redis_client, sessions, site):
    from service.app import create_app

    strict = settings.model_copy(update={"auth_failure_limits": "3/minute"})
    client = create_app(strict, redis_client=redis_client, sessions=sessions).test_client()
    good = make_key(sessions)
    statuses = [client.get(f"{M}/comments", headers=auth("cg_wrong")).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    blocked = client.get(f"{M}/comments", headers=auth("cg_wrong"))
    assert blocked.status_code == 429 and blocked.json["error"]["code"] == "rate_limited"
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    assert client.get(f"{M}/comments", headers=auth(good)).status_code == 200  # never refused


def test_successful_calls_do_not_count_as_failures(settings, redis_client, sessions, site):
    from service.app import create_app

    strict = settings.model_copy(update={"auth_failure_limits": "2/minute"})
    client = create_app(strict, redis_client=redis_client, sessions=sessions).test_client()
    good = make_key(sessions)
    assert {client.get(f"{M}/comments", headers=auth(good)).status_code for _ in range(5)} == {200}
