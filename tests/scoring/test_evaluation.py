import json

import pytest
from click.testing import CliRunner

from launch.evaluate import eval_command, train_model
from workers.scoring.corpus import CorpusError, Example, Label, read_examples
from workers.scoring.evaluation import Report, cross_validate, evaluate, report_for, score_texts
from workers.scoring.model import SpamModel
from workers.scoring.pipeline import make_verdict, score_submission
from workers.scoring.types import Reason, ReasonCode, SiteRules, Submission

SPAM = [
    "Link vào nhà cái uy tín 8xbet.vip, ib zalo 0912345678",
    "Vay tiền nhanh không thế chấp, chỉ cần CCCD, liên hệ 0987654321",
    "Check out my channel and subscribe to my channel http://bit.ly/xx",
    "WINNER! claim your prize, txt WIN to 87121, opt out reply STOP",
]
HAM = [
    "Bài viết rất hay, cảm ơn tác giả.",
    "Giá xăng lại tăng, người dân khổ quá.",
    "I love this song, it reminds me of summer",
    "See you at home later",
]


def examples(texts, label):
    return [Example(text, label) for text in texts]


def test_report_numbers_on_a_fixed_set():
    tiny = examples(["a", "b", "c"], Label.SPAM) + examples(["d", "e", "f", "g"], Label.HAM)
    weights = [1.5, 1.0, 0.2, 1.1, 0.0, -0.5, 0.9]  # tp tp fn fp tn tn tn
    verdicts = [make_verdict([Reason(ReasonCode.LINKS, w, "x")], "v") for w in weights]
    report = report_for(tiny, verdicts, SiteRules())
    assert report.to_dict() == {
        "precision": 0.6667,
        "recall": 0.6667,
        "f1": 0.6667,
        "fpr": 0.25,
        "n": 7,
        "confusion": {"tp": 2, "fp": 1, "tn": 3, "fn": 1},
        "top_reasons": [["links", 3]],
    }


def test_evaluate_on_obvious_examples_is_perfect():
    data = examples(SPAM, Label.SPAM) + examples(HAM, Label.HAM)
    report = evaluate(data, data)
    assert (report.tp, report.fp, report.tn, report.fn) == (4, 0, 4, 0)
    assert report.to_dict()["f1"] == 1.0


def test_cross_validate_pools_every_example_once():
    data = examples(SPAM, Label.SPAM) + examples(HAM, Label.HAM)
    report = cross_validate(data, k=2)
    assert isinstance(report, Report) and report.n == len(data)


def test_corpus_errors_name_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok", "label": "ham"}\n\n{"text": "x", "label": "maybe"}\n')
    with pytest.raises(CorpusError, match=r"bad.jsonl:3: 'label'"):
        read_examples(path)
    path.write_text("{not json\n")
    with pytest.raises(CorpusError, match="bad.jsonl:1: not valid JSON"):
        read_examples(path)


def write(path, texts, label):
    path.write_text("".join(json.dumps({"text": t, "label": label}) + "\n" for t in texts))


def test_eval_command_json_prints_one_object(tmp_path):
    spam, ham = tmp_path / "spam.jsonl", tmp_path / "ham.jsonl"
    write(spam, SPAM, "spam")
    write(ham, HAM, "ham")
    args = ["--train", str(spam), "--train", str(ham), "--test", str(spam), "--test", str(ham)]
    result = CliRunner().invoke(eval_command, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)) == {"precision", "recall", "f1", "fpr", "n"}
    text = CliRunner().invoke(eval_command, args)
    assert "precision" in text.output and "confusion" in text.output


def test_eval_command_needs_test_or_cv(tmp_path):
    spam = tmp_path / "spam.jsonl"
    write(spam, SPAM, "spam")
    assert CliRunner().invoke(eval_command, ["--train", str(spam)]).exit_code == 2


def test_train_model_reads_files(tmp_path):
    spam, ham = tmp_path / "spam.jsonl", tmp_path / "ham.jsonl"
    write(spam, SPAM, "spam")
    write(ham, HAM, "ham")
    model = train_model([str(spam), str(ham)], progress=False)
    assert model.is_trained
    assert model.spam_probability(SPAM[0]) > model.spam_probability(HAM[0])


def test_score_texts_scores_like_the_worker_even_without_a_trained_model():
    model, texts = SpamModel.new("v0"), ["Bài viết hay", "Nhà cái uy tín, ib zalo 0912345678"]
    expected = [score_submission(Submission(content=text), SiteRules(), model) for text in texts]
    assert score_texts(texts, model, SiteRules()) == expected


def test_eval_odd_counts_what_becomes_of_harmless_texts(tmp_path):
    spam, ham, odd = tmp_path / "spam.jsonl", tmp_path / "ham.jsonl", tmp_path / "odd.jsonl"
    write(spam, SPAM, "spam")
    write(ham, HAM, "ham")
    # One advert among them: its checks flag it whatever the model knows.
    write(odd, ["12345", "NULL", "<b>x</b>", SPAM[0]], "ham")
    args = ["--train", str(spam), "--train", str(ham), "--odd", str(odd)]
    result = CliRunner().invoke(eval_command, [*args, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report == {**report, "n": 4, "flagged": 1, "flagged_share": 0.25, "model_only": 0}
    text = CliRunner().invoke(eval_command, args).output
    assert "flagged as spam       1 (25.00%)" in text
    assert CliRunner().invoke(eval_command, ["--odd", str(odd)]).exit_code == 2
