#!/usr/bin/env python3
"""Split the Vietnamese comment set into a training side and a test side.

The set is written in batches: ``data/vi_comments.jsonl`` (the first), then
``data/vi_comments.2.jsonl`` and so on (one JSON object per line, keys ``text``, ``label``,
``source``, ``lang`` in that order). Each batch is shuffled on its own with
``random.Random(20261125)``; the first ``round(0.6 * n)`` lines of every batch go to
``data/vi_comments.train.jsonl`` and the rest to ``data/vi_comments.test.jsonl``, batch after
batch. A new batch therefore never moves a text of an earlier batch from one side to the
other: what was held out stays held out.

Lines are copied byte for byte, so both outputs keep the exact format of the input
(UTF-8, NFC, ``\\n`` line endings). Counts per label are printed to stderr.

The split is deterministic: running the script again on the same input reproduces the
same two files. It is not stratified, so the spam share differs slightly between sides.

The test side is for reporting results only. Never use it to tune lexicons, weights or
thresholds; tune on the training side.

Usage (from anywhere; only the standard library is needed)::

    python data/split.py
"""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from collections import Counter
from pathlib import Path

SEED = 20261125
TRAIN_FRACTION = 0.6
KEYS = ["text", "label", "source", "lang"]
LABELS = {"spam", "ham"}

DATA_DIR = Path(__file__).resolve().parent
BATCHES = [
    DATA_DIR / "vi_comments.jsonl",
    DATA_DIR / "vi_comments.2.jsonl",
    DATA_DIR / "vi_comments.3.jsonl",
    DATA_DIR / "vi_comments.4.jsonl",
    DATA_DIR / "vi_comments.5.jsonl",
    DATA_DIR / "vi_comments.6.jsonl",
    DATA_DIR / "vi_comments.7.jsonl",
]
TRAIN = DATA_DIR / "vi_comments.train.jsonl"
TEST = DATA_DIR / "vi_comments.test.jsonl"


def read_lines(path: Path) -> list[str]:
    """Return the lines of ``path`` (each ending in ``\\n``) after validating them."""
    raw = path.read_bytes().decode("utf-8")
    if "\r" in raw:
        raise ValueError(f"{path}: found a carriage return; use \\n line endings")
    lines = raw.splitlines(keepends=True)
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.endswith("\n"):
            raise ValueError(f"{path}:{number}: last line must end with \\n")
        row = json.loads(line)
        if list(row) != KEYS:
            raise ValueError(f"{path}:{number}: keys must be {KEYS}, got {list(row)}")
        text = row["text"]
        if not text or unicodedata.normalize("NFC", text) != text:
            raise ValueError(f"{path}:{number}: text is empty or not NFC")
        if row["label"] not in LABELS:
            raise ValueError(f"{path}:{number}: unknown label {row['label']!r}")
        if text in seen:
            raise ValueError(f"{path}:{number}: duplicate text")
        seen.add(text)
    return lines


def split(lines: list[str]) -> tuple[list[str], list[str]]:
    """Shuffle one batch with the fixed seed and cut it into (train, test)."""
    lines = list(lines)
    random.Random(SEED).shuffle(lines)
    cut = round(TRAIN_FRACTION * len(lines))
    return lines[:cut], lines[cut:]


def check_unique(batches: list[list[str]]) -> None:
    """No text may appear in two batches (each batch is checked on its own when read)."""
    seen: set[str] = set()
    for lines in batches:
        texts = {json.loads(line)["text"] for line in lines}
        if seen & texts:
            raise ValueError(f"a text occurs in two batches: {sorted(seen & texts)[0]!r}")
        seen |= texts


def label_counts(lines: list[str]) -> Counter[str]:
    return Counter(json.loads(line)["label"] for line in lines)


def describe(name: str, lines: list[str]) -> str:
    counts = label_counts(lines)
    return f"{name}: {len(lines)} lines, spam {counts['spam']}, ham {counts['ham']}"


def main() -> int:
    batches = [read_lines(path) for path in BATCHES]
    check_unique(batches)
    train: list[str] = []
    test: list[str] = []
    for path, lines in zip(BATCHES, batches, strict=True):
        batch_train, batch_test = split(lines)
        train += batch_train
        test += batch_test
        print(describe(path.name, lines), file=sys.stderr)
    with TRAIN.open("w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(train)
    with TEST.open("w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(test)
    print(describe(TRAIN.name, train), file=sys.stderr)
    print(describe(TEST.name, test), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
