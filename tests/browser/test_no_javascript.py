"""The form for readers without JavaScript: a <noscript><iframe> on the host page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.reader import COMMENT

pytestmark = pytest.mark.browser


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 800, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_no_javascript_form_works_with_javascript_disabled(stack, no_js_page, sessions):
    page = no_js_page
    page.goto(stack.host.article_url("bai-5"))
    assert page.locator(".cg-compose").count() == 0
    form = page.frame_locator("iframe[title='Gửi bình luận']")

    def field(name):
        return form.get_by_role("textbox", name=name, exact=True)

    def captcha_id():
        return form.locator("input[name=captcha_id]").get_attribute("value")

    image = form.locator("img.cg-captcha-img")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 180
    first = captcha_id()
    form.get_by_role("link", name="Lấy lại mã bảo mật").click()
    expect(form.locator("input[name=captcha_id]")).not_to_have_value(first)

    for name, value in {**COMMENT, "Tiêu đề": ""}.items():
        field(name).fill(value)
    field("Mã xác nhận").fill(stack.answer(captcha_id()))
    form.get_by_role("button", name="Gửi bình luận").click()
    expect(form.locator("#cg-title-error")).to_have_text("Trường này là bắt buộc.")
    expect(field("Tiêu đề")).to_have_attribute("aria-invalid", "true")
    expect(field("Nội dung")).to_have_value(COMMENT["Nội dung"])

    field("Tiêu đề").fill("Không cần JavaScript")
    field("Mã xác nhận").fill(stack.answer(captcha_id()))
    form.get_by_role("button", name="Gửi bình luận").click()
    expect(form.get_by_role("status")).to_have_text(
        "Cảm ơn bạn! Bình luận của bạn đang chờ kiểm duyệt."
    )
    from commentgate.storage.models import Comment

    with sessions() as session:
        [comment] = session.query(Comment).all()
    assert (comment.article, comment.title) == ("bai-5", "Không cần JavaScript")
