"""`topics --help` and `topics check` start without the heavy libraries."""

import subprocess
import sys

from .conftest import EXPERIMENTS

PROBE = (
    "import sys; from topics.cli import main; code = main({args!r}); "
    "print(sorted(m for m in ('gensim', 'sklearn', 'plotly', 'matplotlib', 'jieba') if m in sys.modules))"
)


def loaded(args):
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, timeout=120)
    return done.stdout.strip().splitlines()[-1]


def test_check_loads_no_modelling_library():
    assert loaded(["check", str(EXPERIMENTS / "baseline.toml")]) == "[]"


def test_help_loads_nothing_heavy():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "topics", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "usage: topics" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "topics.cli" in imported
    assert not imported & {"numpy", "scipy", "gensim", "sklearn", "plotly"}
