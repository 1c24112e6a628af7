#!/usr/bin/env python3
"""Split the Vietnamese abuse set into a training side and a test side.

``data/abuse_vi.jsonl`` (one JSON object per line, keys ``text``, ``label`` (``abuse`` or
``ok``), ``source``, ``lang`` in that order) is shuffled with ``random.Random(20261125)``
(the seed of ``split.py``); the first ``round(0.6 * n)`` lines go to
``data/abuse_vi.train.jsonl`` and the rest to ``data/abuse_vi.test.jsonl``, copied byte for
byte. The split is deterministic and was made before the abuse list was tuned.

The test side is for reporting results only: tune ``abuse.tsv`` on the training side.

Usage (from anywhere; only the standard library is needed)::

    python data/split_abuse.py
"""

from __future__ import annotations

import sys

import split

split.LABELS = {"abuse", "ok"}
SOURCE = split.DATA_DIR / "abuse_vi.jsonl"
TRAIN = split.DATA_DIR / "abuse_vi.train.jsonl"
TEST = split.DATA_DIR / "abuse_vi.test.jsonl"


def describe(name: str, lines: list[str]) -> str:
    counts = split.label_counts(lines)
    return f"{name}: {len(lines)} lines, abuse {counts['abuse']}, ok {counts['ok']}"


def main() -> int:
    lines = split.read_lines(SOURCE)
    train, test = split.split(lines)
    for path, side in ((TRAIN, train), (TEST, test)):
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.writelines(side)
        print(describe(path.name, side), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
