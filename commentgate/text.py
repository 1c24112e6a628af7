"""Cleaning of the text readers type, before anything measures or stores it.

Readers paste from Word, phones and chat apps; attackers hide words with
invisible characters. Every text field goes through :func:`clean_text` so that
what we store, count and show is one canonical form (NFC, no invisibles).
"""

from __future__ import annotations

import re
import unicodedata

from pydantic_core import PydanticCustomError

ZWJ = "\u200d"

# Invisible formatting characters that only serve to hide or reorder text:
# zero-width space/joiners/marks, bidi embeddings and isolates, word joiner and
# invisible operators, BOM, soft hyphen.
_INVISIBLE = frozenset(
    [chr(c) for c in range(0x200B, 0x2010)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2060, 0x2065)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\ufeff", "\u00ad"]
)
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def _is_emoji_part(char: str) -> bool:
    """True for pictographs and the modifiers that glue emoji sequences together."""
    code = ord(char)
    return (
        unicodedata.category(char) == "So"
        or 0x1F000 <= code <= 0x1FAFF
        or 0x1F3FB <= code <= 0x1F3FF
        or char == "\ufe0f"
    )


def _keeps_zwj(text: str, index: int) -> bool:
    """A ZWJ survives only between two emoji parts (👨‍👩‍👧 must stay one family)."""
    return 0 < index < len(text) - 1 and (
        _is_emoji_part(text[index - 1]) and _is_emoji_part(text[index + 1])
    )


def _drop_char(text: str, index: int, multiline: bool) -> str:
    """What character ``text[index]`` becomes: itself, a space or nothing."""
    char = text[index]
    if char == ZWJ:
        return char if _keeps_zwj(text, index) else ""
    if char in _INVISIBLE:
        return ""
    if char == "\n":
        return "\n" if multiline else " "
    if char == "\t":
        return " "
    if unicodedata.category(char) == "Cc":
        return ""
    return char


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Return ``value`` in NFC with invisibles and control characters removed, trimmed.

    Line breaks become ``\\n`` when ``multiline`` (content) and spaces otherwise
    (name, title); tabs become spaces.
    """
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", value))
    text = "".join(_drop_char(text, i, multiline) for i in range(len(text)))
    return unicodedata.normalize("NFC", text).strip()


def within(max_len: int, cleaned: str) -> str:
    """``cleaned`` itself, if it is at most ``max_len`` code points long.

    Only cleaned text is measured: NFC can make text longer (U+FB2C becomes
    three code points), so a limit checked before cleaning lets text through
    that its column cannot hold.
    """
    if len(cleaned) > max_len:
        raise PydanticCustomError("too_long", "too long", {"max": max_len})
    return cleaned
