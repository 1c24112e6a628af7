"""Local state is private to the user who runs commentgate.

``var/`` holds the SQLite database (phone numbers, IP addresses, webhook
secrets), the embedded Redis' snapshot and append-only file, the generated
secret key and metric files. Whatever creates a file there does so with no
group or other permissions, and long-running commands take those permissions
away from what an earlier release (or a copy) left readable.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
_SHARED_BITS = 0o077  # group and other


def make_private_dir(path: Path) -> None:
    """Create ``path`` (with parents) as a directory only its owner can enter, if missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 600 unless it exists; what opens it later keeps that."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


@contextmanager
def private_umask() -> Iterator[None]:
    """Files created meanwhile, here or in child processes started meanwhile, are private."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def keep_private(var_dir: Path) -> None:
    """Create private files from now on, and make ``var_dir`` and what it holds private."""
    os.umask(PRIVATE_UMASK)
    make_private_dir(var_dir)
    tighten(var_dir)


def tighten(var_dir: Path) -> int:
    """Take group and other permissions from ``var_dir`` and everything we own in it.

    Symbolic links inside are neither changed nor followed. Directories are
    tightened before their entries are, so once a directory is ours alone nobody
    else can swap an entry for a link between our look at it and the chmod.
    Returns how many modes changed.
    """
    changed = _restrict(var_dir, follow=True)  # the configured path itself may be a link
    for root, dirs, files in os.walk(var_dir):
        for name in dirs + files:
            changed += _restrict(Path(root, name), follow=False)
    return changed


def _restrict(path: Path, *, follow: bool) -> int:
    try:
        status = os.stat(path, follow_symlinks=follow)
        mode = stat.S_IMODE(status.st_mode)
        if stat.S_ISLNK(status.st_mode) or status.st_uid != os.geteuid():
            return 0
        if not mode & _SHARED_BITS:
            return 0
        os.chmod(path, mode & ~_SHARED_BITS)
    except FileNotFoundError:  # e.g. a metric file its process just removed
        return 0
    except OSError as exc:
        log.warning("cannot make %s private (%s)", path, exc.strerror or exc)
        return 0
    return 1
