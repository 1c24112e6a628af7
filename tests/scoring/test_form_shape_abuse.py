from workers.scoring.checks.abuse import check_abuse, find_profanity
from workers.scoring.checks.form import check_form
from workers.scoring.checks.shape import check_shape
from workers.scoring.types import SiteRules, Submission

RULES = SiteRules()


def codes(reasons):
    return [reason.code for reason in reasons]


def test_honeypot():
    assert codes(check_form(Submission("hay", website="http://x.com"), RULES)) == ["honeypot"]


def test_submit_speed():
    assert codes(check_form(Submission("Bài hay", submit_seconds=0.8), RULES)) == ["too_fast"]
    long_text = "Rất đồng tình với ý kiến của tác giả. " * 10
    assert codes(check_form(Submission(long_text, submit_seconds=5), RULES)) == ["too_fast"]
    assert check_form(Submission(long_text, submit_seconds=60), RULES) == []
    assert check_form(Submission(long_text, submit_seconds=None), RULES) == []


def test_identical_fields_and_stuffed_name():
    sub = Submission("Nhà cái 8xbet", name="Nhà cái 8xbet")
    assert codes(check_form(sub, RULES)) == ["identical_fields", "keyword_stuffing"]


def test_shouting_repetition_emoji_and_short_link():
    assert codes(check_shape(Submission("NHÀ CÁI UY TÍN NHẤT VIỆT NAM HÔM NAY"), RULES)) == [
        "shouting"
    ]
    assert codes(check_shape(Submission("hay hay hay hay hay"), RULES)) == ["repeated_words"]
    assert "emoji_flood" in codes(check_shape(Submission("😀🎉" * 6), RULES))
    assert codes(check_shape(Submission("nice post bit.ly/xyz"), RULES)) == ["short_with_link"]


def test_mixed_script_lookalikes():
    assert codes(check_shape(Submission("Vào 8хbеt ngay"), RULES)) == ["mixed_script"]
    # Greek symbols of science and units are not look-alikes.
    assert check_shape(Submission("Bụi mịn 150 μg/m3, hạt 2,5μm, điện trở 10kΩ, Δt"), RULES) == []


def test_a_flag_is_one_emoji():
    assert check_shape(Submission("Việt Nam vô địch 🇻🇳🇻🇳🇻🇳🇻🇳🇻🇳"), RULES) == []
    assert "emoji_flood" in codes(check_shape(Submission("Nạp ngay " + "🔥💰" * 5), RULES))


def test_readers_repeating_a_topic_are_not_stuffing():
    rant = "Cá độ, cá độ, lại cá độ! Bao giờ mới dẹp được cá độ bóng đá?"
    assert check_form(Submission(rant, name="Chú Tư Việc Làm"), RULES) == []


def test_ordinary_comment_has_no_shape_or_form_reasons():
    sub = Submission("Bài viết rất hay, cảm ơn tác giả.", name="Lan", submit_seconds=40)
    assert check_shape(sub, RULES) == [] and check_form(sub, RULES) == []


def test_profanity_is_surfaced_with_zero_weight():
    reasons = check_abuse(Submission("Đ.m thằng này ngu vcl"), RULES)
    assert [(r.code, r.weight) for r in reasons] == [("profanity", 0.0)]
    assert find_profanity("What the fuck") == ["fuck"]


def test_profanity_in_the_name_and_title_is_surfaced_once():
    sub = Submission("bài viết ổn", title="What the fuck", name="fuck")
    (reason,) = check_abuse(sub, RULES)
    assert reason.detail == "profanity: fuck"
    assert check_abuse(Submission("bài viết ổn", title="Tin mới", name="Đ.m"), RULES)


def test_everyday_words_that_fold_to_profanity_are_not_flagged():
    assert find_profanity("các bạn ơi, buổi sáng đi uống lon bia") == []


def test_words_typed_without_the_marks_of_profanity_are_other_words():
    assert find_profanity("Xưởng nhận may đồ cho công ty, giá tốt") == []
    assert find_profanity("thằng đồ chó") == ["đồ chó"]


def test_words_that_only_glue_to_profanity_are_not_flagged():
    assert find_profanity("Duma quốc gia Nga họp phiên bất thường; Vail là khu nghỉ dưỡng") == []
    assert "đụ má" in find_profanity("đ ụ m á nó")


def test_short_profanity_inside_a_longer_word_is_not_flagged():
    # The Scunthorpe problem: "cunt", "đm" (folded "dm") and "địt" inside ordinary words.
    assert find_profanity("Scunthorpe United by the landmark, reading the addmore guide") == []
    assert find_profanity("Scunthorpe, đm") == ["đm"]


def test_profanity_hidden_by_invisible_characters_or_look_alikes_is_found():
    assert "đụ má" in find_profanity("đụ\u200bmá")
    assert "đụ má" in find_profanity("Duмa")  # Cyrillic м
