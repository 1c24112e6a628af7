"""Cold-start training of a :class:`SpamModel` from labelled corpora."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from workers.scoring.calibration import PRIOR, Calibration, platt
from workers.scoring.corpus import Example
from workers.scoring.features import Counts, Idf, count, weigh
from workers.scoring.model import C, SpamModel

CHUNK = 256  # texts hashed between two progress updates
MAX_ITER = 1000
# Folds of the out-of-fold log-odds the calibration is fitted on: each text is read by a
# model fitted without it, on two thirds of the corpus.
CALIBRATION_FOLDS = 3
CALIBRATION_SEED = 0

Progress = Callable[[int], None]  # called with the number of steps just done


def progress_steps(examples: int) -> int:
    """Length of the progress of :func:`train`: hashing each text, the calibration's fits
    (two thirds of the corpus each), then the fit."""
    return 2 * examples + CALIBRATION_FOLDS * examples


def _count(texts: list[str], progress: Progress | None) -> Counts:
    chunks = []
    for start in range(0, len(texts), CHUNK):
        chunks.append(count(texts[start : start + CHUNK]))
        if progress is not None:
            progress(len(chunks[-1]))
    return Counts(
        sp.vstack([chunk.words for chunk in chunks]).tocsr(),
        sp.vstack([chunk.text for chunk in chunks]).tocsr(),
    )


def subset(counts: Counts, rows: np.ndarray) -> Counts:
    """The counts of some texts."""
    return Counts(counts.words[rows], counts.text[rows])


def fit(counts: Counts, labels: np.ndarray) -> tuple[LogisticRegression, Idf]:
    """The IDF of ``counts`` and one regularised logistic regression on them."""
    idf = Idf.of(counts)
    return LogisticRegression(C=C, max_iter=MAX_ITER).fit(weigh(counts, idf), labels), idf


def log_odds(fitted: LogisticRegression, idf: Idf, counts: Counts) -> np.ndarray:
    """The fit's log-odds of spam for ``counts``, weighted by its own IDF."""
    return fitted.decision_function(weigh(counts, idf))


def out_of_fold_log_odds(
    counts: Counts,
    labels: np.ndarray,
    seed: int = CALIBRATION_SEED,
    progress: Progress | None = None,
) -> np.ndarray:
    """Each text's log-odds from a model fitted, IDF included, on the other folds."""
    result = np.zeros(len(labels))
    folds = StratifiedKFold(n_splits=CALIBRATION_FOLDS, shuffle=True, random_state=seed)
    for inside, outside in folds.split(labels, labels):
        fitted, idf = fit(subset(counts, inside), labels[inside])
        result[outside] = log_odds(fitted, idf, subset(counts, outside))
        if progress is not None:
            progress(len(labels))
    return result


def calibrate(counts: Counts, labels: np.ndarray, progress: Progress | None = None) -> Calibration:
    """Platt's sigmoid on the corpus's out-of-fold log-odds; none for a corpus too small to
    split (fewer texts of a class than folds)."""
    if np.bincount(labels, minlength=2).min() < CALIBRATION_FOLDS:
        return Calibration()
    return platt(out_of_fold_log_odds(counts, labels, progress=progress), labels, PRIOR)


def train(
    examples: Sequence[Example], version: str, *, progress: Progress | None = None
) -> SpamModel:
    """Train a new model: IDF of the corpus, one regularised logistic regression, and the
    calibration of its log-odds.

    Deterministic for the same examples. A corpus of a single class, or none, gives an
    untrained model: there is nothing to separate.
    """
    labels = np.array([int(example.is_spam) for example in examples])
    if len(set(labels.tolist())) < 2:
        return SpamModel.new(version)
    counts = _count([example.text for example in examples], progress)
    calibration = calibrate(counts, labels, progress)
    fitted, idf = fit(counts, labels)
    if progress is not None:
        progress(len(examples))
    return SpamModel.fitted(version, fitted, idf, calibration)
