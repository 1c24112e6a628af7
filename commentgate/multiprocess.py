"""Where a process's Prometheus metrics live when several processes serve one /metrics.

gunicorn runs several web processes, ``commentgate worker`` several worker processes
(each forking a work-horse for a model job), so
each process writes its counters to memory-mapped files in one directory
(prometheus-client's multiprocess mode) and ``/metrics`` adds them up.
:func:`prepare` must run before any metric is created in the process.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from prometheus_client import values

_directory: Path | None = None
_jobs_parent: int | None = None
# prometheus-client asks for the identifier on every change of a value (a request makes
# about ten), to notice a fork: the pid is read once per process instead of a system call
# each time.
_pid = os.getpid()


def _note_fork() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_note_fork)


def _identifier() -> int | str:
    # A work-horse lives for one job: naming its files after its own pid would
    # leave a file per job. The horses of one worker run one at a time, so they
    # share a file named after their parent, each re-reading it when it starts.
    if _jobs_parent is not None and _pid != _jobs_parent:
        return f"{_jobs_parent}-jobs"
    return _pid


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_dead_files(directory: Path) -> int:
    """Delete metric files of processes that no longer run; returns how many."""
    removed = 0
    for path in directory.glob("*.db"):
        owner = path.stem.rsplit("_", 1)[-1].split("-", 1)[0]
        if owner.isdigit() and not _is_alive(int(owner)):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def prepare(directory: Path) -> Path:
    """Write this process's metrics under ``directory`` (created, stale files removed)."""
    global _directory, _jobs_parent
    if "commentgate.metrics" in sys.modules:  # its metrics would stay process-local
        raise RuntimeError("multiprocess.prepare() must run before commentgate.metrics loads")
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    remove_dead_files(directory)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)  # read by prometheus-client
    _jobs_parent = None
    values.ValueClass = values.MultiProcessValue(_identifier)
    _directory = directory
    return directory


def fork_jobs_here() -> None:
    """This process, forked from the one that prepared metrics, forks jobs of its own:
    it writes files named after itself, and its work-horses share one set."""
    global _jobs_parent
    if _directory is not None:
        _jobs_parent = os.getpid()


def directory() -> Path | None:
    """The directory :func:`prepare` set up in this process, or None (single process)."""
    return _directory


def mark_dead(pid: int) -> None:
    """Forget a finished web process's live gauges (gunicorn's child_exit hook)."""
    if _directory is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, str(_directory))
