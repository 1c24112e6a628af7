import pytest

from workers.scoring.checks.contact import check_contact, find_phones
from workers.scoring.types import SiteRules, Submission

RULES = SiteRules()


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
        "Lương năm của mình 350.000.000 mà vẫn không đủ",  # an amount, not dialled
        "Xăng E5 giá 21.850 - 22.120 đồng/lít",  # a price range
        "Tỷ số các trận: 0-0, 0-1, 1-1, 2-1",  # a list of scores
        "Gọi tổng đài 1900 545 411 hoặc 1800 1091 của Bộ",  # public hotlines
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
    school = check_contact(Submission("Giờ trường toàn gửi thông báo qua Zalo, tiện quá"), RULES)
    assert [(r.code, r.weight) for r in school] == [("contact_zalo", 0.15)]


@pytest.mark.parametrize(
    "text",
    ["Tg viết hay quá, cảm ơn báo.", "Face ID trên iPhone nhạy quá", "Nguồn: fb Bộ Y tế"],
)
def test_everyday_words_are_not_messenger_bait(text):
    assert [r for r in check_contact(Submission(text), RULES) if r.weight > 0.15] == []


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


def premium_sms(text: str) -> list[str]:
    return [r.detail for r in check_contact(Submission(text), RULES) if r.code == "premium_sms"]


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Text A, B or C to 83738. Good luck!", "Text A, B or C to 83738"),
        ("FREE ringtone! txt TONE to 87021 now", "txt TONE to 87021"),
        ("Send WIN on 80086 to claim", "Send WIN on 80086"),
        ("Txt WIN 2 83738", "Txt WIN 2 83738"),
        ("U been missing me? Text stop to stop", "Text stop"),
        ("2 end bid notifications, reply END OUT", "reply END"),
    ],
)
def test_sms_marketing_asks_are_premium_sms(text, asked):
    assert premium_sms(text) == [f'SMS marketing ("{asked}")']


@pytest.mark.parametrize(
    "text",
    [
        "I sent a text to my mum last night",  # no short code
        "call the hotline on 1800 1234 for help",  # a longer number, not a code
        "send 20000 to 0903123456",  # a transfer to a phone number
        "Soạn tin UH gửi 1407 để ủng hộ đồng bào vùng lũ",  # the state's relief line
        "reply to the end of the article",
        "send money to 5000 flood victims",  # a count, not a code
        "Scammers sent a text to 50000 subscribers",
        "call volume rose to 2000.",
        "text the word ok to 12345",  # no keyword in capitals
        "You're quoting the text out of context.",
        "read the whole text. End of story",  # not across a sentence
        "My reply: end the subsidies",
    ],
)
def test_other_numbers_and_replies_are_not_premium_sms(text):
    assert premium_sms(text) == []
