from workers.scoring.checks.discussion import WARNING_WEIGHT, find_warnings
from workers.scoring.features import analyze
from workers.scoring.pipeline import run_checks
from workers.scoring.types import SiteRules, Submission

RULES = SiteRules()


def weights(text: str) -> dict[str, float]:
    return {str(r.code.value): r.weight for r in run_checks(Submission(text), RULES)}


def test_warning_phrases_are_found_with_diacritics():
    assert find_warnings("Mọi người cảnh giác, đừng bấm vào link lạ") == ["cảnh giác", "đừng bấm"]
    assert find_warnings("Tôi đứng bầm dập cả người") == []  # same letters, other words


def test_negated_warnings_are_reassurance_not_warning():
    assert find_warnings("Nhà cái uy tín, không lừa đảo, không bị chặn") == []


def test_warning_cancels_most_of_the_quoted_bait():
    quoted = weights("Thấy bình luận 'link vào nhà cái' thì đừng bấm, dễ bị lừa lắm")
    assert quoted["warning_context"] < -WARNING_WEIGHT
    assert sum(quoted.values()) < 0.5
    advert = weights("Link vào nhà cái uy tín, không lừa đảo, ib ngay")
    assert "warning_context" not in advert
    assert sum(advert.values()) >= 1.0


def test_no_warning_means_no_reason():
    assert "warning_context" not in weights("Bài viết hay, cảm ơn tác giả")


def test_model_sees_warning_language_as_one_feature():
    assert "__warning__" in analyze("Cảnh giác với tin nhắn lạ")
    assert "__warning__" not in analyze("Cảm ơn bài viết")
