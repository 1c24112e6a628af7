"""The stateless scoring pipeline: every check, the caller's stateful reasons and the model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from commentgate.domain import CommentStatus, ModerationMode
from workers.scoring.blend import BlendedModel
from workers.scoring.budget import Budget
from workers.scoring.checks.abuse import check_abuse
from workers.scoring.checks.contact import check_contact
from workers.scoring.checks.discussion import warning_reasons
from workers.scoring.checks.form import check_form
from workers.scoring.checks.lexicon import check_lexicon
from workers.scoring.checks.links import check_links
from workers.scoring.checks.promotion import check_promotion
from workers.scoring.checks.shape import check_shape
from workers.scoring.checks.site_rules import check_site_rules
from workers.scoring.model import SpamModel
from workers.scoring.opinion import Opinion, opinion_reason
from workers.scoring.types import Reason, ReasonCode, SiteRules, Submission, Verdict

Check = Callable[[Submission, SiteRules], list[Reason]]
Model = SpamModel | BlendedModel

CHECKS: tuple[Check, ...] = (
    check_links,
    check_contact,
    check_lexicon,
    check_form,
    check_shape,
    check_promotion,
    check_abuse,
    check_site_rules,
)
NO_MODEL = "none"
ABUSE_REJECT = "reject"  # SiteRules.abuse_action that rejects abuse outright
# A made-up comment that reaches every lazily loaded resource: a link, a phone number,
# Vietnamese words.
_SAMPLE = Submission(
    content="Bài viết hay, xem thêm tại www.example.com hoặc gọi 0912 345 678.",
    title="Ý kiến",
    name="Người đọc",
    phone="+84912345678",
    submit_seconds=30.0,
)


def run_checks(sub: Submission, rules: SiteRules, budget: Budget | None = None) -> list[Reason]:
    """Run every stateless check, in order; with a ``budget``, only while it lasts."""
    return [
        reason
        for check in CHECKS
        if budget is None or budget.allows(check.__name__.removeprefix("check_"))
        for reason in check(sub, rules)
    ]


def collect_reasons(
    sub: Submission,
    rules: SiteRules,
    opinion: Opinion | None = None,
    extra: Sequence[Reason] = (),
) -> list[Reason]:
    """The checks, ``extra`` (stateful reasons) and the model's reason for its ``opinion``,
    in that order, then warning language weighed against the bait among them."""
    return _with_model(sub, run_checks(sub, rules), extra, opinion)


def _with_model(
    sub: Submission, checked: Sequence[Reason], extra: Sequence[Reason], opinion: Opinion | None
) -> list[Reason]:
    """The reasons of :func:`collect_reasons` from the checks' own."""
    reasons = [*checked, *extra]
    if opinion is None:
        return reasons + warning_reasons(sub, reasons)
    reasons.append(opinion_reason(opinion))
    return reasons + warning_reasons(sub, reasons, opinion.probability)


def _has_opinion(model: Model | None) -> bool:
    """An untrained model has no opinion yet, so it adds no reason (its version still names
    it in verdicts)."""
    return model is not None and model.is_trained


def model_opinions(model: Model | None, texts: Sequence[str]) -> list[Opinion | None]:
    """The opinion of each text (without words), or ``None`` for each while there is no
    trained model."""
    if not _has_opinion(model):
        return [None] * len(texts)
    return model.opinions(list(texts))


def model_opinion(model: Model | None, text: str) -> Opinion | None:
    """The opinion of one text (``None`` without a trained model), with the words that
    raised it when the model leans towards spam: moderators see what it read."""
    if not _has_opinion(model):
        return None
    return model.opinion(text)


def score_submission(
    sub: Submission,
    rules: SiteRules,
    model: Model | None = None,
    extra: Sequence[Reason] = (),
    budget: Budget | None = None,
) -> Verdict:
    """Score a submission: checks, ``extra`` (stateful reasons), the model and warnings,
    within ``budget`` (by default a new one of ``SCORING_BUDGET_SECONDS``)."""
    warm_up()
    budget = budget if budget is not None else Budget()
    checked = run_checks(sub, rules, budget)
    opinion = _budgeted_opinion(model, sub.text, budget)
    reasons = _with_model(sub, checked, extra, opinion) + budget.reasons()
    return make_verdict(reasons, model.version if model is not None else NO_MODEL)


@cache
def warm_up() -> None:
    """Score a made-up comment once per process, so that word lists, URL and phone matchers
    are loaded before any comment's time budget starts (the first load takes longer than a
    budget), and before a forking worker forks: its work-horses inherit them."""
    collect_reasons(_SAMPLE, SiteRules())


def _budgeted_opinion(model: Model | None, text: str, budget: Budget) -> Opinion | None:
    """:func:`model_opinion`, or none when the budget is spent before the model's turn."""
    if _has_opinion(model) and not budget.allows("model"):
        return None
    return model_opinion(model, text)


def make_verdict(reasons: Sequence[Reason], model_version: str) -> Verdict:
    """The verdict of a list of reasons: the score is the sum of their weights."""
    score = round(sum(reason.weight for reason in reasons), 4)
    return Verdict(score=score, reasons=tuple(reasons), model_version=model_version)


def classify(
    verdict: Verdict, rules: SiteRules, mode: ModerationMode | str = ModerationMode.PRE
) -> CommentStatus:
    """Spam at ``spam_at`` or above, or by an active site rule, unless the model's reason
    alone got it there and the model may not decide alone (a moderator decides); else abuse
    is rejected or waits for a moderator (the site's ``abuse_action``); else a site rule's
    ``pending``, or scoring that stopped short (a ``scoring_budget`` reason: what was not
    read could have been anything), waits; a rule's ``approve``, or post-moderation below
    ``approve_below``, publishes."""
    actions = rule_actions(verdict)
    reached = verdict.score >= rules.spam_at
    if "spam" in actions or (reached and not model_alone_undecided(verdict)):
        return CommentStatus.SPAM
    if is_abusive(verdict):
        reject = rules.abuse_action == ABUSE_REJECT
        return CommentStatus.REJECTED if reject else CommentStatus.PENDING
    if reached or "pending" in actions or not is_complete(verdict):
        return CommentStatus.PENDING
    post = ModerationMode(mode) is ModerationMode.POST
    if "approve" in actions or (post and verdict.score < rules.approve_below):
        return CommentStatus.APPROVED
    return CommentStatus.PENDING


def rule_actions(verdict: Verdict) -> set[str]:
    """The actions of the active site rules that matched (shadow rules do nothing)."""
    return {
        reason.rule.action
        for reason in verdict.reasons
        if reason.rule is not None and reason.rule.action and not reason.rule.shadow
    }


def model_alone_undecided(verdict: Verdict) -> bool:
    """Whether the model's reason is the only one towards spam and the model may not make
    a comment spam on its own (too little known of the text, or not sure enough). A
    verdict stored before the model said so counts as decided."""
    towards = [reason for reason in verdict.reasons if reason.weight > 0]
    return bool(towards) and all(
        reason.code == ReasonCode.MODEL and reason.decisive is False for reason in towards
    )


def is_abusive(verdict: Verdict) -> bool:
    """Whether the verdict has an ``abuse`` reason."""
    return any(reason.code == ReasonCode.ABUSE for reason in verdict.reasons)


def is_complete(verdict: Verdict) -> bool:
    """Whether scoring read the whole comment (no ``scoring_budget`` reason)."""
    return all(reason.code != ReasonCode.SCORING_BUDGET for reason in verdict.reasons)
