"""Shared fixtures. Tests that read ../shared skip cleanly when it is absent."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
EXPERIMENTS = ROOT / "experiments"
SHARED = ROOT.parent / "shared"
GOV_REPORTS = SHARED / "corpora" / "gov_work_reports"


def write_corpus(folder: Path, docs: dict[str, tuple[int | str, str]], extra_rows: str = "") -> Path:
    """A corpus folder: {file: (year, text)} plus metadata.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["file,year,title"]
    for name, (year, text) in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
        rows.append(f"{name},{year},{name}")
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n" + extra_rows, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("segment-cache")


@pytest.fixture(scope="session")
def seeds_run(tmp_path_factory, cache_dir):
    """The baseline experiment run once on the seeds, through the library (shared by tests that only
    read outputs, and compared byte for byte with a CLI run in another process in test_run.py)."""
    import topics

    out = tmp_path_factory.mktemp("reports")
    config = topics.load_experiment(EXPERIMENTS / "baseline.toml")
    return topics.run(config, out_dir=out, cache_dir=cache_dir)


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest
