"""Guards for small and degenerate fits: K against the data before fitting ([guards], warn and stop),
degenerate topics after it (near-uniform, duplicate) with stability 0, and matched-only pooling of the
seeds into the bootstrap bands."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from topics.analysis.degenerate import degenerate_topics, normalised_entropy
from topics.analysis.guards import fit_sizes, size_check, size_finding
from topics.analysis.stability import Ensemble, ensemble
from topics.analysis.uncertainty import bootstrap, contrasts, fit_trends
from topics.cli import main
from topics.config import GuardsConfig, UncertaintyConfig
from topics.data import FittedModel, Unit
from topics.errors import ModelError

from .conftest import EXPERIMENTS, ROOT, SEEDS, planted_corpus

TINY = {"000_77a5f213a8567952.txt": 2005, "001_14743334005c4ca4.txt": 2016, "002_94f8bc70a1ccfcb3.txt": 2008}


def tiny_corpus(folder: Path) -> Path:
    """Three seed speeches cut to four short paragraphs each: 12 units, 29 terms, 98 tokens."""
    folder.mkdir(parents=True)
    for name, _ in TINY.items():
        text = (SEEDS / name).read_text(encoding="utf-8")
        if name.startswith("002"):  # one long line with '.' for every stop: cut it into four
            flat = "".join(line.strip() for line in text.splitlines())[40:]
            paras = [flat[i * 150 : (i + 1) * 150] for i in range(4)]
        else:
            lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= 40][:4]
            paras = []
            for line in lines:
                cut = line[:220]
                end = cut.rfind("。")
                paras.append(cut[: end + 1] if end > 60 else cut)
        (folder / name).write_text("\n".join(p[:90] for p in paras) + "\n", encoding="utf-8")
    (folder / "metadata.csv").write_text(
        "file,year\n" + "".join(f"{n},{y}\n" for n, y in TINY.items()), encoding="utf-8"
    )
    return folder


FAST = [
    "--set",
    "sweep.k=[]",
    "--set",
    "compare.engines=[]",
    "--set",
    "uncertainty.resamples=50",
    "--set",
    "export.static=false",
    "--set",
    "corpus.years=[]",
    "--set",
    "evaluate.coherence=[\"u_mass\"]",
    "--set",
    "model.n_init=1",
    "--set",
    "model.passes=5",
    # every part of speech and no generic list: the vocabulary these numbers were measured on (stopwords only)
    "--set",
    'vectorize.pos="all"',
    "--set",
    "vectorize.generic=false",
]


def run_tiny(tmp_path, cache_dir, *args):
    corpus = tiny_corpus(tmp_path / "tiny")
    out = tmp_path / "out"
    code = main(
        ["run", str(EXPERIMENTS / "baseline.toml"), "--out", str(out), "--cache", str(cache_dir), "--quiet"]
        + ["--set", f"corpus.path={corpus}", *FAST, *args]
    )
    return code, out


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------------------ before fitting
def test_size_check_names_each_count_per_topic_against_its_minimum():
    check = size_check(8, 12, 29, 98, GuardsConfig())
    assert [c.name for c in check.short] == ["units", "terms", "tokens"]
    assert check.largest_k == 0  # 98 tokens support no topic of 300 tokens
    assert check.describe() == (
        "1.5 units per topic (12 units / K = 8; at least 5), 3.62 terms per topic (29 terms / K = 8; "
        "at least 10), 12.2 tokens per topic (98 tokens / K = 8; at least 300)"
    )
    seeds = size_check(8, 117, 1058, 7378, GuardsConfig())  # the seeds at the baseline's K
    assert seeds.ok and seeds.largest_k == 23 and size_finding([seeds], "warn") == ""
    off = size_check(8, 12, 29, 98, GuardsConfig(units_per_topic=0, terms_per_topic=0, tokens_per_topic=0))
    assert off.ok and off.largest_k is None
    assert "lower model.n_topics to at most 2" in size_finding(
        [size_check(8, 12, 29, 98, GuardsConfig(tokens_per_topic=0))], "stop"
    )


def test_a_k_too_large_stops_before_fitting_with_one_documented_message(tmp_path, capsys, cache_dir):
    code, out = run_tiny(tmp_path, cache_dir, "--set", 'guards.small="stop"')
    err = capsys.readouterr().err
    assert code == 4, err
    message = "K = 8 topics is more than this corpus supports: 1.5 units per topic (12 units / K = 8; at least 5)"
    assert message in err and "Traceback" not in err
    assert "3.62 terms per topic" in err and "12.2 tokens per topic" in err
    assert 'set guards.small = "warn" to fit anyway' in err and "add text" in err
    assert [p.name for p in out.iterdir() if p.name != ".cache"] == []  # no run folder
    documented = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    for part in (
        "K = 8 topics is more than this corpus supports: 1.5 units per topic (12 units / K = 8; at least 5)",
        'Nothing was fitted: lower model.n_topics to at most N, or add text, or set guards.small = "warn"',
        "add text (no K of 2 or more passes every rule, so lowering model.n_topics is not enough)",
        "sweep: K = 20, 30 are more than the training units support",
        "degenerate topic(s), stability set to 0: T8 near-uniform word distribution (normalised entropy",
        'Fitted anyway (guards.small = "warn"): read these topics with great care',
    ):
        assert part in documented, part


def test_a_sweep_refuses_its_too_large_k_before_fitting(tmp_path, capsys):
    corpus = tiny_corpus(tmp_path / "tiny")
    args = ["sweep", str(EXPERIMENTS / "baseline.toml"), "--out", str(tmp_path / "out"), "--quiet", "--k", "2,3"]
    code = main(
        args
        + ["--set", f"corpus.path={corpus}", "--set", "corpus.years=[]", "--set", 'guards.small="stop"', *FAST[-4:]]
    )
    err = capsys.readouterr().err
    assert code == 4, err
    assert (
        "sweep: K = 2, 3 are more than the training units support: K = 2: 39.5 tokens per topic (79 tokens / K = 2; "
        "at least 300); K = 3: 3.33 units per topic (10 units / K = 3; at least 5)"
    ) in err
    assert "lowering those K in sweep.k or --k is not enough" in err
    assert not (tmp_path / "out" / "baseline-sweep").exists()


def test_fit_sizes_warns_which_sweep_k_are_too_large():
    dtm, _, _ = planted_corpus(n_units=60)  # 60 units, 100 terms, 3600 tokens; 48 in training
    from topics.config import load_experiment

    config = load_experiment(EXPERIMENTS / "baseline.toml")
    checks, warnings = fit_sizes(dtm, config, 4, (4, 8, 12))
    assert [(c.scope, c.k, c.ok) for c in checks] == [
        ("model", 4, True),
        ("sweep", 4, True),
        ("sweep", 8, True),
        ("sweep", 12, False),
    ]
    (warning,) = warnings
    assert warning.startswith("sweep: K = 12 is more than the training units support: K = 12: 4 units per topic")
    assert "lower those K in sweep.k or --k to at most 9" in warning
    from dataclasses import replace

    with pytest.raises(ModelError, match="Nothing was fitted"):
        fit_sizes(dtm, replace(config, guards=GuardsConfig(small="stop")), 4, (4, 8, 12))


def test_a_tiny_corpus_run_warns_flags_and_records(tmp_path, capsys, cache_dir):
    code, out = run_tiny(tmp_path, cache_dir)
    err = capsys.readouterr().err
    assert code == 0, err
    assert "warning: K = 8 topics is more than this corpus supports" in err
    assert 'Fitted anyway (guards.small = "warn")' in err
    assert "warning: degenerate topic(s), stability set to 0: T" in err
    run = out / "baseline"
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert any("is more than this corpus supports" in w for w in manifest["warnings"])
    assert manifest["guards"]["sizes"][0]["short"] == ["units", "terms", "tokens"]
    stab = {int(r["topic"]): r for r in read_csv(run / "stability.csv")}
    flagged = [t for t, r in stab.items() if r["degenerate"]]
    assert flagged and all(float(stab[t]["stability"]) == 0.0 for t in flagged)
    assert all(float(stab[t]["degenerate_measure"]) >= 0.95 for t in flagged)
    assert any("duplicate" in stab[t]["degenerate"] and " repeats T" in stab[t]["flag"] for t in flagged)
    pooled = {int(r["topic"]): int(r["seeds_pooled"]) for r in read_csv(run / "trends.csv")}
    assert all(pooled[t] == 1 for t in flagged)  # a degenerate topic matches nothing: the first fit's band
    assert manifest["uncertainty"]["seeds_pooled"] == [pooled[t] for t in range(1, 9)]
    methods = (run / "methods.md").read_text(encoding="utf-8")
    assert f"T{flagged[-1]} rests on the first fit alone" in methods
    assert "Degenerate topics were given stability 0" in methods
    page = (run / "dashboard.html").read_text(encoding="utf-8")
    details = (run / "details.html").read_text(encoding="utf-8")  # the stability chart
    assert "degenerate: uniform" in details and f"T{flagged[-1]} rests on the first fit alone" in page


# ------------------------------------------------------------------ after fitting
def topics_with(rows: dict[int, np.ndarray], k=6, v=40, seed=3):
    """k sparse topics over v words, rows replaced as given."""
    tt = np.random.default_rng(seed).dirichlet(np.full(v, 0.1), size=k)
    for i, row in rows.items():
        tt[i] = row / row.sum()
    return tt


def model(topic_term, n_units=6):
    k, v = topic_term.shape
    return FittedModel(
        engine="x",
        doc_topic=np.full((n_units, k), 1 / k),
        topic_term=topic_term,
        vocab=tuple(f"w{i:03d}" for i in range(v)),
    )


def test_uniform_and_duplicate_rows_are_flagged_and_distinct_topics_are_not():
    tt = topics_with({})
    assert degenerate_topics(tt) == () and normalised_entropy(tt).max() < 0.9
    tt = topics_with({4: np.ones(40)})
    tt[5] = 0.98 * tt[1] + 0.02 / 40  # topic 6 repeats topic 2
    flags = degenerate_topics(tt)
    assert [(d.topic, d.rule, d.partner) for d in flags] == [(5, "uniform", 0), (6, "duplicate", 2)]
    assert flags[0].measure == pytest.approx(1.0) and flags[1].measure >= 0.95
    assert flags[0].describe() == "T5 near-uniform word distribution (normalised entropy 1.000 >= 0.98)"
    assert flags[1].describe().startswith("T6 repeats T2 (cosine ")
    nearly = np.random.default_rng(0).uniform(1.0, 1.5, 40)  # every word about as likely: near-uniform
    assert normalised_entropy(topics_with({0: nearly}))[0] >= 0.98


def test_degenerate_topics_get_stability_zero_though_they_match_perfectly():
    tt = topics_with({4: np.ones(40), 5: np.ones(40)})  # two unused (uniform) topics, identical
    ens = ensemble([model(tt), model(tt[[1, 0, 2, 3, 5, 4]]), model(tt)], [1, 2, 3], threshold=0.5)
    assert np.allclose(ens.similarity, 1.0)  # as measured, every topic matches perfectly
    assert [(d.fit, d.topic, d.rule) for d in ens.degenerate if d.fit == 0] == [
        (0, 5, "uniform"),
        (0, 6, "uniform"),
        (0, 6, "duplicate"),
    ]
    assert ens.stability == pytest.approx([1.0, 1.0, 1.0, 1.0, 0.0, 0.0])
    assert list(ens.recurs) == [2, 2, 2, 2, 0, 0] and ens.unstable() == [5, 6]
    assert list(ens.pooled[:, 4]) == [True, False, False]
    single = ensemble([model(tt)], [1], threshold=0.5)
    assert list(single.stability) == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]  # with one seed too


def test_a_match_to_a_degenerate_topic_of_another_seed_counts_zero():
    tt = topics_with({})
    other = tt.copy()
    other[2] = 0.85 * np.full(40, 1 / 40) + 0.15 * tt[2]  # seed 2 lost topic 3 to a near-uniform topic
    assert normalised_entropy(other)[2] >= 0.98
    ens = ensemble([model(tt), model(other), model(tt)], [1, 2, 3], threshold=0.5)
    assert ens.similarity[0, 2] >= 0.5  # measured: a match
    assert ens.credited[0, 2] == 0.0 and ens.stability[2] == pytest.approx(0.5) and ens.recurs[2] == 1
    assert list(ens.pooled[:, 2]) == [True, False, True]


# ------------------------------------------------------------------ matched-only pooling
def three_seed_shares(n_docs=3, units_per_doc=15, k=3, seed=0):
    """Units over 6 years; three (n_units, k) share matrices that differ: seeds of one model."""
    rng = np.random.default_rng(seed)
    units = [
        Unit(f"{y}-{d}:{u}", f"{y}-{d}", y, u, "", "")
        for y in range(2010, 2016)
        for d in range(n_docs)
        for u in range(units_per_doc)
    ]
    thetas = [rng.dirichlet(np.ones(k), size=len(units)) for _ in range(3)]
    return units, thetas, rng.integers(20, 80, size=len(units))


def config(**kw):
    return UncertaintyConfig(**{"resamples": 200, "seed": 11, "eras": (("a", (2010, 2012)), ("b", (2013, 2015))), **kw})


def test_a_topic_matched_in_no_seed_gets_the_reference_band_exactly():
    units, thetas, n_tok = three_seed_shares()
    cfg = config()
    pooled = np.array([[True, True, True], [True, False, False], [True, True, False]])  # (seeds, topics)
    bands = bootstrap(thetas, units, n_tok, cfg, pooled)
    alone = bootstrap(thetas[:1], units, n_tok, cfg)
    everything = bootstrap(thetas, units, n_tok, cfg)
    assert np.array_equal(bands.reps, everything.reps)  # every seed's replicates are kept
    assert np.array_equal(bands.low[:, 2], alone.low[:, 2]) and np.array_equal(bands.high[:, 2], alone.high[:, 2])
    assert np.array_equal(bands.low[:, 0], everything.low[:, 0])  # T1 matched everywhere: all pooled
    assert not np.array_equal(bands.low[:, 1], everything.low[:, 1])  # T2 pools the first and third fits
    assert list(bands.seeds_pooled) == [3, 2, 1]
    assert np.array_equal(bands.seed_min[:, 2], bands.point[:, 2]) and np.array_equal(
        bands.seed_max[:, 2], bands.point[:, 2]
    )
    fits, fits_alone = fit_trends(bands, spline=True), fit_trends(alone, spline=True)
    assert fits.linear[2] == fits_alone.linear[2]
    assert all(np.array_equal(a, b) for a, b in zip(fits.spline[3][1:], fits_alone.spline[3][1:]))
    (c,), (c_alone,) = ([x for x in contrasts(b, cfg)[0] if x.topic == 3] for b in (bands, alone))
    assert (c.low, c.high) == (c_alone.low, c_alone.high)


def test_pooling_every_seed_gives_the_numbers_of_pooling_everything():
    units, thetas, n_tok = three_seed_shares(seed=4)
    for cfg in (config(), config(resamples=0)):
        old = bootstrap(thetas, units, n_tok, cfg)
        new = bootstrap(thetas, units, n_tok, cfg, np.ones((3, 3), dtype=bool))
        alpha = (1 - cfg.level) / 2
        low, high = np.quantile(new.reps, [alpha, 1 - alpha], axis=0)  # the formula before pooling was matched
        assert np.array_equal(new.low, low) and np.array_equal(new.high, high)
        assert np.array_equal(old.low, new.low) and np.array_equal(old.high, new.high)
        assert np.array_equal(new.seed_min, new.seed_points.min(axis=0))
        a, b = fit_trends(old, True), fit_trends(new, True)
        assert a.linear == b.linear
        assert all(np.array_equal(x, y) for t in a.spline for x, y in zip(a.spline[t][1:], b.spline[t][1:]))
        assert contrasts(old, cfg) == contrasts(new, cfg)


def test_the_run_pools_only_matched_seeds():
    """Ensemble.pooled is what the bands pool: a seed whose topic did not recur is left out."""
    m = model(topics_with({}, k=3))
    ens = Ensemble(
        models=(m, m, m), seeds=(1, 2, 3), similarity=np.array([[0.9, 0.2, 0.8], [0.95, 0.1, 0.3]]), threshold=0.5
    )
    assert ens.pooled.tolist() == [[True, True, True], [True, False, True], [True, False, False]]
    with pytest.raises(ValueError, match="reference row"):
        units, thetas, n_tok = three_seed_shares()
        bootstrap(thetas, units, n_tok, config(), ~ens.pooled)
