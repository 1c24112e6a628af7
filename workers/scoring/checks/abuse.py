"""Abuse and profanity: shown to moderators under their own codes, never counted as spam.

``abuse`` (insults aimed at someone, slurs, threats, hate toward groups) decides what
becomes of a comment through the site's ``abuse_action`` (see ``pipeline.classify``);
``profanity`` (swearing, "vãi l" as an exclamation) is only informative.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from workers.scoring.checks.lexicon import own_wording, phrase_spans
from workers.scoring.normalize import fold, words
from workers.scoring.phrases import PhraseIndex
from workers.scoring.resources import DataFileError, read_rows
from workers.scoring.types import Reason, ReasonCode, SiteRules, Submission

# Rude readers are still readers, and abuse is not spam: neither moves the score.
PROFANITY_WEIGHT = 0.0
ABUSE_WEIGHT = 0.0
ABUSE_CATEGORIES = ("insult", "slur", "threat", "hate")
# Longest "exact" entry, in words.
_EXACT_SIZE = 3


class WordList:
    """A list of phrases matched after evasion folding ("folded") or with their diacritics
    ("exact": their folded form is an everyday phrase, "lồn" -> "lon" a can)."""

    def __init__(self, rows: Iterable[tuple[str, str]]) -> None:
        rows = list(rows)
        for match, phrase in rows:
            if match not in {"folded", "exact"}:
                raise DataFileError(f"unknown match {match!r} for {phrase!r}")
        self._folded = PhraseIndex(phrase for match, phrase in rows if match == "folded")
        self._exact = frozenset(
            fold(phrase, keep_diacritics=True) for match, phrase in rows if match == "exact"
        )

    def find(self, text: str) -> list[str]:
        """The listed phrases in ``text``, folded ones first."""
        found = list(self._folded.count(text))
        tokens = words(fold(text, keep_diacritics=True))
        grams = [
            " ".join(tokens[start : start + size])
            for size in range(1, _EXACT_SIZE + 1)
            for start in range(len(tokens) - size + 1)
        ]
        return found + [gram for gram in dict.fromkeys(grams) if gram in self._exact]


@cache
def _profanity() -> WordList:
    return WordList(read_rows("profanity.tsv", 2))


@cache
def _abuse() -> tuple[WordList, dict[str, str]]:
    """The abuse list and each phrase's category."""
    rows = read_rows("abuse.tsv", 3)
    for category, _match, phrase in rows:
        if category not in ABUSE_CATEGORIES:
            raise DataFileError(f"abuse.tsv: unknown category {category!r} for {phrase!r}")
    categories = {fold(phrase, keep_diacritics=True): category for category, _, phrase in rows}
    categories.update({phrase: category for category, _, phrase in rows})
    return WordList((match, phrase) for _, match, phrase in rows), categories


def find_profanity(text: str) -> list[str]:
    """Return the profane words and phrases in ``text``, as listed in the data file."""
    return _profanity().find(text)


def find_abuse(text: str) -> dict[str, list[str]]:
    """Return the abusive phrases in ``text`` by category (insult, slur, threat, hate)."""
    words_list, categories = _abuse()
    found: dict[str, list[str]] = {}
    for phrase in words_list.find(text):
        found.setdefault(categories[phrase], []).append(phrase)
    return found


def check_abuse(sub: Submission, rules: SiteRules) -> list[Reason]:
    """Surface abuse in the writer's own wording and profanity in the name, title or
    content. A reader quoting an insult to condemn it is not abusive (see
    :func:`~workers.scoring.checks.lexicon.own_wording`)."""
    return _abuse_reason(sub, rules) + _profanity_reason(sub)


def _abuse_reason(sub: Submission, rules: SiteRules) -> list[Reason]:
    found = find_abuse(own_wording(sub, rules))
    if not found:
        return []
    detail = "; ".join(
        f"{category}: " + ", ".join(f'"{phrase}"' for phrase in found[category][:5])
        for category in ABUSE_CATEGORIES
        if category in found
    )
    spans = phrase_spans(sub, [phrase for phrases in found.values() for phrase in phrases])
    return [Reason(ReasonCode.ABUSE, ABUSE_WEIGHT, "abuse: " + detail, spans)]


def _profanity_reason(sub: Submission) -> list[Reason]:
    # The name on its own and what readers read as the other checks see it (title and
    # content), so its folded and canonical forms are computed once for all of them.
    found = list(dict.fromkeys(find_profanity(sub.name) + find_profanity(sub.text)))
    if not found:
        return []
    return [Reason(ReasonCode.PROFANITY, PROFANITY_WEIGHT, "profanity: " + ", ".join(found[:5]))]
