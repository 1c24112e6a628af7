"""Per-site limits count the site intake would store, and every unknown name together."""

from __future__ import annotations

from urllib.parse import urlsplit

from commentgate.config import SiteLimits
from commentgate.storage.db import transaction
from commentgate.storage.sites import ensure_site
from service.app import create_app
from service.known_sites import KnownSites
from tests.helpers import comment_fields

HIDDEN = "demo\u200b"  # intake stores it as "demo"


def limited_client(settings, redis_client, sessions, **changes):
    app = create_app(
        settings.model_copy(update=changes), redis_client=redis_client, sessions=sessions
    )
    return app.test_client()


def captcha(client, site: str, n: int) -> int:
    reply = client.post(
        "/api/v1/captchas",
        query_string={"site": site},
        environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
    )
    return reply.status_code


def comment(client, site: str, n: int = 1) -> int:
    reply = client.post(
        "/api/v1/comments",
        json=comment_fields(site=site, captcha_id="x", captcha_answer="y"),
        environ_base={"REMOTE_ADDR": f"203.0.113.{n}"},
    )
    return reply.status_code


def test_an_invisible_character_does_not_open_another_site_count(
    settings, redis_client, sessions, site
):
    client = limited_client(settings, redis_client, sessions, site_rate_limits="2/minute")
    assert [captcha(client, s, n) for n, s in enumerate(["demo", HIDDEN, "demo"])] == [
        201,
        201,
        429,
    ]


def test_comments_naming_the_site_with_invisibles_count_with_it(
    settings, redis_client, sessions, site
):
    client = limited_client(
        settings, redis_client, sessions, site_limits={"demo": SiteLimits(site="2/minute")}
    )
    statuses = [comment(client, s, n) for n, s in enumerate([HIDDEN, " demo", "demo"])]
    assert statuses == [422, 422, 429]  # 422: the captcha is wrong, but each one counted


def test_a_sites_own_ip_limit_holds_whatever_invisibles_are_added(
    settings, redis_client, sessions, site
):
    client = limited_client(
        settings, redis_client, sessions, site_limits={"demo": SiteLimits(ip="2/minute")}
    )
    assert [comment(client, s) for s in [HIDDEN, "de\u00admo", "demo"]] == [422, 422, 429]


def test_invented_site_names_share_one_count(settings, redis_client, sessions, site):
    client = limited_client(settings, redis_client, sessions, site_rate_limits="3/minute")
    issued = client.post("/api/v1/captchas", query_string={"site": "demo"}).json
    picture = urlsplit(issued["image_url"]).path

    def draw(site_name: str, n: int) -> int:
        reply = client.get(
            picture,
            query_string={"site": site_name},
            environ_base={"REMOTE_ADDR": f"192.0.2.{n}"},
        )
        return reply.status_code

    # Drawing is not looked up by site: each invented name used to get a fresh count.
    assert [draw(f"invented-{n}", n) for n in range(4)] == [200, 200, 200, 429]
    assert draw("demo", 9) == 200  # a registered site keeps its own count


def test_registered_sites_are_read_again_after_a_few_seconds(sessions, site):
    now, ahead = [100.0], []
    known = KnownSites(sessions, ttl=5, clock=lambda: now[0], in_background=ahead.append)
    assert "demo" in known and "later" not in known
    with transaction(sessions) as session:
        ensure_site(session, "later")
    now[0] += 2.4
    assert "later" not in known and not ahead  # not one read per request
    now[0] += 0.1
    assert "later" not in known  # half the TTL: read again in the background, not waited for
    assert len(ahead) == 1
    assert "later" not in known and len(ahead) == 1  # one read ahead at a time
    ahead.pop()()
    assert "later" in known


def test_sites_the_background_did_not_read_in_time_are_read_at_once(sessions, site):
    now = [100.0]
    known = KnownSites(sessions, ttl=5, clock=lambda: now[0], in_background=lambda _: None)
    assert "later" not in known
    with transaction(sessions) as session:
        ensure_site(session, "later")
    now[0] += 4.9
    assert "later" not in known
    now[0] += 0.1
    assert "later" in known  # never older than the TTL
