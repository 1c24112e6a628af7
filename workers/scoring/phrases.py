"""Phrase lists matched on word boundaries in the canonical (evasion-normal) text."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from workers.scoring.normalize import (
    canonical,
    canonical_words,
    folded_words,
    typed_words,
)

# A phrase glued into one token ("nhacaiuytin", "n h a c a i" -> "nhacai") is still found:
# inside a longer token (a domain name) from MIN_GLUED_KEY letters, long enough not to occur
# inside ordinary words by chance ("lode" is in "explode", "cado" in "avocado", "claim" in
# "disclaimer", "cunt" in "Scunthorpe"); a shorter brand name of letters and digits only at
# either end of a token ("fb88vn.com", "linkfb88") and not running on into more digits:
# "VN881" is a flight and "M880" a camera, not "vn88" and "m88". A shorter
# glued key counts only as a token that evasion normalisation joined ("l ô đ ề", "đ-ụ-m-á",
# "nổ\u200bhũ"), never as a word the writer typed: "Duma", "Banca" and "vail" are words.
MIN_GLUED_TOKEN = 4
MIN_GLUED_KEY = 6
# A text with diacritics on at least this share of its words is typed with diacritics, so a
# word without them is a word without them (Vietnamese prose marks about three in four).
MARKED_SHARE = 0.5
# Tokens whose glued keys are remembered per index (oldest forgotten first), and the longest
# remembered: everyday words are short, and a bound on both bounds the memory an attacker's
# long random tokens can take (about 2 MB per index).
INSIDE_CACHE_SIZE = 50_000
INSIDE_CACHE_TOKEN = 32


class PhraseIndex:
    """Find which of a fixed set of phrases occur in a text, and how often; without
    ``glued``, only as separate words (a large generated list: glued keys are looked for
    inside every token, which costs time in proportion to their number)."""

    def __init__(self, phrases: Iterable[str], *, glued: bool = True) -> None:
        self._keys: dict[str, str] = {}  # canonical key (spaced or glued) -> original phrase
        self._short_glued: dict[str, str] = {}  # glued keys matched as whole tokens only
        for phrase in phrases:
            key = canonical(phrase)
            if key:
                self._keys.setdefault(key, phrase)
                if not glued:
                    continue
                glued_key = key.replace(" ", "")
                if len(glued_key) >= MIN_GLUED_KEY:
                    self._keys.setdefault(glued_key, phrase)
                elif len(glued_key) >= MIN_GLUED_TOKEN and glued_key != key:
                    self._short_glued.setdefault(glued_key, phrase)
        # Phrase lengths (in tokens) by first token: most tokens start no phrase at all, so
        # most n-grams of a comment are never joined into a string to look up.
        self._sizes: dict[str, set[int]] = {}
        for key in self._keys:
            tokens = key.split()
            self._sizes.setdefault(tokens[0], set()).add(len(tokens))
        # Glued keys looked for inside longer tokens (see MIN_GLUED_KEY).
        self._inside = {
            key: phrase
            for key, phrase in self._keys.items()
            if " " not in key and (len(key) >= MIN_GLUED_KEY or _is_brand(key))
        }
        self._inside_sizes = sorted({len(key) for key in self._inside})
        self._inside_cache: dict[str, tuple[tuple[str, str, bool], ...]] = {}
        # Short brand keys as typed ("12bet"), to see whether the writer's own number ran on.
        self._spellings = {
            key: "".join(typed_words(phrase))
            for key, phrase in self._inside.items()
            if len(key) < MIN_GLUED_KEY
        }

    def count(self, text: str) -> Counter[str]:
        """Return ``{phrase: occurrences}`` for the phrases found in raw ``text``."""
        tokens = canonical_words(text)
        found: Counter[str] = Counter()
        # Shortest phrases first, then left to right: the order the phrases are reported in.
        spans = sorted(
            (size, start)
            for start, token in enumerate(tokens)
            for size in self._sizes.get(token, ())
            if start + size <= len(tokens)
        )
        for size, start in spans:
            phrase = self._keys.get(" ".join(tokens[start : start + size]))
            if phrase is not None:
                found[phrase] += 1
        found.update(self._joined_short_phrases(text, tokens))
        found.update(self._inside_long_tokens(tokens, found, text))
        return _without_other_words(found, text)

    def _joined_short_phrases(self, text: str, tokens: Sequence[str]) -> Counter[str]:
        """Short glued phrases among the tokens that normalisation joined from letters: as
        many as occur beyond the same word typed as such ("Lode Runner, l ô đ ề": one)."""
        glued = Counter(token for token in tokens if token in self._short_glued)
        found: Counter[str] = Counter()
        if glued:
            typed = Counter(typed_words(text))
            for token, count in glued.items():
                if count > typed[token]:
                    found[self._short_glued[token]] += count - typed[token]
        return found

    def _inside_long_tokens(
        self, tokens: Sequence[str], found: Counter[str], text: str
    ) -> list[str]:
        """Glued phrases hidden inside longer tokens such as domain names."""
        hits, typed = [], None
        for token in tokens:
            for phrase, key, at_an_end in self._glued_inside(token):
                if phrase in found:
                    continue
                if len(key) >= MIN_GLUED_KEY:
                    hits.append(phrase)
                elif at_an_end:
                    # Evasion rules read digits as letters ("VN881" -> "vn88i"): the words
                    # as typed tell a flight number from a brand.
                    typed = typed if typed is not None else typed_words(text)
                    if not _only_in_numbers(self._spellings[key], typed):
                        hits.append(phrase)
        return list(dict.fromkeys(hits))

    def _glued_inside(self, token: str) -> tuple[tuple[str, str, bool], ...]:
        """The glued keys inside ``token`` as (phrase, key, whether at an end), remembered:
        a comment's words are mostly everyday words that hold none, seen again and again."""
        if len(token) > INSIDE_CACHE_TOKEN:
            return self._find_glued_inside(token)
        cached = self._inside_cache.get(token)
        if cached is None:
            cached = self._inside_cache[token] = self._find_glued_inside(token)
            if len(self._inside_cache) > INSIDE_CACHE_SIZE:
                self._inside_cache.pop(next(iter(self._inside_cache)))
        return cached

    def _find_glued_inside(self, token: str) -> tuple[tuple[str, str, bool], ...]:
        if token in self._keys:
            return ()
        return tuple(
            (phrase, key, _at_an_end(token, start, size))
            for size in self._inside_sizes
            for start in range(len(token) - size + 1)
            if (phrase := self._inside.get(key := token[start : start + size])) is not None
        )


def _is_brand(key: str) -> bool:
    return any(char.isdigit() for char in key) and any(char.isalpha() for char in key)


def _only_in_numbers(spelling: str, typed: list[str]) -> bool:
    """True when the writer typed ``spelling`` only with more digits running on from it."""
    ends = [
        word[len(spelling) :][:1] if word.startswith(spelling) else word[: -len(spelling)][-1:]
        for word in typed
        if word.startswith(spelling) or word.endswith(spelling)
    ]
    return bool(ends) and all(char.isdigit() for char in ends)


def _at_an_end(token: str, start: int, size: int) -> bool:
    """The span starts or ends the token, and no digit continues its number."""
    end = start + size
    if start == 0:
        return end == len(token) or not token[end].isdigit()
    return end == len(token) and not token[start - 1].isdigit()


def _without_other_words(found: Counter[str], text: str) -> Counter[str]:
    """Drop phrases whose letters the writer typed only as other words.

    Matching folds diacritics, so "người dân đề nghị" holds the letters of "dàn đề", "cả
    cuộc đời" those of "cá cược", "không thể chấp nhận" those of "không thế chấp". Where
    the writer typed other diacritics, or none on a word in a text that has them on most
    ("may đồ cho xưởng" is not "đồ chó"), the words are other words. A phrase in a text
    typed without diacritics, or joined by evasion rules, still counts.
    """
    if not found:
        return found
    accented = folded_words(text, keep_diacritics=True)
    plain = folded_words(text)
    if len(accented) != len(plain):
        return found
    marked = sum(not token.isascii() for token in accented) >= MARKED_SHARE * len(accented)
    return Counter(
        {
            phrase: n
            for phrase, n in found.items()
            if not _typed_otherwise(phrase, plain, accented, marked)
        }
    )


def _typed_otherwise(
    phrase: str, plain: Sequence[str], accented: Sequence[str], marked: bool
) -> bool:
    """True when every place the phrase's letters occur has a word typed otherwise."""
    want = folded_words(phrase, keep_diacritics=True)
    letters = folded_words(phrase)
    size = len(letters)
    if want == letters or len(want) != size:
        return False  # nothing to tell apart
    places = [i for i in range(len(plain) - size + 1) if plain[i : i + size] == letters]
    return bool(places) and all(
        any(
            typed != wanted and (marked or not typed.isascii())
            for typed, wanted in zip(accented[i : i + size], want, strict=True)
        )
        for i in places
    )
