"""JSON nested past the cap is a 400 ``bad_json`` wherever a body is read, and still counts.

Python's parser recurses once per level, so a deep enough body used to raise
RecursionError in the limiter's key functions (which Flask-Limiter swallowed,
skipping every limit) and in the CORS hook (a 500). The depth is capped at
``MAX_JSON_DEPTH``; these tests use the cap, not the depth Python gives out at.
"""

from __future__ import annotations

import re

import pytest
from prometheus_client import REGISTRY
from pydantic import ValidationError

from commentgate.config import Settings
from commentgate.domain import Role
from service.app import create_app
from service.http.json_body import MAX_JSON_DEPTH
from tests.conftest import TEST_ORIGIN
from tests.helpers import auth, make_key
from tests.services import RedisServer

FAR_BEYOND = 5000
READER = {"REMOTE_ADDR": "198.51.100.7"}


def nested(depth: int, **fields: str) -> str:
    """A JSON object with ``fields`` whose value ``x`` takes the nesting to ``depth`` levels."""
    members = "".join(f'"{name}": "{value}", ' for name, value in fields.items())
    return "{" + members + '"x": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def send(client, method: str, path: str, body: str, **headers: str):
    return client.open(
        path,
        method=method,
        data=body,
        content_type="application/json",
        headers={"Origin": TEST_ORIGIN, **headers},
        environ_base=READER,
    )


def json_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every API operation that takes a body, path parameters filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<[^>]+>", "x", rule.rule)
            routes += [(m, path) for m in sorted(rule.methods & {"POST", "PUT", "PATCH"})]
    return routes


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, FAR_BEYOND])
def test_json_past_the_cap_is_bad_json_on_every_api_taking_a_body(app, client, sessions, depth):
    admin = make_key(sessions, Role.ADMIN.value)
    routes = json_routes(app)
    assert ("POST", "/api/v1/comments") in routes and ("PATCH", "/api/v1/admin/sites/x") in routes
    for method, path in routes:
        reply = send(client, method, path, nested(depth, site="demo"), **auth(admin))
        assert reply.status_code == 400, (method, path, reply.status_code)
        assert reply.json["error"]["code"] == "bad_json"
        assert reply.json["error"]["message"]


def test_json_at_the_cap_is_read(client):
    reply = send(client, "POST", "/api/v1/captchas?site=demo", nested(MAX_JSON_DEPTH, kind="audio"))
    assert reply.status_code == 201 and reply.json["kind"] == "audio"


def test_brackets_inside_strings_are_text_not_depth(client):
    text = "[{" * FAR_BEYOND + '\\"' + "]}" * 3
    reply = send(
        client, "POST", "/api/v1/captchas?site=demo", f'{{"kind": "audio", "t": "{text}"}}'
    )
    assert reply.status_code == 201 and reply.json["kind"] == "audio"


def test_the_message_is_in_both_languages(client):
    body = nested(FAR_BEYOND)
    vi = send(client, "POST", "/api/v1/captchas", body, **{"Accept-Language": "vi"})
    en = send(client, "POST", "/api/v1/captchas", body, **{"Accept-Language": "en"})
    assert vi.json["error"]["message"] != en.json["error"]["message"]
    assert "JSON" in en.json["error"]["message"]


def _captcha_audio_path(client) -> str:
    issued = client.post("/api/v1/captchas?site=demo", json={"kind": "audio"}, environ_base=READER)
    assert issued.status_code == 201
    return f"/api/v1/captchas/{issued.json['id']}/audio.wav?site=demo"


# What each limited endpoint answers a deep body before its limit is spent: refused as
# bad JSON where the body is JSON, read as nothing where it is a form, ignored on GET.
LIMITED = {
    "intake": ("POST", lambda client: "/api/v1/comments", {400}),
    "captchas": ("POST", lambda client: "/api/v1/captchas?site=demo", {400}),
    "embed": ("POST", lambda client: "/embed/comments", {422}),
    "audio": ("GET", _captcha_audio_path, {200}),
    "public": ("GET", lambda client: "/api/v1/comments?site=demo&article=a", {200}),
}


@pytest.mark.parametrize("endpoint", sorted(LIMITED))
def test_deep_bodies_count_against_the_limits(settings, redis_client, sessions, site, endpoint):
    limited = settings.model_copy(
        update={"rate_limits": "3/minute", "read_rate_limits": "3/minute"}
    )
    client = create_app(limited, redis_client=redis_client, sessions=sessions).test_client()
    method, path_for, answers = LIMITED[endpoint]
    path = path_for(client)
    body = nested(FAR_BEYOND, site="demo")
    statuses = [send(client, method, path, body).status_code for _ in range(3)]
    assert set(statuses) == answers
    refused = send(client, method, path, body)
    assert refused.status_code == 429, refused.data[:200]


def test_deep_bodies_count_against_the_site_limit_named_in_the_query(
    settings, redis_client, sessions, site
):
    limited = settings.model_copy(update={"site_rate_limits": "2/minute"})
    client = create_app(limited, redis_client=redis_client, sessions=sessions).test_client()
    statuses = [
        client.post(
            "/api/v1/captchas?site=demo",
            data=nested(FAR_BEYOND),
            content_type="application/json",
            environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
        ).status_code
        for n in range(3)
    ]
    assert statuses == [400, 400, 429]


def test_a_get_with_a_deep_body_is_answered_normally(client):
    reply = send(client, "GET", "/api/v1/comments?site=demo&article=a", nested(FAR_BEYOND))
    assert reply.status_code == 200 and reply.json["items"] == []
    issued = client.post("/api/v1/captchas?site=demo").json
    picture = send(client, "GET", f"/api/v1/captchas/{issued['id']}/image.png", nested(FAR_BEYOND))
    assert picture.status_code == 200 and picture.mimetype == "image/png"


# ------------------------------------------------------------ the limits fail open on outages only


def skipped() -> float:
    labels = {"operation": "hit"}
    return REGISTRY.get_sample_value("commentgate_rate_limits_skipped_total", labels) or 0.0


def test_limits_fail_open_while_their_redis_is_down(
    settings, redis_client, sessions, site, tmp_path, caplog
):
    counter = RedisServer(tmp_path / "limits-redis").start()
    try:
        limited = settings.model_copy(update={"redis_url": counter.url, "rate_limits": "2/minute"})
        client = create_app(limited, redis_client=redis_client, sessions=sessions).test_client()
        assert [client.post("/api/v1/captchas?site=demo").status_code for _ in range(3)] == [
            201,
            201,
            429,
        ]
        counter.stop()
        before = skipped()
        after_outage = [client.post("/api/v1/captchas?site=demo").status_code for _ in range(3)]
        assert after_outage == [201, 201, 201]
        assert skipped() >= before + 3
        assert any("cannot count" in r.getMessage() for r in caplog.records)
    finally:
        counter.stop()


def test_a_redis_error_that_is_no_outage_is_not_swallowed(settings, redis_client, sessions, site):
    client = create_app(settings, redis_client=redis_client, sessions=sessions).test_client()
    assert client.post("/api/v1/captchas?site=demo").status_code == 201
    counts = redis_client.keys("*ratelimit*")
    assert counts
    for key in counts:  # a count of the wrong type: Redis answers WRONGTYPE, a bug, not an outage
        redis_client.delete(key)
        redis_client.set(key, "not a window")
    reply = client.post("/api/v1/captchas?site=demo")
    assert reply.status_code == 500 and reply.json["error"]["code"] == "internal"


def test_a_limit_that_does_not_parse_is_refused_at_start(tmp_path):
    # Nothing is let through unlimited any more: such a limit must stop the start instead.
    with pytest.raises(ValidationError, match="rate limit"):
        Settings(var_dir=tmp_path, site_limits={"demo": {"ip": "twenty a minute"}})
    with pytest.raises(ValidationError, match="rate limit"):
        Settings(var_dir=tmp_path, rate_limits="")
