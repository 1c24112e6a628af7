"""Abuse and profanity: shown to moderators under their own codes, never counted as spam.

``abuse`` (insults aimed at someone, slurs, threats, hate toward groups) decides what
becomes of a comment through the site's ``abuse_action`` (see ``pipeline.classify``);
``profanity`` (swearing, "vãi l" as an exclamation) is only informative.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import product

from workers.scoring.checks.lexicon import own_wording, phrase_spans
from workers.scoring.normalize import canonical, fold, folded_words, words
from workers.scoring.phrases import PhraseIndex
from workers.scoring.resources import DataFileError, read_rows
from workers.scoring.types import Reason, ReasonCode, SiteRules, Submission

# Rude readers are still readers, and abuse is not spam: neither moves the score.
PROFANITY_WEIGHT = 0.0
ABUSE_WEIGHT = 0.0
ABUSE_CATEGORIES = ("insult", "slur", "threat", "hate")
# Rows that compose (see the header of abuse.tsv): target + epithet, group ... trait.
PARTS = ("target", "epithet", "group", "trait")
_SENTENCE_END = re.compile(r"[.!?;\n]+")


class WordList:
    """A list of phrases matched after evasion folding ("folded") or with their diacritics
    ("exact": their folded form is an everyday phrase, "lồn" -> "lon" a can)."""

    def __init__(
        self, rows: Iterable[tuple[str, str]], *, glued: bool = True, apart: bool = True
    ) -> None:
        rows = list(rows)
        for match, phrase in rows:
            if match not in {"folded", "exact"}:
                raise DataFileError(f"unknown match {match!r} for {phrase!r}")
        folded = [phrase for match, phrase in rows if match == "folded"]
        buckets = _apart(folded) if apart else [folded]
        self._folded = [PhraseIndex(bucket, glued=glued) for bucket in buckets]
        self._exact = frozenset(
            fold(phrase, keep_diacritics=True) for match, phrase in rows if match == "exact"
        )
        # Lengths in words by first word: most words start no exact entry.
        self._sizes: dict[str, set[int]] = {}
        for entry in self._exact:
            tokens = words(entry)
            self._sizes.setdefault(tokens[0], set()).add(len(tokens))

    def find(self, text: str) -> list[str]:
        """The listed phrases in ``text``, folded ones first."""
        found = list(dict.fromkeys(p for index in self._folded for p in index.count(text)))
        if not self._exact:
            return found
        tokens = folded_words(text, keep_diacritics=True)
        grams = [
            " ".join(tokens[start : start + size])
            for start, token in enumerate(tokens)
            for size in self._sizes.get(token, ())
        ]
        return found + [gram for gram in dict.fromkeys(grams) if gram in self._exact]


def _apart(phrases: list[str]) -> list[list[str]]:
    """The phrases in as few lists as keep apart phrases with one canonical form: an index
    keeps one phrase per form, and only the one the writer typed must count ("im mõm", "im
    mồm"; "đồ mặt dày", "đồ mất dạy")."""
    buckets: list[tuple[set[str], list[str]]] = []
    for phrase in phrases:
        key = canonical(phrase)
        bucket = next((b for b in buckets if key not in b[0]), None)
        if bucket is None:
            bucket = (set(), [])
            buckets.append(bucket)
        bucket[0].add(key)
        bucket[1].append(phrase)
    return [phrases for _, phrases in buckets]


@cache
def _profanity() -> WordList:
    # One phrase per canonical form: "đm" and "đmm" are one word to moderators.
    return WordList(read_rows("profanity.tsv", 2), apart=False)


@dataclass(frozen=True)
class AbuseList:
    """The abuse phrases (composed insults included) by category, and the hate pairs."""

    phrases: WordList
    composed: WordList  # target + epithet, as separate words only (see PhraseIndex)
    categories: dict[str, str]  # phrase as listed or as folded with diacritics -> category
    groups: WordList
    traits: WordList


@cache
def _abuse() -> AbuseList:
    """Read ``abuse.tsv``, composing targets with epithets.

    Raises:
        DataFileError: a row names an unknown category.
    """
    rows: dict[str, list[tuple[str, str]]] = {kind: [] for kind in ABUSE_CATEGORIES + PARTS}
    for category, match, phrase in read_rows("abuse.tsv", 3):
        if category not in rows:
            raise DataFileError(f"abuse.tsv: unknown category {category!r} for {phrase!r}")
        rows[category].append((match, phrase))
    composed = [
        ("exact" if "exact" in (m1, m2) else "folded", f"{target} {epithet}")
        for (m1, target), (m2, epithet) in product(rows["target"], rows["epithet"])
    ]
    categories = {
        key: category
        for category, category_rows in [
            *((c, rows[c]) for c in ABUSE_CATEGORIES),
            ("insult", composed),
        ]
        for _, phrase in category_rows
        for key in (phrase, fold(phrase, keep_diacritics=True))
    }
    phrases = WordList(row for category in ABUSE_CATEGORIES for row in rows[category])
    return AbuseList(
        phrases,
        WordList(composed, glued=False),
        categories,
        WordList(rows["group"]),
        WordList(rows["trait"]),
    )


def find_profanity(text: str) -> list[str]:
    """Return the profane words and phrases in ``text``, as listed in the data file."""
    return _profanity().find(text)


def find_abuse(text: str) -> dict[str, list[str]]:
    """Return the abusive phrases in ``text`` by category (insult, slur, threat, hate)."""
    lists = _abuse()
    found: dict[str, list[str]] = {}
    for phrase in dict.fromkeys(lists.phrases.find(text) + lists.composed.find(text)):
        found.setdefault(lists.categories[phrase], []).append(phrase)
    # Most comments name no group: the text is searched whole before sentence by sentence.
    sentences = _SENTENCE_END.split(text) if lists.groups.find(text) else []
    for sentence in sentences:
        groups = lists.groups.find(sentence)
        traits = lists.traits.find(sentence) if groups else []
        if traits:
            found.setdefault("hate", []).extend(groups[:1] + traits[:1])
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
