"""Shared fixtures and helpers. Tests that read ../shared skip cleanly when it is absent.

Tests marked ``slow`` (dynamic engines, sklearn's LDA on the planted corpus, the LDA K sweep, Dask,
the 10 MB document, the government reports, the second full run in another process, killed,
simultaneous and offline runs) are left out of the default run (addopts in pyproject.toml), which
stays under three minutes on two cores; ``pytest -m slow`` runs them, and .ci/run runs them after
the default suite."""

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


DYNAMIC_ENGINES = ("gensim-ldaseq", "tomotopy-dtm")  # one topic-word matrix per year: slow to fit


def engine_params(engines, slow=DYNAMIC_ENGINES):
    """pytest parameters for engine names, those in ``slow`` (by default the dynamic engines) marked slow."""
    return [pytest.param(e, marks=pytest.mark.slow) if e in slow else e for e in engines]


K_TRUE = 4  # topics planted in planted_corpus()
WORDS = 25  # words in each planted topic's word set


def planted_corpus(n_units=200, length=60, purity=0.85, seed=0):
    """Units drawn mostly (purity) from one of K_TRUE disjoint word sets; returns dtm and truth."""
    import numpy as np

    from topics.config import VectorizeConfig
    from topics.data import Segmented, Unit
    from topics.text.vectorize import vectorize

    rng = np.random.default_rng(seed)
    vocab = [[f"t{k}w{i:02d}" for i in range(WORDS)] for k in range(K_TRUE)]
    zipf = 1.0 / np.arange(1, WORDS + 1)
    zipf /= zipf.sum()
    units, tokens, truth = [], [], []
    for u in range(n_units):
        main = u % K_TRUE
        toks = []
        for _ in range(length):
            k = main if rng.random() < purity else int(rng.integers(K_TRUE))
            toks.append(vocab[k][rng.choice(WORDS, p=zipf)])
        year = 2005 + u * 10 // n_units  # units in year order, as corpora give them
        units.append(Unit(unit_id=f"s:{u:04d}", doc_id=f"doc{year}", year=year, position=u, original="", text=""))
        tokens.append(tuple(toks))
        truth.append(main)
    dtm = vectorize(Segmented.from_tokens(units, tokens), VectorizeConfig(min_df=1, max_df=1.0))
    return dtm, np.array(truth), vocab


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
