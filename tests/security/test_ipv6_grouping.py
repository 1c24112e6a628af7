"""IPv6 clients count by /64: rate limits, the failure throttle, IP bans and fingerprints.

A subscriber can take any address of the /64 it was given, so limits and bans on
single IPv6 addresses bound nobody. Bans stored before grouping hold the HMAC of
the full address; they must keep matching that address.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest

from commentgate.config import Settings
from commentgate.storage.db import transaction
from commentgate.storage.models import Ban
from service.app import create_app
from tests.helpers import auth, comment_fields, make_key, new_captcha

ONE = "2001:db8:1:2::1"  # three addresses of one /64 ...
SIBLING = "2001:db8:1:2:ffff:ffff:ffff:ffff"
THIRD = "2001:db8:1:2:abcd::7"
ELSEWHERE = "2001:db8:1:3::1"  # ... and one of the next /64
COMMENTS = "/api/v1/moderation/comments"


def strict_client(settings, redis_client, sessions, **limits):
    app = create_app(
        settings.model_copy(update=limits), redis_client=redis_client, sessions=sessions
    )
    app.config["TESTING"] = True
    return app, app.test_client()


def captcha_status(client, ip: str) -> int:
    return client.post("/api/v1/captchas?site=demo", environ_base={"REMOTE_ADDR": ip}).status_code


def comment_from(client, app, ip: str) -> str:
    captcha_id, answer = new_captcha(client, app)
    body = comment_fields(captcha_id=captcha_id, captcha_answer=answer, phone=None)
    response = client.post("/api/v1/comments", json=body, environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 202, response.json
    return response.json["id"]


def status_of(client, key: str, comment_id: str) -> str:
    return client.get(f"{COMMENTS}/{comment_id}", headers=auth(key)).json["status"]


def test_addresses_of_one_64_share_a_rate_limit_bucket(settings, redis_client, sessions, site):
    app, client = strict_client(settings, redis_client, sessions, rate_limits="2/minute")
    assert [captcha_status(client, ip) for ip in (ONE, SIBLING, THIRD)] == [201, 201, 429]
    assert captcha_status(client, ELSEWHERE) == 201


def test_an_ipv4_mapped_address_counts_as_its_ipv4(settings, redis_client, sessions, site):
    app, client = strict_client(settings, redis_client, sessions, rate_limits="2/minute")
    statuses = [captcha_status(client, ip) for ip in ("::ffff:198.51.100.1", "198.51.100.1")]
    assert statuses + [captcha_status(client, "198.51.100.1")] == [201, 201, 429]
    assert captcha_status(client, "198.51.100.2") == 201


def test_failed_authentications_of_one_64_add_up(settings, redis_client, sessions, site):
    app, client = strict_client(settings, redis_client, sessions, auth_failure_limits="2/minute")

    def attempt(ip: str) -> int:
        headers = auth("cg_wrong")
        return client.get(COMMENTS, headers=headers, environ_base={"REMOTE_ADDR": ip}).status_code

    assert [attempt(ip) for ip in (ONE, SIBLING, THIRD)] == [401, 401, 429]
    assert attempt(ELSEWHERE) == 401


def test_one_ip_ban_covers_its_whole_64_and_no_more(client, app, worker, sessions):
    key = make_key(sessions)
    banned = client.post(
        "/api/v1/moderation/bans", json={"kind": "ip", "value": ONE}, headers=auth(key)
    )
    assert banned.status_code == 201, banned.json
    same, sibling, other = (comment_from(client, app, ip) for ip in (ONE, SIBLING, ELSEWHERE))
    worker()
    assert [status_of(client, key, c) for c in (same, sibling, other)] == [
        "spam",
        "spam",
        "pending",
    ]


def test_a_ban_stored_before_grouping_still_matches_its_address(client, app, worker, sessions):
    key = make_key(sessions)
    secret = app.extensions["commentgate"].settings.resolved_secret_key()
    # What bans held until now: the HMAC of the whole address, in canonical form.
    old_form = hmac.new(secret, f"ip:{SIBLING}".encode(), hashlib.sha256).hexdigest()
    with transaction(sessions) as session:
        session.add(Ban(kind="ip", value_hmac=old_form))
    banned, neighbour = (comment_from(client, app, ip) for ip in (SIBLING.upper(), ONE))
    worker()
    assert status_of(client, key, banned) == "spam"
    assert status_of(client, key, neighbour) == "pending"  # the old ban named one address


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (ONE, SIBLING, True),
        (ONE, ELSEWHERE, False),
        ("::ffff:203.0.113.9", "203.0.113.9", True),
        ("203.0.113.9", "203.0.113.10", False),
    ],
)
def test_ip_fingerprints_group_like_the_limits(tmp_path, a, b, same):
    from commentgate.fingerprint import author_fingerprints

    settings = Settings(var_dir=tmp_path)
    first, second = (author_fingerprints(settings, None, ip).ip_hmac for ip in (a, b))
    assert (first == second) is same
