"""What a reader does with the widget, written once for every browser test."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Stack

COMMENT = {
    "Họ tên": "Nguyễn Văn An",
    "Số điện thoại": "0912 345 678",
    "Tiêu đề": "Cảm ơn tác giả",
    "Nội dung": "Bài viết rất hay.\nMong có thêm nhiều bài như thế này!",
}


def captcha_image(page: Page) -> Locator:
    image = page.locator(".cg-captcha-img")
    expect(image).to_be_visible()
    return image


def captcha_id(page: Page) -> str:
    """The id of the captcha the widget shows (it is in the image's URL)."""
    src = captcha_image(page).get_attribute("src") or ""
    return src.split("/captchas/")[1].split("/")[0]


def field(page: Page, name: str) -> Locator:
    """A text field by its accessible name, as a screen reader announces it."""
    return page.get_by_role("textbox", name=name, exact=True)


def code_field(page: Page) -> Locator:
    return field(page, "Mã xác nhận")


def fill_comment(page: Page, **fields: str) -> None:
    """Type a comment into the widget's labelled fields."""
    for name, value in {**COMMENT, **fields}.items():
        field(page, name).fill(value)


def type_code(stack: Stack, page: Page) -> None:
    code_field(page).fill(stack.answer(captcha_id(page)))


def submit(page: Page) -> None:
    page.get_by_role("button", name="Gửi bình luận").click()
