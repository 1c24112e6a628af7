"""The learning part of the score: a linear model over hashed n-grams, updated online.

Every moderator decision is one :meth:`SpamModel.learn` call (a single-example
``partial_fit``), so a model rebuilt by replaying the decision log in order from the same
starting point has exactly the same coefficients as the one that learned online
(see :func:`rebuild`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.linear_model import SGDClassifier

from workers.scoring.corpus import Example
from workers.scoring.features import FEATURE_SET, N_FEATURES, vectorize
from workers.scoring.types import Reason, ReasonCode

FORMAT = "commentgate-spam-model/1"
# The model's reason weight is MODEL_SCALE * (p - 0.5): zero when it has no opinion,
# +-MODEL_SCALE/2 at the extremes. With MODEL_SCALE = 2.4 a model more than 92% sure crosses
# the default spam_at of 1.0 alone; between that and 50% it needs other evidence, and a
# confident "ham" (negative weight) can outvote one weak heuristic such as a single link.
MODEL_SCALE = 2.4
# SGD settings. "optimal" learning rates shrink as 1 / (alpha * t); alpha is small enough
# that after a cold start on a few thousand examples one decision still moves the model.
SGD_PARAMS = {
    "loss": "log_loss",
    "penalty": "l2",
    "alpha": 1e-5,
    "learning_rate": "optimal",
    "class_weight": {0: 1.0, 1: 1.0},
    "shuffle": False,
    "random_state": 0,
}
_CLASSES = np.array([0, 1])


class ModelFormatError(ValueError):
    """Stored model bytes are not a model this code can load."""


def _new_classifier() -> SGDClassifier:
    return SGDClassifier(**SGD_PARAMS)


class SpamModel:
    """Spam probability of a text, learnable one moderator decision at a time."""

    def __init__(self, version: str, classifier: SGDClassifier) -> None:
        self.version = version
        self._classifier = classifier

    @classmethod
    def new(cls, version: str) -> SpamModel:
        """An untrained model: p(spam) = 0.5 for everything until it learns."""
        return cls(version, _new_classifier())

    @property
    def is_trained(self) -> bool:
        return hasattr(self._classifier, "coef_")

    def partial_fit(self, texts: Sequence[str], labels: Sequence[int]) -> None:
        """One online step over ``texts`` (labels: 1 = spam, 0 = ham)."""
        self.partial_fit_vectors(vectorize(list(texts)), np.asarray(labels))

    def partial_fit_vectors(self, vectors: sp.csr_matrix, labels: np.ndarray) -> None:
        """:meth:`partial_fit` over already hashed texts (for batch training)."""
        self._classifier.partial_fit(vectors, labels, classes=_CLASSES)

    def learn(self, example: Example) -> None:
        """Learn from one decision: approve = ham, reject-as-spam = spam."""
        self.partial_fit([example.text], [int(example.is_spam)])

    def decision_values(self, vectors: sp.csr_matrix) -> np.ndarray:
        """Log-odds of spam for hashed texts (0 for an untrained model)."""
        if not self.is_trained:
            return np.zeros(vectors.shape[0])
        coef = self._classifier.coef_[0]
        return np.asarray(vectors @ coef).ravel() + self._classifier.intercept_[0]

    def spam_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """p(spam) for each text."""
        return expit(self.decision_values(vectorize(list(texts))))

    def spam_probability(self, text: str) -> float:
        """p(spam) for one text."""
        return float(self.spam_probabilities([text])[0])

    def reason(self, text: str) -> Reason:
        """The model's contribution to the score, as an explained reason."""
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
    return round(MODEL_SCALE * (probability - 0.5), 4)


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
    classifier = _new_classifier()
    if meta["trained"]:
        _restore(classifier, arrays, meta)
    return SpamModel(meta["version"], classifier)


def rebuild(examples: Iterable[Example], version: str, base: SpamModel | None = None) -> SpamModel:
    """Replay decisions in order on a copy of ``base`` (or a new model).

    Gives the same coefficients as calling :meth:`SpamModel.learn` online in that order.
    """
    model = base.copy(version) if base is not None else SpamModel.new(version)
    for example in examples:
        model.learn(example)
    return model
