"""A reader's text survives the service going down: kept on the page, in a draft, after a reload."""

from __future__ import annotations

import json

import pytest
import redis
from playwright.sync_api import expect
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.browser.conftest import start_stack
from tests.browser.reader import COMMENT, captcha_image, field, fill_comment, submit, type_code
from tests.services import RedisServer

pytestmark = [pytest.mark.browser, pytest.mark.fault]


@pytest.fixture
def fragile(settings, sessions, site, tmp_path):
    """The API on a Redis of its own, which the test may stop and start again."""
    server = RedisServer(tmp_path / "redis").start()
    # No retries: the outage should answer at once rather than after redis-py's backoff.
    client = redis.Redis.from_url(server.url, retry=Retry(NoBackoff(), 0), socket_timeout=2)
    running = start_stack(settings, client, sessions)
    yield running, server
    running.host.stop()
    running.api.stop()
    server.stop()


def expect_comment_in_fields(page) -> None:
    for name, value in COMMENT.items():
        expect(field(page, name)).to_have_value(value)


def test_text_survives_a_503_and_a_reload_until_it_is_accepted(fragile, page, tmp_path):
    stack, server = fragile
    page.goto(stack.host.article_url("bai-1"))
    fill_comment(page)
    type_code(stack, page)
    server.stop()
    submit(page)

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Dịch vụ tạm thời gián đoạn, vui lòng thử lại sau.")
    expect(alert).to_contain_text("Nội dung bạn viết vẫn được giữ lại.")
    expect(alert.get_by_role("button", name="Thử lại")).to_be_visible()
    expect_comment_in_fields(page)
    expect(page.get_by_text("Không tải được mã xác nhận.")).to_be_visible()
    [draft] = page.evaluate("Object.values(localStorage)")
    assert json.loads(draft)["content"] == COMMENT["Nội dung"]

    page.reload()
    expect_comment_in_fields(page)
    expect(page.get_by_role("status")).to_have_text("Đã khôi phục bản nháp bạn chưa gửi.")

    server.start()  # the same port again: the API's client reconnects
    page.get_by_role("button", name="Lấy lại mã bảo mật").click()
    captcha_image(page)
    type_code(stack, page)
    submit(page)
    expect(page.get_by_role("status")).to_have_text(
        "Cảm ơn bạn! Bình luận của bạn đang chờ kiểm duyệt."
    )
    assert page.evaluate("Object.keys(localStorage).length") == 0
