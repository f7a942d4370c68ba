"""Choosing K on a planted corpus; parallel fits equal sequential ones; the choice rule itself (the
verdict on hand-made rows, its sentence, and what methods.md and the CLI say with it)."""

import math
import re

import numpy as np
import pytest

from topics.config import build_experiment
from topics.errors import ConfigError, SchedulerError
from topics.analysis.sweep import RANGED, SweepRow, choose_k, heldout_split, parse_k, sweep

from .conftest import EXPERIMENTS, K_TRUE, SEEDS, planted_corpus


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
    rows, v = {r.k: r for r in result.rows}, result.verdict
    # the planted K is named, or (NMF: every seed gives the same fit, and K = 6 ties K = 4 within
    # 0.001 in c_v) it is the parsimonious choice among the K within noise of the best
    assert v.chosen == K_TRUE or (v.chosen is None and v.parsimonious == K_TRUE), v.sentence
    assert K_TRUE in v.within_noise and 2 not in v.within_noise
    assert rows[4].stability > 0.9 and rows[4].stability > rows[6].stability
    assert len(result.runs) == 3 * 3 and all(not math.isnan(r.heldout) for r in result.runs)
    assert result.n_train + result.n_heldout == 160
    for r in result.rows:  # each K's range is its seeds' lowest and highest value
        mine = [x for x in result.runs if x.k == r.k]
        for m in ("c_v", "c_npmi", "u_mass", "diversity", "heldout"):
            values = [getattr(x, m) for x in mine]
            assert r.seed_range(m) == (min(values), max(values)) and getattr(r, m) == pytest.approx(np.mean(values))
        assert r.stability_min <= r.stability <= r.stability_max


def test_parallel_sweep_equals_sequential(planted):
    one = sweep(planted, config("nmf", workers=1))  # in this process
    two = sweep(planted, config("nmf", workers=2))
    assert one.rows == two.rows and one.runs == two.runs and one.verdict == two.verdict


def row(k, c_v, low, high, stability=0.9):
    """A hand-made SweepRow: c_v's mean and seed range; every other measure 0."""
    spread = {f"{m}_{end}": 0.0 for m in RANGED for end in ("min", "max")}
    spread.update(c_v_min=low, c_v_max=high, stability_min=stability, stability_max=stability)
    return SweepRow(
        k=k,
        c_v=c_v,
        c_npmi=0.0,
        u_mass=0.0,
        diversity=0.0,
        heldout=0.0,
        stability=stability,
        unstable_topics=0,
        **spread,
    )


def test_a_clear_winner_is_named():
    rows = [row(4, 0.40, 0.38, 0.42), row(6, 0.50, 0.48, 0.52), row(8, 0.44, 0.41, 0.46), row(10, 0.43, 0.40, 0.47)]
    v = choose_k(rows, "c_v", 0.6, 3)
    assert (v.chosen, v.best, v.within_noise, v.parsimonious, v.at_edge) == (6, 6, (6,), 6, ())
    assert v.eligible == v.tried == (4, 6, 8, 10)
    assert v.sentence == (
        "K = 6 is named: the highest mean c_v among the K with seed stability >= 0.60 (0.500, seeds 0.480 to "
        "0.520), and its worst seed beats the best seed of every other eligible K (next best: K = 8, 0.440, "
        "seeds 0.410 to 0.460)."
    )


def test_overlapping_seed_ranges_name_no_k_and_give_the_smallest_within_noise():
    rows = [
        row(2, 0.20, 0.18, 0.22),  # far below: not within noise
        row(4, 0.40, 0.30, 0.45),  # its best seed (0.45) reaches the best K's worst (0.40)
        row(6, 0.46, 0.40, 0.52),  # the best mean, ahead of K = 8 by more than the means' gap to K = 4
        row(8, 0.44, 0.39, 0.50),
        row(10, 0.30, 0.28, 0.33),  # beaten beyond noise
        row(12, 0.60, 0.58, 0.62, stability=0.5),  # the most coherent, but its topics do not recur
    ]
    v = choose_k(rows, "c_v", 0.6, 3)
    assert v.chosen is None and v.best == 6 and v.within_noise == (4, 6, 8) and v.parsimonious == 4
    assert v.eligible == (2, 4, 6, 8, 10) and v.at_edge == ()
    assert v.sentence == (
        "No K is distinguishable from the best within seed noise: K = 6 has the highest mean c_v among the K "
        "with seed stability >= 0.60 (0.460, seeds 0.400 to 0.520), but the best seeds of K = 4, 8 reach its "
        "worst seed; the smallest K within noise of the best is K = 4 (the parsimonious choice). Below seed "
        "stability 0.60, not eligible: K = 12 (0.500)."
    )


def test_a_winner_at_the_edge_of_the_grid_is_warned_about():
    top = choose_k([row(10, 0.40, 0.38, 0.42), row(20, 0.44, 0.42, 0.45), row(30, 0.50, 0.48, 0.52)], "c_v", 0.6, 3)
    warning = "K = 30 is the largest K tried; the best K may lie beyond the grid; extend [sweep] k."
    assert top.chosen == 30 and top.at_edge == (warning,) and top.sentence.endswith(" " + warning)
    bottom = choose_k([row(10, 0.50, 0.48, 0.52), row(20, 0.44, 0.42, 0.45), row(30, 0.40, 0.38, 0.42)], "c_v", 0.6, 3)
    warning = "K = 10 is the smallest K tried; the best K may lie below the grid; extend [sweep] k."
    assert bottom.chosen == 10 and bottom.at_edge == (warning,) and bottom.sentence.endswith(" " + warning)
    two = choose_k([row(2, 0.50, 0.48, 0.52), row(3, 0.40, 0.38, 0.42)], "c_v", 0.6, 3)
    assert two.chosen == 2 and two.at_edge == ()  # no model has fewer than 2 topics: nothing to extend
    # no K named: the best mean at the top and the parsimonious choice at the bottom are both warned about
    wide = choose_k([row(10, 0.45, 0.40, 0.50), row(20, 0.46, 0.41, 0.50), row(30, 0.47, 0.43, 0.52)], "c_v", 0.6, 3)
    assert wide.chosen is None and wide.best == 30 and wide.parsimonious == 10
    assert [w.split(";")[0] for w in wide.at_edge] == [
        "K = 30 is the largest K tried",
        "K = 10 is the smallest K tried",
    ]
    assert all(w in wide.sentence for w in wide.at_edge)


def test_identical_seeds_one_seed_and_no_stable_k_name_no_k():
    points = [row(2, 0.69, 0.69, 0.69), row(4, 0.9456, 0.9456, 0.9456), row(6, 0.9452, 0.9452, 0.9452)]
    v = choose_k(points, "c_v", 0.6, 3)  # NMF's nndsvda start: the seeds give the same fit
    assert v.chosen is None and v.best == 4 and v.within_noise == (4, 6) and v.parsimonious == 4
    assert "K = 6 comes within 0.001 of it" in v.sentence and "single points" in v.sentence
    apart = choose_k(
        [row(2, 0.69, 0.69, 0.69), row(4, 0.946, 0.946, 0.946), row(6, 0.940, 0.940, 0.940)], "c_v", 0.6, 3
    )
    assert apart.chosen == 4
    nan = float("nan")
    one = choose_k([row(4, 0.3, 0.3, 0.3, nan), row(6, 0.5, 0.5, 0.5, nan)], "c_v", 0.6, 1)
    assert one.chosen is None and one.best == 6 and "one seed per K" in one.sentence
    shaky = choose_k([row(4, 0.5, 0.4, 0.6, 0.55), row(6, 0.6, 0.5, 0.7, 0.45)], "c_v", 0.6, 3)
    assert (shaky.chosen, shaky.best, shaky.within_noise) == (None, None, ())
    assert "no K reached seed stability 0.60 (the most stable is K = 4, 0.550)" in shaky.sentence


def test_the_runs_k_against_the_verdict_in_one_sentence():
    named = choose_k([row(15, 0.45, 0.43, 0.46), row(20, 0.50, 0.48, 0.52), row(25, 0.44, 0.40, 0.47)], "c_v", 0.6, 3)
    assert named.about(20) == "The run's K = 20 is the sweep's choice."
    assert named.about(15) == (
        "The run fits K = 15, fixed by the config ([model] n_topics); the sweep's choice was K = 20."
    )
    noisy = choose_k(
        [row(5, 0.3, 0.2, 0.35), row(10, 0.48, 0.40, 0.50), row(15, 0.50, 0.45, 0.56), row(20, 0.6, 0.5, 0.7, 0.3)],
        "c_v",
        0.6,
        3,
    )
    fixed = "The run fits K = {}, fixed by the config ([model] n_topics); the sweep named no K: no K was "
    fixed += "distinguishable from the best (K = 15) within seed noise, and "
    assert noisy.about(10) == fixed.format(10) + (
        "K = 10 is its parsimonious choice, the smallest K within seed noise of the best."
    )
    assert noisy.about(15) == fixed.format(15) + (
        "K = 15 is within seed noise of the best; the smallest such K is K = 10."
    )
    assert noisy.about(5) == fixed.format(5) + "K = 5 is worse than the best beyond seed noise."
    assert noisy.about(20) == fixed.format(20) + "K = 20 fell below the seed stability threshold."
    assert noisy.about(8) == fixed.format(8) + "K = 8 was not tried."
    # a named K, and the run's K below the stability threshold: both said
    unstable = choose_k(
        [row(15, 0.45, 0.43, 0.46, 0.5), row(20, 0.50, 0.48, 0.52), row(25, 0.44, 0.40, 0.47)], "c_v", 0.6, 3
    )
    assert unstable.about(15) == (
        "The run fits K = 15, fixed by the config ([model] n_topics); the sweep's choice was K = 20 "
        "(K = 15 fell below the seed stability threshold)."
    )
    # one seed per K: no spread, so nothing is said about noise
    single = choose_k([row(15, 0.45, 0.45, 0.45, float("nan")), row(20, 0.50, 0.50, 0.50, float("nan"))], "c_v", 0.6, 1)
    assert single.chosen is None and "noise" not in single.about(15)
    assert single.about(15) == (
        "The run fits K = 15, fixed by the config ([model] n_topics); the sweep named no K: with one seed per K "
        "it measured no seed spread (its best mean was K = 20)."
    )


def test_methods_md_says_when_the_runs_k_differs_from_the_sweeps_choice(seeds_run):
    from dataclasses import replace

    from topics.record.manifest import build_manifest
    from topics.render.methods import methods_text

    def methods(rows):
        sw = seeds_run.findings.sweep
        sw = replace(sw, rows=tuple(rows), verdict=choose_k(rows, "c_v", 0.6, 3))
        run = replace(seeds_run, findings=replace(seeds_run.findings, sweep=sw))
        return methods_text(run, build_manifest(run, {}))

    assert seeds_run.config.model.n_topics == 8
    other = methods([row(4, 0.40, 0.38, 0.42), row(8, 0.44, 0.41, 0.46), row(12, 0.50, 0.48, 0.52)])
    assert "The run fits K = 8, fixed by the config ([model] n_topics); the sweep's choice was K = 12." in other, other
    assert "K = 12 is named: the highest mean c_v" in other and "worst seed beats the best seed" in other
    same = methods([row(4, 0.40, 0.38, 0.42), row(8, 0.50, 0.48, 0.52), row(12, 0.44, 0.41, 0.46)])
    assert "The run's K = 8 is the sweep's choice." in same and "the sweep's choice was" not in same
    # the session's own run: its sentence is the one its methods.md holds
    written = (seeds_run.run_dir / "methods.md").read_text(encoding="utf-8")
    verdict = seeds_run.findings.sweep.verdict
    assert verdict.sentence in written and verdict.about(8) in written and seeds_run.findings.sweep.rule() in written
    from topics.render.escape import html

    page = (seeds_run.run_dir / "sweep.html").read_text(encoding="utf-8")  # the run's sweep page
    assert html(verdict.sentence) in page and html(verdict.about(8)) in page
    assert 'href="sweep.html"' in (seeds_run.run_dir / "dashboard.html").read_text(encoding="utf-8")


def test_topics_sweep_prints_the_verdict(tmp_path, capsys, cache_dir):
    from topics.cli import main

    args = ["sweep", str(EXPERIMENTS / "baseline.toml"), "--out", str(tmp_path), "--cache", str(cache_dir)]
    fast = ["--k", "2,3", "--seeds", "2", "--quiet", "--set", "export.static=false"]
    assert main(args + fast) == 0
    out = capsys.readouterr().out
    import json

    manifest = json.loads((tmp_path / "baseline-sweep" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sweep"]["verdict"] and manifest["sweep"]["verdict"] in out.splitlines()
    assert "c_v min c_v max" in out.splitlines()[0]
    assert f"open {tmp_path / 'baseline-sweep' / 'sweep.html'}" in out.splitlines()  # the console names the page
    from topics.render.escape import html

    page = (tmp_path / "baseline-sweep" / "sweep.html").read_text(encoding="utf-8")
    assert html(manifest["sweep"]["verdict"]) in page and "mean over 2 seeds [lowest, highest seed]" in page
    assert len(re.findall(r"<td>-?\d\.\d{3} \[-?\d\.\d{3}, -?\d\.\d{3}\]</td>", page)) >= 2 * 5  # 2 K, 5 measures


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
    assert remote.rows == local.rows and remote.runs == local.runs and remote.verdict == local.verdict


@pytest.mark.slow
def test_unreachable_scheduler_is_one_clear_error(planted, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("topics.models.dask.CONNECT_TIMEOUT", "1s")
    raw = config("nmf").to_dict()
    cfg = build_experiment({**raw, "parallel": {"workers": 0, "scheduler": "tcp://127.0.0.1:1"}}, base_dir=SEEDS)
    with pytest.raises(SchedulerError, match="cannot reach the Dask scheduler"):
        sweep(planted, cfg)
