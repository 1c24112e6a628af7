"""The moderator console at /moderate, driven in Chromium against the real API."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from commentgate.storage.models import Ban, Comment
from tests.browser.csp import record_violations, violations
from tests.browser.queue_data import Pending, reason, store_pending
from tests.helpers import audit_actions, auth

pytestmark = pytest.mark.browser

BASE = "/api/v1/moderation"
KEY_SLOT = "commentgate.console.key"


@pytest.fixture
def tab(page: Page) -> Page:
    record_violations(page.context)
    return page


def sign_in(page: Page, stack, key: str) -> None:
    """Open the console and sign in by keyboard (type the key, press Enter)."""
    page.goto(f"{stack.api.url}/moderate")
    page.get_by_label("Khoá kiểm duyệt").fill(key)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    settled(page)


def settled(page: Page) -> None:
    """Wait until the console has no API call under way (it is optimistic: the screen
    changes before the answer comes)."""
    expect(page.locator("body")).to_have_attribute("data-calls", "0")


def cards(page: Page):
    return page.locator("li.card")


def card(page: Page, title: str):
    return cards(page).filter(has=page.locator("h3.title", has_text=title))


def statuses(sessions, ids: list[str]) -> list[str]:
    with sessions() as session:
        return [session.get(Comment, i).status for i in ids]


def queue_of(*titles: str, **fields) -> list[Pending]:
    """Pending comments, the first title the newest."""
    return [Pending(title=t, age=60.0 + i, **fields) for i, t in enumerate(titles)]


def test_sign_in_keeps_the_key_in_the_tab_only_and_sign_out_forgets_it(stack, tab, moderator_key):
    tab.goto(f"{stack.api.url}/moderate")
    tab.get_by_label("Khoá kiểm duyệt").fill("cg_wrong")
    tab.get_by_role("button", name="Đăng nhập").click()
    expect(tab.get_by_role("alert").filter(has_text="Khoá")).to_have_text(
        "Khoá không đúng hoặc đã bị thu hồi."
    )
    assert tab.evaluate(f"sessionStorage.getItem('{KEY_SLOT}')") is None

    sign_in(tab, stack, moderator_key)
    assert tab.evaluate(f"sessionStorage.getItem('{KEY_SLOT}')") == moderator_key
    assert moderator_key not in tab.url
    assert tab.context.cookies() == []
    assert moderator_key not in tab.evaluate("JSON.stringify(localStorage)")
    tab.reload()  # the tab stays signed in
    expect(tab.get_by_role("button", name="Đăng xuất")).to_be_visible()

    tab.get_by_role("button", name="Đăng xuất").click()
    expect(tab.get_by_label("Khoá kiểm duyệt")).to_be_visible()
    assert tab.evaluate(f"sessionStorage.getItem('{KEY_SLOT}')") is None
    assert violations(tab) == []


def test_page_is_served_under_its_strict_policy(stack, client):
    response = client.get("/moderate")
    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_filter_by_reason(stack, tab, sessions, settings, moderator_key):
    store_pending(
        sessions,
        settings,
        [
            Pending(title="Mua hàng tại shop", reasons=[reason("links", 1.5)], age=10),
            Pending(title="Ý kiến bình thường", age=20),
            Pending(title="Gọi ngay", reasons=[reason("contact_phone", 2.0)], age=30),
        ],
    )
    sign_in(tab, stack, moderator_key)
    expect(cards(tab)).to_have_count(3)
    tab.get_by_label("Lý do", exact=True).fill("links")
    tab.keyboard.press("Enter")
    expect(cards(tab)).to_have_count(1)
    expect(cards(tab).locator("h3")).to_have_text("Mua hàng tại shop")
    assert violations(tab) == []


def test_approve_three_comments_with_the_keyboard_only(
    stack, tab, sessions, settings, moderator_key
):
    ids = store_pending(sessions, settings, queue_of("Một", "Hai", "Ba", "Bốn"))
    sign_in(tab, stack, moderator_key)
    expect(cards(tab)).to_have_count(4)
    for _ in range(3):
        tab.keyboard.press("a")
    expect(cards(tab)).to_have_count(1)
    settled(tab)
    expect(cards(tab).locator("h3")).to_have_text("Bốn")
    expect(tab.get_by_role("status")).to_have_text("Đã duyệt: Ba")
    expect(tab.locator("#counts [data-status=approved] strong")).to_have_text("3")
    expect(tab.locator("#counts [data-status=pending] strong")).to_have_text("1")
    assert statuses(sessions, ids) == ["approved", "approved", "approved", "pending"]


def test_j_and_k_move_and_reject_asks_for_a_reason(stack, tab, sessions, settings, moderator_key):
    ids = store_pending(sessions, settings, queue_of("Một", "Hai", "Ba"))
    sign_in(tab, stack, moderator_key)
    tab.keyboard.press("j")
    tab.keyboard.press("j")
    tab.keyboard.press("k")
    expect(tab.locator("li.card.current h3")).to_have_text("Hai")
    tab.keyboard.press("r")
    expect(tab.get_by_role("dialog", name="Từ chối vì")).to_be_visible()
    tab.keyboard.press("3")
    expect(card(tab, "Hai")).to_have_count(0)
    settled(tab)
    assert statuses(sessions, ids) == ["pending", "rejected", "pending"]
    with sessions() as session:
        assert session.get(Comment, ids[1]).decision_reason == "off_topic"


def test_bulk_reject_a_selection_then_undo(stack, tab, sessions, settings, moderator_key):
    ids = store_pending(sessions, settings, queue_of("Một", "Hai", "Ba"))
    sign_in(tab, stack, moderator_key)
    tab.keyboard.press("x")
    tab.keyboard.press("j")
    tab.keyboard.press("j")
    tab.keyboard.press("x")
    expect(tab.get_by_text("Đã chọn 2")).to_be_visible()
    tab.keyboard.press("R")
    tab.keyboard.press("2")
    expect(cards(tab)).to_have_count(1)
    expect(tab.get_by_role("status")).to_contain_text("2 bình luận")
    settled(tab)
    assert statuses(sessions, ids) == ["rejected", "pending", "rejected"]

    tab.keyboard.press("u")
    expect(cards(tab).locator("h3")).to_have_text(["Một", "Hai", "Ba"])
    settled(tab)
    assert statuses(sessions, ids) == ["pending", "pending", "pending"]
    assert [a for a, _, _ in audit_actions(sessions)].count("comment.reopen") == 2


def test_buttons_do_what_keys_do(stack, tab, sessions, settings, moderator_key):
    ids = store_pending(sessions, settings, queue_of("Một", "Hai"))
    sign_in(tab, stack, moderator_key)
    card(tab, "Hai").get_by_role("button", name="Spam (s)").click()
    expect(card(tab, "Hai")).to_have_count(0)
    tab.get_by_role("button", name="Hoàn tác (u)").click()
    expect(card(tab, "Hai")).to_have_count(1)
    card(tab, "Một").get_by_role("button", name="Từ chối (r)").click()
    tab.get_by_role("button", name="Xúc phạm").click()
    expect(card(tab, "Một")).to_have_count(0)
    settled(tab)
    assert statuses(sessions, ids) == ["rejected", "pending"]


def test_edit_then_approve(stack, tab, sessions, settings, moderator_key):
    [cid] = store_pending(sessions, settings, queue_of("Bài viêt hay"))
    sign_in(tab, stack, moderator_key)
    tab.keyboard.press("e")
    tab.get_by_label("Tiêu đề").fill("Bài viết hay")
    tab.keyboard.press("Control+Enter")
    expect(cards(tab)).to_have_count(0)
    settled(tab)
    with sessions() as session:
        comment = session.get(Comment, cid)
        assert (comment.title, comment.status) == ("Bài viết hay", "approved")


def test_ban_an_author_and_lift_it(stack, tab, sessions, settings, moderator_key):
    spammer = {"phone": "+84912345678", "ip": "198.51.100.7"}
    ids = store_pending(
        sessions,
        settings,
        [
            Pending(title="Vay tiền nhanh", age=10, **spammer),
            Pending(title="Ý kiến khác", age=20, ip="203.0.113.50"),
            Pending(title="Vay lãi thấp", age=30, **spammer),
        ],
    )
    sign_in(tab, stack, moderator_key)
    tab.keyboard.press("b")
    settled(tab)
    expect(cards(tab).locator("h3")).to_have_text(["Ý kiến khác"])
    expect(tab.get_by_role("status")).to_have_text("Đã chặn tác giả (SĐT); 2 bình luận thành spam.")
    assert statuses(sessions, ids) == ["spam", "pending", "spam"]
    with sessions() as session:
        [ban] = session.query(Ban).all()
        assert ban.kind == "phone" and ban.lifted_at is None

    tab.get_by_role("button", name="Hoàn tác (u)").click()
    expect(cards(tab).locator("h3")).to_have_text(["Vay tiền nhanh", "Ý kiến khác", "Vay lãi thấp"])
    assert statuses(sessions, ids) == ["pending", "pending", "pending"]
    with sessions() as session:
        assert session.query(Ban).one().lifted_at is not None


def test_another_moderator_deciding_first_rolls_back_visibly(
    stack, tab, sessions, settings, moderator_key
):
    ids = store_pending(sessions, settings, queue_of("Đã có người xử lý", "Còn lại"))
    sign_in(tab, stack, moderator_key)
    expect(cards(tab)).to_have_count(2)
    other = stack.app.test_client()
    response = other.post(
        f"{BASE}/comments/{ids[0]}/reject", json={"reason": "spam"}, headers=auth(moderator_key)
    )
    assert response.status_code == 200

    with tab.expect_response(re.compile(r"/approve$")) as answer:
        tab.keyboard.press("a")
    assert answer.value.status == 412
    back = card(tab, "Đã có người xử lý")
    expect(back.get_by_role("alert")).to_have_text(
        "Người khác đã quyết định trước: Spam. Quyết định của bạn chưa được lưu."
    )
    expect(back.locator(".status")).to_have_text("Spam")
    expect(back).to_have_class(re.compile(r"\bcurrent\b"))
    assert statuses(sessions, ids) == ["spam", "pending"]


def test_context_shows_the_authors_history(stack, tab, sessions, settings, moderator_key):
    author = {"phone": "+84912345678", "ip": "198.51.100.7"}
    store_pending(
        sessions,
        settings,
        [
            Pending(title="Hôm nay", age=10, article="bai-2", **author),
            Pending(title="Hôm qua", age=86_400, status="approved", **author),
            Pending(title="Tuần trước", age=600_000, status="spam", **author),
            Pending(title="Người khác", age=20, article="bai-2", ip="203.0.113.50"),
        ],
    )
    sign_in(tab, stack, moderator_key)
    tab.keyboard.press("c")
    panel = tab.get_by_role("complementary", name="Ngữ cảnh")
    expect(panel.locator("#author-counts")).to_have_text(
        "Đã duyệt 1 · spam 1 · từ chối 0 · chờ 0 · tổng 2"
    )
    expect(panel.locator("#author-comments strong")).to_have_text(["Hôm qua", "Tuần trước"])
    expect(panel.locator("#article-comments strong")).to_have_text(["Người khác"])
    expect(panel.locator("#edit-history")).to_have_text("Không có.")


def test_reasons_are_highlighted_where_they_matched_after_astral_characters(
    stack, tab, sessions, settings, moderator_key
):
    # Two emoji (two UTF-16 units each) before the match: code points, not units.
    content = "😀😀 gọi zalo 0912 345 678 nhé 👍"
    start = content.index("zalo")
    spans = ("content", len(content[:start]), len(content[:start]) + len("zalo 0912 345 678"))
    store_pending(
        sessions,
        settings,
        [
            Pending(
                title="🎉 Xem tại abc.com",
                content=content,
                reasons=[
                    reason("links", 1.0, ("title", 10, 17)),
                    reason("contact_zalo", 2.0, spans),
                ],
            )
        ],
    )
    sign_in(tab, stack, moderator_key)
    expect(tab.locator("h3.title mark")).to_have_text("abc.com")
    expect(tab.locator("p.content mark")).to_have_text("zalo 0912 345 678")
    expect(tab.locator("p.content")).to_have_text(content)


def test_phone_is_masked_until_revealed(stack, tab, sessions, settings, moderator_key):
    [cid] = store_pending(sessions, settings, [Pending(title="Có số", phone="+84912345678")])
    sign_in(tab, stack, moderator_key)
    expect(tab.locator(".phone")).to_have_text("SĐT +84 912 *** 678")
    tab.get_by_role("button", name="Hiện số").click()
    expect(tab.locator(".phone")).to_have_text("SĐT +84912345678")
    expect(tab.locator(".ip")).to_have_text("IP 203.0.113.9")
    assert ("comment.reveal", "comment", cid) in audit_actions(sessions)


def test_hostile_text_is_shown_inert(stack, tab, sessions, settings, moderator_key):
    hostile = '<img src=x onerror="window.pwned=1">"><script>window.pwned=2</script>'
    store_pending(
        sessions,
        settings,
        [Pending(title=hostile, name=hostile[:80], content=f"{hostile}\n<b>đậm</b>")],
    )
    sign_in(tab, stack, moderator_key)
    item = cards(tab)
    expect(item.locator(".name")).to_have_text(hostile[:80])
    expect(item.locator("h3.title")).to_have_text(hostile)
    expect(item.locator("p.content")).to_have_text(f"{hostile}\n<b>đậm</b>")
    tab.keyboard.press("c")  # the context panel renders them too
    expect(tab.locator("#edit-history")).to_have_text("Không có.")
    assert item.locator("img, script, b").count() == 0
    assert tab.evaluate("window.pwned") is None
    assert tab.dialogs == []
    assert violations(tab) == []


def test_help_overlay_and_english(stack, tab, sessions, settings, moderator_key):
    store_pending(sessions, settings, queue_of("Một"))
    sign_in(tab, stack, moderator_key)
    tab.keyboard.press("?")
    help_box = tab.get_by_role("dialog", name="Phím tắt")
    expect(help_box).to_contain_text("Hoàn tác quyết định cuối")
    tab.keyboard.press("Escape")
    expect(help_box).to_be_hidden()
    tab.get_by_role("button", name="English").click()
    expect(cards(tab).get_by_role("button", name="Approve (a)")).to_be_visible()
    expect(tab.get_by_role("button", name="Sign out")).to_be_visible()
    expect(tab.locator("html")).to_have_attribute("lang", "en")


def test_slash_searches_the_text(stack, tab, sessions, settings, moderator_key):
    store_pending(sessions, settings, queue_of("Giao thông", "Thời tiết"))
    sign_in(tab, stack, moderator_key)
    tab.keyboard.press("/")
    tab.keyboard.type("tiết")
    tab.keyboard.press("Enter")
    expect(cards(tab).locator("h3")).to_have_text(["Thời tiết"])
    tab.keyboard.press("a")  # Enter gave the queue the keys back
    expect(cards(tab)).to_have_count(0)


def test_new_comments_appear_without_a_reload(stack, tab, sessions, settings, moderator_key):
    tab.clock.install()
    store_pending(sessions, settings, queue_of("Cũ"))
    sign_in(tab, stack, moderator_key)
    expect(cards(tab)).to_have_count(1)
    store_pending(sessions, settings, [Pending(title="Mới đến", age=1)])
    tab.clock.run_for(11_000)
    expect(cards(tab).locator("h3")).to_have_text(["Mới đến", "Cũ"])
    expect(tab.locator("#counts [data-status=pending] strong")).to_have_text("2")
