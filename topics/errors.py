"""The package's exceptions and the exit code each one maps to.

Every error a user can cause is a :class:`TopicsError`. It carries a list of problems so that a
loader can report all of them at once; the CLI prints ``str(error)`` and exits with ``exit_code``,
one of the :class:`ExitStatus` values.
"""

from __future__ import annotations

import enum


SHOWN = 50  # problems listed in one message; the rest are counted


class ExitStatus(enum.IntEnum):
    """Exit statuses of the ``topics`` command; each error class below maps to one of them."""

    OK = 0
    ERROR = 1  # a TopicsError of no more specific kind
    CONFIG = 2  # ConfigError
    CORPUS = 3  # CorpusError
    MODEL = 4  # ModelError
    RUN_EXISTS = 5  # RunExistsError
    RUN_LOCKED = 6  # RunLockedError
    WORKER = 7  # WorkerError
    RUN_FOLDER = 8  # RunFolderError
    SCHEDULER = 9  # SchedulerError
    VALIDATION = 10  # ValidationError
    FILE_ACCESS = 11  # FileAccessError
    INTERNAL = 70  # an unexpected exception: a bug (EX_SOFTWARE of sysexits.h)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


class TopicsError(Exception):
    """Base class: a problem the user can fix. ``problems`` lists each one in a sentence."""

    exit_code: ExitStatus = ExitStatus.ERROR
    heading = "error"

    def __init__(self, problems: str | list[str], *, source: str | None = None):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.source = source
        super().__init__(self._render())

    def __reduce__(self):  # survive the trip back from a worker process unchanged
        return _rebuild, (type(self), self.problems, self.source)

    def _render(self) -> str:
        where = f" in {self.source}" if self.source else ""
        if len(self.problems) == 1:
            return f"{self.heading}{where}: {self.problems[0]}"
        lines = [f"{self.heading}{where}: {len(self.problems)} problems"]
        lines += [f"  - {p}" for p in self.problems[:SHOWN]]
        if len(self.problems) > SHOWN:
            lines.append(f"  ... and {len(self.problems) - SHOWN} more of the same kinds (the first {SHOWN} are shown)")
        return "\n".join(lines)


def _rebuild(cls, problems, source):
    return cls(problems, source=source)


class ConfigError(TopicsError):
    """The experiment file or a ``--set`` override is wrong."""

    exit_code = ExitStatus.CONFIG
    heading = "config error"


class CorpusError(TopicsError):
    """The corpus folder, its metadata sheet or a text file is wrong."""

    exit_code = ExitStatus.CORPUS
    heading = "corpus error"


class ModelError(TopicsError):
    """The data cannot support the model asked for (too few units, empty vocabulary, ...)."""

    exit_code = ExitStatus.MODEL
    heading = "model error"


class RunExistsError(TopicsError):
    """The run folder exists already and ``--force`` was not given."""

    exit_code = ExitStatus.RUN_EXISTS
    heading = "run exists"


class RunLockedError(TopicsError):
    """Another run of the same experiment is writing to the same folder right now."""

    exit_code = ExitStatus.RUN_LOCKED
    heading = "run in progress"


class WorkerError(TopicsError):
    """A worker process the run started failed or was killed (most often: out of memory)."""

    exit_code = ExitStatus.WORKER
    heading = "worker failed"


class RunFolderError(TopicsError):
    """A folder given as a run folder (``topics cite``) is not a readable run folder: no
    manifest.json, an unreadable or incomplete one, or a sweep folder."""

    exit_code = ExitStatus.RUN_FOLDER
    heading = "run folder error"


class SchedulerError(TopicsError):
    """The Dask scheduler of ``[parallel] scheduler`` / ``--scheduler`` cannot be reached or
    is not a valid scheduler address."""

    exit_code = ExitStatus.SCHEDULER
    heading = "scheduler error"


class ValidationError(TopicsError):
    """The human validation kit (``topics validate``) cannot be drawn or scored: a run with too few
    topics or words for the tasks, a kit already drawn, or an answer file that is not what a coder's
    sheet writes (each problem names the file and row)."""

    exit_code = ExitStatus.VALIDATION
    heading = "validation error"


class FileAccessError(TopicsError):
    """The operating system refused a file or folder the run reads or writes: permission denied, a
    full disk, a file where a folder is expected or the reverse, a read-only file system. Each
    problem names the path and what to do (:func:`file_access_error` builds it from an OSError)."""

    exit_code = ExitStatus.FILE_ACCESS
    heading = "file access error"


# errno name -> (what happened, what to do); a row per failure the operating system reports
_OS_FAILURES = {
    "EACCES": ("permission denied", "give the user running topics access to it (chmod/chown), or use another path"),
    "EPERM": ("operation not permitted", "give the user running topics access to it, or use another path"),
    "ENOSPC": (
        "no space left on the device",
        "free space on that disk, or write elsewhere (--out for the run folder, --cache for the cache)",
    ),
    "EDQUOT": ("disk quota exceeded", "free space within your quota, or write elsewhere (--out, --cache)"),
    "EFBIG": ("file too large for this file system or limit", "write elsewhere (--out, --cache), or raise the limit"),
    "EROFS": ("read-only file system", "write elsewhere (--out for the run folder, --cache for the cache)"),
    "ENOTDIR": (
        "a file is where a folder is expected",
        "give a folder there (move the file away), or point --out / --cache / [corpus] path at a folder",
    ),
    "EISDIR": ("a folder is where a file is expected", "give a file there, or move the folder away"),
    "EEXIST": (
        "a file is in the way of a folder this run creates",
        "move the file away, or choose another --out / --cache folder",
    ),
    "ENAMETOOLONG": ("the path is too long", "use a shorter folder or file name"),
    "EMFILE": ("too many open files", "raise the limit (ulimit -n) or use fewer --workers"),
    "EIO": ("an input/output error of the device", "check the disk or network share, then run again"),
}


def file_access_error(exc: OSError) -> FileAccessError:
    """A FileAccessError naming the path of ``exc`` (both paths of a rename) and what to do."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    what, todo = _OS_FAILURES.get(name, (exc.strerror or str(exc), "check the path and run again"))
    paths = [p for p in (exc.filename, exc.filename2) if p is not None]
    where = " -> ".join(repr(str(p)) for p in paths) if paths else "a file the run uses (path not reported)"
    return FileAccessError(f"{what} ({name or type(exc).__name__}): {where}; {todo}")
