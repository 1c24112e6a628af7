"""From the model's log-odds to a probability that means what it says: Platt's sigmoid.

The cold-start fit is nearly unregularised (``C`` = 300), so its own log-odds say "sure" far
more often than it is right. :func:`platt` fits ``p = 1 / (1 + exp(-(a * z + b)))`` on
log-odds ``z`` the training corpus got from models that had not seen it (out of fold,
:func:`workers.scoring.training.out_of_fold_log_odds`), with Platt's smoothed targets as in
scikit-learn's sigmoid calibration. One calibrator, fitted once; the model scores with it
and keeps it through every online step.

Fitted plainly, the calibrator's offset ``b`` swings by 0.9 from one split of the same
corpus to another (a few hundred misread texts decide it), and with it the point where the
model alone reaches ``spam_at``. A Gaussian prior of strength :data:`PRIOR` on ``(a - 1, b)``
holds it near the identity unless the corpus says otherwise: the held-out log loss is still
better than the uncalibrated model's in both languages, and F1 stops depending on the split
(figures and the grid in bench/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log_expit

# Strength of the prior on (a - 1, b), against a log loss summed over the corpus. Chosen by
# cross-validation (bench/model_settings.py).
PRIOR = 100.0


@dataclass(frozen=True)
class Calibration:
    """``p = expit(a * log_odds + b)``; the identity for a model that was never calibrated."""

    a: float = 1.0
    b: float = 0.0

    def probability(self, log_odds: np.ndarray | float) -> np.ndarray | float:
        """Calibrated p(spam) of raw log-odds."""
        return expit(self.a * log_odds + self.b)


def platt(log_odds: np.ndarray, labels: np.ndarray, prior: float = PRIOR) -> Calibration:
    """Platt's sigmoid for out-of-fold ``log_odds`` of texts labelled ``labels`` (1 = spam),
    with a Gaussian prior of strength ``prior`` towards the identity (0: plain Platt)."""
    labels = np.asarray(labels)
    spam = int(labels.sum())
    ham = len(labels) - spam
    # Platt's targets: never exactly 0 or 1, so a separable corpus gives a finite slope.
    target = np.where(labels == 1, (spam + 1) / (spam + 2), 1 / (ham + 2))

    def loss(params: np.ndarray) -> float:
        a, b = params
        scores = a * log_odds + b
        fit = -(target * log_expit(scores) + (1 - target) * log_expit(-scores)).sum()
        return float(fit + prior * ((a - 1) ** 2 + b**2))

    a, b = minimize(loss, np.array([1.0, 0.0]), method="L-BFGS-B").x
    return Calibration(round(float(a), 6), round(float(b), 6))
