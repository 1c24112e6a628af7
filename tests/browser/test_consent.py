"""The consent checkbox in a real browser: shown with the notice, required with a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from commentgate.storage.db import transaction
from commentgate.storage.models import Comment
from commentgate.storage.sites import find_site
from tests.browser.reader import fill_comment, submit, type_code

pytestmark = pytest.mark.browser

PURPOSE = "Số điện thoại chỉ dùng để liên hệ về bình luận của bạn."
AWAITING = "Cảm ơn bạn! Bình luận của bạn đang chờ kiểm duyệt."


@pytest.fixture
def noticed(sessions, site):
    with transaction(sessions) as session:
        demo = find_site(session, "demo")
        demo.privacy_notice_url = "https://news.example/quyen-rieng-tu"
        demo.privacy_notice_version = "2026-01"
        demo.privacy_purpose = PURPOSE


def test_a_phone_needs_the_box_ticked_and_the_consent_is_recorded(noticed, stack, page, sessions):
    page.goto(stack.host.article_url("bai-1"))
    box = page.get_by_role("checkbox", name="Tôi đồng ý cho xử lý số điện thoại")
    expect(box).to_be_visible()
    expect(page.get_by_text(PURPOSE)).to_be_visible()
    expect(page.get_by_role("link", name="Thông báo về dữ liệu cá nhân")).to_have_attribute(
        "href", "https://news.example/quyen-rieng-tu"
    )
    fill_comment(page)
    type_code(stack, page)
    submit(page)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_be_focused()
    expect(page.locator(".cg-consent .cg-error")).to_contain_text("đồng ý")
    box.check()
    submit(page)
    expect(page.get_by_role("status")).to_have_text(AWAITING)
    with sessions() as session:
        [comment] = session.query(Comment).all()
    assert comment.consent_version == "2026-01" and comment.consent_purpose == PURPOSE


def test_without_a_phone_the_box_may_stay_empty(noticed, stack, page, sessions):
    page.goto(stack.host.article_url("bai-1"))
    fill_comment(page, **{"Số điện thoại": ""})
    type_code(stack, page)
    submit(page)
    expect(page.get_by_role("status")).to_have_text(AWAITING)
    with sessions() as session:
        [comment] = session.query(Comment).all()
    assert comment.phone_sealed is None and comment.consent_version is None
