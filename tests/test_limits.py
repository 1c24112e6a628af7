"""Abuse limits per client IP and per site, each configurable per site."""

from __future__ import annotations

from commentgate.config import SiteLimits
from service.app import create_app
from tests.helpers import comment_fields


def limited_client(settings, redis_client, sessions, **changes):
    app = create_app(
        settings.model_copy(update=changes), redis_client=redis_client, sessions=sessions
    )
    return app, app.test_client()


def captcha(client, ip: str, site: str = "demo"):
    return client.post(f"/api/v1/captchas?site={site}", environ_base={"REMOTE_ADDR": ip})


def test_a_site_can_have_its_own_ip_limit(settings, redis_client, sessions, site):
    app, client = limited_client(
        settings, redis_client, sessions, site_limits={"demo": SiteLimits(ip="2/minute")}
    )
    assert [captcha(client, "198.51.100.1").status_code for _ in range(3)] == [201, 201, 429]
    assert captcha(client, "198.51.100.2").status_code == 201  # another reader
    assert captcha(client, "198.51.100.1", site="other").status_code == 201  # default limits


def test_site_limit_counts_every_client_of_the_site(settings, redis_client, sessions, site):
    app, client = limited_client(settings, redis_client, sessions, site_rate_limits="3/minute")
    statuses = [captcha(client, f"198.51.100.{n}").status_code for n in range(1, 5)]
    assert statuses == [201, 201, 201, 429]
    refused = captcha(client, "198.51.100.9")
    assert refused.json["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert captcha(client, "198.51.100.9", site="other").status_code == 201


def test_comments_are_limited_per_site_too(settings, redis_client, sessions, site):
    app, client = limited_client(
        settings, redis_client, sessions, site_limits={"demo": SiteLimits(site="2/minute")}
    )
    statuses = [
        client.post(
            "/api/v1/comments",
            json=comment_fields(captcha_id="x", captcha_answer="y"),
            environ_base={"REMOTE_ADDR": f"203.0.113.{n}"},
        ).status_code
        for n in range(3)
    ]
    assert statuses == [422, 422, 429]


def test_invented_site_names_do_not_buy_more_tries(settings, redis_client, sessions, site):
    app, client = limited_client(settings, redis_client, sessions, rate_limits="2/minute")
    statuses = [captcha(client, "198.51.100.1", site=f"fake-{n}").status_code for n in range(3)]
    assert statuses == [201, 201, 429]


def test_limiter_keys_never_hold_the_ip(settings, redis_client, sessions, site):
    app, client = limited_client(settings, redis_client, sessions)
    captcha(client, "198.51.100.77")
    keys = [k.decode() for k in redis_client.keys("*ratelimit*")]
    assert keys and not any("198.51.100.77" in k for k in keys)
