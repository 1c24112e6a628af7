"""Cleaning of the text readers type, before anything measures or stores it.

Readers paste from Word, phones and chat apps; attackers hide words with
invisible characters. Every text field goes through :func:`clean_text` so that
what we store, count and show is one canonical form (NFC, no invisibles).
"""

from __future__ import annotations

import re
import unicodedata

from commentgate.errors import FieldValueError

ZWJ = "\u200d"
VS16 = "\ufe0f"  # emoji presentation selector

# Letters and symbols that draw nothing: Hangul fillers and the blank Braille
# pattern. As spaces, a name made of them is blank, and so refused as missing.
FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def _is_pictograph(char: str) -> bool:
    """Emoji and other pictographic symbols (So, and the emoji blocks U+1F000–1FAFF)."""
    if char in FILLERS:
        return False
    return unicodedata.category(char) == "So" or 0x1F000 <= ord(char) <= 0x1FAFF


def _ends_emoji(char: str) -> bool:
    """What may end an emoji before a ZWJ: a pictograph, a skin tone (in 1F3FB–1F3FF) or VS16."""
    return char == VS16 or _is_pictograph(char)


def _keeps_zwj(text: str, index: int) -> bool:
    """A ZWJ survives only inside an emoji sequence (👨‍👩‍👧 must stay one family).

    That is: right after a pictograph, skin tone or VS16, and right before a pictograph.
    """
    return 0 < index < len(text) - 1 and (
        _ends_emoji(text[index - 1]) and _is_pictograph(text[index + 1])
    )


def _drop_char(text: str, index: int, multiline: bool) -> str:
    """What character ``text[index]`` becomes: itself, a space or nothing."""
    char = text[index]
    if char == ZWJ:
        return char if _keeps_zwj(text, index) else ""
    if char == "\n":
        return "\n" if multiline else " "
    if char == "\t" or char in FILLERS:
        return " "
    # Format characters (Cf) draw nothing and only serve to hide or reorder text: zero-width
    # and bidi controls, BOM, soft hyphen, tags (so subdivision flags fall back to a black
    # flag), Arabic letter mark, Mongolian vowel separator, musical formatting and the like.
    if unicodedata.category(char) in ("Cc", "Cf"):
        return ""
    return char


def _shows_nothing(text: str) -> bool:
    """Only blanks, marks and joiners: nothing a reader would see as written."""
    return all(c.isspace() or c == ZWJ or unicodedata.category(c)[0] == "M" for c in text)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Return ``value`` in NFC with invisibles and control characters removed, trimmed.

    Line breaks become ``\\n`` when ``multiline`` (content) and spaces otherwise
    (name, title); tabs and fillers become spaces. Text with nothing visible left
    (blanks, combining marks, variation selectors) becomes empty.
    """
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", value))
    if not (text.isprintable() and FILLERS.isdisjoint(text)):
        # Printable characters other than the fillers are kept as they are (Cc and Cf are
        # never printable): only the others need a closer look.
        text = "".join(
            char if char.isprintable() and char not in FILLERS else _drop_char(text, i, multiline)
            for i, char in enumerate(text)
        )
    text = unicodedata.normalize("NFC", text).strip()
    return "" if _shows_nothing(text) else text


def within(max_len: int, cleaned: str) -> str:
    """``cleaned`` itself, if it is at most ``max_len`` code points long.

    Only cleaned text is measured: NFC can make text longer (U+FB2C becomes
    three code points), so a limit checked before cleaning lets text through
    that its column cannot hold.

    Raises:
        FieldValueError: ``too_long``, with the limit as ``max``.
    """
    if len(cleaned) > max_len:
        raise FieldValueError("too_long", max=max_len)
    return cleaned
