"""Worker processes under supervision: set up once, fork N of them, replace any that dies.

The supervisor loads what every worker needs (word lists, matchers, the spam models) and
moves it out of the garbage collector's sight (``gc.freeze``) before it forks, so the
workers share those pages with it copy-on-write instead of each holding a copy. A worker
that dies (SIGKILL, a segfault, any exit while the supervisor is not stopping) is
replaced; the jobs it had started are re-queued by the sweep once their heartbeat stops
(:mod:`workers.sweep`), and scored once: a verdict is a conditional UPDATE.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from commentgate.storage.sites import list_sites
from workers.model_store import MODELS_KEPT
from workers.runtime import WorkerRuntime

log = logging.getLogger(__name__)

# A worker that dies sooner than this after its start counts as crashing at once: the next
# one waits, twice as long each time up to MAX_DELAY, so a broken setup does not spin.
STEADY_SECONDS = 10.0
MAX_DELAY = 30.0


def load_shared(rt: WorkerRuntime) -> list[str]:
    """Load the models the workers will score with, then let go of the connections the
    loading used (a forked worker opens its own); returns the versions loaded."""
    try:
        with rt.sessions() as session:
            sites = list_sites(session, None, None, limit=MODELS_KEPT).items
            loaded = rt.models.preload(session, [site.id for site in sites])
            session.get_bind().dispose()
    except SQLAlchemyError as exc:  # only an optimisation: each worker loads what it needs
        log.warning("models not loaded before forking (%s)", exc)
        return []
    rt.redis.connection_pool.disconnect()
    return loaded


class Supervisor:
    """Runs ``work`` in ``processes`` forked processes until told to stop.

    With ``replace_finished`` off (burst mode), a worker that exits with status 0 is done
    and not replaced; the supervisor returns once every worker has exited.
    """

    def __init__(
        self, processes: int, work: Callable[[], None], *, replace_finished: bool = True
    ) -> None:
        self._processes = max(1, processes)
        self._work = work
        self._replace_finished = replace_finished
        self._children: dict[int, float] = {}  # pid: when it started
        self._stopping = False
        self._delay = 1.0

    def run(self) -> None:
        """Fork the workers and look after them; returns once they have all exited."""
        gc.freeze()  # what is loaded now stays shared: the collector never writes to it
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for _ in range(self._processes):
            self._spawn()
        while self._children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                return
            started = self._children.pop(pid, None)
            if started is not None:
                self._reap(pid, os.waitstatus_to_exitcode(status), started)

    def _reap(self, pid: int, code: int, started: float) -> None:
        lived = time.monotonic() - started
        if self._stopping or (code == 0 and not self._replace_finished):
            log.info("worker %d exited (%s)", pid, code)
            return
        how = f"killed by signal {-code}" if code < 0 else f"exited with status {code}"
        log.warning("worker %d %s after %.0fs; starting another", pid, how, lived)
        self._delay = 1.0 if lived >= STEADY_SECONDS else min(self._delay * 2, MAX_DELAY)
        self._pause(self._delay if lived < STEADY_SECONDS else 0.0)
        if not self._stopping:
            self._spawn()

    def _pause(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stopping and time.monotonic() < deadline:
            time.sleep(0.1)

    def _spawn(self) -> None:
        pid = os.fork()
        if pid == 0:
            os._exit(self._child())
        self._children[pid] = time.monotonic()
        log.info("started worker %d", pid)

    def _child(self) -> int:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        code = 0
        try:
            self._work()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            log.exception("worker %d failed", os.getpid())
            code = 1
        finally:
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
        return code

    def _stop(self, signum: int, _frame) -> None:
        if not self._stopping:
            log.info("stopping %d worker(s)", len(self._children))
        self._stopping = True
        for pid in list(self._children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
