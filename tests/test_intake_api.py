"""POST /api/v1/comments: every rule of intake, on SQLite and PostgreSQL."""

import re
import unicodedata
from types import SimpleNamespace

import pytest
import redis
from rq import Queue
from sqlalchemy import func, select

from commentgate.captcha import CaptchaService
from commentgate.sealing import reveal_phone
from commentgate.storage.models import Comment
from service.deps import EXTENSION
from service.intake import submission
from tests.conftest import TEST_ORIGIN, replace_services
from tests.helpers import auth, comment_fields, make_key, new_captcha, submit, submit_ok
from tests.services import free_port

EN = {"Accept-Language": "en-US,en;q=0.9"}


def stored(sessions, comment_id) -> Comment:
    with sessions() as session:
        return session.get(Comment, comment_id)


def count_comments(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Comment))


def test_valid_comment_is_accepted_stored_and_queued(client, app, sessions, redis_client, settings):
    response = submit(client, app)
    assert response.status_code == 202
    assert set(response.json) == {"id", "status"} and response.json["status"] == "received"
    assert re.fullmatch(r"[0-9a-f]{24}", response.json["id"])  # 12 random bytes in hex
    comment = stored(sessions, response.json["id"])
    assert comment.status == "received"
    assert comment.phone_sealed.startswith("v1:") and "912345678" not in comment.phone_sealed
    assert reveal_phone(settings, comment) == "+84912345678"
    assert comment.content.startswith("Bài viết rất hay")
    assert comment.submit_seconds is not None and comment.submit_seconds >= 0
    assert Queue("moderation", connection=redis_client).count == 1


def test_text_is_stored_in_nfc_and_cleaned(client, app, sessions):
    comment_id = submit_ok(
        client,
        app,
        name=unicodedata.normalize("NFD", " Nguyễn\u200b Văn An "),
        title="Tiêu\nđề",
        content="Dòng 1\r\nDòng 2\u202e",
    )
    comment = stored(sessions, comment_id)
    assert comment.name == "Nguyễn Văn An"
    assert comment.title == "Tiêu đề"
    assert comment.content == "Dòng 1\nDòng 2"


def test_all_field_errors_are_reported_together_in_vietnamese(client, app):
    response = submit(client, app, name="", title="x" * 201, content=..., phone="1900 1234")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert {k: v["code"] for k, v in error["fields"].items()} == {
        "name": "required",
        "title": "too_long",
        "content": "required",
        "phone": "phone_invalid",
    }
    assert error["fields"]["title"]["message"] == "Quá dài (tối đa 200 ký tự)."


def test_messages_follow_accept_language(client, app):
    response = submit(client, app, headers=EN, name="")
    assert response.json["error"]["message"] == "Please check the highlighted fields."
    assert response.json["error"]["fields"]["name"]["message"] == "This field is required."


@pytest.mark.parametrize(
    ("field", "limit"), [("name", 80), ("title", 200), ("content", 5000), ("article", 500)]
)
def test_lengths_count_code_points_after_cleaning(client, app, field, limit):
    assert submit(client, app, **{field: "ễ" * limit + "\u200b" * 5}).status_code == 202
    response = submit(client, app, **{field: "ễ" * (limit + 1)})
    assert response.json["error"]["fields"][field] == {
        "code": "too_long",
        "message": f"Quá dài (tối đa {limit} ký tự).",
    }


def test_name_of_only_invisible_characters_is_required(client, app):
    response = submit(client, app, name="\u200b\u200d\ufeff")
    assert response.json["error"]["fields"]["name"]["code"] == "required"


@pytest.mark.parametrize("phone", [None, "", "   "])
def test_absent_phone_is_fine(client, app, sessions, phone):
    assert stored(sessions, submit_ok(client, app, phone=phone)).phone_sealed is None


@pytest.mark.parametrize("phone", ["0168 123 4567", "1900 1234", "12", "not a phone"])
def test_bad_phone_is_rejected(client, app, phone):
    assert submit(client, app, phone=phone).json["error"]["fields"]["phone"]["code"] == (
        "phone_invalid"
    )


def test_wrong_captcha_answer_is_invalid_and_consumed(client, app):
    captcha_id, answer = new_captcha(client, app)
    wrong = "ZZZZZ" if answer != "ZZZZZ" else "YYYYY"
    body = comment_fields(captcha_id=captcha_id, captcha_answer=wrong)
    first = client.post("/api/v1/comments", json=body)
    assert first.json["error"]["fields"]["captcha_answer"]["code"] == "captcha_invalid"
    body["captcha_answer"] = answer
    second = client.post("/api/v1/comments", json=body)
    assert second.json["error"]["fields"]["captcha_answer"]["code"] == "captcha_expired"


def test_captcha_is_consumed_even_when_other_fields_fail(client, app):
    captcha_id, answer = new_captcha(client, app)
    body = comment_fields(captcha_id=captcha_id, captcha_answer=answer, name="")
    assert client.post("/api/v1/comments", json=body).status_code == 422
    body["name"] = "An"
    reused = client.post("/api/v1/comments", json=body)
    assert reused.json["error"]["fields"] == {
        "captcha_answer": {
            "code": "captcha_expired",
            "message": "Mã xác nhận đã hết hạn hoặc đã dùng, hãy lấy mã mới.",
        }
    }


def test_unknown_captcha_is_expired(client, app):
    body = comment_fields(captcha_id="never-issued", captcha_answer="ABCDE")
    response = client.post("/api/v1/comments", json=body)
    assert response.json["error"]["fields"]["captcha_answer"]["code"] == "captcha_expired"


def test_expired_captcha_is_expired(client, app, redis_client):
    clock = [1_000_000.0]
    captchas = CaptchaService(redis_client, 600, clock=lambda: clock[0])
    replace_services(app, captchas=captchas)
    challenge = captchas.issue(site="demo")
    answer = captchas.answer(challenge.id)
    clock[0] += 601
    body = comment_fields(captcha_id=challenge.id, captcha_answer=answer)
    response = client.post("/api/v1/comments", json=body)
    assert response.json["error"]["fields"]["captcha_answer"]["code"] == "captcha_expired"


def test_time_to_submit_is_measured_from_captcha_issue(
    client, app, sessions, redis_client, monkeypatch
):
    clock = [1_000_000.0]
    captchas = CaptchaService(redis_client, 600, clock=lambda: clock[0])
    replace_services(app, captchas=captchas)
    # intake reads the wall clock when it stores the comment: give it the same fake clock
    monkeypatch.setattr(submission, "time", SimpleNamespace(time=lambda: clock[0]))
    challenge = captchas.issue(site="demo")
    body = comment_fields(captcha_id=challenge.id, captcha_answer=captchas.answer(challenge.id))
    clock[0] += 42.0006  # stored to the millisecond
    response = client.post("/api/v1/comments", json=body)
    assert response.status_code == 202
    assert stored(sessions, response.json["id"]).submit_seconds == 42.001


def test_honeypot_is_recorded_not_rejected(client, app, sessions):
    comment_id = submit_ok(client, app, website="http://spam.example")
    assert stored(sessions, comment_id).honeypot == "http://spam.example"


def test_unknown_fields_are_ignored(client, app):
    assert submit(client, app, status="approved", admin=True).status_code == 202


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", '{"name": 5, "site": []}'])
def test_wrong_json_shapes_are_validation_errors_not_500(client, body):
    response = client.post("/api/v1/comments", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"


def test_wrong_types_are_reported_per_field(client, app):
    captcha_id, answer = new_captcha(client, app)
    body = comment_fields(captcha_id=captcha_id, captcha_answer=answer, name=5, phone=["x"])
    fields = client.post("/api/v1/comments", json=body).json["error"]["fields"]
    assert fields["name"]["code"] == "invalid"
    assert fields["phone"]["code"] == "invalid"


def test_malformed_json_is_bad_json(client):
    response = client.post("/api/v1/comments", data="{oops", content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_json"


def test_non_json_body_is_unsupported_media_type(client):
    response = client.post("/api/v1/comments", data={"name": "An"})
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"


NUL = "\x00"


# PostgreSQL cannot hold NUL in text, not even to look a value up: every API
# body is refused before any view can pass one on, wherever the string sits.
@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/v1/moderation/comments/bulk", {"action": "approve", "ids": [NUL]}, "ids"),
        (
            "POST",
            "/api/v1/moderation/comments/bulk",
            {"action": "approve", "ids": ["a"], "if_match": {f"a{NUL}": '"x.1"'}},
            "if_match",
        ),
        ("POST", "/api/v1/moderation/comments/bulk", [{"deep": [NUL]}], "body"),
        (
            "POST",
            "/api/v1/moderation/bans",
            {"kind": "ip", "value": "1.2.3.4", "site": NUL},
            "site",
        ),
        ("POST", "/api/v1/moderation/bans", {"kind": "ip", "comment_id": f"x{NUL}"}, "comment_id"),
        ("POST", "/api/v1/admin/keys", {"role": "host", "name": "n", "site": f"demo{NUL}"}, "site"),
        (
            "PATCH",
            "/api/v1/admin/sites/demo",
            {"webhook_url": f"https://x.vn/{NUL}"},
            "webhook_url",
        ),
        ("PATCH", "/api/v1/admin/sites/demo", {"webhook_secret": f"{NUL}" * 8}, "webhook_secret"),
        ("POST", "/api/v1/comments", comment_fields(content=f"Hay{NUL}"), "content"),
    ],
)
def test_nul_anywhere_in_a_json_body_is_422(client, sessions, method, path, body, field):
    headers = {**auth(make_key(sessions, "admin")), "Accept-Language": "en"}
    response = client.open(path, method=method, json=body, headers=headers)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"] == {field: {"code": "invalid", "message": "Invalid value."}}


def test_text_limits_count_what_cleaning_makes(client, app):
    # U+FB2C is one code point that NFC makes three: 67 of them are 201 in a title.
    response = submit(client, app, title="\ufb2c" * 67, content="\ufb2c" * 1667)
    assert {k: v["code"] for k, v in response.json["error"]["fields"].items()} == {
        "title": "too_long",
        "content": "too_long",
    }


def test_body_over_128_kib_is_too_large(client):
    response = client.post(
        "/api/v1/comments", data="x" * (129 * 1024), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"


def test_unknown_site_is_404(client, app):
    # The API issues no captcha for an unknown site; one bound to the name (as issued while
    # the database is out) gets as far as the site lookup.
    captchas = app.extensions[EXTENSION].captchas
    challenge = captchas.issue(site="khong-co")
    body = comment_fields(
        site="khong-co", captcha_id=challenge.id, captcha_answer=captchas.answer(challenge.id)
    )
    response = client.post("/api/v1/comments", json=body)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "unknown_site"


def test_unregistered_origin_is_forbidden_and_nothing_stored(client, app, sessions):
    response = submit(client, app, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert count_comments(sessions) == 0


def test_registered_origin_and_no_origin_are_accepted(client, app):
    assert submit(client, app, headers={"Origin": TEST_ORIGIN + "/"}).status_code == 202
    assert submit(client, app).status_code == 202


def test_redis_down_before_commit_answers_503_and_stores_nothing(client, app, sessions):
    dead = redis.Redis(port=free_port(), socket_connect_timeout=0.2)
    replace_services(app, captchas=CaptchaService(dead, 600))
    body = comment_fields(captcha_id="abc", captcha_answer="ABCDE")
    response = client.post("/api/v1/comments", json=body)
    assert response.status_code == 503
    assert response.json["error"]["code"] == "unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert count_comments(sessions) == 0


def test_redis_down_after_commit_still_accepts(client, app, sessions):
    dead = redis.Redis(port=free_port(), socket_connect_timeout=0.2)
    replace_services(app, queue=Queue("moderation", connection=dead))
    comment_id = submit_ok(client, app)
    assert stored(sessions, comment_id).status == "received"


def test_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert response.headers["X-Request-ID"] == "abc123"


@pytest.mark.parametrize(
    "incoming", ["<img src=x onerror=alert(1)>", "a b", "x" * 65, "trace\u00e9"]
)
def test_request_id_of_another_shape_is_replaced(client, app, incoming):
    # Request ids reach job metadata, which the RQ dashboard prints as HTML.
    reply = submit(client, app, headers={"X-Request-ID": incoming})
    assert reply.status_code == 202
    assigned = reply.headers["X-Request-ID"]
    assert assigned != incoming and re.fullmatch(r"[0-9a-f]{16}", assigned)
    job = app.extensions[EXTENSION].queue.jobs[0]
    assert job.meta["request_id"] == assigned and incoming not in (job.description or "")


def test_client_ip_comes_from_trusted_proxy_headers_only(settings, redis_client, sessions, site):
    from service.app import create_app

    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    for proxies, expected in ((0, "127.0.0.1"), (1, "203.0.113.7")):
        app = create_app(
            settings.model_copy(update={"trusted_proxies": proxies}),
            redis_client=redis_client,
            sessions=sessions,
        )
        comment_id = submit_ok(app.test_client(), app, headers=forwarded)
        assert stored(sessions, comment_id).ip == expected


def test_unknown_language_falls_back_to_vietnamese(client, app):
    response = submit(client, app, headers={"Accept-Language": "fr-FR,fr;q=0.9"}, name="")
    assert response.json["error"]["message"] == "Vui lòng kiểm tra lại các trường được đánh dấu."
