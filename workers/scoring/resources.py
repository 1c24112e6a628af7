"""Loading of the word lists and tables kept as data files under ``data/``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


class DataFileError(ValueError):
    """A data file line cannot be parsed; the message names file and line."""


@cache
def read_rows(name: str, columns: int) -> tuple[tuple[str, ...], ...]:
    """Return the tab-separated rows of ``data/<name>``, skipping blanks and ``#`` comments.

    Raises:
        DataFileError: if a row does not have exactly ``columns`` fields.
    """
    rows = []
    path = DATA_DIR / name
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = tuple(field.strip() for field in line.split("\t"))
        if len(fields) != columns or not all(fields):
            raise DataFileError(f"{path}:{number}: expected {columns} tab-separated fields")
        rows.append(fields)
    return tuple(rows)


def read_words(name: str) -> tuple[str, ...]:
    """Return the one-entry-per-line list in ``data/<name>``."""
    return tuple(row[0] for row in read_rows(name, 1))
