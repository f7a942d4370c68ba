"""The bootstrap, fitted trends and era contrasts on synthetic data where the answer is known."""

import numpy as np
import pytest

from topics.data import Unit
from topics.config.schema import UncertaintyConfig
from topics.analysis.uncertainty import bootstrap, contrasts, fit_trends

YEARS = list(range(2005, 2025))


def planted(n_docs=3, units_per_doc=40, seed=0, slope=0.01, base=0.2, concentration=20.0):
    """Units whose topic-1 share is drawn around a linear trend base + slope * (year - 2005); topic 2
    takes the rest. Returns units, theta (n_units, 2), n_tokens and the true yearly share."""
    rng = np.random.default_rng(seed)
    units, theta, n_tok = [], [], []
    truth = {}
    for y in YEARS:
        p = base + slope * (y - 2005)
        truth[y] = p
        for d in range(n_docs):
            for u in range(units_per_doc):
                share = rng.beta(p * concentration, (1 - p) * concentration)
                units.append(Unit(f"{y}-{d}:{u}", f"{y}-{d}", y, u, "", ""))
                theta.append([share, 1 - share])
                n_tok.append(50)
    return units, np.array(theta), np.array(n_tok), truth


def config(**kw):
    return UncertaintyConfig(**{"resamples": 400, "seed": 7, **kw})


def test_planted_trend_lies_inside_the_bands():
    units, theta, n_tok, truth = planted()
    bands = bootstrap([theta], units, n_tok, config())
    inside = [bands.low[i, 0] <= truth[y] <= bands.high[i, 0] for i, y in enumerate(bands.years)]
    assert sum(inside) >= 17  # about 95% of 20 years; each year's band covers
    assert np.all(bands.low <= bands.point + 1e-12) and np.all(bands.point <= bands.high + 1e-12)
    fits = fit_trends(bands, spline=True)
    _, slope, lo, hi, _ = fits.linear[0]
    assert lo <= 0.1 <= hi  # true change per decade: 10 points
    assert abs(slope - 0.1) < 0.02
    grid, fitted, s_lo, s_hi = fits.spline[1]
    true = np.array([truth[y] for y in grid])
    assert np.mean((s_lo <= true) & (true <= s_hi)) >= 0.85


def test_more_units_give_narrower_bands_and_same_seed_same_bands():
    small = planted(units_per_doc=10)
    large = planted(units_per_doc=80)
    b_small = bootstrap([small[1]], small[0], small[2], config())
    b_large = bootstrap([large[1]], large[0], large[2], config())
    assert np.median(b_large.high - b_large.low) < 0.6 * np.median(b_small.high - b_small.low)
    again = bootstrap([small[1]], small[0], small[2], config())
    assert np.array_equal(again.reps, b_small.reps)
    other = bootstrap([small[1]], small[0], small[2], config(seed=8))
    assert not np.array_equal(other.reps, b_small.reps)


def test_seed_spread_widens_the_pooled_band():
    units, theta, n_tok, _ = planted(units_per_doc=20)
    shifted = np.clip(theta + np.array([0.15, -0.15]), 0, 1)
    shifted /= shifted.sum(axis=1, keepdims=True)
    one = bootstrap([theta], units, n_tok, config())
    both = bootstrap([theta, shifted], units, n_tok, config())
    assert both.reps.shape[0] == 2 * one.reps.shape[0]
    assert np.median(both.high - both.low) > 1.5 * np.median(one.high - one.low)
    assert np.array_equal(both.point, one.point)  # the reference fit is the estimate
    assert np.all(both.seed_max[:, 0] > both.seed_min[:, 0])


def test_documents_scheme_is_wider_when_documents_differ():
    units, theta, n_tok, _ = planted(n_docs=4, units_per_doc=30)
    doc_effect = np.array([0.25 if u.doc_id.endswith("-0") else 0.0 for u in units])
    t1 = np.clip(theta[:, 0] + doc_effect, 0, 1)
    theta = np.column_stack([t1, 1 - t1])
    units_only = bootstrap([theta], units, n_tok, config(resample="units"))
    docs_too = bootstrap([theta], units, n_tok, config(resample="documents+units"))
    assert np.median(docs_too.high - docs_too.low) > 2 * np.median(units_only.high - units_only.low)


def test_era_contrast_recovers_a_planted_step():
    units, theta, n_tok, truth = planted(slope=0.0)
    step = np.array([0.2 if u.year >= 2013 else 0.0 for u in units])
    t1 = np.clip(theta[:, 0] + step, 0, 1)
    theta = np.column_stack([t1, 1 - t1])
    cfg = config(eras=(("early", (2005, 2012)), ("late", (2013, 2024))))
    bands = bootstrap([theta], units, n_tok, cfg)
    rows, warnings = contrasts(bands, cfg)
    first = next(c for c in rows if c.topic == 1)
    assert (first.later, first.earlier) == ("late", "early") and not warnings
    assert first.low <= first.difference <= first.high
    assert abs(first.difference - 0.2) < 0.02 and first.low > 0.15  # planted step: +20 points
    assert first.high - first.low < 0.05
    assert first.later_years == tuple(range(2013, 2025))


def test_missing_era_and_too_few_years_are_said():
    units, theta, n_tok, _ = planted()
    keep = [i for i, u in enumerate(units) if u.year in (2005, 2010, 2015)]
    cfg = config(eras=(("a", (1990, 1999)), ("b", (2005, 2024))))
    bands = bootstrap([theta[keep]], [units[i] for i in keep], n_tok[keep], cfg)
    rows, warnings = contrasts(bands, cfg)
    assert rows == [] and "no documents in a" in warnings[0]
    fits = fit_trends(bands, spline=True)
    assert fits.spline == {} and "at least 5" in fits.spline_note
    assert len(fits.linear) == 2


def test_zero_resamples_gives_the_seed_range_only():
    units, theta, n_tok, _ = planted(units_per_doc=5)
    bands = bootstrap([theta], units, n_tok, config(resamples=0))
    assert np.allclose(bands.low, bands.point) and np.allclose(bands.high, bands.point)


@pytest.mark.parametrize("bad", [{"eras": {"x": [2010, 2000]}}, {"contrasts": [["a", "b"]]}, {"level": 2}])
def test_bad_uncertainty_settings_are_config_errors(bad):
    from topics.config import build_experiment
    from topics.errors import ConfigError

    from .conftest import SEEDS

    raw = {"experiment": {"name": "t", "seed": 1}, "corpus": {"path": str(SEEDS)}, "uncertainty": bad}
    with pytest.raises(ConfigError, match="uncertainty"):
        build_experiment(raw, base_dir=SEEDS)


def test_smoothed_shares_of_a_year_sum_to_one_stay_in_range_and_cover_only_the_data_range():
    """Five data years with an eight-year gap, four topics, one topic near zero: the spline is drawn
    from the first to the last data year only, and each year's smoothed shares are a composition."""
    rng = np.random.default_rng(3)
    years = [2005, 2008, 2016, 2020, 2024]
    mean = {2005: [0.02, 0.3, 0.3, 0.38], 2008: [0.25, 0.25, 0.25, 0.25], 2016: [0.001, 0.5, 0.2, 0.299],
            2020: [0.3, 0.1, 0.3, 0.3], 2024: [0.001, 0.2, 0.5, 0.299]}  # fmt: skip
    units, theta = [], []
    for y in years:
        for u in range(30):
            units.append(Unit(f"{y}:{u}", f"{y}", y, u, "", ""))
            theta.append(rng.dirichlet(np.array(mean[y]) * 200 + 0.01))
    bands = bootstrap([np.array(theta)], units, np.full(len(units), 40), config(resamples=200))
    fits = fit_trends(bands, spline=True)
    grid = fits.spline[1].years
    assert grid[0] == 2005 and grid[-1] == 2024 and len(grid) == 20
    fitted = np.column_stack([fits.spline[t].fitted for t in range(1, 5)])
    assert np.allclose(fitted.sum(axis=1), 1.0)
    assert fitted.min() >= 0
    for t in range(1, 5):
        curve = fits.spline[t]
        assert np.all(curve.low >= 0) and np.all(curve.high <= 1)
