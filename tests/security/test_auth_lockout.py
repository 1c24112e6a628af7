"""Requests without credentials are no failed logins, and a valid key is never locked out."""

from __future__ import annotations

import base64

import pytest

from commentgate.domain import Role
from service.app import create_app
from tests.helpers import auth, make_key
from tests.services import RedisServer

MODERATION = "/api/v1/moderation/comments"
DASHBOARD = "/ops/rq/"


def basic(key: str) -> dict[str, str]:
    token = base64.b64encode(f"ops:{key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def strict(settings, redis_client, sessions, site):
    """A client of an app with the default failure limits (20 a minute)."""
    defaults = settings.model_copy(update={"auth_failure_limits": "20/minute;200/hour"})
    return create_app(defaults, redis_client=redis_client, sessions=sessions).test_client()


def test_bare_requests_do_not_lock_a_moderator_out(strict, sessions):
    bare = [strict.get(MODERATION).status_code for _ in range(25)]
    assert set(bare) == {401}
    assert strict.get(MODERATION, headers=auth(make_key(sessions))).status_code == 200


def test_wrong_keys_are_throttled_but_the_right_one_still_works(strict, sessions):
    wrong = [strict.get(MODERATION, headers=auth("cg_wrong")).status_code for _ in range(25)]
    assert wrong == [401] * 20 + [429] * 5
    assert strict.get(MODERATION, headers=auth(make_key(sessions))).status_code == 200
    assert strict.get(MODERATION, headers=auth("cg_wrong")).status_code == 429


def test_a_malformed_header_that_was_sent_is_a_failure(strict):
    headers = [
        {"Authorization": "Basic bm9uZQ=="},
        {"Authorization": "Bearer"},
        {"Authorization": ""},
    ]
    statuses = [strict.get(MODERATION, headers=headers[n % 3]).status_code for n in range(21)]
    assert statuses == [401] * 20 + [429]


def test_the_dashboard_counts_only_wrong_keys_and_never_refuses_a_right_one(strict, sessions):
    ops = basic(make_key(sessions, Role.OPS.value))
    assert {strict.get(DASHBOARD).status_code for _ in range(25)} == {401}
    assert strict.get(DASHBOARD, headers=ops).status_code == 200
    wrong = [strict.get(DASHBOARD, headers=basic("cg_wrong")).status_code for _ in range(25)]
    assert wrong == [401] * 20 + [429] * 5
    assert strict.get(DASHBOARD, headers=ops).status_code == 200
    assert strict.get(DASHBOARD, headers={"Authorization": "Basic !!"}).status_code == 429


def test_the_failure_throttle_fails_open_while_its_redis_is_down(
    settings, redis_client, sessions, site, tmp_path
):
    counter = RedisServer(tmp_path / "throttle-redis").start()
    try:
        limited = settings.model_copy(
            update={"redis_url": counter.url, "auth_failure_limits": "2/minute"}
        )
        client = create_app(limited, redis_client=redis_client, sessions=sessions).test_client()
        wrong = {"Authorization": "Bearer cg_wrong"}
        assert [client.get(MODERATION, headers=wrong).status_code for _ in range(3)] == [
            401,
            401,
            429,
        ]
        counter.stop()
        # Nothing can count now: a wrong key is a plain 401 again, never a 500 or a 429.
        assert [client.get(MODERATION, headers=wrong).status_code for _ in range(3)] == [401] * 3
        key = make_key(sessions, Role.MODERATOR)
        assert client.get(MODERATION, headers=auth(key)).status_code == 200
    finally:
        counter.stop()
