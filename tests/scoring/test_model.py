import numpy as np
import pytest

from workers.scoring.corpus import Example, Label
from workers.scoring.features import count, row_of, weigh, word_features
from workers.scoring.model import (
    MODEL_SCALE,
    ModelFormatError,
    SpamModel,
    model_weight,
    rebuild,
)
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
    # Sharpening keeps 0, 1/2 and 1 where they are: the values model.py documents.
    assert (model_weight(0.0), model_weight(0.5), model_weight(1.0)) == (-1.36, 0.34, 2.04)
    # The anchor points model.py documents.
    assert abs(model_weight(0.46)) < 0.01 and abs(model_weight(0.58) - 1.0) < 0.01
    # ...and flattens the ends: a sure ham call barely moves when p does.
    assert model_weight(0.1) - model_weight(0.0) < 0.1 * MODEL_SCALE / 10


def test_word_features_are_the_columns_the_vectorizer_hashes():
    text = "Nhà cái uy tín, nạp đầu tặng 100% tại nhacai88.com"
    (row,) = count([text]).words
    columns = {column for column, _ in word_features(text)}
    assert columns <= set(row.indices)
    assert "nhà cái" in {shown for _, shown in word_features(text)}  # as typed, lower-cased


def test_one_text_row_and_opinion_equal_the_matrix_path(english_model, english_examples):
    texts = [example.text for example in english_examples[:300]] + ["", "nhà cái 😀 x"]
    matrix = weigh(count(texts), english_model.idf)
    matrix.sort_indices()
    for index, text in enumerate(texts):
        row = row_of(text, english_model.idf)
        expected = matrix[index]
        assert row.columns.tolist() == expected.indices.tolist()
        assert np.allclose(row.values, expected.data, rtol=0, atol=1e-12)
    probabilities = [english_model.opinion(text)[0] for text in texts]
    assert np.allclose(probabilities, english_model.spam_probabilities(texts), rtol=0, atol=1e-12)


def test_untrained_model_has_no_opinion():
    model = SpamModel.new("v0")
    assert model.spam_probability("anything") == 0.5
    verdict = score_submission(Submission("anything"), SiteRules(), model)
    assert verdict.reasons == () and verdict.model_version == "v0"


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
    start = SpamModel.from_bytes(model_bytes).coefficients
    assert not np.array_equal(online.coefficients[0], start[0])  # the log taught something
    for rebuilt_part, online_part in zip(rebuilt.coefficients, online.coefficients, strict=True):
        # One partial_fit over the log steps through it in order, as eleven calls do.
        assert np.allclose(rebuilt_part, online_part, rtol=0, atol=1e-12)


def test_rebuild_from_scratch_is_deterministic():
    log = [*decisions()[:4], Example("Bài hay quá", Label.HAM)]
    first, second = rebuild(log, "a"), rebuild(log, "b")
    assert first.is_trained
    for one, other in zip(first.coefficients, second.coefficients, strict=True):
        assert np.array_equal(one, other)
