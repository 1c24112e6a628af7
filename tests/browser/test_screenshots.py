"""The demo article on a desktop and on a 360-px phone; screenshots for docs/widget.md.

Set COMMENTGATE_SCREENSHOTS=docs/screenshots to write that page's pictures;
otherwise they go to a temporary directory and only the layout is checked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from service.widget.demo import DEMO_ARTICLE
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
