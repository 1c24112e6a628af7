import pytest

from commentgate.domain import CommentStatus
from workers.scoring.opinion import model_weight
from workers.scoring.pipeline import classify, make_verdict, score_submission
from workers.scoring.types import DECISIVE_WEIGHT, Reason, ReasonCode, SiteRules, Submission

BETTING_SPAM = (
    "Link vào nhà cái uy tín 8xbet.vip, nạp đầu tặng 100k, hoàn trả cược mỗi ngày! "
    "Xem thêm tại bit.ly/nhacai88 hoặc w88vn.top. Ib zalo 0903 456 789 để nhận kèo thơm."
)
WARM = "Bài viết rất hay, cảm ơn tác giả. Mong có thêm nhiều bài như thế này!"


def test_betting_links_and_zalo_is_spam_with_readable_reasons(english_model):
    verdict = score_submission(Submission(BETTING_SPAM), SiteRules(), english_model)
    assert classify(verdict, SiteRules()) is CommentStatus.SPAM
    codes = {reason.code for reason in verdict.reasons if reason.weight > 0}
    assert {"links", "link_shortener", "contact_phone", "contact_zalo", "lexicon_betting"} <= codes
    assert all(reason.detail for reason in verdict.reasons)


def test_the_model_reason_names_the_words_that_raised_it(english_model):
    spam = "WINNER!! You have won a free prize, claim it now: call 09061701461 or txt WIN"
    (reason,) = [r for r in score_submission(Submission(spam), SiteRules(), english_model).reasons
                 if r.code == ReasonCode.MODEL]  # fmt: skip
    assert reason.weight > 0
    named = reason.detail.split(": ", 1)[1]
    assert named.count('"') == 2 * len(named.split(", ")) and 1 <= len(named.split(", ")) <= 3
    assert all(word.strip('"') in spam.lower() for word in named.split(", "))
    # A comment the model reads as real names nothing.
    (ham,) = [r for r in score_submission(Submission(WARM), SiteRules(), english_model).reasons
              if r.code == ReasonCode.MODEL]  # fmt: skip
    assert ham.weight < 0 and ":" not in ham.detail.removeprefix("model p(spam)=")


@pytest.mark.parametrize("model_name", [None, "english_model", "bilingual_model"])
def test_warm_vietnamese_comment_with_phone_field_is_pending(model_name, request):
    model = request.getfixturevalue(model_name) if model_name else None
    verdict = score_submission(
        Submission(WARM, name="Lan", phone="+84912345678"), SiteRules(), model
    )
    assert [r for r in verdict.reasons if r.weight > 0] == []
    assert classify(verdict, SiteRules(), "pre") is CommentStatus.PENDING


def test_extra_reasons_are_added_and_the_score_is_their_sum():
    extra = (
        Reason(ReasonCode.DUPLICATE, 0.7, "same text 3 times in 10 min"),
        Reason(ReasonCode.REPUTATION, -0.2, "12 approved comments"),
    )
    verdict = score_submission(Submission("ok"), SiteRules(), None, extra)
    assert verdict.score == 0.5
    assert verdict.model_version == "none"
    assert verdict.to_dict()["reasons"][0] == {
        "code": "duplicate",
        "weight": 0.7,
        "detail": "same text 3 times in 10 min",
    }


@pytest.mark.parametrize(
    ("score", "rules", "mode", "expected"),
    [
        (1.0, SiteRules(), "pre", "spam"),
        (0.99, SiteRules(), "pre", "pending"),
        (0.1, SiteRules(), "pre", "pending"),
        (0.1, SiteRules(), "post", "approved"),
        (0.3, SiteRules(), "post", "pending"),
        (1.6, SiteRules(spam_at=2.0), "post", "pending"),
        (0.45, SiteRules(approve_below=0.5), "post", "approved"),
        (-1.0, SiteRules(), "pre", "pending"),
    ],
)
def test_classify_uses_per_site_thresholds(score, rules, mode, expected):
    verdict = make_verdict([Reason(ReasonCode.MODEL, score, "model p(spam)=?")], "v1")
    assert classify(verdict, rules, mode) == expected


@pytest.mark.parametrize(
    ("sub", "rules"),
    [
        (Submission(WARM, website="http://example.com"), SiteRules()),
        (
            Submission(WARM + " Chi tiết ở baomoi-tonghop.vn/bai-viet"),
            SiteRules(blocked_domains=frozenset({"baomoi-tonghop.vn"})),
        ),
        (Submission(WARM + " Mọi người ghé kênh của mình ủng hộ nhé"), SiteRules()),
        (Submission("I love this song so much. Like this comment if you agree"), SiteRules()),
    ],
    ids=["honeypot", "blocked-domain", "self-promotion", "engagement-bait"],
)
def test_decisive_evidence_is_spam_even_when_the_model_is_sure_of_ham(sub, rules, english_model):
    assert DECISIVE_WEIGHT + model_weight(0.0) >= rules.spam_at
    verdict = score_submission(sub, rules, english_model)
    assert classify(verdict, rules) is CommentStatus.SPAM
