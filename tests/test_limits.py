"""Abuse limits per client IP and per site, each configurable per site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from commentgate.config import SiteLimits
from commentgate.storage.db import transaction
from commentgate.storage.sites import ensure_site
from service import limit_batch
from service.app import create_app
from tests.helpers import comment_fields


def limited_client(settings, redis_client, sessions, **changes):
    app = create_app(
        settings.model_copy(update=changes), redis_client=redis_client, sessions=sessions
    )
    return app, app.test_client()


def captcha(client, ip: str, site: str | None = "demo"):
    query = "" if site is None else f"?site={site}"
    return client.post(f"/api/v1/captchas{query}", environ_base={"REMOTE_ADDR": ip})


def fetch(client, url: str, ip: str):
    """GET an absolute URL the API gave out, as the reader at ``ip``."""
    parts = urlsplit(url)
    return client.get(parts.path, query_string=parts.query, environ_base={"REMOTE_ADDR": ip})


def widget_load(client, ip: str, site: str | None = "demo") -> list[int]:
    """What one reader's page load costs: a captcha, then its picture."""
    issued = captcha(client, ip, site)
    if issued.status_code != 201:
        return [issued.status_code]
    return [201, fetch(client, issued.json["image_url"], ip).status_code]


@pytest.fixture
def other_site(sessions, site):
    with transaction(sessions) as session:
        ensure_site(session, "other")
    return "other"


def test_a_site_can_have_its_own_ip_limit(settings, redis_client, sessions, other_site):
    app, client = limited_client(
        settings, redis_client, sessions, site_limits={"demo": SiteLimits(ip="2/minute")}
    )
    assert [captcha(client, "198.51.100.1").status_code for _ in range(3)] == [201, 201, 429]
    assert captcha(client, "198.51.100.2").status_code == 201  # another reader
    assert captcha(client, "198.51.100.1", site=other_site).status_code == 201  # default limits


def test_site_limit_counts_every_client_of_the_site(settings, redis_client, sessions, other_site):
    app, client = limited_client(settings, redis_client, sessions, site_rate_limits="3/minute")
    statuses = [captcha(client, f"198.51.100.{n}").status_code for n in range(1, 5)]
    assert statuses == [201, 201, 201, 429]
    refused = captcha(client, "198.51.100.9")
    assert refused.json["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert captcha(client, "198.51.100.9", site=other_site).status_code == 201


def test_one_sites_readers_never_use_up_another_sites_limit(
    settings, redis_client, sessions, other_site
):
    app, client = limited_client(settings, redis_client, sessions, site_rate_limits="5/minute")
    busy = [widget_load(client, f"198.51.100.{n}", other_site) for n in range(1, 8)]
    assert busy == [[201, 200]] * 5 + [[429]] * 2
    assert widget_load(client, "203.0.113.1") == [201, 200]


def test_captcha_urls_carry_the_site_and_count_against_it(settings, redis_client, sessions, site):
    app, client = limited_client(
        settings, redis_client, sessions, site_limits={"demo": SiteLimits(site="2/minute")}
    )
    issued = client.post("/api/v1/captchas?site=demo", json={"kind": "audio"}).json
    assert urlsplit(issued["image_url"]).query == "site=demo"
    assert urlsplit(issued["audio_url"]).query == "site=demo"
    pictures = [fetch(client, issued["image_url"], f"198.51.100.{n}") for n in range(1, 4)]
    assert [p.status_code for p in pictures] == [200, 200, 429]
    assert fetch(client, issued["audio_url"], "198.51.100.4").status_code == 200
    unnamed = issued["image_url"].split("?")[0]
    assert fetch(client, unnamed, "198.51.100.5").status_code == 200  # per-IP limits only


def test_requests_naming_no_site_count_only_per_ip(settings, redis_client, sessions, site):
    app, client = limited_client(
        settings, redis_client, sessions, rate_limits="2/minute", site_rate_limits="5/minute"
    )
    unnamed = captcha(client, "198.51.100.100").json["image_url"].split("?")[0]
    readers = [fetch(client, unnamed, f"198.51.100.{n}").status_code for n in range(1, 8)]
    assert readers == [200] * 7
    again = [fetch(client, unnamed, "198.51.100.1").status_code for _ in range(2)]
    assert again == [200, 429]  # the reader's own limit still holds


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
    assert statuses == [404, 404, 429]


def test_a_captcha_names_a_registered_site(client):
    unknown = client.post("/api/v1/captchas?site=nowhere")
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "unknown_site"
    empty = client.post("/api/v1/captchas?site=%20")
    assert empty.status_code == 422 and "site" in empty.json["error"]["fields"]
    issued = client.post("/api/v1/captchas?site=demo").json
    too_long = client.get(
        f"/api/v1/captchas/{issued['id']}/image.png", query_string={"site": "x" * 101}
    )
    assert too_long.status_code == 422 and "site" in too_long.json["error"]["fields"]


def test_openapi_documents_the_site_of_captchas(client):
    paths = client.get("/openapi.json").json["paths"]
    prefix = "/api/v1/captchas"
    for path, method in [
        ("", "post"),
        ("/{captcha_id}/image.png", "get"),
        ("/{captcha_id}/audio.wav", "get"),
    ]:
        operation = paths[prefix + path][method]
        named = {(p["name"], p["in"]): p for p in operation["parameters"]}
        # A captcha is issued for one site; its picture and sound name it only for the limits.
        assert named[("site", "query")]["required"] is (method == "post")
    assert "404" in paths[prefix]["post"]["responses"]


def test_limiter_keys_never_hold_the_ip(settings, redis_client, sessions, site):
    app, client = limited_client(settings, redis_client, sessions)
    captcha(client, "198.51.100.77")
    keys = [k.decode() for k in redis_client.keys("*ratelimit*")]
    assert keys and not any("198.51.100.77" in k for k in keys)


def test_a_request_within_its_limits_gets_the_headers_flask_limiter_writes(
    settings, redis_client, sessions, site
):
    # Such a request is left alone by Flask-Limiter; its headers are written from the one
    # count instead. The same requests through Flask-Limiter's own path must read alike.
    _, ours = limited_client(settings, redis_client, sessions, rate_limits="5/minute;20/hour")
    theirs_app = create_app(
        settings.model_copy(update={"rate_limits": "5/minute;20/hour"}),
        redis_client=redis_client,
        sessions=sessions,
    )
    theirs_app.after_request_funcs[None].remove(limit_batch._limit_headers)
    theirs_app.extensions["commentgate"].limiter._request_filters.remove(limit_batch._passed)
    theirs = theirs_app.test_client()
    names = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")
    for _ in range(4):
        mine, flask_limiters = captcha(ours, "192.0.2.10"), captcha(theirs, "192.0.2.20")
        assert mine.status_code == flask_limiters.status_code == 201
        got = [int(mine.headers[name]) for name in names]
        expected = [int(flask_limiters.headers[name]) for name in names]
        assert got[:2] == expected[:2], (got, expected)
        assert abs(got[2] - expected[2]) <= 1 and abs(got[3] - expected[3]) <= 1
        assert mine.headers.getlist("X-RateLimit-Limit") == ["5"]


def test_flask_limiter_holds_no_limit_the_one_count_leaves_out(app):
    # A request that passed the one count skips Flask-Limiter: a limit Flask-Limiter had on
    # top of the counted ones (a decorated view, an application or default limit) would be
    # skipped with it. Such a limit must be counted by limit_batch first.
    manager = app.extensions["commentgate"].limiter.limit_manager
    assert not manager.application_limits and not manager.default_limits
    assert not app.extensions["commentgate"].limiter._meta_limits  # checked even when exempt
    assert not manager._decorated_limits, list(manager._decorated_limits)
    for blueprint in limit_batch.LIMITED_BLUEPRINTS:  # AbuseLimits.apply: per IP, per site
        assert len(manager._blueprint_limits[blueprint]) == 2, blueprint
