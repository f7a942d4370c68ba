"""Progress of the long steps: counts, rate and time left on a terminal, nothing anywhere else.

A step that can take more than a few seconds (the fits over seeds and starts, the sweep, the
bootstrap, segmentation of a large corpus) counts its work with ``steps`` or ``tracked``. Nothing is
shown unless the command line turned progress on (``showing(True)``: ``topics run`` and ``topics
sweep`` do so when standard error is a terminal and ``--quiet`` is not given), so a library call, a
test, a pipe or a cluster job's log never sees a bar. Progress only counts: it draws no random numbers
and changes no result. The bars are tqdm's, on standard error, and are erased when their step ends.

    with steps(500, "bootstrap", unit="resamples") as bar:
        for chunk in chunks:
            ...
            bar.advance(len(chunk))
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_SHOWN: ContextVar[bool] = ContextVar("topics_progress_shown", default=False)
MIN_TOTAL = 2  # a step of one piece of work has nothing to count


class _Silent:
    def advance(self, n: int = 1) -> None:
        pass


class _Bar:
    def __init__(self, bar):
        self._bar = bar

    def advance(self, n: int = 1) -> None:
        self._bar.update(n)


@contextmanager
def showing(enabled: bool) -> Iterator[None]:
    """Show progress bars inside this block if ``enabled`` (and never otherwise)."""
    token = _SHOWN.set(bool(enabled))
    try:
        yield
    finally:
        _SHOWN.reset(token)


def shown() -> bool:
    return _SHOWN.get()


@contextmanager
def steps(total: int, what: str, unit: str = "fits") -> Iterator[_Bar | _Silent]:
    """A counter for ``total`` pieces of work named ``what``; ``advance(n)`` after each n done."""
    if not _SHOWN.get() or total < MIN_TOTAL:
        yield _Silent()
        return
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        desc=f"  {what}",
        unit=unit,
        file=sys.stderr,
        leave=False,  # erased when the step ends; the stage line then gives its time
        mininterval=0.5,
        ncols=shutil.get_terminal_size().columns,  # a terminal reporting width 0 falls back to 80
        bar_format="{desc}: {n_fmt}/{total_fmt} {unit} [{elapsed}<{remaining}, {rate_fmt}]",
    )
    try:
        yield _Bar(bar)
    finally:
        bar.close()


def tracked(items: Iterable, total: int, what: str, unit: str = "fits") -> Iterator:
    """Yield ``items`` unchanged, counting each one."""
    with steps(total, what, unit) as bar:
        for item in items:
            yield item
            bar.advance()
