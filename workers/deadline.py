"""A job's timeout that a dropped exception cannot cancel.

RQ stops a job that runs past its timeout with SIGALRM, whose handler raises in the
job's thread wherever it is. When that moment falls inside a weakref callback or a
``__del__`` (the garbage collector runs them between any two lines), Python reports the
exception as unraisable and drops it, and a hung job runs on to its end. Here the alarm
rings again every ``REPEAT_SECONDS`` until the job's block is left, so a timeout dropped
once is raised again a moment later.
"""

from __future__ import annotations

import signal

from rq.timeouts import UnixSignalDeathPenalty

# Long enough that a timeout caught as it should be leaves its block (rolling back the
# job's transaction on the way) before the alarm could ring again.
REPEAT_SECONDS = 1.0


class InsistentDeathPenalty(UnixSignalDeathPenalty):
    """RQ's SIGALRM timeout, raised again every ``REPEAT_SECONDS`` until cancelled."""

    def setup_death_penalty(self) -> None:
        if self._timeout <= 0:  # RQ's "no timeout"
            return
        signal.signal(signal.SIGALRM, self.handle_death_penalty)
        signal.setitimer(signal.ITIMER_REAL, self._timeout, REPEAT_SECONDS)

    def cancel_death_penalty(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
