import numpy as np
import pytest

from workers.scoring.corpus import Example, Label
from workers.scoring.model import MODEL_NEUTRAL, ModelFormatError, SpamModel, model_weight, rebuild
from workers.scoring.pipeline import score_submission
from workers.scoring.types import SiteRules, Submission

SCHOOLS = ["Bách Khoa", "Kinh tế Quốc dân", "Ngoại thương", "Luật Hà Nội", "Y Dược", "Sư phạm",
           "Xây dựng", "Thương mại", "Nông nghiệp", "Giao thông", "Mỏ Địa chất", "Thủy lợi",
           "Công đoàn", "Văn hóa", "Mở", "Hàng hải", "Điện lực", "Lao động", "Tài chính",
           "Ngân hàng", "Dược", "FPT"]  # fmt: skip
UNRELATED_HAM = [
    "Bài viết rất hay, cảm ơn tác giả. Mong có thêm nhiều bài như thế này!",
    "Giá xăng tăng liên tục, người lao động khổ quá.",
    "I love this song so much, it reminds me of summer",
    "Ok, see you at home later. Call me when you get there",
    "The referee was terrible in the second half",
]


def diploma_spam(i: int) -> str:
    """A spam template the English cold-start corpus has never seen."""
    return (
        f"Nhận làm bằng đại học {SCHOOLS[i % len(SCHOOLS)]} giá rẻ chỉ {3 + i % 7} triệu, "
        "có hồ sơ gốc, nhận trong ngày, giao bằng tận nơi toàn quốc"
    )


def decisions() -> list[Example]:
    return [Example(diploma_spam(i), Label.SPAM) for i in range(20)]


def test_weight_map_is_monotone_and_documented():
    weights = [model_weight(p) for p in np.linspace(0, 1, 21)]
    assert weights == sorted(weights)
    assert model_weight(MODEL_NEUTRAL) == 0.0


def test_untrained_model_has_no_opinion():
    model = SpamModel.new("v0")
    assert model.spam_probability("anything") == 0.5
    assert model.reason("anything").weight == 0.0


def test_bytes_round_trip_keeps_predictions_and_learning(model_bytes):
    model = SpamModel.from_bytes(model_bytes)
    copy = SpamModel.from_bytes(model.to_bytes())
    assert copy.version == "en-test"
    text = "WINNER!! claim your prize now, call 09061701461"
    assert copy.spam_probability(text) == model.spam_probability(text)
    for example in decisions()[:3]:
        model.learn(example)
        copy.learn(example)
    assert copy.spam_probability(text) == model.spam_probability(text)


def test_garbage_bytes_are_rejected():
    with pytest.raises(ModelFormatError):
        SpamModel.from_bytes(b"not a model")


def test_learns_a_new_template_without_moving_unrelated_ham(model_bytes):
    model, rules = SpamModel.from_bytes(model_bytes), SiteRules()

    def score(text: str) -> float:
        return score_submission(Submission(text), rules, model).score

    fresh = diploma_spam(21) + "."
    ham_before = [score(text) for text in UNRELATED_HAM]
    assert score(fresh) < rules.spam_at
    for example in decisions():
        model.learn(example)
    assert score(fresh) >= rules.spam_at
    for text, before in zip(UNRELATED_HAM, ham_before, strict=True):
        assert score(text) - before < 0.05, text


def test_rebuild_from_the_decision_log_equals_online_learning(model_bytes):
    online = SpamModel.from_bytes(model_bytes)
    log = [*decisions()[:5], Example("Cảm ơn bài viết", Label.HAM), *decisions()[5:10]]
    for example in log:
        online.learn(example)
    rebuilt = rebuild(log, version="rebuilt", base=SpamModel.from_bytes(model_bytes))
    assert np.array_equal(rebuilt._classifier.coef_, online._classifier.coef_)
    assert np.array_equal(rebuilt._classifier.intercept_, online._classifier.intercept_)
    assert np.array_equal(rebuilt._counts.feature_count_, online._counts.feature_count_)
    assert np.array_equal(rebuilt._counts.class_count_, online._counts.class_count_)


def test_rebuild_from_scratch_is_deterministic():
    log = [*decisions()[:4], Example("Bài hay quá", Label.HAM)]
    first, second = rebuild(log, "a"), rebuild(log, "b")
    assert np.array_equal(first._classifier.coef_, second._classifier.coef_)
    assert np.array_equal(first._counts.feature_count_, second._counts.feature_count_)
