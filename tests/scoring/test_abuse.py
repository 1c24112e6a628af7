"""The abuse reason: insults, slurs, threats and hate, through evasions; criticism is not."""

import json
from pathlib import Path

import pytest

from commentgate.domain import CommentStatus, ModerationMode
from workers.scoring.checks.abuse import check_abuse, find_abuse
from workers.scoring.corpus import read_abuse_set
from workers.scoring.evaluation import abuse_report
from workers.scoring.pipeline import classify, score_submission
from workers.scoring.types import SiteRules, Submission

DATA = Path(__file__).resolve().parents[2] / "data"


def abuse_of(text: str) -> list:
    return [r for r in check_abuse(Submission(text), SiteRules()) if r.code == "abuse"]


@pytest.mark.parametrize(
    "text",
    [
        "Thằng ngu này bình luận như đúng rồi",
        "thang ngu nay binh luan nhu dung roi",  # no diacritics
        "m.à.y n.g.u quá",  # dotted letters
        "s u c v a t",  # spaced letters
        "Suc vatttt",  # repeated letters
        "th4ng ngu",  # leet
        "thg ngu này",  # teencode for "thằng"
        "s\u200bú\u200bc vật",  # invisible characters
        "Con mụ già khốn nạn",  # a composed insult
        "Tao biết nhà mày ở đâu rồi, liệu hồn đấy",  # threat
        "bon bac ky lai gay chuyen",  # regional slur, no diacritics
        "Bọn da đen toàn ăn cướp",  # hate: a group with a trait
        "You idiot, go kill yourself",
    ],
)
def test_abuse_is_caught_through_evasions(text):
    assert abuse_of(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Quan chức tham nhũng như thế này phải xử thật nặng, không có vùng cấm",
        "Đề xuất này ngu xuẩn, ai nghĩ ra vậy, không hiểu gì thực tế",
        "Bộ trưởng phải chịu trách nhiệm về sự yếu kém, nên từ chức",
        "Giỏi thật, thu phí mà đường vẫn ổ gà, xin vỗ tay cho các vị",
        "Kẻ giết người dã man như vậy phải bị tử hình",
        "Người dân đổ rác bừa bãi ra kênh, cần xử phạt nặng",  # "đồ rác" folded
        "Là con dân Việt Nam ai cũng tự hào",  # "con đần" folded
        "Mua đồ điện ở chợ rẻ hơn",  # "đồ điên" folded
        'Gọi người khác là "đồ súc vật" trên mạng là không chấp nhận được, các bạn ạ',
        "Trẻ bị bại não cần được can thiệp sớm, các bác sĩ khuyến cáo",
        "Người đồng tính cũng có quyền được kết hôn và hạnh phúc",
        "Ra đường cẩn thận nhé mọi người, đường trơn lắm",
        "Con chó nhà tôi rất khôn",
    ],
)
def test_criticism_strong_opinions_and_innocent_words_are_not_abuse(text):
    assert not abuse_of(text), find_abuse(text)


def test_abuse_reason_names_its_category_and_where_it_is():
    content = "Bài này ai viết vậy, thằng ngu"
    (reason,) = abuse_of(content)
    assert reason.weight == 0.0 and reason.detail == 'abuse: insult: "thằng ngu"'
    (span,) = reason.spans
    assert (span.field, content[span.start : span.end]) == ("content", "thằng ngu")


def test_abuse_waits_for_a_moderator_or_is_rejected_as_the_site_says():
    verdict = score_submission(Submission("Đồ súc vật, cút đi"), SiteRules())
    assert verdict.score == 0.0  # abuse is not spam
    post = ModerationMode.POST
    assert classify(verdict, SiteRules(), post) is CommentStatus.PENDING
    assert classify(verdict, SiteRules(abuse_action="reject"), post) is CommentStatus.REJECTED
    clean = score_submission(Submission("Bài viết hay, cảm ơn tác giả nhiều"), SiteRules())
    assert classify(clean, SiteRules(abuse_action="reject")) is CommentStatus.PENDING


def test_spam_stays_spam_when_it_is_abusive_too():
    verdict = score_submission(
        Submission("thằng ngu", website="http://bot.example"), SiteRules(abuse_action="reject")
    )
    assert classify(verdict, SiteRules(abuse_action="reject")) is CommentStatus.SPAM


def test_abuse_set_is_split_60_40_and_the_report_counts_it(tmp_path):
    whole = (DATA / "abuse_vi.jsonl").read_text(encoding="utf-8").splitlines()
    train = read_abuse_set(DATA / "abuse_vi.train.jsonl")
    test = read_abuse_set(DATA / "abuse_vi.test.jsonl")
    assert len(whole) >= 600 and len(train) == round(0.6 * len(whole))
    assert {t for t, _ in train} | {t for t, _ in test} == {json.loads(x)["text"] for x in whole}
    small = tmp_path / "small.jsonl"
    rows = [("Đồ súc vật", "abuse"), ("Bài hay", "ok"), ("Chính sách tồi", "abuse")]
    small.write_text("".join(json.dumps({"text": t, "label": lb}) + "\n" for t, lb in rows))
    report = abuse_report(read_abuse_set(small))
    assert (report.tp, report.fp, report.tn, report.fn) == (1, 0, 1, 1)


def test_eval_measures_an_abuse_set_from_the_command_line(tmp_path):
    from click.testing import CliRunner

    from launch.evaluate import eval_command

    small = tmp_path / "small.jsonl"
    rows = [("Đồ súc vật", "abuse"), ("Chính sách này tồi quá", "ok")]
    small.write_text("".join(json.dumps({"text": t, "label": lb}) + "\n" for t, lb in rows))
    result = CliRunner().invoke(eval_command, ["--abuse", str(small), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "fpr": 0.0,
        "n": 2,
    }
    assert CliRunner().invoke(eval_command, []).exit_code == 2
