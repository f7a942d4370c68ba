"""The run folder's life: one run of an experiment at a time, written into a staging folder that is
renamed into place only when complete.

- The lock is ``<out>/.<name>.lock``, beside the run folder (not in the cache, so removing the cache
  cannot bypass it), held with ``flock``. The operating system drops it when the process ends, however
  it ends. Processes forked while it is held (fit workers, segmentation workers) close their copy at
  once, so a worker left running by a killed run can never keep it.
- Staging folders are ``.<name>~staging-XXXX`` and replaced folders ``.<name>~old-XXXX``: ``~`` cannot
  occur in an experiment name, so the clean-up of one experiment never matches another's folders.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..errors import RunExistsError, RunLockedError
from ..files import ordinary_permissions

STAGING, OLD = "~staging-", "~old-"
_HELD: set[int] = set()  # lock file descriptors this process holds


def _close_inherited_locks() -> None:
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


def check_free(run_dir: Path, force: bool) -> None:
    if run_dir.exists() and not force:
        raise RunExistsError(
            f"{run_dir} exists already; pass --force to replace it, or set a new "
            f"[experiment] name (e.g. --set experiment.name=...)"
        )


def lock_path(out_dir: Path, name: str) -> Path:
    return out_dir / f".{name}.lock"


@contextmanager
def run_lock(out_dir: Path, name: str):
    """Hold the lock of run folder ``out_dir/<name>``: a second run into the same folder stops at once
    with RunLockedError instead of racing the first. While it is held, staging folders left by killed
    runs of this experiment are removed; the lock file is removed when the run ends."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = lock_path(out_dir, name)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, runs still atomic
        yield
        return
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise RunLockedError(
                f"another run of experiment {name!r} is writing to {str(out_dir)!r} (process "
                f"{holder}); wait for it to finish, or give another --out"
            ) from exc
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:  # not a file the previous holder unlinked as it let go: ours
            break
        os.close(fd)
    _HELD.add(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        for stale in (*out_dir.glob(f".{name}{STAGING}*"), *out_dir.glob(f".{name}{OLD}*")):
            shutil.rmtree(stale, ignore_errors=True)
        yield
    finally:
        try:
            os.unlink(path)  # while still held: a waiting run then opens a new file
        except OSError:
            pass
        _HELD.discard(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextmanager
def staged_run_folder(run_dir: Path, force: bool):
    """Yield a staging folder; on success rename it to ``run_dir`` (replacing it only when
    ``force``); on any failure remove it, leaving ``run_dir`` as it was."""
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    check_free(run_dir, force)
    staging = Path(tempfile.mkdtemp(prefix=f".{run_dir.name}{STAGING}", dir=run_dir.parent))
    ordinary_permissions(staging, 0o777)  # mkdtemp makes 0700; a run folder is an ordinary folder
    try:
        yield staging
        old = None
        if run_dir.exists():
            check_free(run_dir, force)
            old = Path(tempfile.mkdtemp(prefix=f".{run_dir.name}{OLD}", dir=run_dir.parent))
            os.rename(run_dir, old / "run")
        os.rename(staging, run_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
