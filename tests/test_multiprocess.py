"""Metric files follow the process that writes them, across forks."""

from __future__ import annotations

import os

from commentgate import multiprocess


def _identifier_in_child() -> tuple[int, str]:
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: tell the parent its identifier, and leave at once
        try:
            os.write(writable, str(multiprocess._identifier()).encode())
        finally:
            os._exit(0)  # whatever happened: never a second pytest
    os.close(writable)
    os.waitpid(pid, 0)
    with os.fdopen(readable) as reply:
        return pid, reply.read()


def test_a_forked_process_names_its_metric_files_after_itself():
    child, told = _identifier_in_child()
    assert told == str(child) and child != os.getpid()
    assert multiprocess._identifier() == os.getpid()  # the parent's own is unchanged
