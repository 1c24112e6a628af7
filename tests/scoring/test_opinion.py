"""The model does not speak where it knows nothing: evidence scales its vote, and on its own
it makes a comment spam only when it is decisive."""

import pytest

from commentgate.domain import CommentStatus
from workers.scoring.blend import BlendedModel
from workers.scoring.corpus import read_corpus
from workers.scoring.model import SpamModel
from workers.scoring.opinion import VOICE, Opinion, opinion_reason
from workers.scoring.pipeline import classify, collect_reasons, make_verdict, score_submission
from workers.scoring.training import train
from workers.scoring.types import Reason, ReasonCode, RuleRef, SiteRules, Submission

from .conftest import VI_TRAIN, unavailable

RULES = SiteRules()
# Harmless texts that share few features with any training corpus.
ODD = ["12345", "F", "NULL", "<b>x</b>", "1,000,000.00", "-1E2", "COM2", "H₂O", "x₁ + x₂", "😀😀"]
ADVERT = (
    "Nhận làm thẻ tín dụng hạn mức cao, không cần chứng minh thu nhập, giải ngân trong "
    "ngày, phí thấp nhất thị trường, liên hệ ngay để được tư vấn miễn phí"
)


@pytest.fixture(scope="module")
def vi_model() -> SpamModel:
    """What `make run` starts a Vietnamese site with: a prior of the training side."""
    if not VI_TRAIN.exists():
        unavailable("Vietnamese training set")
    return train(read_corpus([VI_TRAIN]), version="vi-test")


def model_reason(verdict) -> Reason:
    (reason,) = [r for r in verdict.reasons if r.code == ReasonCode.MODEL]
    return reason


@pytest.mark.parametrize("text", ODD)
def test_odd_harmless_inputs_are_not_spam(vi_model, text):
    verdict = score_submission(Submission(text), RULES, vi_model)
    assert classify(verdict, RULES) is not CommentStatus.SPAM
    reason = model_reason(verdict)
    assert reason.decisive is False and "features known" in reason.detail


def test_the_vote_shrinks_with_what_the_model_knows_of_the_text(vi_model):
    sure = Opinion(0.99, known=300.0, features=300)
    thin = Opinion(0.99, known=10.0, features=40)
    assert sure.evidence() == 1.0 and thin.evidence() < 0.25
    assert 0 < opinion_reason(thin).weight < opinion_reason(sure).weight / 4
    # Both ways: a sure ham call about a text it barely knows takes little away either.
    assert (
        opinion_reason(Opinion(0.01, 10.0, 40)).weight
        > opinion_reason(Opinion(0.01, 300.0, 300)).weight
    )


def test_model_only_spam_with_thin_evidence_waits_for_a_moderator():
    # Enough known features to reach spam_at, too few to decide alone.
    opinion = Opinion(0.99, known=VOICE.decide_known - 10.0, features=VOICE.decide_known)
    verdict = make_verdict(collect_reasons(Submission("Quá đỉnh 12345"), RULES, opinion), "v")
    assert verdict.score >= RULES.spam_at
    assert classify(verdict, RULES) is CommentStatus.PENDING
    assert classify(verdict, RULES, "post") is CommentStatus.PENDING
    reason = model_reason(verdict)
    assert reason.weight > 0 and "thin evidence" in reason.detail
    assert verdict.to_dict()["reasons"][-1]["decisive"] is False


def test_obvious_spam_with_many_known_features_is_still_spam(vi_model):
    verdict = score_submission(Submission(ADVERT), RULES, vi_model)
    reason = model_reason(verdict)
    assert reason.decisive is True and reason.weight >= RULES.spam_at
    assert classify(verdict, RULES) is CommentStatus.SPAM


def model_verdict(weight: float, decisive: bool | None, *others: Reason):
    model = Reason(ReasonCode.MODEL, weight, "model p(spam)=0.99", decisive=decisive)
    return make_verdict([model, *others], "v")


@pytest.mark.parametrize(
    ("verdict", "rules", "expected"),
    [
        (model_verdict(1.5, False), RULES, "pending"),
        (model_verdict(1.5, True), RULES, "spam"),
        (model_verdict(1.5, None), RULES, "spam"),  # stored before decisiveness was said
        (model_verdict(0.8, False, Reason(ReasonCode.LINKS, 0.3, "1 link")), RULES, "spam"),
        (model_verdict(0.5, False), RULES, "pending"),
        (model_verdict(-0.5, False, Reason(ReasonCode.HONEYPOT, 2.5, "bot")), RULES, "spam"),
        (
            model_verdict(
                1.5,
                False,
                Reason(ReasonCode.SITE_RULE, 0.0, "r", rule=RuleRef(1, "r", "spam", False)),
            ),
            RULES,
            "spam",
        ),
        (
            model_verdict(
                1.5,
                False,
                Reason(ReasonCode.SITE_RULE, 0.0, "r", rule=RuleRef(1, "r", "approve", False)),
            ),
            RULES,
            "pending",
        ),
        (
            model_verdict(1.5, False, Reason(ReasonCode.ABUSE, 0.0, "insult")),
            SiteRules(abuse_action="reject"),
            "rejected",
        ),  # fmt: skip
    ],
)
def test_the_model_alone_makes_spam_only_when_decisive(verdict, rules, expected):
    assert classify(verdict, rules) == expected


def test_a_blend_weighs_what_the_site_and_the_prior_know(vi_model):
    site = vi_model.copy("site")
    blended = BlendedModel(site, vi_model, 0.5)
    text = "Bài viết rất hay, cảm ơn tác giả"
    opinion, alone = blended.opinion(text), vi_model.opinion(text)
    assert opinion.known == alone.known and opinion.features == alone.features
    assert opinion.probability == pytest.approx(alone.probability)
    assert blended.opinions([text])[0].known == alone.known
