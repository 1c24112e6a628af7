"""Where a reason's evidence sits in the text as stored, for moderators to see it highlighted.

Checks match folded or canonical forms of a field, whose positions are not the stored
text's. So a match is looked for again in the stored field, folded one code point at a time
with a map back to where each folded character came from: a span is ``[start, end)`` in code
points of the field as stored (after cleaning), whatever the folding changed. What evasion
rules alone recognise (spelled digits, teencode) may not be found; such a reason has no span.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from workers.scoring.normalize import fold

# Enough to show where the evidence is; a comment may repeat one phrase hundreds of times.
MAX_SPANS = 10
# What may sit between the letters of one glued or dotted phrase ("n.h.à c.á.i", "nhà_cái").
_LETTER_GAP = r"[\W_]*"
# What may sit between the digits of one number ("0912 345 678", "09.12.34.56.78").
_DIGIT_GAP = r"[\s.\-_/()*+:]{0,3}"
# A dot in a link, typed or spelled out ("w88 chấm com", "bit . ly", "fb88[.]net").
_DOT = r"\s*(?:\.|\[\s*\.\s*\]|\(\s*\.\s*\)|[\[(]?\s*(?:dot|cham)\s*[\])]?)\s*"


@dataclass(frozen=True)
class Span:
    """Code points ``[start, end)`` of one field (``title``, ``content``, ``name``)."""

    field: str
    start: int
    end: int

    def to_dict(self) -> dict:
        """JSON-ready: field, start, end."""
        return {"field": self.field, "start": self.start, "end": self.end}


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return " " if char.isspace() else fold(char)


class FoldedField:
    """A field folded code point by code point, remembering each folded character's origin."""

    def __init__(self, text: str) -> None:
        folded, origin = [], []
        for index, char in enumerate(text):
            piece = _fold_char(char)
            folded.append(piece)
            origin.extend([index] * len(piece))
        self.text = "".join(folded)
        self._origin = origin

    def find(self, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        """Where ``pattern`` matches, as ``(start, end)`` in the original text."""
        found = []
        for match in pattern.finditer(self.text):
            if match.end() > match.start():
                found.append((self._origin[match.start()], self._origin[match.end() - 1] + 1))
            if len(found) == MAX_SPANS:
                break
        return found


@lru_cache(maxsize=64)
def folded_field(text: str) -> FoldedField:
    """The folded form of one field (the checks of one comment share it)."""
    return FoldedField(text)


def locate(fields: dict[str, str], pattern: re.Pattern[str] | None) -> tuple[Span, ...]:
    """Every match of ``pattern`` in the folded ``fields`` (name: stored text), at most
    :data:`MAX_SPANS`."""
    if pattern is None:
        return ()
    spans = [
        Span(name, start, end)
        for name, text in fields.items()
        if text
        for start, end in folded_field(text).find(pattern)
    ]
    return tuple(spans[:MAX_SPANS])


def merge(spans: Iterable[Span]) -> tuple[Span, ...]:
    """The spans in text order, overlapping ones joined, at most :data:`MAX_SPANS`."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda span: (span.field, span.start)):
        last = merged[-1] if merged else None
        if last is not None and last.field == span.field and span.start < last.end:
            merged[-1] = Span(span.field, last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return tuple(merged[:MAX_SPANS])


@lru_cache(maxsize=1024)
def phrase_pattern(phrase: str, *, bounded: bool = True) -> re.Pattern[str] | None:
    """A phrase's letters in order, with any non-word characters between them (so glued,
    dotted and spaced forms match); ``bounded``: not inside a longer word."""
    letters = [re.escape(char) for char in fold(phrase) if char.isalnum()]
    if not letters:
        return None
    body = _LETTER_GAP.join(letters)
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])" if bounded else body)


def locate_phrase(fields: dict[str, str], phrase: str) -> tuple[Span, ...]:
    """Where a word-list phrase is written, as a word if it is one, else inside a token."""
    return locate(fields, phrase_pattern(phrase)) or locate(
        fields, phrase_pattern(phrase, bounded=False)
    )


@lru_cache(maxsize=256)
def number_pattern(national: str) -> re.Pattern[str] | None:
    """A phone number however it is spaced, with its trunk 0 or the country code 84."""
    digits = re.sub(r"\D", "", national)
    if not digits:
        return None
    core = _DIGIT_GAP.join(digits.removeprefix("0"))
    return re.compile(rf"(?<!\d)(?:(?:\+|00)?84{_DIGIT_GAP}|0{_DIGIT_GAP})?{core}(?!\d)")


@lru_cache(maxsize=1024)
def url_pattern(url: str) -> re.Pattern[str]:
    """A link as the links check read it, its dots typed or spelled out."""
    return re.compile(_DOT.join(re.escape(part) for part in url.split(".")))
