"""Worker processes end with the process that started them, however it ends."""

from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Call first thing in a child process: on Linux the kernel sends it SIGKILL when its parent
    ends (TERM, HUP, KILL or a crash), so no worker outlives a killed run; and if the parent is
    already gone, the child exits at once. Elsewhere the second check alone applies."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
    if os.getppid() != parent_pid:
        os._exit(1)
