"""The one table ``make bench`` prints: a row per figure, pass or fail where it has a target."""

from __future__ import annotations

from dataclasses import dataclass

PASS, FAIL, INFO = "pass", "FAIL", "-"


@dataclass(frozen=True)
class Row:
    """One measured figure: what, how much (with its baseline), the target, and the verdict."""

    part: str
    what: str
    figure: str
    target: str = ""
    verdict: str = INFO


def judged(part: str, what: str, figure: str, target: str, ok: bool | None) -> Row:
    """A row with a target; ``ok`` None means the figure could not be measured."""
    verdict = INFO if ok is None else (PASS if ok else FAIL)
    return Row(part, what, figure, target, verdict)


def ratio(value: float, baseline: float) -> float:
    """``value / baseline``, 0 when the baseline measured nothing."""
    return value / baseline if baseline > 0 else 0.0


def render(rows: list[Row]) -> str:
    """A Markdown table (readable in a terminal, and pasted as is into bench/README.md)."""
    head = ("part", "what", "figure", "target", "result")
    cells = [head] + [(r.part, r.what, r.figure, r.target, r.verdict) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    lines = [_line(cells[0], widths), "| " + " | ".join("-" * w for w in widths) + " |"]
    lines.extend(_line(row, widths) for row in cells[1:])
    return "\n".join(lines)


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"


def failures(rows: list[Row]) -> int:
    """How many rows missed their target."""
    return sum(1 for r in rows if r.verdict == FAIL)
