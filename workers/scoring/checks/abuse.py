"""Profanity and insults: shown to moderators under their own code, never counted as spam."""

from __future__ import annotations

from functools import cache

from workers.scoring.normalize import fold, words
from workers.scoring.phrases import PhraseIndex
from workers.scoring.resources import read_rows
from workers.scoring.types import Reason, ReasonCode, SiteRules, Submission

# Rude readers are still readers: the reason is informative and does not move the score.
PROFANITY_WEIGHT = 0.0


@cache
def _folded_index() -> PhraseIndex:
    return PhraseIndex(
        phrase for match, phrase in read_rows("profanity.tsv", 2) if match == "folded"
    )


@cache
def _exact_words() -> frozenset[str]:
    """Entries whose folded form is an ordinary word, matched with their diacritics."""
    return frozenset(
        fold(phrase, keep_diacritics=True)
        for match, phrase in read_rows("profanity.tsv", 2)
        if match == "exact"
    )


def find_profanity(text: str) -> list[str]:
    """Return the profane words and phrases in ``text``, as listed in the data file."""
    found = list(_folded_index().count(text))
    tokens = words(fold(text, keep_diacritics=True))
    pairs = [" ".join(pair) for pair in zip(tokens, tokens[1:], strict=False)]
    exact = _exact_words()
    found += [token for token in dict.fromkeys(tokens + pairs) if token in exact]
    return found


def check_abuse(sub: Submission, rules: SiteRules) -> list[Reason]:
    """Surface profanity in the name, title or content."""
    # The name on its own and what readers read as the other checks see it (title and
    # content), so its folded and canonical forms are computed once for all of them.
    found = list(dict.fromkeys(find_profanity(sub.name) + find_profanity(sub.text)))
    if not found:
        return []
    return [Reason(ReasonCode.PROFANITY, PROFANITY_WEIGHT, "profanity: " + ", ".join(found[:5]))]
