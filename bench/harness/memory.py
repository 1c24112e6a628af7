"""Resident memory of the service's processes, read from /proc (VmRSS)."""

from __future__ import annotations

from pathlib import Path

from bench.harness.table import Row


def rss_mb(pid: int) -> float:
    """A process's resident set in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    """Direct children of a process."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(p) for p in task.read_text().split())
        except OSError:
            continue
    return found


def rows(here) -> list[Row]:
    """RSS of each process of a world: the web's master and workers, each worker and child."""
    part = f"memory ({here.backend})"
    out: list[Row] = []
    for name in sorted(here.processes):
        pid = here.pid(name)
        out.append(Row(part, f"RSS {name} (pid {pid})", f"{rss_mb(pid):,.0f} MB"))
        for n, child in enumerate(children(pid), start=1):
            out.append(Row(part, f"RSS {name} child {n} (pid {child})", f"{rss_mb(child):,.0f} MB"))
    return out
