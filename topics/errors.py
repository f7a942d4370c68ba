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
