"""The code passes its linters: `ruff check` and `mypy`, with the settings in pyproject.toml.

Each is run as its own process from the project root (so pyproject.toml's [tool.ruff] and
[tool.mypy] apply) and skipped when it is not installed (both are in the `test` extra)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def _ruff() -> str | None:
    """The ruff executable: the one beside this Python (pip's `ruff` package), else one on PATH."""
    try:
        from ruff.__main__ import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("ruff")


def _run(cmd: list[str], timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_ruff_check_passes():
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed (pip install ruff, or install the package with its `test` extra)")
    done = _run([ruff, "check", "--no-cache", "topics", "tests", "benchmarks"], timeout=120)
    assert done.returncode == 0, f"ruff check found problems:\n{done.stdout}{done.stderr}"


def test_ruff_format_leaves_the_code_as_it_is():
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed (pip install ruff, or install the package with its `test` extra)")
    done = _run([ruff, "format", "--check", "--no-cache", "topics", "tests", "benchmarks"], timeout=120)
    assert done.returncode == 0, f"ruff format would change files (run `ruff format`):\n{done.stdout}{done.stderr}"


@pytest.mark.slow  # 11 s; ruff stays in the default run
def test_mypy_passes(tmp_path_factory):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install mypy, or install the package with its `test` extra)")
    cache = Path(tmp_path_factory.mktemp("mypy-cache"))  # not .mypy_cache in the working tree
    done = _run([sys.executable, "-m", "mypy", "--cache-dir", str(cache)], timeout=600)
    assert done.returncode == 0, f"mypy found problems:\n{done.stdout}{done.stderr}"
