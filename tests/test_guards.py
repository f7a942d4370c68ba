"""Guards for degenerate fits: degenerate topics (near-uniform, duplicate) with stability 0, and
matched-only pooling of the seeds into the bootstrap bands."""

import numpy as np
import pytest

from topics.analysis.degenerate import degenerate_topics, normalised_entropy
from topics.analysis.stability import Ensemble, ensemble
from topics.analysis.uncertainty import bootstrap, contrasts, fit_trends
from topics.config import UncertaintyConfig
from topics.data import FittedModel, Unit


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
        assert np.array_equal(old.low, new.low) and np.array_equal(old.high, new.high)
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
