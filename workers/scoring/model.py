"""The learning part of the score: logistic regression over weighted, hashed n-grams.

A cold start fits a regularised logistic regression on a corpus in one batch
(:mod:`workers.scoring.training`); from then on every moderator decision is one
:meth:`SpamModel.learn` call, a single-example SGD step on the same log-loss continuing from
those coefficients. The feature weights (IDF, :class:`~workers.scoring.features.Idf`) belong
to the cold start and do not change with decisions, so a model rebuilt by replaying the
decision log in order from the same starting point has the same coefficients (up to
floating-point rounding) as the one that learned online (see :func:`rebuild`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, SGDClassifier

from workers.scoring.calibration import Calibration
from workers.scoring.corpus import Example
from workers.scoring.features import (
    FEATURE_SET,
    N_FEATURES,
    Idf,
    Row,
    count,
    row_of,
    weigh,
    word_features,
)
from workers.scoring.opinion import Opinion, opinion_weight

FORMAT = "commentgate-spam-model/4"
# Models of the format before calibration load with the identity calibration (p as their
# log-odds say); a new prior (`commentgate train`) and site rebuilds calibrate them.
UNCALIBRATED_FORMAT = "commentgate-spam-model/3"
# Inverse regularisation of the cold-start fit, chosen by cross-validation (bench/README.md).
C = 300.0
# Online steps. "optimal" learning rates shrink as 1 / (alpha * t): alpha is the cold-start
# penalty per example, and t starts as if the corpus had been seen STEPS_SEEN times, so a
# decision is a step of the size the fit's last epochs would take.
ALPHA_PER_EXAMPLE = 1.0 / C
STEPS_SEEN = 5
SGD_PARAMS = {
    "loss": "log_loss",
    "penalty": "l2",
    "learning_rate": "optimal",
    "shuffle": False,
    "random_state": 0,
}
_CLASSES = np.array([0, 1])
# How much one decision weighs against one corpus example. Whole-text character n-grams are
# shared by every text of a language, so each step on a template also moves unrelated
# comments a little; at this weight 20 decisions carry a new template past spam_at and move
# unrelated comments by at most 0.02 (tests/scoring/test_model.py,
# tests/test_learning.py; figures in bench/README.md).
DECISION_WEIGHT = 0.02
# Decisions hashed and applied per partial_fit call when many are learned at once (a
# rebuild): SGD without shuffling steps through them in order either way.
LEARN_CHUNK = 1000
# Words named in the model's reason when it counts towards spam.
SHOWN_WORDS = 3


class ModelFormatError(ValueError):
    """Stored model bytes are not a model this code can load."""


def _new_classifier(alpha: float) -> SGDClassifier:
    return SGDClassifier(alpha=alpha, **SGD_PARAMS)


class SpamModel:
    """Calibrated spam probability of a text, and how much of the text the model knows;
    learnable one moderator decision at a time (the calibration stays as the cold start
    fitted it)."""

    def __init__(
        self,
        version: str,
        classifier: SGDClassifier,
        idf: Idf | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self.version = version
        self._classifier = classifier
        self.idf = idf if idf is not None else Idf()
        self.calibration = calibration if calibration is not None else Calibration()

    @classmethod
    def new(cls, version: str) -> SpamModel:
        """An untrained model: p(spam) = 0.5 for everything until it learns."""
        return cls(version, _new_classifier(ALPHA_PER_EXAMPLE))

    @classmethod
    def fitted(
        cls, version: str, fit: LogisticRegression, idf: Idf, calibration: Calibration
    ) -> SpamModel:
        """Continue online from a batch fit over ``idf.documents`` examples."""
        classifier = _new_classifier(ALPHA_PER_EXAMPLE / idf.documents)
        _set_state(classifier, fit.coef_, fit.intercept_, t=float(idf.documents * STEPS_SEEN))
        return cls(version, classifier, idf, calibration)

    @property
    def is_trained(self) -> bool:
        return hasattr(self._classifier, "coef_")

    @property
    def coefficients(self) -> tuple[np.ndarray, np.ndarray]:
        """The linear model's weights and intercept (for comparisons and inspection)."""
        return self._classifier.coef_, self._classifier.intercept_

    def rows(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The model's feature rows for ``texts``."""
        return weigh(count(list(texts)), self.idf)

    def learn(self, example: Example) -> None:
        """Learn from one decision: approve = ham, reject-as-spam = spam."""
        self.learn_many([example])

    def learn_many(self, examples: Sequence[Example]) -> None:
        """Learn from decisions in order, one SGD step each, as :meth:`learn` would one by
        one (the same coefficients up to rounding, ~1e-15), hashing them in chunks."""
        for start in range(0, len(examples), LEARN_CHUNK):
            chunk = examples[start : start + LEARN_CHUNK]
            self._classifier.partial_fit(
                self.rows([example.text for example in chunk]),
                np.array([int(example.is_spam) for example in chunk]),
                classes=_CLASSES,
                sample_weight=np.full(len(chunk), DECISION_WEIGHT),
            )

    def decision_values(self, rows: sp.csr_matrix) -> np.ndarray:
        """Log-odds of spam for feature rows (0 for an untrained model)."""
        if not self.is_trained:
            return np.zeros(rows.shape[0])
        coef, intercept = self.coefficients
        return np.asarray(rows @ coef[0]).ravel() + intercept[0]

    def spam_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated p(spam) for each text."""
        return self.calibration.probability(self.decision_values(self.rows(texts)))

    def opinions(self, texts: Sequence[str]) -> list[Opinion]:
        """The opinion of each text, without words (what a batch of texts needs)."""
        rows = self.rows(texts)
        probabilities = self.calibration.probability(self.decision_values(rows))
        rows.data = np.ones_like(rows.data)  # a 1 for each feature of a text
        known = rows @ self._known_columns() if self.is_trained else np.zeros(len(texts))
        features = np.diff(rows.indptr)
        return [
            Opinion(float(p), float(k), int(n))
            for p, k, n in zip(probabilities, known, features, strict=True)
        ]

    def opinion(self, text: str) -> Opinion:
        """The opinion of one text and, when the model's reason counts towards spam, the
        words and word pairs that raised the log-odds most."""
        if not self.is_trained:
            return Opinion(0.5, 0.0, 0)
        row = row_of(text, self.idf)
        coef, intercept = self.coefficients
        weights = coef[0][row.columns]
        raised = row.values * weights
        probability = float(self.calibration.probability(raised.sum() + intercept[0]))
        opinion = Opinion(probability, float(np.count_nonzero(weights)), len(row.columns))
        if opinion_weight(opinion) <= 0:
            return opinion
        return opinion.with_words(self._raising_words(text, row, raised))

    def _known_columns(self) -> np.ndarray:
        """1.0 where the model has a weight: a feature of the training corpus or of a
        decision it learned (the fit and the SGD steps leave all other weights at 0)."""
        return (self._classifier.coef_[0] != 0).astype(float)

    def _raising_words(self, text: str, row: Row, raised: np.ndarray) -> list[str]:
        # Only word and word-pair features are named (character n-grams are not readable),
        # so the words shown are the readable part of what raised the log-odds.
        by_column = dict(zip(row.columns.tolist(), raised.tolist(), strict=True))
        ranked = sorted(
            (
                (by_column.get(column, 0.0), column, phrase)
                for column, phrase in word_features(text)
            ),
            key=lambda item: -item[0],
        )
        shown: list[str] = []
        columns: set[int] = set()
        for weight, column, phrase in ranked:
            if weight <= 0 or len(shown) == SHOWN_WORDS:
                break
            words = set(phrase.split())
            overlaps = any(words <= set(other.split()) or set(other.split()) <= words
                           for other in shown)  # fmt: skip
            if column not in columns and not overlaps:
                shown.append(phrase)
                columns.add(column)
        return shown

    def spam_probability(self, text: str) -> float:
        """p(spam) for one text."""
        return float(self.spam_probabilities([text])[0])

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


def _set_state(clf: SGDClassifier, coef: np.ndarray, intercept: np.ndarray, t: float) -> None:
    """Give ``clf`` learned state so that further ``partial_fit`` continues from it."""
    clf.coef_ = np.asarray(coef, dtype=float).reshape(1, N_FEATURES)
    clf.intercept_ = np.asarray(intercept, dtype=float).reshape(1)
    clf.classes_ = _CLASSES
    clf.t_ = t
    clf.n_features_in_ = N_FEATURES
    clf._expanded_class_weight = np.ones(len(_CLASSES))  # what partial_fit sets for no weights


def dump_model(model: SpamModel) -> bytes:
    """Write coefficients sparsely (most hashed features are never seen) with metadata."""
    clf = model._classifier
    coef = clf.coef_[0] if model.is_trained else np.zeros(N_FEATURES)
    (indices,) = np.nonzero(coef)
    meta = {
        "format": FORMAT,
        "version": model.version,
        "features": FEATURE_SET,
        "n_features": N_FEATURES,
        "alpha": clf.alpha,
        "t": float(getattr(clf, "t_", 1.0)),
        "trained": model.is_trained,
        "documents": model.idf.documents,
        "calibration": {"a": model.calibration.a, "b": model.calibration.b},
    }
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        indices=indices.astype(np.int64),
        values=coef[indices],
        intercept=np.asarray(clf.intercept_ if model.is_trained else [0.0], dtype=float),
        idf_columns=model.idf.columns,
        idf_frequencies=model.idf.frequencies,
    )
    return buffer.getvalue()


def load_model(data: bytes) -> SpamModel:
    """Inverse of :func:`dump_model` (``allow_pickle`` stays off)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        meta = json.loads(arrays["meta"].tobytes().decode())
    except (OSError, ValueError, KeyError) as error:
        raise ModelFormatError(f"not a stored spam model: {error}") from None
    known_format = meta.get("format") in (FORMAT, UNCALIBRATED_FORMAT)
    if not known_format or meta.get("features") != FEATURE_SET:
        raise ModelFormatError(
            f"unsupported model format {meta.get('format')!r}/{meta.get('features')!r}"
        )
    classifier = _new_classifier(meta["alpha"])
    if meta["trained"]:
        coef = np.zeros(N_FEATURES)
        coef[arrays["indices"]] = arrays["values"]
        _set_state(classifier, coef, arrays["intercept"], meta["t"])
    idf = Idf(meta["documents"], arrays["idf_columns"], arrays["idf_frequencies"])
    return SpamModel(meta["version"], classifier, idf, Calibration(**meta.get("calibration", {})))


def rebuild(examples: Iterable[Example], version: str, base: SpamModel | None = None) -> SpamModel:
    """Replay decisions in order on a copy of ``base`` (or a new model).

    Gives the same coefficients as calling :meth:`SpamModel.learn` online in that order
    (up to floating-point rounding).
    """
    model = base.copy(version) if base is not None else SpamModel.new(version)
    model.learn_many(list(examples))
    return model
