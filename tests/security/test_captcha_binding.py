"""A captcha is good for the site it was issued for, drawn once, and long enough to hear.

Redeeming one site's captcha for another site fails as a wrong answer does;
every request for one captcha's picture or sound gets the same bytes, so
averaging noisy redraws gains nothing; audio answers have at least 7 digits.
"""

from __future__ import annotations

import threading

import pytest

from commentgate.captcha import CaptchaService
from commentgate.storage.db import transaction
from commentgate.storage.sites import ensure_site
from service.app import create_app
from service.deps import EXTENSION
from tests.helpers import comment_fields


@pytest.fixture
def other_site(sessions, site) -> str:
    with transaction(sessions) as session:
        ensure_site(session, "other")
    return "other"


def issued(client, site: str = "demo", kind: str = "image") -> dict:
    response = client.post(f"/api/v1/captchas?site={site}", json={"kind": kind})
    assert response.status_code == 201, response.json
    return response.json


def answer_of(app, captcha_id: str) -> str:
    return app.extensions[EXTENSION].captchas.answer(captcha_id)


def test_a_captcha_redeemed_for_another_site_fails_as_a_wrong_answer(client, app, other_site):
    captcha = issued(client, "demo")
    body = comment_fields(
        site=other_site, captcha_id=captcha["id"], captcha_answer=answer_of(app, captcha["id"])
    )
    elsewhere = client.post("/api/v1/comments", json=body)
    wrong = issued(client, "demo")
    body.update(site="demo", captcha_id=wrong["id"], captcha_answer="ZZZZZZ")
    wrong_answer = client.post("/api/v1/comments", json=body)
    assert elsewhere.status_code == wrong_answer.status_code == 422
    assert elsewhere.json["error"] == wrong_answer.json["error"]
    assert elsewhere.json["error"]["fields"]["captcha_answer"]["code"] == "captcha_invalid"


def test_a_captcha_tried_on_another_site_is_used_up(client, app, other_site):
    captcha = issued(client, "demo")
    answer = answer_of(app, captcha["id"])
    body = comment_fields(site=other_site, captcha_id=captcha["id"], captcha_answer=answer)
    assert client.post("/api/v1/comments", json=body).status_code == 422
    body["site"] = "demo"
    again = client.post("/api/v1/comments", json=body)
    assert again.json["error"]["fields"]["captcha_answer"]["code"] == "captcha_expired"


def test_the_no_javascript_form_binds_its_captcha_to_the_form_site(client, app, other_site):
    page = client.get("/embed/form?site=demo&article=a1").get_data(as_text=True)
    captcha_id = page.split('name="captcha_id" value="')[1].split('"')[0]
    form = comment_fields(site=other_site, article="a1", phone="")
    form.update(captcha_id=captcha_id, captcha_answer=answer_of(app, captcha_id))
    response = client.post("/embed/comments", data=form)
    assert response.status_code == 422
    assert "Mã xác nhận không đúng." in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["", "?site=", "?site=%E2%80%8B"])
def test_a_captcha_without_a_site_is_a_field_error(client, query):
    response = client.post(f"/api/v1/captchas{query}", json={"kind": "image"})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert response.json["error"]["fields"]["site"]["code"] == "required"


def test_openapi_shows_the_site_of_a_new_captcha_required(client):
    operation = client.get("/openapi.json").json["paths"]["/api/v1/captchas"]["post"]
    site = next(p for p in operation["parameters"] if p["name"] == "site")
    assert site["in"] == "query" and site["required"] is True


def test_a_body_naming_another_site_than_the_query_is_refused(client, other_site):
    response = client.post("/api/v1/captchas?site=demo", json={"site": other_site})
    assert response.status_code == 422
    assert response.json["error"]["fields"]["site"]["code"] == "invalid"
    assert client.post("/api/v1/captchas?site=demo", json={"site": "demo"}).status_code == 201


@pytest.mark.parametrize("kind, part", [("image", "image_url"), ("audio", "image_url")])
def test_every_get_of_a_picture_returns_the_same_bytes(client, kind, part):
    url = issued(client, kind=kind)[part]
    first, second, third = (client.get(url) for _ in range(3))
    assert first.status_code == 200 and first.data.startswith(b"\x89PNG")
    assert first.data == second.data == third.data


def test_every_get_of_the_sound_returns_the_same_bytes(client):
    url = issued(client, kind="audio")["audio_url"]
    first, second = client.get(url), client.get(url)
    assert first.status_code == 200 and first.data.startswith(b"RIFF")
    assert first.data == second.data


class CountingCaptchas(CaptchaService):
    """A captcha service that counts how often it renders (Redis stays real)."""

    renders = 0

    def _render(self, part: str, answer: str) -> bytes:
        type(self).renders += 1
        return super()._render(part, answer)


@pytest.mark.parametrize("part", ["image", "audio"])
def test_concurrent_first_gets_draw_once_and_agree(redis_client, part):
    from commentgate.captcha import CaptchaKind

    CountingCaptchas.renders = 0
    services = [CountingCaptchas(redis_client, 600) for _ in range(4)]
    captcha_id = services[0].issue(CaptchaKind.AUDIO, site="demo").id
    start = threading.Barrier(len(services))
    results: list[bytes | None] = [None] * len(services)

    def fetch(n: int) -> None:
        start.wait()
        results[n] = getattr(services[n], part)(captcha_id)

    threads = [threading.Thread(target=fetch, args=(n,)) for n in range(len(services))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results[0] and all(result == results[0] for result in results)
    assert CountingCaptchas.renders == 1


@pytest.mark.parametrize("part", ["image", "audio"])
def test_a_part_stored_after_the_first_read_is_not_drawn_again(redis_client, part):
    """The race of two first GETs: the other stored the part and let go of the lock
    after this request's read found nothing, before it took the lock."""
    from commentgate.captcha import CaptchaKind

    CountingCaptchas.renders = 0
    service = CountingCaptchas(redis_client, 600)
    captcha_id = service.issue(CaptchaKind.AUDIO, site="demo").id
    stale = service.run(service.media_step(captcha_id, part))
    drawn = getattr(service, part)(captcha_id)
    assert CountingCaptchas.renders == 1
    assert getattr(service, part)(captcha_id, read=stale) == drawn
    assert CountingCaptchas.renders == 1


def test_audio_answers_have_at_least_seven_digits(client, app):
    for _ in range(5):
        answer = answer_of(app, issued(client, kind="audio")["id"])
        assert answer.isdigit() and len(answer) >= 7


def test_a_captcha_lives_in_redis_for_the_configured_ttl(settings, redis_client, sessions, site):
    app = create_app(
        settings.model_copy(update={"captcha_ttl_seconds": 321}),
        redis_client=redis_client,
        sessions=sessions,
    )
    client = app.test_client()
    captcha = issued(client, kind="audio")
    assert captcha["expires_in"] == 321
    assert client.get(captcha["image_url"]).status_code == 200
    assert client.get(captcha["audio_url"]).status_code == 200
    keys = redis_client.keys(f"*{captcha['id']}*")
    assert keys
    # At most the configured lifetime, never without one; drawing did not stretch it.
    assert all(200 < redis_client.ttl(key) <= 321 for key in keys)
