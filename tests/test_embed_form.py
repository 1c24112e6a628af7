"""The form without JavaScript: same captcha rule, validation and messages as the API."""

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue

from commentgate.captcha import CaptchaService
from commentgate.sealing import reveal_phone
from commentgate.storage.db import autocommit_twin
from commentgate.storage.models import Comment
from service.deps import EXTENSION
from tests.conftest import TEST_ORIGIN, replace_services
from tests.helpers import comment_fields, comment_write, executed
from tests.html_page import Page
from tests.services import free_port

ARTICLE = "https://news.example/thoi-su/bai-1.html"


def open_form(client, **params):
    params = {"site": "demo", "article": ARTICLE, **params}
    response = client.get("/embed/form", query_string=params)
    return response, Page(response.get_data(as_text=True))


def answer_of(app, captcha_id):
    return app.extensions[EXTENSION].captchas.answer(captcha_id)


def filled_form(client, app, **overrides):
    """What a reader posts: the form's hidden fields, a comment, the right code."""
    _, page = open_form(client)
    captcha_id = page.field("captcha_id")["value"]
    fields = comment_fields(captcha_id=captcha_id, captcha_answer=answer_of(app, captcha_id))
    fields.update(lang="vi", captcha_kind="image", website="")
    fields.update(overrides)
    return fields


def post_form(client, fields, headers=None):
    response = client.post("/embed/comments", data=fields, headers=headers or {})
    return response, Page(response.get_data(as_text=True))


def test_form_has_the_seed_fields_and_a_live_captcha(client, app):
    response, page = open_form(client)
    assert response.status_code == 200 and response.mimetype == "text/html"
    labels = {el["for"]: " ".join(el.text.split()) for el in page.elements if el.tag == "label"}
    assert labels["cg-name"] == "Họ tên (*)"
    assert labels["cg-phone"] == "Số điện thoại"
    assert labels["cg-title"] == "Tiêu đề (*)"
    assert labels["cg-content"] == "Nội dung (*)"
    assert labels["cg-captcha_answer"] == "Mã xác nhận (*)"
    assert page.field("website").get("tabindex") == "-1"
    captcha_id = page.field("captcha_id")["value"]
    assert answer_of(app, captcha_id) is not None
    image = page.find("img", class_="cg-captcha-img")
    assert image["src"] == f"/api/v1/captchas/{captcha_id}/image.png?site=demo" and image["alt"]
    form = page.find("form")
    assert (form["method"], form["action"]) == ("post", "/embed/comments")


def test_refresh_is_a_reload_link_and_audio_is_offered(client):
    _, page = open_form(client)
    links = {" ".join(a.text.split()): a["href"] for a in page.elements if a.tag == "a"}
    assert links["Lấy lại mã bảo mật"].startswith("/embed/form?site=demo&article=")
    assert "captcha=audio" in links["Nghe mã bằng âm thanh"]
    _, again = open_form(client)
    assert again.field("captcha_id")["value"] != page.field("captcha_id")["value"]


def test_audio_form_reads_digits_aloud(client, app):
    _, page = open_form(client, captcha="audio")
    captcha_id = page.field("captcha_id")["value"]
    assert answer_of(app, captcha_id).isdigit()
    assert page.find("audio")["src"] == f"/api/v1/captchas/{captcha_id}/audio.wav?site=demo"
    assert page.field("captcha_kind")["value"] == "audio"
    assert client.get(page.find("audio")["src"]).mimetype == "audio/wav"


def test_form_speaks_english_when_asked(client):
    _, page = open_form(client, lang="en")
    assert page.find("html")["lang"] == "en"
    assert "Get a new code" in page.text and "Post comment" in page.text


def test_only_the_sites_origins_may_frame_the_form(client):
    response, _ = open_form(client)
    policy = response.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {TEST_ORIGIN}" in policy
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert response.headers["Cache-Control"] == "no-store"


def test_form_for_an_unknown_site_is_a_404_page(client):
    response, page = open_form(client, site="nope")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Trang web này chưa được đăng ký" in page.text
    assert "frame-ancestors 'self';" in response.headers["Content-Security-Policy"] + ";"


def test_form_without_an_article_is_a_422_page(client):
    response, page = open_form(client, article="")
    assert response.status_code == 422
    assert "article: Trường này là bắt buộc." in page.text


def test_form_for_an_article_no_comment_may_name_is_a_422_page(client):
    # Every comment sent from it would be refused, which the reader cannot fix.
    response, page = open_form(client, article="a" * 501)
    assert response.status_code == 422
    assert "article: Quá dài (tối đa 500 ký tự)." in page.text
    assert open_form(client, article="a" * 500)[0].status_code == 200


def test_valid_comment_is_accepted_stored_and_queued(client, app, sessions, redis_client, settings):
    response, page = post_form(client, filled_form(client, app))
    assert response.status_code == 202
    assert "Bình luận của bạn đang chờ kiểm duyệt" in page.find(role="status").text
    assert page.find("a", class_="cg-link")["href"].startswith("/embed/form?site=demo")
    with sessions() as session:
        comment = session.query(Comment).one()
    assert (comment.status, comment.article) == ("received", ARTICLE)
    assert reveal_phone(settings, comment) == "+84912345678"
    assert comment.content.endswith("Mong có thêm nhiều bài như thế này!")
    assert comment.submit_seconds is not None
    assert Queue("moderation", connection=redis_client).count == 1


def test_the_form_stores_a_comment_by_one_statement_that_commits_as_it_runs(client, app, sessions):
    fields = filled_form(client, app)
    with executed(autocommit_twin(sessions.kw["bind"]), comment_write) as seen:
        assert post_form(client, fields)[0].status_code == 202
    assert seen == [("INSERT", True)]


def test_field_errors_appear_beside_their_fields_and_the_text_stays(client, app):
    fields = filled_form(client, app, name="", phone="1900 1234", title="Giữ nguyên tiêu đề")
    response, page = post_form(client, fields)
    assert response.status_code == 422
    name = page.field("name")
    assert name["aria-invalid"] == "true" and "autofocus" in name.attrs
    assert "cg-name-error" in name["aria-describedby"].split()
    assert page.by_id("cg-name-error").text == "Trường này là bắt buộc."
    phone = page.field("phone")
    assert phone["aria-describedby"].split() == ["cg-phone-hint", "cg-phone-error"]
    assert page.by_id("cg-phone-error").text == "Số điện thoại không hợp lệ."
    assert page.field("title")["value"] == "Giữ nguyên tiêu đề"
    assert page.field("title").get("aria-invalid") is None
    assert page.field("content").text.strip().startswith("Bài viết rất hay")
    alert = page.find(role="alert")
    assert "Vui lòng kiểm tra lại các trường được đánh dấu." in alert.text
    assert page.find("a", href="#cg-name") is not None


def test_captcha_is_consumed_even_when_other_fields_fail(client, app):
    fields = filled_form(client, app, name="")
    _, page = post_form(client, fields)
    assert answer_of(app, fields["captcha_id"]) is None
    assert page.field("captcha_id")["value"] != fields["captcha_id"]
    fields["name"] = "An"
    _, again = post_form(client, fields)
    assert "đã hết hạn hoặc đã dùng" in again.by_id("cg-captcha_answer-error").text


def test_wrong_code_is_reported_beside_the_code_field(client, app):
    fields = filled_form(client, app)
    fields["captcha_answer"] = "ZZZZZ" if fields["captcha_answer"] != "ZZZZZ" else "YYYYY"
    response, page = post_form(client, fields)
    assert response.status_code == 422
    assert page.by_id("cg-captcha_answer-error").text == "Mã xác nhận không đúng."
    assert page.field("captcha_answer")["aria-invalid"] == "true"
    assert page.field("captcha_answer").get("value") in (None, "")


def test_messages_follow_the_forms_language(client, app):
    _, page = post_form(client, filled_form(client, app, lang="en", title=""))
    assert page.by_id("cg-title-error").text == "This field is required."
    assert "Please check the highlighted fields." in page.find(role="alert").text


def test_reader_text_comes_back_escaped(client, app):
    evil = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
    response, page = post_form(client, filled_form(client, app, name="", title=evil))
    assert page.field("title")["value"] == evil
    assert "<script>alert(1)" not in response.get_data(as_text=True)
    assert page.find("script") is None and page.find("img", src="x") is None


def test_honeypot_is_recorded_not_refused(client, app, sessions):
    response, _ = post_form(client, filled_form(client, app, website="http://spam.example"))
    assert response.status_code == 202
    with sessions() as session:
        assert session.query(Comment).one().honeypot == "http://spam.example"


def test_our_own_page_passes_the_origin_check(client, app):
    own = {"Origin": "http://localhost"}
    assert post_form(client, filled_form(client, app), own)[0].status_code == 202


def test_a_foreign_unregistered_origin_is_refused_and_the_text_stays(client, app):
    fields = filled_form(client, app)
    response, page = post_form(client, fields, {"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này." in page.find(role="alert").text
    assert page.field("name")["value"] == fields["name"]


def test_redis_outage_keeps_the_text_and_asks_to_retry(client, app):
    # No retries: the outage answers at once rather than after redis-py's backoff.
    dead = redis.Redis(port=free_port(), socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    replace_services(app, captchas=CaptchaService(dead, 600))
    fields = comment_fields(captcha_id="any", captcha_answer="ABCDE", lang="vi")
    response, page = post_form(client, fields)
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    alert = page.find(role="alert").text
    assert "Dịch vụ tạm thời gián đoạn" in alert and "vẫn được giữ lại" in alert
    assert page.field("content").text.strip() == fields["content"]
    assert "Không tải được mã xác nhận." in page.text


def test_rate_limited_post_keeps_the_text(settings, redis_client, sessions, site):
    from service.app import create_app

    limited = settings.model_copy(update={"rate_limits": "1/minute"})
    client = create_app(limited, redis_client=redis_client, sessions=sessions).test_client()
    fields = comment_fields(captcha_id="any", captcha_answer="ABCDE", lang="en")
    client.post("/embed/comments", data=fields)
    response, page = post_form(client, fields)
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert "Too many requests" in page.find(role="alert").text
    assert page.field("title")["value"] == fields["title"]
