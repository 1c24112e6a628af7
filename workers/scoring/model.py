"""The learning part of the score: two online models over the same hashed n-grams.

A logistic-regression SGD model and a multinomial naive Bayes over n-gram presence counts;
the score adds the SGD log-odds and ``NB_WEIGHT`` times the naive Bayes log-odds. Naive
Bayes picks up a new template's wording from a few examples, SGD weighs overlapping
evidence. Every moderator decision is one :meth:`SpamModel.learn` call (a single-example
``partial_fit`` of both), so a model rebuilt by replaying the decision log in order from
the same starting point has exactly the same coefficients and counts as the one that
learned online (see :func:`rebuild`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.linear_model import SGDClassifier
from sklearn.naive_bayes import MultinomialNB

from workers.scoring.corpus import Example
from workers.scoring.features import FEATURE_SET, N_FEATURES, vectorize
from workers.scoring.types import Reason, ReasonCode

FORMAT = "commentgate-spam-model/2"
# The model's reason weight is MODEL_SCALE * (p - MODEL_NEUTRAL), a monotone map of p(spam):
# zero at p = MODEL_NEUTRAL, +1.0 (the default spam_at, alone) at p ~ 0.91, -0.63 at p = 0.
# MODEL_SCALE, MODEL_NEUTRAL, NB_WEIGHT and NB_ALPHA were chosen together by 5-fold
# cross-validation on the training corpora for the best F1 with a false-positive rate under
# 1% (see bench/README.md).
MODEL_SCALE = 1.8
MODEL_NEUTRAL = 0.35
# Naive Bayes log-odds sum over every n-gram of a text, so they run far larger than the SGD
# log-odds; a small weight lets them decide where SGD is unsure. A small smoothing alpha
# matters with 2**20 hashed columns: alpha * N_FEATURES is added to each class total.
NB_WEIGHT = 0.05
NB_ALPHA = 0.03
# SGD settings. "optimal" learning rates shrink as 1 / (alpha * t); alpha is small enough
# that after a cold start on a few thousand examples one decision still moves the model.
SGD_PARAMS = {
    "loss": "log_loss",
    "penalty": "l2",
    "alpha": 3e-6,
    "learning_rate": "optimal",
    "class_weight": {0: 1.0, 1: 1.0},
    "shuffle": False,
    "random_state": 0,
}
_CLASSES = np.array([0, 1])
# One decision is a smaller step than one cold-start example: after a long training run the
# "optimal" step is still large, and a full step overshoots far past the decision boundary,
# dragging every text that shares n-grams with it. 20 decisions on a template still suffice.
DECISION_WEIGHT = 0.05
# What one decision adds to the naive Bayes counts. With a small alpha, counts against
# none give huge log-odds: at one count per decision, 20 Vietnamese decisions on an
# English-only prior moved an unrelated Vietnamese comment from -0.60 to +0.46. At this size the
# counts stay in the near-linear range of log(1 + c / alpha), so a text moves in proportion
# to the share of its n-grams it has in common with the decisions; 20 decisions on a template
# still carry it past spam_at (tests/scoring/test_model.py, tests/test_learning.py).
DECISION_COUNT = 0.002


class ModelFormatError(ValueError):
    """Stored model bytes are not a model this code can load."""


def _new_classifier() -> SGDClassifier:
    return SGDClassifier(**SGD_PARAMS)


def _new_counts(alpha: float = NB_ALPHA) -> MultinomialNB:
    # No class prior: a run of spam decisions must not shift every text towards spam.
    return MultinomialNB(alpha=alpha, fit_prior=False)


def _presence(vectors: sp.csr_matrix) -> sp.csr_matrix:
    """Hashed rows as 0/1 n-gram presence (the vectorizer's rows are binary, l2-scaled)."""
    return vectors.sign()


class SpamModel:
    """Spam probability of a text, learnable one moderator decision at a time."""

    def __init__(
        self, version: str, classifier: SGDClassifier, counts: MultinomialNB | None = None
    ) -> None:
        self.version = version
        self._classifier = classifier
        self._counts = counts if counts is not None else _new_counts()
        self._log_odds: np.ndarray | None = None  # naive Bayes, per n-gram; reset on counting

    @classmethod
    def new(cls, version: str) -> SpamModel:
        """An untrained model: p(spam) = 0.5 for everything until it learns."""
        return cls(version, _new_classifier())

    @property
    def is_trained(self) -> bool:
        return hasattr(self._classifier, "coef_")

    def partial_fit(
        self, texts: Sequence[str], labels: Sequence[int], weight: float = 1.0, count: float = 1.0
    ) -> None:
        """One online step over ``texts`` (labels: 1 = spam, 0 = ham).

        ``weight`` scales the SGD step, ``count`` what each text adds to naive Bayes counts.
        """
        vectors, targets = vectorize(list(texts)), np.asarray(labels)
        self.partial_fit_vectors(vectors, targets, weight)
        self.count_vectors(vectors, targets, count)

    def partial_fit_vectors(
        self, vectors: sp.csr_matrix, labels: np.ndarray, weight: float = 1.0
    ) -> None:
        """One SGD step over already hashed texts (batch training runs several epochs)."""
        weights = np.full(vectors.shape[0], weight)
        self._classifier.partial_fit(vectors, labels, classes=_CLASSES, sample_weight=weights)

    def count_vectors(
        self, vectors: sp.csr_matrix, labels: np.ndarray, weight: float = 1.0
    ) -> None:
        """Add already hashed texts to the naive Bayes counts (once per text, not per epoch)."""
        weights = np.full(vectors.shape[0], weight)
        self._counts.partial_fit(
            _presence(vectors), labels, classes=_CLASSES, sample_weight=weights
        )
        self._log_odds = None

    def learn(self, example: Example) -> None:
        """Learn from one decision: approve = ham, reject-as-spam = spam."""
        self.partial_fit([example.text], [int(example.is_spam)], DECISION_WEIGHT, DECISION_COUNT)

    def decision_values(self, vectors: sp.csr_matrix) -> np.ndarray:
        """Log-odds of spam for hashed texts (0 for an untrained model)."""
        if not self.is_trained:
            return np.zeros(vectors.shape[0])
        coef = self._classifier.coef_[0]
        values = np.asarray(vectors @ coef).ravel() + self._classifier.intercept_[0]
        return values + NB_WEIGHT * self._naive_bayes_values(vectors)

    def _naive_bayes_values(self, vectors: sp.csr_matrix) -> np.ndarray:
        if not hasattr(self._counts, "feature_log_prob_"):
            return np.zeros(vectors.shape[0])
        # One contiguous vector: multiplying by the transposed (2, N_FEATURES) table copied
        # it on every call, a fifth of the one-by-one scoring speed.
        if self._log_odds is None:
            log_prob = self._counts.feature_log_prob_
            self._log_odds = log_prob[1] - log_prob[0]
        return np.asarray(_presence(vectors) @ self._log_odds).ravel()

    def spam_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """p(spam) for each text."""
        return expit(self.decision_values(vectorize(list(texts))))

    def spam_probability(self, text: str) -> float:
        """p(spam) for one text."""
        return float(self.spam_probabilities([text])[0])

    def reason(self, text: str) -> Reason:
        """The model's contribution to the score, as an explained reason."""
        if not self.is_trained:  # no opinion yet: say so rather than add a default weight
            return Reason(ReasonCode.MODEL, 0.0, "model not trained yet")
        return probability_reason(self.spam_probability(text))

    def copy(self, version: str | None = None) -> SpamModel:
        """An independent copy (optionally under a new version)."""
        clone = SpamModel.from_bytes(self.to_bytes())
        clone.version = version or self.version
        return clone

    def to_bytes(self) -> bytes:
        """Serialise without pickle: numpy arrays plus JSON metadata in an ``.npz``."""
        return dump_model(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> SpamModel:
        """Load what :meth:`to_bytes` wrote.

        Raises:
            ModelFormatError: if the bytes are not a model of this format and feature set.
        """
        return load_model(data)


def model_weight(probability: float) -> float:
    """The documented monotone map from p(spam) to a score contribution."""
    return round(MODEL_SCALE * (probability - MODEL_NEUTRAL), 4)


def probability_reason(probability: float) -> Reason:
    """Wrap a p(spam) as the ``model`` reason."""
    return Reason(ReasonCode.MODEL, model_weight(probability), f"model p(spam)={probability:.2f}")


def _metadata(model: SpamModel) -> dict:
    clf = model._classifier
    return {
        "format": FORMAT,
        "version": model.version,
        "features": FEATURE_SET,
        "n_features": N_FEATURES,
        "t": float(getattr(clf, "t_", 1.0)),
        "trained": model.is_trained,
        "nb_alpha": NB_ALPHA,
        "counted": hasattr(model._counts, "feature_count_"),
    }


def _count_arrays(counts: MultinomialNB) -> dict[str, np.ndarray]:
    """Naive Bayes state, sparsely: the columns with any count, and the class totals."""
    if not hasattr(counts, "feature_count_"):
        return {"nb_indices": np.zeros(0, np.int64), "nb_counts": np.zeros((2, 0))}
    (indices,) = np.nonzero(counts.feature_count_.any(axis=0))
    return {
        "nb_indices": indices.astype(np.int64),
        "nb_counts": counts.feature_count_[:, indices],
        "nb_class_counts": counts.class_count_,
    }


def dump_model(model: SpamModel) -> bytes:
    """Write coefficients sparsely (most hashed features are never seen) with metadata."""
    clf = model._classifier
    coef = clf.coef_[0] if model.is_trained else np.zeros(N_FEATURES)
    (indices,) = np.nonzero(coef)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        meta=np.frombuffer(json.dumps(_metadata(model)).encode(), dtype=np.uint8),
        indices=indices.astype(np.int64),
        values=coef[indices],
        intercept=np.asarray(clf.intercept_ if model.is_trained else [0.0], dtype=float),
        **_count_arrays(model._counts),
    )
    return buffer.getvalue()


def _restore(clf: SGDClassifier, arrays: dict, meta: dict) -> None:
    """Put learned state back so that further ``partial_fit`` continues exactly."""
    coef = np.zeros((1, N_FEATURES))
    coef[0, arrays["indices"]] = arrays["values"]
    clf.coef_ = coef
    clf.intercept_ = arrays["intercept"].astype(float)
    clf.classes_ = _CLASSES
    clf.t_ = meta["t"]
    clf.n_features_in_ = N_FEATURES
    clf._expanded_class_weight = np.array([SGD_PARAMS["class_weight"][c] for c in _CLASSES])


def _restore_counts(counts: MultinomialNB, arrays: dict) -> None:
    """Put naive Bayes counts back; the log-probabilities are recomputed from them."""
    feature_count = np.zeros((len(_CLASSES), N_FEATURES))
    feature_count[:, arrays["nb_indices"]] = arrays["nb_counts"]
    counts.classes_ = _CLASSES
    counts.n_features_in_ = N_FEATURES
    counts.feature_count_ = feature_count
    counts.class_count_ = arrays["nb_class_counts"].astype(float)
    # What partial_fit does after counting (sklearn keeps no public hook for it).
    counts._update_feature_log_prob(counts.alpha)
    counts._update_class_log_prior()


def load_model(data: bytes) -> SpamModel:
    """Inverse of :func:`dump_model` (``allow_pickle`` stays off)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        meta = json.loads(arrays["meta"].tobytes().decode())
    except (OSError, ValueError, KeyError) as error:
        raise ModelFormatError(f"not a stored spam model: {error}") from None
    if meta.get("format") != FORMAT or meta.get("features") != FEATURE_SET:
        raise ModelFormatError(
            f"unsupported model format {meta.get('format')!r}/{meta.get('features')!r}"
        )
    classifier, counts = _new_classifier(), _new_counts(meta["nb_alpha"])
    if meta["trained"]:
        _restore(classifier, arrays, meta)
    if meta["counted"]:
        _restore_counts(counts, arrays)
    return SpamModel(meta["version"], classifier, counts)


def rebuild(examples: Iterable[Example], version: str, base: SpamModel | None = None) -> SpamModel:
    """Replay decisions in order on a copy of ``base`` (or a new model).

    Gives the same coefficients and counts as calling :meth:`SpamModel.learn` online in
    that order.
    """
    model = base.copy(version) if base is not None else SpamModel.new(version)
    for example in examples:
        model.learn(example)
    return model
