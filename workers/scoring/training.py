"""Cold-start training of a :class:`SpamModel` from labelled corpora."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from workers.scoring.corpus import Example
from workers.scoring.features import Counts, Idf, count, weigh
from workers.scoring.model import C, SpamModel

CHUNK = 256  # texts hashed between two progress updates
MAX_ITER = 1000

Progress = Callable[[int], None]  # called with the number of steps just done


def progress_steps(examples: int) -> int:
    """Length of the progress of :func:`train`: hashing each text, then the fit."""
    return 2 * examples


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


def train(
    examples: Sequence[Example], version: str, *, progress: Progress | None = None
) -> SpamModel:
    """Train a new model: IDF of the corpus, then one regularised logistic regression.

    Deterministic for the same examples. A corpus of a single class, or none, gives an
    untrained model: there is nothing to separate.
    """
    labels = np.array([int(example.is_spam) for example in examples])
    if len(set(labels.tolist())) < 2:
        return SpamModel.new(version)
    counts = _count([example.text for example in examples], progress)
    idf = Idf.of(counts)
    fit = LogisticRegression(C=C, max_iter=MAX_ITER).fit(weigh(counts, idf), labels)
    if progress is not None:
        progress(len(examples))
    return SpamModel.fitted(version, fit, idf)
