"""Cold-start training of a :class:`SpamModel` from labelled corpora."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from workers.scoring.corpus import Example
from workers.scoring.features import vectorize
from workers.scoring.model import SpamModel

EPOCHS = 5
BATCH_SIZE = 64
SEED = 0

Progress = Callable[[int], None]  # called with the number of examples just learned


def train(
    examples: Sequence[Example],
    version: str,
    *,
    epochs: int = EPOCHS,
    seed: int = SEED,
    progress: Progress | None = None,
) -> SpamModel:
    """Train a new model: ``epochs`` shuffled passes of mini-batch SGD, and one count.

    Naive Bayes counts every example once; deterministic for the same examples, order and seed.
    """
    model = SpamModel.new(version)
    if not examples:
        return model
    vectors = vectorize([example.text for example in examples])
    labels = np.array([int(example.is_spam) for example in examples])
    model.count_vectors(vectors, labels)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(examples))
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            model.partial_fit_vectors(vectors[batch], labels[batch])
            if progress is not None:
                progress(len(batch))
    return model
