"""The package's exceptions and the exit code each one maps to.

Every error a user can cause is a :class:`TopicsError`. It carries a list of problems so that a
loader can report all of them at once; the CLI prints ``str(error)`` and exits with ``exit_code``.
"""
from __future__ import annotations


class TopicsError(Exception):
    """Base class: a problem the user can fix. ``problems`` lists each one in a sentence."""

    exit_code = 1
    heading = "error"

    def __init__(self, problems: str | list[str], *, source: str | None = None):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.source = source
        super().__init__(self._render())

    def __reduce__(self):          # survive the trip back from a worker process unchanged
        return _rebuild, (type(self), self.problems, self.source)

    def _render(self) -> str:
        where = f" in {self.source}" if self.source else ""
        if len(self.problems) == 1:
            return f"{self.heading}{where}: {self.problems[0]}"
        lines = [f"{self.heading}{where}: {len(self.problems)} problems"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


def _rebuild(cls, problems, source):
    return cls(problems, source=source)


class ConfigError(TopicsError):
    """The experiment file or a ``--set`` override is wrong."""

    exit_code = 2
    heading = "config error"


class CorpusError(TopicsError):
    """The corpus folder, its metadata sheet or a text file is wrong."""

    exit_code = 3
    heading = "corpus error"


class ModelError(TopicsError):
    """The data cannot support the model asked for (too few units, empty vocabulary, ...)."""

    exit_code = 4
    heading = "model error"


class RunExistsError(TopicsError):
    """The run folder exists already and ``--force`` was not given."""

    exit_code = 5
    heading = "run exists"


class RunLockedError(TopicsError):
    """Another run of the same experiment is writing to the same folder right now."""

    exit_code = 6
    heading = "run in progress"


class WorkerError(TopicsError):
    """A worker process the run started failed or was killed (most often: out of memory)."""

    exit_code = 7
    heading = "worker failed"
