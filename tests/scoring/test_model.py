import io
import json

import numpy as np
import pytest

from workers.scoring.calibration import Calibration, platt
from workers.scoring.corpus import Example, Label
from workers.scoring.features import count, row_of, weigh, word_features
from workers.scoring.model import UNCALIBRATED_FORMAT, ModelFormatError, SpamModel, rebuild
from workers.scoring.opinion import VOICE, model_weight
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
    # Sharpening keeps 0, 1/2 and 1 where they are: scale * (q - neutral) at q = 0, 1/2, 1.
    assert (model_weight(0.0), model_weight(0.5), model_weight(1.0)) == (-0.55, 0.55, 1.65)
    # The anchor points docs/spam-engine.md names: nothing at p ~ 0.39, spam_at at p ~ 0.59.
    assert abs(model_weight(0.39)) < 0.01 and abs(model_weight(0.59) - 1.0) < 0.02
    # ...and flattens the ends: a sure ham call barely moves when p does.
    assert model_weight(0.1) - model_weight(0.0) < 0.1 * VOICE.scale / 5


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
    one_by_one = [english_model.opinion(text) for text in texts]
    batch = english_model.opinions(texts)
    probabilities = [opinion.probability for opinion in one_by_one]
    assert np.allclose(probabilities, english_model.spam_probabilities(texts), rtol=0, atol=1e-12)
    assert np.allclose(probabilities, [o.probability for o in batch], rtol=0, atol=1e-12)
    assert [(o.known, o.features) for o in one_by_one] == [(o.known, o.features) for o in batch]


def test_known_features_are_those_the_model_has_weights_for(english_model):
    # At the cold start they are the training corpus's own features.
    assert np.count_nonzero(english_model.coefficients[0]) == len(english_model.idf.columns)
    english = english_model.opinion("Ok, see you at home later. Call me when you get there")
    assert english.known_share > 0.9
    foreign = english_model.opinion("Nhận làm bằng đại học giá rẻ, hồ sơ gốc, giao tận nơi")
    assert foreign.known_share < 0.6 and foreign.known < english.known


def test_decisions_teach_the_model_features_it_now_knows(model_bytes):
    model = SpamModel.from_bytes(model_bytes)
    fresh = diploma_spam(21)
    before = model.opinion(fresh)
    for example in decisions():
        model.learn(example)
    after = model.opinion(fresh)
    assert after.known > before.known and after.evidence() > before.evidence()


def test_untrained_model_has_no_opinion():
    model = SpamModel.new("v0")
    assert model.spam_probability("anything") == 0.5
    verdict = score_submission(Submission("anything"), SiteRules(), model)
    assert verdict.reasons == () and verdict.model_version == "v0"


def test_bytes_round_trip_keeps_predictions_and_learning(model_bytes):
    model = SpamModel.from_bytes(model_bytes)
    copy = SpamModel.from_bytes(model.to_bytes())
    assert copy.version == "en-test"
    # The cold start calibrated the model, and the calibration is stored with it.
    assert model.calibration != Calibration() and copy.calibration == model.calibration
    text = "WINNER!! claim your prize now, call 09061701461"
    assert copy.spam_probability(text) == model.spam_probability(text)
    for example in decisions()[:3]:
        model.learn(example)
        copy.learn(example)
    assert copy.spam_probability(text) == model.spam_probability(text)


def test_garbage_bytes_are_rejected():
    with pytest.raises(ModelFormatError):
        SpamModel.from_bytes(b"not a model")


def _stored_as(model_bytes: bytes, format_name: str, drop: str) -> bytes:
    """The model's bytes with its metadata rewritten to another format, without ``drop``."""
    with np.load(io.BytesIO(model_bytes), allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    meta = json.loads(arrays["meta"].tobytes().decode())
    meta.pop(drop)
    meta["format"] = format_name
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def test_a_model_of_the_format_before_calibration_loads_uncalibrated(model_bytes):
    calibrated = SpamModel.from_bytes(model_bytes)
    old = SpamModel.from_bytes(_stored_as(model_bytes, UNCALIBRATED_FORMAT, "calibration"))
    assert old.calibration == Calibration()
    text = "WINNER!! claim your prize now, call 09061701461"
    raw_log_odds = old.decision_values(old.rows([text]))[0]
    assert old.spam_probability(text) == pytest.approx(1 / (1 + np.exp(-raw_log_odds)))
    assert old.spam_probability(text) != calibrated.spam_probability(text)
    with pytest.raises(ModelFormatError, match="unsupported model format"):
        SpamModel.from_bytes(_stored_as(model_bytes, "commentgate-spam-model/2", "calibration"))


def test_platt_undoes_overconfident_log_odds_and_its_prior_holds_it_near_identity():
    rng = np.random.default_rng(0)
    true_log_odds = rng.normal(0, 2, 4000)
    labels = (rng.random(4000) < 1 / (1 + np.exp(-true_log_odds))).astype(int)
    plain = platt(3 * true_log_odds + 1, labels, prior=0)  # three times too sure, shifted
    assert plain.a == pytest.approx(1 / 3, abs=0.05) and plain.b == pytest.approx(-1 / 3, abs=0.1)
    held = platt(3 * true_log_odds + 1, labels, prior=1e6)
    assert held.a == pytest.approx(1, abs=0.01) and held.b == pytest.approx(0, abs=0.01)


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
