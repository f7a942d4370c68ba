"""Choosing K on a planted corpus; parallel fits equal sequential ones; the choice rule itself."""

import math

import numpy as np
import pytest

from topics.config import build_experiment
from topics.errors import ConfigError, SchedulerError
from topics.analysis.sweep import SweepRow, choose_k, heldout_split, parse_k, sweep

from .conftest import K_TRUE, SEEDS, planted_corpus


def config(engine="nmf", workers=0, **sweep_cfg):
    raw = {
        "experiment": {"name": "t", "seed": 3},
        "corpus": {"path": str(SEEDS)},
        "model": {"engine": engine, "n_topics": K_TRUE},
        "parallel": {"workers": workers},
        "sweep": {"k": [2, 4, 6], "seeds": 3, **sweep_cfg},
    }
    return build_experiment(raw, base_dir=SEEDS)


@pytest.fixture(scope="module")
def planted():
    return planted_corpus(n_units=160)[0]


@pytest.mark.parametrize(
    "engine", ["nmf", pytest.param("gensim-lda", marks=pytest.mark.slow)]
)  # LDA: 9 fits of 4 starts
def test_sweep_finds_the_planted_number_of_topics(planted, engine):
    result = sweep(planted, config(engine))  # LDA with its default 4 starts per fit
    rows = {r.k: r for r in result.rows}
    assert result.chosen_k == K_TRUE, result.reason
    assert rows[4].stability > 0.9 and rows[4].stability > rows[6].stability
    assert len(result.runs) == 3 * 3 and all(not math.isnan(r.heldout) for r in result.runs)
    assert result.n_train + result.n_heldout == 160
    assert "K=" in result.reason or "highest" in result.reason


def test_parallel_sweep_equals_sequential(planted):
    one = sweep(planted, config("nmf", workers=1))  # in this process
    two = sweep(planted, config("nmf", workers=2))
    assert one.rows == two.rows and one.runs == two.runs


def test_choice_rule_prefers_stable_then_coherent():
    def row(k, c_v, stability):
        return SweepRow(
            k=k, c_v=c_v, c_npmi=0.0, u_mass=0.0, diversity=0.0, heldout=0.0, stability=stability, unstable_topics=0
        )

    rows = [row(5, 0.50, 0.9), row(10, 0.60, 0.7), row(15, 0.70, 0.4)]
    assert choose_k(rows, "c_v", 0.6)[0] == 10
    assert choose_k(rows, "c_v", 0.95)[0] == 5 and "no K reached" in choose_k(rows, "c_v", 0.95)[1]


def test_k_ranges_and_split():
    assert parse_k("5:30:5") == (5, 10, 15, 20, 25, 30) and parse_k("4,8,12") == (4, 8, 12)
    for huge in ("2:10000000:1", "5,1001"):  # the cap of [sweep] k, refused before any work
        with pytest.raises(ConfigError, match="at most 1000 topics"):
            parse_k(huge)
    assert parse_k("998:1000:1") == (998, 999, 1000)
    assert parse_k("2:4") == (2, 3, 4)
    for bad in ("x", "1:3", "", "5:3"):
        with pytest.raises(ConfigError, match="--k"):
            parse_k(bad)
    train, test = heldout_split(100, 0.2, 1)
    assert len(test) == 20 and not set(train) & set(test) and np.array_equal(heldout_split(100, 0.2, 1)[1], test)


def test_too_large_k_values_are_left_out_with_a_note(planted):
    raw = config("nmf").to_dict()
    result = sweep(planted, build_experiment({**raw, "sweep": {**raw["sweep"], "k": [2, 4, 500]}}, base_dir=SEEDS))
    assert [r.k for r in result.rows] == [2, 4] and "500" in result.notes[0]


def test_completion_perplexity_by_hand():
    import scipy.sparse as sp

    from topics.models import completion_perplexity, completion_split

    counts = sp.csr_matrix(np.array([[3, 1, 0], [0, 2, 2]]))
    shown, scored = completion_split(counts)
    assert (shown + scored - counts).nnz == 0
    assert shown.toarray().tolist() == [[2, 0, 0], [0, 1, 1]]  # tokens a a a b / b b c c, alternate
    phi = np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])
    # shares inferred as given: unit 1 all topic 1, unit 2 all topic 2; scored tokens a, b | b, c
    value = completion_perplexity(lambda c: np.array([[1.0, 0.0], [0.0, 1.0]]), phi, counts)
    assert value == pytest.approx(2.0)  # every scored token has p = 0.5


@pytest.mark.slow
def test_dask_local_cluster_sweep_equals_the_local_one(planted):
    distributed = pytest.importorskip("distributed")
    local = sweep(planted, config("nmf", workers=2))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        raw = config("nmf").to_dict()
        cfg = build_experiment(
            {**raw, "parallel": {"workers": 0, "scheduler": cluster.scheduler_address}}, base_dir=SEEDS
        )
        remote = sweep(planted, cfg)
    assert remote.rows == local.rows and remote.runs == local.runs and remote.chosen_k == local.chosen_k


@pytest.mark.slow
def test_unreachable_scheduler_is_one_clear_error(planted, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("topics.models.dask.CONNECT_TIMEOUT", "1s")
    raw = config("nmf").to_dict()
    cfg = build_experiment({**raw, "parallel": {"workers": 0, "scheduler": "tcp://127.0.0.1:1"}}, base_dir=SEEDS)
    with pytest.raises(SchedulerError, match="cannot reach the Dask scheduler"):
        sweep(planted, cfg)
