"""The stateless scoring pipeline: every check, the caller's stateful reasons and the model."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from commentgate.domain import CommentStatus, ModerationMode
from workers.scoring.checks.abuse import check_abuse
from workers.scoring.checks.contact import check_contact
from workers.scoring.checks.discussion import warning_reasons
from workers.scoring.checks.form import check_form
from workers.scoring.checks.lexicon import check_lexicon
from workers.scoring.checks.links import check_links
from workers.scoring.checks.promotion import check_promotion
from workers.scoring.checks.shape import check_shape
from workers.scoring.model import SpamModel, probability_reason
from workers.scoring.types import Reason, SiteRules, Submission, Verdict

Check = Callable[[Submission, SiteRules], list[Reason]]

CHECKS: tuple[Check, ...] = (
    check_links,
    check_contact,
    check_lexicon,
    check_form,
    check_shape,
    check_promotion,
    check_abuse,
)
NO_MODEL = "none"


def run_checks(sub: Submission, rules: SiteRules) -> list[Reason]:
    """Run every stateless check, in order."""
    return [reason for check in CHECKS for reason in check(sub, rules)]


def collect_reasons(
    sub: Submission,
    rules: SiteRules,
    model_probability: float | None = None,
    extra: Sequence[Reason] = (),
    model_words: Sequence[str] = (),
) -> list[Reason]:
    """The checks, ``extra`` (stateful reasons) and the model's reason for its p(spam) (with
    ``model_words``, what raised it), in that order, then warning language weighed against
    the bait among them."""
    reasons = [*run_checks(sub, rules), *extra]
    if model_probability is not None:
        reasons.append(probability_reason(model_probability, model_words))
    return reasons + warning_reasons(sub, reasons, model_probability)


def _has_opinion(model: SpamModel | None) -> bool:
    """An untrained model has no opinion yet, so it adds no reason (its version still names
    it in verdicts)."""
    return model is not None and model.is_trained


def model_probabilities(model: SpamModel | None, texts: Sequence[str]) -> list[float | None]:
    """p(spam) of each text, or ``None`` for each while there is no trained model."""
    if not _has_opinion(model):
        return [None] * len(texts)
    return model.spam_probabilities(list(texts)).tolist()


def model_opinion(model: SpamModel | None, text: str) -> tuple[float | None, list[str]]:
    """p(spam) of one text (``None`` without a trained model) and the words that raised it
    when the model leans towards spam: moderators see what it read."""
    if not _has_opinion(model):
        return None, []
    return model.opinion(text)


def score_submission(
    sub: Submission,
    rules: SiteRules,
    model: SpamModel | None = None,
    extra: Sequence[Reason] = (),
) -> Verdict:
    """Score a submission: checks, ``extra`` (stateful reasons), the model and warnings."""
    probability, words = model_opinion(model, sub.text)
    reasons = collect_reasons(sub, rules, probability, extra, words)
    return make_verdict(reasons, model.version if model is not None else NO_MODEL)


def make_verdict(reasons: Sequence[Reason], model_version: str) -> Verdict:
    """The verdict of a list of reasons: the score is the sum of their weights."""
    score = round(sum(reason.weight for reason in reasons), 4)
    return Verdict(score=score, reasons=tuple(reasons), model_version=model_version)


def classify(
    verdict: Verdict, rules: SiteRules, mode: ModerationMode | str = ModerationMode.PRE
) -> CommentStatus:
    """Where a scored comment goes: spam at ``spam_at`` or above; in post-moderation,
    approved below ``approve_below``; else pending."""
    if verdict.score >= rules.spam_at:
        return CommentStatus.SPAM
    if ModerationMode(mode) is ModerationMode.POST and verdict.score < rules.approve_below:
        return CommentStatus.APPROVED
    return CommentStatus.PENDING
