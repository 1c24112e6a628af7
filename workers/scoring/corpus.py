"""Labelled comment corpora: JSON lines of ``{"text": ..., "label": "spam" | "ham"}``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Label(str, Enum):
    """The two classes a moderator decision or a corpus line can carry."""

    SPAM = "spam"
    HAM = "ham"


class CorpusError(ValueError):
    """A corpus line is not a labelled example; the message names file and line."""


@dataclass(frozen=True)
class Example:
    """One labelled text (from a corpus file or a moderator decision)."""

    text: str
    label: Label

    @property
    def is_spam(self) -> bool:
        return self.label is Label.SPAM


def parse_line(line: str, where: str) -> Example:
    """Parse one JSON line into an :class:`Example`.

    Raises:
        CorpusError: if the line is not JSON, or lacks a string text or a known label.
    """
    text, label = _labelled(line, where, {item.value for item in Label})
    return Example(text=text, label=Label(label))


def _labelled(line: str, where: str, labels: set[str]) -> tuple[str, str]:
    """The text and label of one JSON line, the label one of ``labels``.

    Raises:
        CorpusError: if the line is not JSON, or lacks a string text or a known label.
    """
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise CorpusError(f"{where}: not valid JSON ({error.msg})") from None
    if not isinstance(record, dict):
        raise CorpusError(f"{where}: expected a JSON object")
    text, label = record.get("text"), record.get("label")
    if not isinstance(text, str):
        raise CorpusError(f"{where}: 'text' must be a string")
    if label not in labels:
        raise CorpusError(f"{where}: 'label' must be one of {sorted(labels)}, got {label!r}")
    return text, label


def read_examples(path: str | Path) -> list[Example]:
    """Read one JSONL corpus, skipping blank lines.

    Raises:
        CorpusError: on the first malformed line (the message says which).
    """
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [
        parse_line(line, f"{path}:{number}")
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]


def read_corpus(paths: Iterable[str | Path]) -> list[Example]:
    """Read and concatenate several JSONL corpora, in the given order."""
    return [example for path in paths for example in read_examples(path)]


def read_abuse_set(path: str | Path) -> list[tuple[str, bool]]:
    """Read a JSONL abuse set (labels ``abuse`` and ``ok``) as (text, is abuse) pairs.

    Raises:
        CorpusError: on the first malformed line (the message says which).
    """
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    pairs = [
        _labelled(line, f"{path}:{number}", {"abuse", "ok"})
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]
    return [(text, label == "abuse") for text, label in pairs]
