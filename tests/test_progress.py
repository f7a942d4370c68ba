"""Progress bars: shown only when the command line turns them on, counting without changing results."""

import argparse
import io

import numpy as np

from topics.analysis.uncertainty import bootstrap
from topics.cli import _bars
from topics.config.schema import UncertaintyConfig
from topics.data import Unit
from topics.progress import showing, shown, steps, tracked


def test_no_bar_unless_turned_on(capsys):
    assert not shown()
    with steps(10, "quiet step") as bar:
        for _ in range(10):
            bar.advance()
    assert list(tracked(range(4), 4, "quiet items")) == [0, 1, 2, 3]
    assert capsys.readouterr().err == ""


def test_a_bar_counts_and_gives_time_left(capsys):
    with showing(True):
        assert shown()
        assert list(tracked(range(3), 3, "three fits")) == [0, 1, 2]
    assert not shown()  # the block ends, and so do the bars
    err = capsys.readouterr().err
    assert "three fits: 0/3 fits [00:00<" in err  # counts, elapsed<remaining (redrawn at most twice a second)


def test_one_piece_of_work_has_no_bar(capsys):
    with showing(True), steps(1, "single") as bar:
        bar.advance()
    assert capsys.readouterr().err == ""


def test_bars_only_on_a_terminal_and_without_quiet(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert not _bars(argparse.Namespace(quiet=False))  # a pipe, a log file, a cluster job's output
    monkeypatch.setattr("sys.stderr", Tty())
    assert _bars(argparse.Namespace(quiet=False))
    assert not _bars(argparse.Namespace(quiet=True))


def test_progress_never_changes_a_result(capsys):
    rng = np.random.default_rng(3)
    units = [Unit(f"{y}-{d}:0", f"{y}-{d}", y, 0, "", "") for y in (2001, 2002, 2003) for d in range(4)]
    thetas = [rng.dirichlet(np.ones(3), size=len(units)) for _ in range(2)]
    n_tokens = rng.integers(20, 80, size=len(units))
    cfg = UncertaintyConfig(resamples=300, seed=11)
    quiet = bootstrap(thetas, units, n_tokens, cfg)
    with showing(True):
        loud = bootstrap(thetas, units, n_tokens, cfg)
    assert "bootstrap: " in capsys.readouterr().err
    for name in ("point", "reps", "low", "high"):
        np.testing.assert_array_equal(getattr(quiet, name), getattr(loud, name))
