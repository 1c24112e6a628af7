"""A per-comment budget of scoring time, so no comment holds a worker for long.

Every check is linear in its input and an ordinary comment scores in milliseconds; the budget
is the backstop for whatever input still costs more. Once it is spent the remaining checks
and the model are skipped, and a ``scoring_budget`` reason names them: the verdict then rests
on part of the evidence, so such a comment waits for a moderator (``pipeline.classify``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from workers.scoring.types import Reason, ReasonCode

# Scoring time of one comment (checks and model) after which the rest is skipped: about a
# hundred times what a comment of the longest allowed length takes.
SCORING_BUDGET_SECONDS = 0.25
# The clock budgets read unless given another; tests replace it to run out of time at will.
CLOCK: Callable[[], float] = time.perf_counter
BUDGET_WEIGHT = 0.0
# Moderators read the reason in either language; what was left out follows the label.
LABEL = {
    "vi": "chưa chấm hết, cần người duyệt",
    "en": "not fully scored, needs a moderator",
}


def budget_reason(what: str) -> Reason:
    """A ``scoring_budget`` reason saying ``what`` was not read: the comment needs review."""
    return Reason(
        ReasonCode.SCORING_BUDGET, BUDGET_WEIGHT, f"{LABEL['vi']} / {LABEL['en']}: {what}"
    )


class Budget:
    """Scoring time left for one comment, from its construction on."""

    def __init__(
        self, seconds: float = SCORING_BUDGET_SECONDS, clock: Callable[[], float] | None = None
    ) -> None:
        self._seconds = seconds
        self._clock = clock or CLOCK
        self._started = self._clock()
        self.skipped: list[str] = []

    def allows(self, step: str) -> bool:
        """Whether ``step`` may run; once the time is spent, records it as skipped."""
        if self.skipped or self._clock() - self._started >= self._seconds:
            self.skipped.append(step)
            return False
        return True

    def reasons(self) -> list[Reason]:
        """The ``scoring_budget`` reason naming the skipped steps, if any were."""
        if not self.skipped:
            return []
        return [budget_reason(f"time budget spent before {', '.join(self.skipped)}")]
