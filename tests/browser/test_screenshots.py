"""The demo article on a desktop and a 360-px phone, the moderator console on a desktop and
a tablet; screenshots for docs/widget.md and docs/moderation.md.

Set COMMENTGATE_SCREENSHOTS=docs/screenshots to write that page's pictures;
otherwise they go to a temporary directory and only the layout is checked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from service.widget.demo import DEMO_ARTICLE
from tests.browser.queue_data import Pending, reason, store_pending
from tests.browser.reader import captcha_image, field, submit
from tests.browser.test_widget import approve_directly

pytestmark = pytest.mark.browser

READERS = [
    (
        "Trần Thị Bình",
        "Nên có thêm tuyến đi Đông Anh",
        "Nhà tôi ở Đông Anh, ngày nào cũng đi làm ở Cầu Giấy. "
        "Mong thành phố sớm mở tuyến buýt điện qua cầu Nhật Tân.",
    ),
    (
        "Lê Minh Quân",
        "Xe êm, sạch",
        "Hôm qua tôi đi thử tuyến Hòa Lạc, xe chạy êm và đúng giờ.\n"
        "Chỉ mong có thêm mái che ở điểm dừng.",
    ),
]


def out_dir(tmp_path: Path) -> Path:
    wanted = os.environ.get("COMMENTGATE_SCREENSHOTS")
    target = Path(wanted) if wanted else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    return target


def open_demo(browser, stack, width: int, height: int) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=1 if width > 800 else 2,
        is_mobile=width <= 800,
        has_touch=width <= 800,
        locale="vi-VN",
    )
    page = context.new_page()
    page.goto(f"{stack.api.url}/demo")
    captcha_image(page)
    expect(page.locator(".cg-comment")).to_have_count(len(READERS))
    return page


def shoot(page: Page, selector: str, path: Path) -> None:
    """The page's full width around one part of it, margins included."""
    box = page.locator(selector).bounding_box()
    assert box is not None
    top = box["y"] + page.evaluate("window.scrollY")
    width = page.viewport_size["width"] if page.viewport_size else 360
    clip = {"x": 0, "y": max(0, top - 16), "width": width, "height": box["height"] + 32}
    page.screenshot(path=path, full_page=True, clip=clip)


def test_demo_page_on_desktop_and_phone(stack, browser, sessions, tmp_path):
    approve_directly(sessions, *READERS, article=DEMO_ARTICLE)
    shots = out_dir(tmp_path)

    desktop = open_demo(browser, stack, 1280, 900)
    desktop.screenshot(path=shots / "demo-desktop.png", full_page=True)
    desktop.context.close()

    phone = open_demo(browser, stack, 360, 740)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(phone, "#binh-luan", shots / "demo-phone.png")
    field(phone, "Họ tên").fill("Nguyễn Văn An")
    field(phone, "Số điện thoại").fill("12345")
    submit(phone)
    expect(field(phone, "Tiêu đề")).to_have_attribute("aria-invalid", "true")
    shoot(phone, ".cg-compose", shots / "demo-phone-errors.png")
    phone.context.close()
    assert all((shots / name).stat().st_size > 10_000 for name in ("demo-desktop.png",))


def console_queue() -> list[Pending]:
    """A morning's queue: an advert with a phone and a link, a reader, a shouting reader."""
    advert = "Vay tiền nhanh trong 5 phút, không cần thế chấp. Liên hệ zalo 0912 345 678 nhé!"
    link = "Xem thêm tại vaynhanh.top"
    return [
        Pending(
            title=link,
            name="Tài chính 24h",
            content=advert,
            phone="+84912345678",
            ip="203.0.113.77",
            score=4.2,
            reasons=[
                reason(
                    "contact_zalo", 2.5, ("content", advert.index("zalo"), advert.index(" nhé"))
                ),
                reason("lexicon_loan", 1.2, ("content", 0, 14)),
                reason("link_suspicious_tld", 1.5, ("title", link.index("vaynhanh"), len(link))),
            ],
            age=30,
        ),
        Pending(
            title="Nên có thêm tuyến đi Đông Anh",
            name="Trần Thị Bình",
            content="Nhà tôi ở Đông Anh, ngày nào cũng đi làm ở Cầu Giấy. "
            "Mong thành phố sớm mở tuyến buýt điện qua cầu Nhật Tân.",
            phone="+84983111222",
            ip="203.0.113.41",
            score=-0.8,
            reasons=[reason("reputation", -1.0)],
            age=300,
        ),
        Pending(
            title="XE BUÝT ĐIỆN QUÁ ĐẮT!!!",
            name="Lê Minh Quân",
            content="Giá vé như vậy thì ai đi nổi, đề nghị xem lại!!!",
            ip="198.51.100.23",
            score=0.9,
            reasons=[reason("shouting", 0.6)],
            age=900,
        ),
    ]


def open_console(browser, stack, key: str, width: int, height: int) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=1,
        is_mobile=width <= 1024,
        has_touch=width <= 1024,
        locale="vi-VN",
    )
    page = context.new_page()
    page.goto(f"{stack.api.url}/moderate")
    page.get_by_label("Khoá kiểm duyệt").fill(key)
    page.keyboard.press("Enter")
    expect(page.locator("li.card")).to_have_count(3)
    return page


def test_console_on_desktop_and_tablet(stack, browser, sessions, settings, moderator_key, tmp_path):
    store_pending(sessions, settings, console_queue())
    shots = out_dir(tmp_path)

    desktop = open_console(browser, stack, moderator_key, 1366, 900)
    desktop.keyboard.press("c")
    expect(desktop.locator("#author-counts")).not_to_be_empty()
    desktop.screenshot(path=shots / "console-desktop.png")
    desktop.context.close()

    tablet = open_console(browser, stack, moderator_key, 820, 1180)
    assert tablet.evaluate("document.documentElement.scrollWidth") <= 820
    tablet.locator("li.card").nth(1).get_by_role("checkbox", name="Chọn (x)").check()
    tablet.screenshot(path=shots / "console-tablet.png")
    tablet.context.close()
    assert all((shots / n).stat().st_size > 10_000 for n in ("console-desktop.png",))
