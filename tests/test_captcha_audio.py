"""Audio captchas: digits that can be heard, redeemed like any other captcha."""

import io
import shutil
import wave
from pathlib import Path

import captcha
import pytest

from commentgate.captcha import CaptchaKind, CaptchaService, captcha_key
from tests.helpers import comment_fields


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as audio:
        assert (audio.getnchannels(), audio.getframerate()) == (1, 8000)
        return audio.getnframes() / audio.getframerate()


def test_audio_captcha_answer_is_seven_digits(redis_client):
    service = CaptchaService(redis_client, 600)
    challenge = service.issue(CaptchaKind.AUDIO, site="demo")
    assert challenge.kind is CaptchaKind.AUDIO
    answer = service.answer(challenge.id)
    assert len(answer) == 7 and answer.isdigit()


def test_audio_is_a_wav_that_does_not_consume_the_captcha(redis_client):
    service = CaptchaService(redis_client, 600)
    challenge = service.issue(CaptchaKind.AUDIO, site="demo")
    assert 3 < wav_seconds(service.audio(challenge.id)) < 30
    assert service.image(challenge.id).startswith(b"\x89PNG")
    assert service.redeem(challenge.id, service.answer(challenge.id), "demo").ok
    assert service.audio(challenge.id) is None


def test_image_captchas_are_not_read_aloud_even_when_all_digits(redis_client):
    service = CaptchaService(redis_client, 600)
    challenge = service.issue(site="demo")
    redis_client.hset(captcha_key(challenge.id), "answer", "23456")
    assert service.image(challenge.id) is not None
    assert service.audio(challenge.id) is None
    assert service.audio("unknown") is None


def test_other_voices_can_be_configured(redis_client, tmp_path):
    voices = tmp_path / "voices"
    package_data = Path(captcha.__file__).parent / "data"
    for digit in "0123456789":
        shutil.copytree(package_data / digit, voices / digit)
    service = CaptchaService(redis_client, 600, voice_dir=voices)
    assert wav_seconds(service.audio(service.issue(CaptchaKind.AUDIO, site="demo").id)) > 3


def test_api_issues_an_audio_captcha_on_request(client, app):
    created = client.post("/api/v1/captchas?site=demo", json={"kind": "audio"})
    assert created.status_code == 201
    body = created.json
    assert body["kind"] == "audio"
    assert body["audio_url"].endswith(f"/api/v1/captchas/{body['id']}/audio.wav?site=demo")
    audio = client.get(f"/api/v1/captchas/{body['id']}/audio.wav")
    assert audio.status_code == 200 and audio.mimetype == "audio/wav"
    assert audio.headers["Cache-Control"] == "no-store"
    assert wav_seconds(audio.data) > 3


def test_api_image_captcha_has_no_audio(client):
    body = client.post("/api/v1/captchas?site=demo").json
    assert body["kind"] == "image" and "audio_url" not in body
    assert client.post("/api/v1/captchas?site=demo", json={}).json["kind"] == "image"


def test_unknown_audio_is_404(client):
    assert client.get("/api/v1/captchas/unknown/audio.wav").status_code == 404


def test_unknown_kind_is_a_field_error(client):
    response = client.post("/api/v1/captchas?site=demo", json={"kind": "video"})
    assert response.status_code == 422
    assert response.json["error"]["fields"]["kind"]["code"] == "invalid"


@pytest.mark.parametrize("typed", ["{}", " {} "])
def test_audio_captcha_is_redeemed_like_any_other(client, app, typed):
    from service.deps import EXTENSION

    created = client.post("/api/v1/captchas?site=demo", json={"kind": "audio"}).json
    answer = app.extensions[EXTENSION].captchas.answer(created["id"])
    body = comment_fields(captcha_id=created["id"], captcha_answer=typed.format(answer))
    assert client.post("/api/v1/comments", json=body).status_code == 202
    again = client.post("/api/v1/comments", json=body)
    assert again.json["error"]["fields"]["captcha_answer"]["code"] == "captcha_expired"


def test_openapi_documents_the_audio_captcha(client):
    doc = client.get("/openapi.json").json
    assert "get" in doc["paths"]["/api/v1/captchas/{captcha_id}/audio.wav"]
    body = doc["paths"]["/api/v1/captchas"]["post"]["requestBody"]
    assert body["required"] is False
    kind = body["content"]["application/json"]["schema"]["properties"]["kind"]
    assert kind["enum"] == ["image", "audio"] and "$ref" not in str(body)
