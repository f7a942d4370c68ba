"""Worker processes end with the process that started them, however it ends."""

from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def _prctl():
    """libc's prctl, looked up once in the parent (at import): a child forked from a process with
    threads must not load libraries itself, since another thread may have held the loader's lock
    at the fork."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return None


_PRCTL = _prctl()


def die_with_parent(parent_pid: int) -> None:
    """Call first thing in a child process: on Linux the kernel sends it SIGKILL when its parent
    ends (TERM, HUP, KILL or a crash), so no worker outlives a killed run; and if the parent is
    already gone, the child exits at once. Elsewhere the second check alone applies."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)
