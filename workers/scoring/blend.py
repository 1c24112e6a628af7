"""A site's own model speaks only once it has learned enough of the site's decisions.

Until :data:`MIN_SITE_DECISIONS`, the global prior scores the site's comments alone (a
handful of decisions would swing the site's copy of it on a few words). From then on the
two are blended by count: the site's share is ``n / (n + MIN_SITE_DECISIONS)``, a half at
the threshold, nine tenths at nine times it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from workers.scoring.model import SpamModel
from workers.scoring.opinion import Opinion

MIN_SITE_DECISIONS = 50


def site_share(decisions: int) -> float:
    """How much of the verdict the site's model gives after ``decisions`` decisions."""
    if decisions < MIN_SITE_DECISIONS:
        return 0.0
    return decisions / (decisions + MIN_SITE_DECISIONS)


class BlendedModel:
    """The site's model and the global prior, weighed together (the site's version)."""

    def __init__(self, site: SpamModel, prior: SpamModel, share: float) -> None:
        self.site, self.prior, self.share = site, prior, share
        self.version = site.version

    @property
    def is_trained(self) -> bool:
        """Whether either model has an opinion."""
        return self.site.is_trained or self.prior.is_trained

    def spam_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """The blended p(spam) of each text."""
        site = self.site.spam_probabilities(texts)
        return self.share * site + (1 - self.share) * self.prior.spam_probabilities(texts)

    def opinions(self, texts: Sequence[str]) -> list[Opinion]:
        """The blended opinion of each text, without words."""
        return [
            self._blend(site, prior)
            for site, prior in zip(
                self.site.opinions(texts), self.prior.opinions(texts), strict=True
            )
        ]

    def opinion(self, text: str) -> Opinion:
        """The blended opinion, with the words the model that says more found."""
        site, prior = self.site.opinion(text), self.prior.opinion(text)
        return self._blend(site, prior).with_words(site.words if self.share >= 0.5 else prior.words)

    def _blend(self, site: Opinion, prior: Opinion) -> Opinion:
        """p and the known features weighed by share (the text's features are the same for
        both: they hash alike)."""
        return Opinion(
            self.share * site.probability + (1 - self.share) * prior.probability,
            self.share * site.known + (1 - self.share) * prior.known,
            max(site.features, prior.features),
        )


def for_site(
    site: SpamModel | None, prior: SpamModel | None, decisions: int
) -> SpamModel | BlendedModel | None:
    """What scores a site's comments: the prior until the site has enough decisions, then
    the blend (the site's model alone when there is no prior)."""
    if site is None or prior is None:
        return site or prior
    share = site_share(decisions)
    if share == 0.0:
        return prior
    return BlendedModel(site, prior, share)
