"""What the model says about one text, how much of it it knows, and the reason it becomes.

A model has evidence about a feature (a word, an n-gram) when it has a weight for it: the
features of its training corpus and those moderators' decisions taught it. A number, a
formula, a word of another script share few of them, and what the model says about them is
its prior, not a reading of the text. So its vote is scaled by the evidence:
``min(1, known / evidence_known) * min(1, known_share / evidence_share)``, and it may make a
comment spam on its own only when it is *decisive*: calibrated p(spam) at least
``decide_p`` and at least ``decide_known`` known features. Otherwise such a comment waits
for a moderator (:func:`workers.scoring.pipeline.classify`) with the model's reason shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workers.scoring.types import Reason, ReasonCode


@dataclass(frozen=True)
class Voice:
    """How an opinion becomes the ``model`` reason. The map from p to weight is
    ``scale * (q - neutral)``, q being p sharpened (its log-odds times ``sharpness``), times
    the evidence. All seven were chosen together by cross-validation on the training sides
    (``python -m bench.model_settings``; the grid and the choice in bench/README.md)."""

    scale: float = 2.2
    neutral: float = 0.25
    sharpness: float = 2.5
    evidence_known: float = 96.0
    evidence_share: float = 0.7
    decide_p: float = 0.55
    decide_known: int = 100


VOICE = Voice()


@dataclass(frozen=True)
class Opinion:
    """A model's calibrated p(spam) of a text, how many of the text's features it has
    weights for (``known``) of how many (``features``), and the words that raised it most."""

    probability: float
    known: float
    features: int
    words: tuple[str, ...] = ()

    @property
    def known_share(self) -> float:
        return self.known / self.features if self.features else 0.0

    def evidence(self, voice: Voice = VOICE) -> float:
        """0-1: how much of its vote the model may cast on this text."""
        count = min(1.0, self.known / voice.evidence_known) if voice.evidence_known else 1.0
        share = min(1.0, self.known_share / voice.evidence_share) if voice.evidence_share else 1.0
        return count * share

    def decisive(self, voice: Voice = VOICE) -> bool:
        """Whether the model may make a comment spam on its own."""
        return self.probability >= voice.decide_p and self.known >= voice.decide_known

    def with_words(self, words: Sequence[str]) -> Opinion:
        return Opinion(self.probability, self.known, self.features, tuple(words))


def model_weight(probability: float, voice: Voice = VOICE) -> float:
    """The documented monotone map from p(spam) to a score contribution, before evidence."""
    spam, ham = probability**voice.sharpness, (1.0 - probability) ** voice.sharpness
    return round(voice.scale * (spam / (spam + ham) - voice.neutral), 4)


def opinion_weight(opinion: Opinion, voice: Voice = VOICE) -> float:
    """The ``model`` reason's weight: the map of p scaled by the evidence."""
    return round(model_weight(opinion.probability, voice) * opinion.evidence(voice), 4)


def opinion_reason(opinion: Opinion, voice: Voice = VOICE) -> Reason:
    """The ``model`` reason: p(spam), the known features, whether the model may decide
    alone, and the words that raised p when it leans towards spam."""
    weight = opinion_weight(opinion, voice)
    known, features = round(opinion.known), opinion.features
    detail = f"model p(spam)={opinion.probability:.2f}, {known} of {features} features known"
    decisive = opinion.decisive(voice)
    if weight > 0 and known < voice.decide_known:
        detail += " (thin evidence: a moderator decides)"
    elif weight > 0 and not decisive:
        detail += " (not sure enough to decide alone)"
    if opinion.words:
        detail += ": " + ", ".join(f'"{word}"' for word in opinion.words)
    return Reason(ReasonCode.MODEL, weight, detail, decisive=decisive)
