"""Self-promotion and engagement bait: the writer asks readers for something for themselves.

"Subscribe to my channel", "follow me on Instagram", "ghé kênh của mình ủng hộ nhé", "like
this comment if…": a reader of the article gains nothing from them and no one writes them
to discuss the news, so they settle a verdict on their own (``DECISIVE_WEIGHT``). The words
and how they combine are in ``data/promotion.tsv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from workers.scoring.checks.lexicon import own_wording
from workers.scoring.normalize import canonical, canonical_words, folded_words, words
from workers.scoring.resources import DataFileError, read_rows
from workers.scoring.types import DECISIVE_WEIGHT, Reason, ReasonCode, SiteRules, Submission

# Words after an ask that may hold the writer's thing: "check out my new cover", "đăng ký
# kênh youtube của em".
WINDOW = 5
_LABELS = {
    ReasonCode.SELF_PROMOTION: "self-promotion",
    ReasonCode.ENGAGEMENT_BAIT: "engagement bait",
}
_KINDS = (
    "ask", "before", "epithet", "after", "pronoun", "particle", "other", "thing", "promo", "bait",
    "speaker", "story",
)  # fmt: skip

Gram = tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """Each kind of ``promotion.tsv`` as canonical token tuples, keyed by first token (most
    tokens of a comment start none, so most are looked up once per kind and passed over)."""

    kinds: dict[str, dict[str, tuple[Gram, ...]]]
    openers: frozenset[str]  # first tokens of asks, promo and bait phrases

    def at(self, kind: str, tokens: list[str], start: int) -> int:
        """The length of the longest ``kind`` gram at ``tokens[start:]`` (0 for none)."""
        if not 0 <= start < len(tokens):
            return 0
        grams = self.kinds[kind].get(tokens[start], ())
        return next(
            (len(gram) for gram in grams if tuple(tokens[start : start + len(gram)]) == gram), 0
        )


@cache
def _vocabulary() -> Vocabulary:
    kinds: dict[str, dict[str, set[Gram]]] = {kind: {} for kind in _KINDS}
    for kind, phrase in read_rows("promotion.tsv", 2):
        if kind not in kinds:
            raise DataFileError(f"promotion.tsv: unknown kind {kind!r} for {phrase!r}")
        gram = tuple(words(canonical(phrase)))
        kinds[kind].setdefault(gram[0], set()).add(gram)
    longest_first = {
        kind: {first: tuple(sorted(grams, key=len, reverse=True)) for first, grams in found.items()}
        for kind, found in kinds.items()
    }
    openers = frozenset(first for kind in ("ask", "promo", "bait") for first in kinds[kind])
    return Vocabulary(longest_first, openers)


def _owned_thing_end(vocabulary: Vocabulary, tokens: list[str], start: int, stop: int) -> int:
    """The end of the first thing of the writer's in ``tokens[start:stop]``, or 0."""
    for index in range(start, stop):
        thing = vocabulary.at("thing", tokens, index)
        if not thing:
            continue
        end = index + thing
        after = vocabulary.at("after", tokens, end) or _closing_pronoun(vocabulary, tokens, end)
        if after and not vocabulary.at("other", tokens, end + after):
            return end + after
        if _owner_before(vocabulary, tokens, start, index):
            return end
    return 0


def _owner_before(vocabulary: Vocabulary, tokens: list[str], start: int, thing: int) -> bool:
    """An owner ends right before ``tokens[thing]``, or one epithet before it ("my new")."""
    epithet = thing - 1 >= start and vocabulary.at("epithet", tokens, thing - 1) == 1
    for end in (thing, thing - 1) if epithet else (thing,):
        if any(
            vocabulary.at("before", tokens, end - size) == size
            for size in range(1, end - start + 1)
        ):
            return True
    return False


def _closing_pronoun(vocabulary: Vocabulary, tokens: list[str], start: int) -> int:
    """The length of a pronoun at ``start`` that a particle or the end of the text follows."""
    size = vocabulary.at("pronoun", tokens, start)
    closed = start + size == len(tokens) or vocabulary.at("particle", tokens, start + size)
    return size if size and closed else 0


def _asks(vocabulary: Vocabulary, tokens: list[str]) -> dict[ReasonCode, tuple[int, int]]:
    """The first span of each kind of ask in ``tokens``: self-promotion, engagement bait."""
    found: dict[ReasonCode, tuple[int, int]] = {}
    for start, token in enumerate(tokens):
        if token not in vocabulary.openers or _told(vocabulary, tokens, start):
            continue
        ask = vocabulary.at("ask", tokens, start)
        end = ask and _owned_thing_end(vocabulary, tokens, start + ask, start + ask + WINDOW)
        promo = vocabulary.at("promo", tokens, start)
        if end or promo:
            found.setdefault(ReasonCode.SELF_PROMOTION, (start, end or start + promo))
        bait = vocabulary.at("bait", tokens, start)
        if bait:
            found.setdefault(ReasonCode.ENGAGEMENT_BAIT, (start, start + bait))
    return found


def _told(vocabulary: Vocabulary, tokens: list[str], start: int) -> bool:
    """Whether the ask at ``start`` is part of a statement: "I check my…", "he started to
    follow me on…" (speakers are one word, stories end right before the ask)."""
    return bool(vocabulary.at("speaker", tokens, start - 1)) or any(
        vocabulary.at("story", tokens, start - size) == size for size in (1, 2, 3)
    )


def _shown(text: str, tokens: list[str], start: int, end: int) -> str:
    """``tokens[start:end]`` as the writer typed them (lower-cased) where the typed words
    line up with them one for one: moderators read "follow", not the canonical "folow"."""
    typed = folded_words(text, keep_diacritics=True)
    span = typed[start:end]
    aligned = len(typed) == len(tokens) and all(
        words(canonical(word)) == [token]
        for word, token in zip(span, tokens[start:end], strict=True)
    )
    return " ".join(span if aligned else tokens[start:end])


def check_promotion(sub: Submission, rules: SiteRules) -> list[Reason]:
    """Self-promotion (an ask for the writer's channel or page) and engagement bait, in the
    writer's own wording (:func:`~workers.scoring.checks.lexicon.own_wording`)."""
    text = own_wording(sub, rules)
    tokens = canonical_words(text)
    return [
        Reason(code, DECISIVE_WEIGHT, f'{_LABELS[code]}: "{_shown(text, tokens, start, end)}"')
        for code, (start, end) in _asks(_vocabulary(), tokens).items()
    ]
