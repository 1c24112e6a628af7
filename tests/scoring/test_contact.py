import pytest

from workers.scoring.checks.contact import check_contact, find_phones
from workers.scoring.types import SiteRules, Submission


@pytest.mark.parametrize(
    "text",
    [
        "gọi ngay 0912345678",
        "sdt 0 9 1 2 3 4 5 6 7 8",
        "lh o912345678",
        "09.12.34.56.78 nhé",
        "liên hệ ０９１２３４５６７８",
        "không chín một hai ba bốn năm sáu bảy tám",
        "+84 912 345 678",
    ],
)
def test_finds_obfuscated_vietnamese_mobile_numbers(text):
    assert find_phones(text) == ["0912 345 678"]


@pytest.mark.parametrize(
    "text",
    [
        "Năm 2023 có 3 người chết và 12 người bị thương",
        "tôi sinh năm 1990, có 2 con",
        "giá 15.000.000 đồng",
    ],
)
def test_numbers_in_ordinary_comments_are_not_phones(text):
    assert find_phones(text) == []


def test_zalo_with_number_is_bait():
    reasons = check_contact(Submission("Anh em ib zalo 0903 456 789 để nhận kèo"), SiteRules())
    weights = {reason.code: reason.weight for reason in reasons}
    assert weights["contact_phone"] > 0.5
    assert weights["contact_zalo"] > 0.5


def test_talking_about_zalo_weighs_little():
    reasons = check_contact(Submission("Zalo vừa ra tính năng mới, khá tiện"), SiteRules())
    assert [(r.code, r.weight) for r in reasons] == [("contact_zalo", 0.15)]


def test_telegram_handle_and_kb_zalo():
    assert {r.code for r in check_contact(Submission("telegram @kiemtien99"), SiteRules())} == {
        "contact_telegram"
    }
    assert {r.code for r in check_contact(Submission("kb zalo mình nhé"), SiteRules())} == {
        "contact_zalo"
    }


def test_phone_field_is_not_bait():
    sub = Submission("Cảm ơn tác giả", phone="+84912345678")
    assert check_contact(sub, SiteRules()) == []
