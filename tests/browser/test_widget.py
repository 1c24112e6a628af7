"""The widget in a real browser, on a host page from another origin than the API."""

from __future__ import annotations

import json
import re
import urllib.request
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from commentgate.sealing import reveal_phone
from commentgate.storage.db import transaction
from commentgate.storage.models import Comment
from tests.browser.reader import (
    captcha_id,
    captcha_image,
    code_field,
    field,
    fill_comment,
    submit,
    type_code,
)

pytestmark = pytest.mark.browser

AWAITING = "Cảm ơn bạn! Bình luận của bạn đang chờ kiểm duyệt."


def stored_comments(sessions) -> list[Comment]:
    with sessions() as session:
        return session.query(Comment).order_by(Comment.created_at).all()


def test_reader_submits_and_is_told_the_comment_awaits_moderation(stack, page, sessions, settings):
    page.goto(stack.host.article_url("bai-1"))
    fill_comment(page)
    type_code(stack, page)
    submit(page)
    expect(page.get_by_role("status")).to_have_text(AWAITING)
    for label in ("Họ tên", "Tiêu đề", "Nội dung"):
        expect(field(page, label)).to_have_value("")
    assert page.evaluate("Object.keys(localStorage).length") == 0
    [comment] = stored_comments(sessions)
    assert (comment.article, comment.status) == ("bai-1", "received")
    assert reveal_phone(settings, comment) == "+84912345678"
    assert comment.content == "Bài viết rất hay.\nMong có thêm nhiều bài như thế này!"


def test_server_field_errors_show_beside_their_fields(stack, page):
    page.goto(stack.host.article_url("bai-1"))
    before = captcha_id(page)
    # The phone passes the widget's own check; only the server knows 1900 is premium-rate.
    fill_comment(page, **{"Số điện thoại": "1900 1234"})
    code_field(page).fill("WRONG")
    submit(page)
    phone = field(page, "Số điện thoại")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_be_focused()
    error = page.locator(f"#{phone.get_attribute('id')}-error")
    expect(error).to_have_text("Số điện thoại không hợp lệ.")
    assert error.get_attribute("id") in phone.get_attribute("aria-describedby").split()
    code_error = page.locator(f"#{code_field(page).get_attribute('id')}-error")
    expect(code_error).to_have_text("Mã xác nhận không đúng.")
    expect(page.get_by_role("alert")).to_contain_text("Vui lòng kiểm tra lại các trường")
    expect(field(page, "Nội dung")).to_have_value(
        "Bài viết rất hay.\nMong có thêm nhiều bài như thế này!"
    )
    expect(page.locator(".cg-captcha-img")).not_to_have_attribute("src", re.compile(before))
    assert captcha_id(page) != before


def test_widget_checks_required_fields_before_sending(stack, page):
    page.goto(stack.host.article_url("bai-1"))
    shown = captcha_id(page)
    submit(page)
    name = field(page, "Họ tên")
    expect(name).to_be_focused()
    expect(page.locator(f"#{name.get_attribute('id')}-error")).to_have_text(
        "Trường này là bắt buộc."
    )
    expect(field(page, "Nội dung")).to_have_attribute("aria-invalid", "true")
    assert stack.answer(shown)  # nothing was sent, so the captcha is still unused


def test_captchas_are_asked_for_and_drawn_for_the_widgets_site(stack, page):
    def asks_for_a_captcha(request) -> bool:
        return request.method == "POST" and "/api/v1/captchas" in request.url

    with page.expect_request(asks_for_a_captcha) as asked:
        page.goto(stack.host.article_url("bai-1"))
    assert urlsplit(asked.value.url).query == "site=demo"
    assert urlsplit(captcha_image(page).get_attribute("src") or "").query == "site=demo"
    expect(captcha_image(page)).to_have_js_property("naturalWidth", 180)


def test_get_a_new_code_changes_the_image(stack, page):
    page.goto(stack.host.article_url("bai-1"))
    before = captcha_id(page)
    page.get_by_role("button", name="Lấy lại mã bảo mật").click()
    expect(page.locator(".cg-captcha-img")).not_to_have_attribute("src", re.compile(before))
    expect(page.locator(".cg-sr[aria-live]")).to_have_text("Đã có mã xác nhận mới.")
    new_image = captcha_image(page)
    expect(new_image).to_have_js_property("naturalWidth", 180)
    assert stack.answer(captcha_id(page)) != ""


def test_audio_alternative_reads_digits_that_are_accepted(stack, page):
    page.goto(stack.host.article_url("bai-1"))
    page.get_by_role("button", name="Nghe mã bằng âm thanh").click()
    audio = page.locator("audio.cg-audio")
    expect(audio).to_be_visible()
    wav = f"{stack.api.url}/api/v1/captchas/{captcha_id(page)}/audio.wav?site=demo"
    expect(audio).to_have_attribute("src", wav)
    answer = stack.answer(captcha_id(page))
    assert answer.isdigit()
    fill_comment(page)
    code_field(page).fill(answer)
    submit(page)
    expect(page.get_by_role("status")).to_have_text(AWAITING)


def test_approved_comment_appears_after_reload(stack, page, sessions, worker, moderator_key):
    page.goto(stack.host.article_url("bai-2"))
    expect(page.get_by_text("Chưa có bình luận nào.")).to_be_visible()
    fill_comment(page, **{"Tiêu đề": "Đồng ý với tác giả"})
    type_code(stack, page)
    submit(page)
    expect(page.get_by_role("status")).to_have_text(AWAITING)
    worker()  # a real RQ worker scores it: pending, waiting for a moderator
    [comment] = stored_comments(sessions)
    assert comment.status == "pending"
    approve = urllib.request.Request(
        f"{stack.api.url}/api/v1/moderation/comments/{comment.id}/approve",
        method="POST",
        headers={"Authorization": f"Bearer {moderator_key}"},
    )
    with urllib.request.urlopen(approve, timeout=10) as response:
        assert json.load(response)["status"] == "approved"
    page.reload()
    item = page.locator(".cg-comment")
    expect(item).to_have_count(1)
    expect(item.locator(".cg-author")).to_have_text("Nguyễn Văn An")
    expect(item.locator(".cg-title")).to_have_text("Đồng ý với tác giả")
    expect(item.locator(".cg-body")).to_have_text(
        "Bài viết rất hay.\nMong có thêm nhiều bài như thế này!"
    )
    expect(page.get_by_text("Chưa có bình luận nào.")).to_be_hidden()


def approve_directly(sessions, *comments: tuple[str, str, str], article: str) -> None:
    """Store approved comments as if moderators had approved them."""
    from commentgate.storage.sites import get_site

    with transaction(sessions) as session:
        site = get_site(session, "demo")
        for name, title, content in comments:
            session.add(
                Comment(
                    site_id=site.id,
                    article=article,
                    name=name,
                    title=title,
                    content=content,
                    status="approved",
                )
            )


def test_hostile_comment_is_shown_as_inert_text(stack, page, sessions):
    hostile = '<img src=x onerror=alert(1)>"><script>window.pwned=1</script>'
    approve_directly(sessions, (hostile, hostile, f"{hostile}\nline 2"), article="bai-3")
    page.goto(stack.host.article_url("bai-3"))
    item = page.locator(".cg-comment")
    expect(item.locator(".cg-author")).to_have_text(hostile)
    expect(item.locator(".cg-title")).to_have_text(hostile)
    expect(item.locator(".cg-body")).to_have_text(f"{hostile}\nline 2")
    assert item.locator("img, script").count() == 0
    assert page.evaluate("window.pwned") is None
    assert page.dialogs == []


def test_more_comments_load_in_pages(stack, page, sessions):
    comments = [(f"Bạn đọc {i:02d}", f"Ý kiến {i:02d}", "Nội dung") for i in range(12)]
    approve_directly(sessions, *comments, article="bai-4")
    page.goto(stack.host.article_url("bai-4"))
    expect(page.locator(".cg-comment")).to_have_count(10)
    page.get_by_role("button", name="Xem thêm bình luận").click()
    expect(page.locator(".cg-comment")).to_have_count(12)
    expect(page.locator(".cg-comment").nth(10)).to_be_focused()
    expect(page.get_by_role("button", name="Xem thêm bình luận")).to_be_hidden()


def test_keyboard_alone_can_write_and_send_a_comment(stack, page):
    page.goto(stack.host.article_url("bai-1"))
    captcha_image(page)
    keyboard = page.keyboard
    keyboard.press("Tab")
    name = field(page, "Họ tên")
    expect(name).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    for text in ("Trần Thị Bình", "", "Góp ý", "Rất bổ ích."):
        keyboard.type(text)
        keyboard.press("Tab")
    expect(code_field(page)).to_be_focused()
    keyboard.type(stack.answer(captcha_id(page)))
    keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(AWAITING)


def test_english_widget(stack, page):
    page.goto(stack.host.article_url("bai-1", lang="en"))
    expect(field(page, "Name")).to_be_visible()
    page.get_by_role("button", name="Post comment").click()
    name_error = page.locator(f"#{field(page, 'Name').get_attribute('id')}-error")
    expect(name_error).to_have_text("This field is required.")


def test_phone_sized_screen_needs_no_sideways_scrolling(stack, page):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(stack.host.article_url("bai-1"))
    captcha_image(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.get_by_role("button", name="Gửi bình luận").bounding_box()
    assert box and box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    for name in ("Họ tên", "Nội dung", "Mã xác nhận"):
        area = field(page, name).bounding_box()
        assert area and area["x"] >= 0 and area["x"] + area["width"] <= 360


def test_host_origins_that_are_not_registered_get_nothing(stack, page, sessions):
    with transaction(sessions) as session:
        from commentgate.storage.models import SiteOrigin

        session.query(SiteOrigin).filter_by(origin=stack.host.origin).delete()
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text))
    page.goto(stack.host.article_url("bai-1"))
    expect(page.get_by_text("Không tải được mã xác nhận.")).to_be_visible()
    expect(page.get_by_text("Không tải được bình luận.")).to_be_visible()
    # The browser hides why; the console tells whoever set the widget up where to look.
    hint = [text for text in warnings if text.startswith("commentgate:")]
    assert hint and stack.host.origin in hint[0] and '"demo"' in hint[0]
