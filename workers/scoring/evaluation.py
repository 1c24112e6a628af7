"""Offline evaluation: train a throwaway model, score held-out texts, count the outcomes.

Texts fill ``Submission.content`` only, so form checks are neutral and no Redis or database
is needed; the verdicts come from the same checks and model reason as in production.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.model_selection import StratifiedKFold

from commentgate.domain import CommentStatus
from workers.scoring.corpus import Example
from workers.scoring.model import SpamModel
from workers.scoring.pipeline import (
    NO_MODEL,
    classify,
    collect_reasons,
    is_abusive,
    make_verdict,
    model_alone_undecided,
    model_opinions,
)
from workers.scoring.training import train
from workers.scoring.types import SiteRules, Submission, Verdict

TOP_REASONS = 10
CV_SEED = 0


@dataclass(frozen=True)
class Report:
    """Confusion counts of spam detection, and the reasons behind the spam calls."""

    tp: int
    fp: int
    tn: int
    fn: int
    top_reasons: tuple[tuple[str, int], ...] = ()

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    @property
    def fpr(self) -> float:
        """Share of real comments (ham) wrongly called spam."""
        return _ratio(self.fp, self.fp + self.tn)

    def __add__(self, other: Report) -> Report:
        reasons = Counter(dict(self.top_reasons)) + Counter(dict(other.top_reasons))
        return Report(
            self.tp + other.tp,
            self.fp + other.fp,
            self.tn + other.tn,
            self.fn + other.fn,
            tuple(reasons.most_common(TOP_REASONS)),
        )

    def to_dict(self) -> dict:
        """Metrics (rounded to 4 decimals), n, confusion counts and top reason codes."""
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "fpr": round(self.fpr, 4),
            "n": self.n,
            "confusion": {"tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn},
            "top_reasons": [[code, count] for code, count in self.top_reasons],
        }


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def score_texts(texts: Sequence[str], model: SpamModel, rules: SiteRules) -> list[Verdict]:
    """Score bare texts like :func:`score_submission` does, batching the model."""
    return [
        make_verdict(collect_reasons(Submission(content=text), rules, opinion), model.version)
        for text, opinion in zip(texts, model_opinions(model, texts), strict=True)
    ]


def report_for(
    examples: Sequence[Example], verdicts: Sequence[Verdict], rules: SiteRules
) -> Report:
    """Count outcomes: a text is called spam when the pre-moderation outcome is spam."""
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for example, verdict in zip(examples, verdicts, strict=True):
        flagged = classify(verdict, rules) is CommentStatus.SPAM
        counts[("t" if flagged == example.is_spam else "f") + ("p" if flagged else "n")] += 1
        if flagged:
            reasons.update(
                str(r.code.value if hasattr(r.code, "value") else r.code)
                for r in verdict.reasons
                if r.weight > 0
            )
    return Report(
        counts["tp"],
        counts["fp"],
        counts["tn"],
        counts["fn"],
        tuple(reasons.most_common(TOP_REASONS)),
    )


def evaluate(
    train_set: Sequence[Example], test_set: Sequence[Example], rules: SiteRules | None = None
) -> Report:
    """Train a throwaway model on ``train_set`` and report on ``test_set``."""
    rules = rules or SiteRules()
    model = train(train_set, version="eval")
    verdicts = score_texts([example.text for example in test_set], model, rules)
    return report_for(test_set, verdicts, rules)


@dataclass(frozen=True)
class OddReport:
    """What the checks and a model do with harmless texts the model may know little about
    (numbers, code, markup, one word): how many become spam, how many of those on the
    model's word alone, and how many wait for a moderator because the model may not decide
    alone."""

    n: int
    flagged: int
    model_only: int
    held: int

    @property
    def flagged_share(self) -> float:
        return _ratio(self.flagged, self.n)

    def to_dict(self) -> dict:
        """Counts, and the share flagged rounded to 4 decimals."""
        return {
            "n": self.n,
            "flagged": self.flagged,
            "flagged_share": round(self.flagged_share, 4),
            "model_only": self.model_only,
            "held": self.held,
        }


def odd_report(verdicts: Sequence[Verdict], rules: SiteRules) -> OddReport:
    """Count the outcomes of harmless texts' verdicts under ``rules``."""
    flagged = model_only = held = 0
    for verdict in verdicts:
        outcome = classify(verdict, rules)
        towards = {str(getattr(r.code, "value", r.code)) for r in verdict.reasons if r.weight > 0}
        if outcome is CommentStatus.SPAM:
            flagged += 1
            model_only += towards == {"model"}
        elif model_alone_undecided(verdict) and verdict.score >= rules.spam_at:
            held += 1
    return OddReport(len(verdicts), flagged, model_only, held)


def evaluate_odd(
    train_set: Sequence[Example], texts: Sequence[str], rules: SiteRules | None = None
) -> OddReport:
    """Train a throwaway model on ``train_set`` and count what it does with ``texts``."""
    rules = rules or SiteRules()
    model = train(train_set, version="eval")
    return odd_report(score_texts(texts, model, rules), rules)


def abuse_report(examples: Sequence[tuple[str, bool]], rules: SiteRules | None = None) -> Report:
    """Count outcomes of abuse detection over (text, is abuse) pairs: a text is called
    abusive when the stateless checks give it an ``abuse`` reason."""
    rules = rules or SiteRules()
    counts: Counter[str] = Counter()
    for text, is_abuse in examples:
        verdict = make_verdict(collect_reasons(Submission(content=text), rules), NO_MODEL)
        flagged = is_abusive(verdict)
        counts[("t" if flagged == is_abuse else "f") + ("p" if flagged else "n")] += 1
    return Report(counts["tp"], counts["fp"], counts["tn"], counts["fn"])


def cross_validate(examples: Sequence[Example], k: int, rules: SiteRules | None = None) -> Report:
    """Stratified ``k``-fold cross-validation (fixed seed); counts are pooled over folds."""
    labels = [int(example.is_spam) for example in examples]
    folds = StratifiedKFold(n_splits=k, shuffle=True, random_state=CV_SEED)
    total = Report(0, 0, 0, 0)
    for train_index, test_index in folds.split(labels, labels):
        fold_train = [examples[i] for i in train_index]
        fold_test = [examples[i] for i in test_index]
        total = total + evaluate(fold_train, fold_test, rules)
    return total
