"""Choose how the model speaks, by cross-validation on the training sides only.

``python -m bench.model_settings`` reads the shared English training files and
``data/vi_comments.train.jsonl`` (never the Vietnamese test side or the odd-input corpus),
and for each language fits, per fold of ``commentgate eval --cv 5``, the model on the other
folds and the calibration's out-of-fold log-odds with each of ``SEEDS`` (the calibration's
own split; training uses the first). Every setting is then scored like ``eval`` scores
(the checks, the model's reason, warning language, :func:`classify`), F1 and FPR averaged
over the seeds. Three steps, each keeping what the one before chose:

1. the calibration prior and the map from p to weight (evidence and decisiveness off): for
   each prior the map with the best smaller F1 of the two languages, every FPR at most 1%
   (ties: fewer false positives), of the maps under which decisive evidence (a honeypot, a
   blocked domain: ``DECISIVE_WEIGHT``) still makes spam against a sure ham call; the prior
   is the weakest, i.e. the calibration closest to plain Platt, whose map keeps both F1 at
   ``TARGET_F1`` or above;
2. the evidence that scales the vote: of the settings that cost nothing (neither language's
   F1 lower than after step 1, every FPR at most 1%), the most demanding (``evidence_known``
   first, then ``evidence_share``);
3. decisiveness, with the same rule (``decide_known`` first, then ``decide_p``).

Prints each step's table and the chosen :class:`~workers.scoring.opinion.Voice`. About ten
minutes on two cores.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import product
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from workers.scoring.calibration import platt
from workers.scoring.checks.discussion import warning_reasons
from workers.scoring.corpus import Example, read_corpus
from workers.scoring.evaluation import CV_SEED, report_for
from workers.scoring.features import count, weigh
from workers.scoring.opinion import Opinion, Voice, model_weight, opinion_reason
from workers.scoring.pipeline import make_verdict, run_checks
from workers.scoring.training import fit, log_odds, out_of_fold_log_odds, subset
from workers.scoring.types import DECISIVE_WEIGHT, Reason, SiteRules, Submission

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = sorted((ROOT.parent / "shared" / "datasets").glob("*.train.jsonl"))
VIETNAMESE = [ROOT / "data" / "vi_comments.train.jsonl"]
FOLDS = 5
SEEDS = (0, 1, 2)
TARGET_F1 = 0.95
MAX_FPR = 0.01
OFF = Voice(evidence_known=0, evidence_share=0, decide_p=0, decide_known=0)

PRIORS = (0.0, 10.0, 30.0, 100.0, 300.0)
SHARPNESS = (1.5, 2.0, 2.5, 3.0)
SCALES = (2.2, 2.6, 3.0, 3.4, 3.8)
NEUTRALS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
EVIDENCE_KNOWN = (0, 16, 32, 48, 64, 80, 96, 128)
EVIDENCE_SHARE = (0, 0.3, 0.5, 0.7, 0.9)
DECIDE_KNOWN = (0, 25, 50, 75, 100, 125, 150, 200)
DECIDE_P = (0, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9)


@dataclass
class Fold:
    """One outer fold's held-out texts as its model reads them, and the calibration data."""

    test: np.ndarray  # indices into the corpus
    log_odds: np.ndarray
    known: np.ndarray
    features: np.ndarray
    out_of_fold: dict[int, np.ndarray]  # seed -> the training side's out-of-fold log-odds
    train_labels: np.ndarray


@dataclass
class Language:
    name: str
    examples: list[Example]
    checks: list[list[Reason]]
    folds: list[Fold]


def prepare(name: str, files: Iterable[Path]) -> Language:
    """Fit every fold's model and calibration data once; the checks of every text once."""
    examples = read_corpus(list(files))
    texts = [example.text for example in examples]
    labels = np.array([int(example.is_spam) for example in examples])
    counts = count(texts)
    folds = []
    split = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=CV_SEED)
    for number, (inside, outside) in enumerate(split.split(labels, labels), 1):
        print(f"{name}: fold {number} of {FOLDS}", file=sys.stderr)
        fitted, idf = fit(subset(counts, inside), labels[inside])
        rows = weigh(subset(counts, outside), idf)
        present = rows.sign()
        folds.append(
            Fold(
                outside,
                log_odds(fitted, idf, subset(counts, outside)),
                np.asarray(present @ (fitted.coef_[0] != 0).astype(float)).ravel(),
                np.diff(rows.indptr),
                {
                    seed: out_of_fold_log_odds(subset(counts, inside), labels[inside], seed)
                    for seed in SEEDS
                },
                labels[inside],
            )
        )
    rules = SiteRules()
    checks = [run_checks(Submission(content=text), rules) for text in texts]
    return Language(name, examples, checks, folds)


def opinions(language: Language, prior: float, seed: int) -> list[Opinion]:
    """Every text's opinion from its fold's model, calibrated with ``prior`` and ``seed``."""
    result: list[Opinion | None] = [None] * len(language.examples)
    for fold in language.folds:
        calibration = platt(fold.out_of_fold[seed], fold.train_labels, prior)
        probabilities = calibration.probability(fold.log_odds)
        for index, p, known, features in zip(
            fold.test, probabilities, fold.known, fold.features, strict=True
        ):
            result[index] = Opinion(float(p), float(known), int(features))
    return result  # type: ignore[return-value]


@dataclass(frozen=True)
class Score:
    f1: tuple[float, ...]  # per language, averaged over the seeds
    worst_fpr: float
    false_positives: float

    @property
    def smaller_f1(self) -> float:
        return min(self.f1)


def score(languages: Sequence[Language], cached: dict, prior: float, voice: Voice) -> Score:
    """F1 per language (mean over seeds), the worst FPR of any seed, mean false positives."""
    rules = SiteRules()
    f1s, fprs, fps = [], [], 0.0
    for language in languages:
        per_seed = []
        for seed in SEEDS:
            key = (language.name, prior, seed)
            if key not in cached:
                cached[key] = opinions(language, prior, seed)
            verdicts = [
                make_verdict(_reasons(example.text, checks, opinion, voice), "select")
                for example, checks, opinion in zip(
                    language.examples, language.checks, cached[key], strict=True
                )
            ]
            per_seed.append(report_for(language.examples, verdicts, rules))
        f1s.append(round(float(np.mean([report.f1 for report in per_seed])), 4))
        fprs += [report.fpr for report in per_seed]
        fps += float(np.mean([report.fp for report in per_seed]))
    return Score(tuple(f1s), max(fprs), fps)


def _reasons(text: str, checks: list[Reason], opinion: Opinion, voice: Voice) -> list[Reason]:
    """What :func:`workers.scoring.pipeline.collect_reasons` gives, with ``voice``."""
    reasons = [*checks, opinion_reason(opinion, voice)]
    return reasons + warning_reasons(Submission(content=text), reasons, opinion.probability)


def _row(label: str, result: Score) -> str:
    f1 = "  ".join(f"{value:.4f}" for value in result.f1)
    return f"{label:<48} F1 {f1}  worst FPR {result.worst_fpr:.2%}  FP {result.false_positives:.1f}"


def choose_map(languages: Sequence[Language], cached: dict) -> tuple[float, Voice, Score]:
    """Step 1: the weakest prior whose best map keeps both F1 at TARGET_F1."""
    chosen = None
    for prior in PRIORS:
        best = None
        for sharpness, scale, neutral in product(SHARPNESS, SCALES, NEUTRALS):
            voice = replace(OFF, sharpness=sharpness, scale=scale, neutral=neutral)
            if DECISIVE_WEIGHT + model_weight(0.0, voice) < SiteRules().spam_at:
                continue
            result = score(languages, cached, prior, voice)
            if result.worst_fpr > MAX_FPR:
                continue
            rank = (result.smaller_f1, -result.false_positives)
            if best is None or rank > best[0]:
                best = (rank, voice, result)
        assert best is not None, "no map keeps every FPR at most 1%"
        _, voice, result = best
        print(_row(f"prior {prior:g}: {voice.sharpness}, {voice.scale}, {voice.neutral}", result))
        if chosen is None and result.smaller_f1 >= TARGET_F1:
            chosen = (prior, voice, result)
    assert chosen is not None, "no prior keeps F1 at the target"
    return chosen


def most_demanding(
    languages: Sequence[Language],
    cached: dict,
    prior: float,
    base: Score,
    voices: Iterable[tuple[tuple[float, float], Voice]],
) -> tuple[Voice, Score]:
    """Steps 2 and 3: of the settings that cost nothing against ``base``, the one that asks
    most (settings ordered by their key)."""
    kept = None
    for key, voice in voices:
        result = score(languages, cached, prior, voice)
        free = result.worst_fpr <= MAX_FPR and all(
            new >= old for new, old in zip(result.f1, base.f1, strict=True)
        )
        print(_row(f"{key}{'' if free else '  (costs)'}", result))
        if free and (kept is None or key > kept[0]):
            kept = (key, voice, result)
    assert kept is not None
    return kept[1], kept[2]


def _step(
    languages: Sequence[Language],
    cached: dict,
    prior: float,
    base: Score,
    voice: Voice,
    grid: dict[str, Sequence[float]],
) -> tuple[Voice, Score]:
    """:func:`most_demanding` over ``voice`` with the two fields of ``grid`` set to each pair
    of their values."""
    (first, firsts), (second, seconds) = grid.items()
    voices = (
        ((a, b), replace(voice, **{first: a, second: b})) for a, b in product(firsts, seconds)
    )
    return most_demanding(languages, cached, prior, base, voices)


def main() -> int:
    languages = [prepare("English", ENGLISH), prepare("Vietnamese", VIETNAMESE)]
    cached: dict = {}
    print("step 1: prior, then its best map (sharpness, scale, neutral); F1 English, Vietnamese")
    prior, voice, base = choose_map(languages, cached)
    print("step 2: evidence (evidence_known, evidence_share)")
    evidence = {"evidence_known": EVIDENCE_KNOWN, "evidence_share": EVIDENCE_SHARE}
    voice, base = _step(languages, cached, prior, base, voice, evidence)
    print("step 3: decisiveness (decide_known, decide_p)")
    decisiveness = {"decide_known": DECIDE_KNOWN, "decide_p": DECIDE_P}
    voice, base = _step(languages, cached, prior, base, voice, decisiveness)
    print(f"chosen: PRIOR = {prior:g}, {voice}")
    print(_row("its cross-validation", base))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
