"""The shape of the text: shouting, repetition, emoji floods, "nice post" + link, odd scripts."""

from __future__ import annotations

import re
from collections import Counter

from workers.scoring.checks.links import counted_links, strip_links
from workers.scoring.normalize import fold, folded_words, words
from workers.scoring.types import Reason, ReasonCode, SiteRules, Submission

SHOUTING_WEIGHT = 0.2
REPEATED_CHARS_WEIGHT = 0.1
REPEATED_WORDS_WEIGHT = 0.3
EMOJI_FLOOD_WEIGHT = 0.2
SHORT_WITH_LINK_WEIGHT = 0.4
MIXED_SCRIPT_WEIGHT = 0.5
SHOUTING_MIN_LETTERS = 15
SHOUTING_RATIO = 0.7
SHORT_WORDS = 6
EMOJI_FLOOD = 10

_RUN = re.compile(r"(\S)\1{5,}")
_CONSECUTIVE_WORD = re.compile(r"\b(\w{2,})(?:\W+\1\b){3,}")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")
_FLAG_LETTER = re.compile("[\U0001f1e6-\U0001f1ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")
_CYRILLIC_GREEK = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
# Greek letters that are symbols in science and units ("150 μg/m3", "10kΩ", "Δt"), not
# look-alikes of Latin ones.
_SYMBOLS = str.maketrans("", "", "μΩΔπλσθ")
_WORD = re.compile(r"\w+")


def check_shouting(text: str) -> list[Reason]:
    """Mostly capital letters."""
    cased = [ch for ch in text if ch.isupper() or ch.islower()]
    if len(cased) < SHOUTING_MIN_LETTERS:
        return []
    ratio = sum(ch.isupper() for ch in cased) / len(cased)
    if ratio < SHOUTING_RATIO:
        return []
    return [Reason(ReasonCode.SHOUTING, SHOUTING_WEIGHT, f"{ratio:.0%} capital letters")]


def check_repetition(text: str) -> list[Reason]:
    """Long runs of one character, or one word said over and over."""
    reasons = []
    run = _RUN.search(text)
    if run:
        reasons.append(
            Reason(
                ReasonCode.REPEATED_CHARS,
                REPEATED_CHARS_WEIGHT,
                f'"{run.group(1)}" repeated {len(run.group())} times',
            )
        )
    tokens = [token for token in folded_words(text) if len(token) > 1]
    top = Counter(tokens).most_common(1)
    consecutive = _CONSECUTIVE_WORD.search(fold(text))
    if consecutive or (len(tokens) >= 8 and top and top[0][1] / len(tokens) >= 0.4):
        word = consecutive.group(1) if consecutive else top[0][0]
        reasons.append(
            Reason(
                ReasonCode.REPEATED_WORDS, REPEATED_WORDS_WEIGHT, f'"{word}" repeated over and over'
            )
        )
    return reasons


def check_emoji(text: str) -> list[Reason]:
    """A flood of emoji (a flag, two regional-indicator letters, is one)."""
    count = len(_EMOJI.findall(text)) - len(_FLAG_LETTER.findall(text)) // 2
    if count < EMOJI_FLOOD:
        return []
    return [Reason(ReasonCode.EMOJI_FLOOD, EMOJI_FLOOD_WEIGHT, f"{count} emoji")]


def check_short_with_link(text: str, rules: SiteRules) -> list[Reason]:
    """A few generic words wrapped around a link ("nice post" + URL) that counts (not to
    the site's allowed or official domains)."""
    links = counted_links(text, rules)
    if not links:
        return []
    rest = words(strip_links(fold(text), links))
    if not 0 < len(rest) <= SHORT_WORDS:
        return []
    return [
        Reason(
            ReasonCode.SHORT_WITH_LINK,
            SHORT_WITH_LINK_WEIGHT,
            f"only {len(rest)} words besides the link",
        )
    ]


def check_mixed_script(text: str) -> list[Reason]:
    """Words mixing Latin with Cyrillic or Greek letters: look-alikes used to dodge filters."""
    mixed = [
        token
        for token in _WORD.findall(text)
        if _LATIN.search(token) and _CYRILLIC_GREEK.search(token.translate(_SYMBOLS))
    ]
    if not mixed:
        return []
    return [
        Reason(
            ReasonCode.MIXED_SCRIPT,
            MIXED_SCRIPT_WEIGHT,
            f'look-alike letters from another alphabet in "{mixed[0]}"',
        )
    ]


def check_shape(sub: Submission, rules: SiteRules) -> list[Reason]:
    """All shape checks on the content."""
    text = sub.content
    return [
        *check_shouting(text),
        *check_repetition(text),
        *check_emoji(text),
        *check_short_with_link(text, rules),
        *check_mixed_script(text),
    ]
