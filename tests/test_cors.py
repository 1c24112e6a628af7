"""Cross-origin rules: only each site's registered origins, never credentials."""

import pytest
from flask import Response

from commentgate.storage.db import transaction
from commentgate.storage.sites import ensure_site
from service.http.cors import add_cors_headers
from tests.conftest import TEST_ORIGIN
from tests.helpers import auth, comment_fields, new_captcha

OTHER_ORIGIN = "https://other.example"
STRANGER = "https://evil.example"


@pytest.fixture
def other_site(sessions, site):
    with transaction(sessions) as session:
        ensure_site(session, "other", [OTHER_ORIGIN])


def preflight(client, path, origin, method="POST"):
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type",
    }
    return client.options(path, headers=headers)


@pytest.mark.parametrize("path", ["/api/v1/comments", "/api/v1/captchas"])
def test_preflight_from_a_registered_origin_is_allowed(client, path):
    response = preflight(client, path, TEST_ORIGIN)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    assert set(response.headers["Access-Control-Allow-Methods"].split(", ")) == {"GET", "POST"}
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_preflight_from_an_unregistered_origin_is_refused(client):
    response = preflight(client, "/api/v1/comments", STRANGER)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_preflights_do_not_use_up_the_rate_limit(settings, redis_client, sessions, site):
    from service.app import create_app

    limited = settings.model_copy(update={"rate_limits": "2/minute"})
    client = create_app(limited, redis_client=redis_client, sessions=sessions).test_client()
    statuses = [preflight(client, "/api/v1/captchas", TEST_ORIGIN).status_code for _ in range(5)]
    assert statuses == [204] * 5
    assert (
        client.post("/api/v1/captchas?site=demo", headers={"Origin": TEST_ORIGIN}).status_code
        == 201
    )


def test_captchas_are_shared_with_the_origins_of_their_site(client, other_site):
    for origin, site in ((TEST_ORIGIN, "demo"), (OTHER_ORIGIN, "other")):
        response = client.post(f"/api/v1/captchas?site={site}", headers={"Origin": origin})
        assert response.status_code == 201
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]
    theirs = client.post("/api/v1/captchas?site=demo", headers={"Origin": OTHER_ORIGIN})
    assert "Access-Control-Allow-Origin" not in theirs.headers


def test_captchas_from_a_stranger_work_but_are_not_shared(client):
    response = client.post("/api/v1/captchas?site=demo", headers={"Origin": STRANGER})
    assert response.status_code == 201
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_public_list_is_shared_only_with_the_named_sites_origins(client, other_site):
    path = "/api/v1/comments?site=demo&article=a"
    mine = client.get(path, headers={"Origin": TEST_ORIGIN})
    assert mine.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    theirs = client.get(path, headers={"Origin": OTHER_ORIGIN})
    assert theirs.status_code == 200 and "Access-Control-Allow-Origin" not in theirs.headers
    counts = client.get(
        "/api/v1/comments/counts?site=other&article=a", headers={"Origin": OTHER_ORIGIN}
    )
    assert counts.headers["Access-Control-Allow-Origin"] == OTHER_ORIGIN


def test_comment_is_shared_only_with_the_origins_of_the_site_in_its_body(client, app, other_site):
    captcha_id, answer = new_captcha(client, app)
    body = comment_fields(captcha_id=captcha_id, captcha_answer=answer)
    accepted = client.post("/api/v1/comments", json=body, headers={"Origin": TEST_ORIGIN})
    assert accepted.status_code == 202
    assert accepted.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    captcha_id, answer = new_captcha(client, app)
    body.update(captcha_id=captcha_id, captcha_answer=answer)
    refused = client.post("/api/v1/comments", json=body, headers={"Origin": OTHER_ORIGIN})
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_errors_are_readable_by_a_registered_origin(client):
    body = comment_fields(captcha_id="never-issued", captcha_answer="ABCDE", name="")
    response = client.post("/api/v1/comments", json=body, headers={"Origin": TEST_ORIGIN})
    assert response.status_code == 422
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN


def test_origins_are_compared_normalised(client):
    response = client.post("/api/v1/captchas?site=demo", headers={"Origin": "HTTPS://News.Example"})
    assert response.headers["Access-Control-Allow-Origin"] == "HTTPS://News.Example"


def test_moderation_is_never_cross_origin(client, moderator_key):
    response = client.get(
        "/api/v1/moderation/comments", headers={"Origin": TEST_ORIGIN, **auth(moderator_key)}
    )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert preflight(client, "/api/v1/moderation/comments", TEST_ORIGIN, "GET").status_code != 204


def test_responses_vary_on_origin_even_without_one(client):
    assert "Origin" in client.get("/api/v1/comments?site=demo&article=a").headers["Vary"]


@pytest.mark.parametrize(
    ("vary", "expected"),
    [(None, "Origin"), ("Accept-Encoding", "Accept-Encoding, Origin"), ("origin", "origin")],
)
def test_origin_joins_the_vary_an_answer_already_has(app, vary, expected):
    with app.test_request_context("/api/v1/comments?site=demo&article=a"):
        answer = Response("[]", headers={"Vary": vary} if vary else {})
        assert add_cors_headers(answer).headers.getlist("Vary") == [expected]
