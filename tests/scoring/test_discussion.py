import pytest

from workers.scoring.checks.discussion import (
    MODEL_SURE,
    WARNING_DISCOUNT,
    WARNING_WEIGHT,
    find_warnings,
)
from workers.scoring.features import analyze
from workers.scoring.opinion import Opinion, opinion_reason
from workers.scoring.pipeline import collect_reasons
from workers.scoring.types import ReasonCode, SiteRules, Submission

RULES = SiteRules()


def weights(text: str) -> dict[str, float]:
    return {str(r.code.value): r.weight for r in collect_reasons(Submission(text), RULES)}


def test_warning_phrases_are_found_with_diacritics():
    assert find_warnings("Mọi người cảnh giác, đừng bấm vào link lạ") == ["cảnh giác", "đừng bấm"]
    assert find_warnings("Tôi đứng bầm dập cả người") == []  # same letters, other words


def test_negated_warnings_are_reassurance_not_warning():
    assert find_warnings("Nhà cái uy tín, không lừa đảo, không bị chặn") == []


def test_warning_cancels_most_of_the_quoted_bait():
    warned = weights("Thấy bình luận link vào nhà cái thì đừng bấm, dễ bị lừa lắm")
    assert warned["warning_context"] < -WARNING_WEIGHT
    assert sum(warned.values()) < 0.5
    # In quotation marks the wording is not even counted as bait (checks/lexicon.py).
    quoted = weights("Thấy bình luận 'link vào nhà cái' thì đừng bấm, dễ bị lừa lắm")
    assert quoted == {"warning_context": -WARNING_WEIGHT}
    advert = weights("Link vào nhà cái uy tín, không lừa đảo, ib ngay")
    assert "warning_context" not in advert
    assert sum(advert.values()) >= 1.0


def test_warning_cancels_most_of_a_retold_self_promotion():
    warned = weights("Cảnh giác với mấy đứa kêu ghé kênh của mình nhận quà, toàn lừa đảo")
    assert warned["self_promotion"] > 0 and sum(warned.values()) < 0.5


def test_an_offered_contact_is_not_explained_away_by_a_victims_story():
    advert = weights(
        "Mình cũng bị lừa mất 180 triệu như chị trong bài, may nhờ chuyên gia Trần Bảo "
        "truy vết lấy lại được. Kết bạn zalo anh Bảo 0794 218 660 nhé"
    )
    assert advert["warning_context"] == -WARNING_WEIGHT  # the fixed step, no discount
    assert advert["contact_phone"] > 0 and advert["contact_zalo"] > 0
    assert sum(advert.values()) > 0.8  # the model's reason, when there is one, decides
    # A reader quoting the scammer's number still has its bait discounted.
    quoted = weights("Cảnh giác số 0794 218 660 gọi xưng công an, bảo chuyển tiền, đừng nghe")
    assert quoted["warning_context"] < -WARNING_WEIGHT
    assert sum(quoted.values()) < 0.5


def test_no_warning_means_no_reason():
    assert "warning_context" not in weights("Bài viết hay, cảm ơn tác giả")


def test_model_sees_warning_language_as_one_feature():
    assert "__warning__" in analyze("Cảnh giác với tin nhắn lạ")
    assert "__warning__" not in analyze("Cảm ơn bài viết")


WARNING = "Mấy tin nhắn 'vay tiền nhanh chỉ cần CCCD' là lừa đảo, mọi người cảnh giác"
RECOVERY_ADVERT = "Ai bị lừa đảo qua sàn ảo thì liên hệ bên mình hỗ trợ lấy lại tiền"


def read(probability: float) -> Opinion:
    """An opinion of a model that knows every feature of the text."""
    return Opinion(probability, known=500.0, features=500)


def _warning(text: str, probability: float | None) -> float:
    opinion = read(probability) if probability is not None else None
    reasons = collect_reasons(Submission(text), RULES, opinion)
    return sum(r.weight for r in reasons if r.code is ReasonCode.WARNING_CONTEXT)


def test_warning_explains_away_an_unsure_model_too():
    model = opinion_reason(read(0.8)).weight
    assert model > 0
    extra = _warning(WARNING, None) - _warning(WARNING, 0.8)
    assert extra == pytest.approx(WARNING_DISCOUNT * model, abs=1e-3)


def test_warning_words_do_not_hide_an_advert_the_model_is_sure_of():
    assert _warning(RECOVERY_ADVERT, MODEL_SURE) == _warning(RECOVERY_ADVERT, None) < 0
    reasons = collect_reasons(Submission(RECOVERY_ADVERT), RULES, read(0.99))
    assert sum(r.weight for r in reasons) >= RULES.spam_at


def test_sureness_is_decided_on_the_probability_not_the_rounded_weight():
    just_below = MODEL_SURE - 1e-6
    assert opinion_reason(read(just_below)).weight == opinion_reason(read(MODEL_SURE)).weight
    assert _warning(RECOVERY_ADVERT, just_below) < _warning(RECOVERY_ADVERT, MODEL_SURE)
