"""Site rules on their own: what they may say, what each condition matches, what an
active rule's effect does to the outcome, and that shadow rules do nothing."""

import pytest
from pydantic import ValidationError

from commentgate.domain import CommentStatus, ModerationMode
from commentgate.errors import FieldValueError
from commentgate.rule_syntax import RuleDraft, check_pattern
from workers.scoring.checks.site_rules import check_site_rules, rule_matches
from workers.scoring.pipeline import classify, score_submission
from workers.scoring.types import ReasonCode, SiteRules, SiteRuleSpec, Submission


def spec(shadow=False, weight=None, action="spam", **conditions) -> SiteRuleSpec:
    return SiteRuleSpec(7, "r", tuple(sorted(conditions.items())), weight, action, shadow)


PLAIN = Submission(
    content="Bài viết rất hay, cảm ơn tác giả.",
    title="Ý kiến",
    name="Nguyễn Văn An",
    phone="+84912345678",
    article="news/bai-1",
    first_time=False,
)


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+$", "(a|aa)*c", r"(\w)\1", "x(?=y)", "(?<!x)y", "a{1,100}", "a*b*c*d*", "(?>a+)"],
)
def test_patterns_that_could_backtrack_for_long_are_refused(pattern):
    with pytest.raises(FieldValueError):
        check_pattern(pattern)


@pytest.mark.parametrize("pattern", ["lo[0-9]+ ?de", "nha cai (uy tin|so 1)", "[ab]*c", "^x{2,5}"])
def test_ordinary_patterns_are_accepted(pattern):
    assert check_pattern(pattern) == pattern


def test_a_draft_needs_a_condition_and_exactly_one_effect():
    for body in (
        {"name": "n", "conditions": {}, "action": "spam"},
        {"name": "n", "conditions": {"content": "x"}},
        {"name": "n", "conditions": {"content": "x"}, "action": "spam", "weight": 1},
        {"name": "n", "conditions": {"content": "x", "colour": "red"}, "action": "spam"},
        {"name": "n", "conditions": {"phone_prefix": "09a"}, "action": "spam"},
    ):
        with pytest.raises(ValidationError):
            RuleDraft.model_validate(body)
    draft = RuleDraft.model_validate(
        {
            "name": "n",
            "conditions": {"phone_prefix": "8490", "link_domain": "WWW.X.VN"},
            "weight": 1,
        }
    )
    assert draft.conditions.phone_prefix == "+8490" and draft.conditions.link_domain == "x.vn"


def test_phrases_match_after_folding_on_word_boundaries():
    sub = Submission(content="Vào NHÀ_CÁI uy tín đi", name="Shop Thuốc")
    assert rule_matches(spec(content="nha cai"), sub)
    assert rule_matches(spec(name="shop thuoc"), sub)
    assert not rule_matches(spec(content="nha cai lon"), sub)
    assert not rule_matches(spec(content="ai"), sub)  # inside a word: no


def test_each_condition_matches_only_its_field():
    assert rule_matches(spec(title="y kien"), PLAIN)
    assert not rule_matches(spec(title="tac gia"), PLAIN)
    assert rule_matches(spec(content_regex=r"cam on tac gia\.$"), PLAIN)
    assert not rule_matches(spec(content_regex="nha cai"), PLAIN)
    assert rule_matches(spec(phone_prefix="+8491"), PLAIN)
    assert not rule_matches(spec(phone_prefix="+8490"), PLAIN)
    assert not rule_matches(spec(phone_prefix="+84"), Submission(content="x"))
    assert rule_matches(spec(article="news/"), PLAIN)
    assert not rule_matches(spec(article="sport/"), PLAIN)
    assert rule_matches(spec(first_comment=False), PLAIN)
    assert rule_matches(spec(first_comment=True), Submission(content="x"))
    linked = Submission(content="xem shop.example.vn/sale ngay")
    assert rule_matches(spec(has_link=True), linked) and rule_matches(spec(has_link=False), PLAIN)
    assert rule_matches(spec(link_domain="example.vn"), linked)
    assert not rule_matches(spec(link_domain="other.vn"), linked)


def test_every_condition_must_hold():
    assert not rule_matches(spec(title="y kien", article="sport/"), PLAIN)
    assert rule_matches(spec(title="y kien", article="news/"), PLAIN)


def test_a_shadow_rule_is_recorded_with_weight_zero_and_changes_nothing():
    shadow = SiteRules(rules=(spec(shadow=True, action="spam", title="y kien"),))
    verdict = score_submission(PLAIN, shadow)
    (reason,) = [r for r in verdict.reasons if r.code == ReasonCode.SITE_RULE]
    assert reason.weight == 0 and reason.to_dict()["shadow"] is True
    assert reason.to_dict()["rule"] == {"id": 7, "name": "r", "action": "spam", "shadow": True}
    assert verdict.score == score_submission(PLAIN, SiteRules()).score
    assert classify(verdict, shadow) is CommentStatus.PENDING


def test_active_actions_decide_the_outcome():
    for action, mode, expected in (
        ("spam", ModerationMode.PRE, CommentStatus.SPAM),
        ("pending", ModerationMode.POST, CommentStatus.PENDING),
        ("approve", ModerationMode.PRE, CommentStatus.APPROVED),
    ):
        rules = SiteRules(rules=(spec(action=action, title="y kien"),))
        verdict = score_submission(PLAIN, rules)
        assert classify(verdict, rules, mode) is expected, action


def test_approve_does_not_publish_what_the_score_calls_spam():
    rules = SiteRules(rules=(spec(action="approve", title="y kien"),))
    sub = Submission(content=PLAIN.content, title="Ý kiến", website="bot")  # honeypot
    assert classify(score_submission(sub, rules), rules) is CommentStatus.SPAM


def test_an_active_weight_adds_to_the_score():
    rules = SiteRules(rules=(spec(action=None, weight=1.5, title="y kien"),))
    base = score_submission(PLAIN, SiteRules()).score
    assert score_submission(PLAIN, rules).score == pytest.approx(base + 1.5)
    assert check_site_rules(Submission(content="x"), rules) == []
