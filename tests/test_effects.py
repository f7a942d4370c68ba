"""[effects]: the formula parser, the design, the method of composition with a bootstrap over
documents, the min_documents rule, the outputs of a run, and a coverage simulation with a planted
group difference and a planted trend."""

from __future__ import annotations

import csv
from typing import NamedTuple

import numpy as np
import pytest

from topics.analysis.effects import EffectsInput, build_design, check_columns, estimate_effects
from topics.config.formula import FormulaError, Term, parse_formula
from topics.config.schema import EffectsConfig


class U(NamedTuple):  # what the estimate reads of a unit
    doc_id: str
    year: int


DELTA, SLOPE = 0.10, 0.05  # the planted difference B - A in topic 1's share, and its trend per decade


def simulate(m: int, rng, units_per_doc: int = 8) -> EffectsInput:
    """m documents in each of groups A and B, years 2005-2024 at random; a document's topic-1 share is
    0.3 + DELTA (group B) + SLOPE per decade + a document effect (sd 0.05); its units scatter around it."""
    theta, units, ntok, meta = [], [], [], {}
    for g in ("A", "B"):
        for i in range(m):
            doc = f"{g}{i:03d}"
            year = int(rng.integers(2005, 2025))
            p = 0.3 + DELTA * (g == "B") + SLOPE * (year - 2014.5) / 10 + rng.normal(0, 0.05)
            p = float(np.clip(p, 0.02, 0.98))
            meta[doc] = {"group": g, "genre": "speech" if i % 2 else "article"}
            for _ in range(units_per_doc):
                theta.append(rng.dirichlet([20 * p, 20 * (1 - p)]))
                units.append(U(doc, year))
                ntok.append(int(rng.integers(30, 61)))
    return EffectsInput(np.array(theta), tuple(units), np.array(ntok), meta, 1.0)


def coverage(m: int, reps: int, resamples: int = 200, draws: int = 5, seed: int = 0) -> tuple[float, float]:
    """Share of simulations whose interval covers DELTA (the B - A contrast) and SLOPE (the year term)."""
    rng = np.random.default_rng(seed)
    cfg = EffectsConfig(formula="group + year", draws=draws, resamples=resamples, min_documents=1)
    hit_contrast = hit_year = 0
    for r in range(reps):
        e = estimate_effects(simulate(m, rng), cfg, seed=r)
        c = next(x for x in e.rows if x.topic == 1 and x.kind == "contrast")
        y = next(x for x in e.rows if x.topic == 1 and x.term == "year (per decade)")
        hit_contrast += c.low <= DELTA <= c.high
        hit_year += y.low <= SLOPE <= y.high
    return hit_contrast / reps, hit_year / reps


# ------------------------------------------------------------------ parser
@pytest.mark.parametrize(
    "text, terms",
    [
        ("", ()),
        ("year", (Term("year", "year"),)),
        ("level", (Term("categorical", "level"),)),
        ("spline(year, df=4)", (Term("spline", "year", 4),)),
        ("level + spline( year , df = 3 )", (Term("categorical", "level"), Term("spline", "year", 3))),
        (
            "level + year + level:year",
            (Term("categorical", "level"), Term("year", "year"), Term("interaction", "level")),
        ),
        ("genre + year:genre", (Term("categorical", "genre"), Term("interaction", "genre"))),
    ],
)
def test_good_formulas_parse(text, terms):
    assert parse_formula(text) == terms


@pytest.mark.parametrize(
    "text, says",
    [
        ("level +", "empty term"),
        ("level ++ year", "empty term"),
        ("spline(level, df=3)", "only the year"),
        ("spline(year, df=0)", "df must be"),
        ("spline(year, df=40)", "df must be"),
        ("level:genre", "with the year"),
        ("level:year", "needs its column"),
        ("level + level", "twice"),
        ("year + spline(year, df=3)", "year once"),
        ("__import__('os')", "cannot read"),
        ("level * year", "cannot read"),
    ],
)
def test_bad_formulas_say_what_to_write(text, says):
    with pytest.raises(FormulaError, match=says):
        parse_formula(text)


def test_config_checks_the_formula_at_the_boundary():
    from topics.config import build_experiment
    from topics.errors import ConfigError

    raw = {"experiment": {"name": "x", "seed": 1}, "corpus": {"path": "."}, "effects": {"formula": "level +"}}
    with pytest.raises(ConfigError, match="effects.formula"):
        build_experiment(raw, base_dir=".")
    raw["effects"] = {"formula": "level", "reference": {"level": 3}}
    with pytest.raises(ConfigError, match="effects.reference"):
        build_experiment(raw, base_dir=".")


def test_unknown_columns_name_the_columns_there_are():
    meta = {"a": {"level": "county", "genre": "speech"}, "b": {"level": "city", "genre": "speech"}}
    problem = check_columns("place + year", meta)
    assert "'place'" in problem and "'genre', 'level'" in problem
    assert "one level only" in check_columns("genre", meta)
    assert check_columns("level + level:year", meta) == ""
    assert "no level 'town'; its levels: 'city', 'county'" in check_columns("level", meta, (("level", "town"),))
    assert check_columns("level", meta, (("genre", "speech"),)) == ""  # a column the formula leaves out


def test_a_formula_carried_to_another_corpus_is_left_out_with_a_warning():
    """baseline.toml's formula names `level`; pointed at a corpus without that column by --set
    corpus.path, the run goes on without effects and says why; named with --set, the run stops."""
    from topics import load_experiment
    from topics.errors import ConfigError
    from topics.pipeline import check_effect_columns

    from .conftest import EXPERIMENTS, SEEDS

    class Doc(NamedTuple):
        doc_id: str
        meta: tuple

    docs = [Doc("a", (("title", "x"),)), Doc("b", (("title", "y"),))]
    carried = load_experiment(EXPERIMENTS / "baseline.toml", [f"corpus.path={SEEDS}"])
    note = check_effect_columns(carried, docs)
    assert note.startswith("covariate effects left out") and "'level'" in note and "'title'" in note
    named = load_experiment(EXPERIMENTS / "baseline.toml", [f"corpus.path={SEEDS}", 'effects.formula="genre"'])
    with pytest.raises(ConfigError, match="'genre', not a metadata column"):
        check_effect_columns(named, docs)
    assert (
        check_effect_columns(
            load_experiment(EXPERIMENTS / "baseline.toml"),
            [Doc("a", (("level", "city"),)), Doc("b", (("level", "county"),))],
        )
        == ""
    )


# ------------------------------------------------------------------ design
def test_design_codes_levels_against_the_reference_and_the_year_per_decade():
    years = np.array([2000, 2010, 2020, 2020])
    values = {"level": np.array(["city", "county", "county", "district"], dtype=object)}
    terms = parse_formula("level + year + level:year")
    d = build_design(terms, years, values, {})
    assert d.levels["level"] == ("county", "city", "district")  # the most frequent level is the reference
    assert d.columns == (
        "(intercept)",
        "level[city]",
        "level[district]",
        "year (per decade)",
        "level[city]:year (per decade)",
        "level[district]:year (per decade)",
    )
    x = d.matrix(years, values)
    yc = (years - years.mean()) / 10
    np.testing.assert_allclose(x[:, 3], yc)
    np.testing.assert_allclose(x[:, 1], [1, 0, 0, 0])
    np.testing.assert_allclose(x[:, 5], [0, 0, 0, yc[3]])
    d2 = build_design(terms, years, values, {"level": "city"})
    assert d2.levels["level"][0] == "city"
    with pytest.raises(FormulaError, match="no level 'town'"):
        build_design(terms, years, values, {"level": "town"})


def test_spline_basis_has_df_columns_and_spans_the_years():
    years = np.arange(2005, 2025, dtype=float)
    for df in (1, 3, 4, 6):
        d = build_design(parse_formula(f"spline(year, df={df})"), years, {}, {})
        x = d.matrix(years, {})
        assert x.shape == (20, df + 1)
        assert np.linalg.matrix_rank(x) == df + 1  # with the intercept: no column is redundant


# ------------------------------------------------------------------ estimation
def test_same_seed_same_numbers_and_a_planted_difference_is_found():
    data = simulate(15, np.random.default_rng(3))
    cfg = EffectsConfig(formula="group + year", draws=5, resamples=200)
    a, b = estimate_effects(data, cfg, seed=7), estimate_effects(data, cfg, seed=7)
    assert a == b
    c = next(x for x in a.rows if x.topic == 1 and x.kind == "contrast")
    assert c.term == "group: B - A" and c.documents == 15 and not c.flag
    assert c.low <= DELTA <= c.high and c.low > 0
    # topic 2 is the complement of topic 1: its contrast is the negative
    c2 = next(x for x in a.rows if x.topic == 2 and x.kind == "contrast")
    assert c2.estimate == pytest.approx(-c.estimate)
    assert {p.group for p in a.predicted} == {"A", "B"} and a.group_column == "group"
    assert estimate_effects(data, cfg, seed=8) != a


def test_too_few_documents_get_no_interval_and_say_why():
    data = simulate(4, np.random.default_rng(1))
    e = estimate_effects(data, EffectsConfig(formula="group + year", draws=3, resamples=50, min_documents=5), seed=1)
    contrast = next(x for x in e.rows if x.kind == "contrast")
    assert contrast.documents == 4 and np.isnan(contrast.low) and np.isnan(contrast.high)
    assert "fewer than effects.min_documents = 5" in contrast.flag
    year = next(x for x in e.rows if x.term == "year (per decade)")
    assert year.documents == 8 and not year.flag and year.low <= year.high  # all 8 documents stand behind it
    assert all(np.isnan(p.low) and p.flag for p in e.predicted)  # each group has 4


def test_paragraphs_of_one_document_are_not_independent():
    """Doubling each document's paragraphs (the same shares) leaves the interval as wide: the
    bootstrap resamples documents, not paragraphs."""
    rng = np.random.default_rng(5)
    data = simulate(12, rng, units_per_doc=4)
    twice = EffectsInput(
        np.concatenate([data.theta, data.theta]),
        data.units + data.units,
        np.concatenate([data.n_tokens, data.n_tokens]),
        data.meta_of,
    )
    cfg = EffectsConfig(formula="group", draws=1, resamples=300)
    w1 = [(x.high - x.low) for x in estimate_effects(data, cfg, seed=2).rows if x.kind == "contrast"][0]
    w2 = [(x.high - x.low) for x in estimate_effects(twice, cfg, seed=2).rows if x.kind == "contrast"][0]
    assert w2 == pytest.approx(w1, rel=0.25)


def test_coverage_small():
    """30 simulations, 10 documents per group: the 95% intervals cover the planted values at about
    their rate (a wide band: 30 draws of a 0.95 rate fall below 0.8 with probability < 1%)."""
    cov_contrast, cov_year = coverage(10, 30, resamples=150, draws=3)
    assert 0.8 <= cov_contrast <= 1.0 and 0.8 <= cov_year <= 1.0


@pytest.mark.slow
@pytest.mark.parametrize("m", [10, 20])
def test_coverage_nominal(m):
    """200 simulations: the 95% intervals of the contrast and of the trend cover the truth at 0.90-0.99
    from 10 documents per group (the min_documents default)."""
    cov_contrast, cov_year = coverage(m, 200)
    assert 0.90 <= cov_contrast <= 0.99, cov_contrast
    assert 0.90 <= cov_year <= 0.99, cov_year


# ------------------------------------------------------------------ a run
@pytest.mark.slow
def test_seeds_run_by_level_writes_effects(tmp_path, cache_dir):
    import topics

    from .conftest import EXPERIMENTS

    config = topics.load_experiment(
        EXPERIMENTS / "baseline.toml",
        ["effects.formula=\"level\"", "sweep.k=[]", "compare.engines=[]", "stability.seeds=1"],
    )
    run = topics.run(config, out_dir=tmp_path, cache_dir=cache_dir)
    d = run.run_dir
    with open(d / "effects.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["topic", "label", "term", "kind", "estimate", "low", "high", "documents", "flag"]
    assert {r["term"] for r in rows if r["kind"] == "contrast"} == {"level: city - county", "level: district - county"}
    assert all(r["low"] == "" and r["flag"] for r in rows)  # 1-2 documents per level: no interval anywhere
    assert (d / "effects_predicted.csv").exists() and (d / "tables" / "effects.tex").exists()
    assert "Trends by group" in (d / "details.html").read_text(encoding="utf-8")
    assert "Trend by group" in (d / "topics" / "topic-01.html").read_text(encoding="utf-8")
    assert "## Covariate effects" in (d / "methods.md").read_text(encoding="utf-8")
    assert repr(topics.load_run(d).fit.findings.effects) == repr(run.findings.effects)  # nan != nan


def test_group_panel_escapes_metadata_and_bands_only_enough_documents():
    from topics.render.effects import effects_panels

    d = simulate(6, np.random.default_rng(0))
    meta = {k: {"group": "<b>%{x}</b>" if v["group"] == "A" else "B"} for k, v in d.meta_of.items()}
    d = EffectsInput(d.theta, d.units, d.n_tokens, meta)
    e = estimate_effects(d, EffectsConfig(formula="group + year", draws=2, resamples=50, min_documents=7), seed=1)
    assert effects_panels(None, {}) == []
    ((key, title, fig, note),) = effects_panels(e, {1: "x&y", 2: "z"})
    js = fig.to_json()
    assert key == "effects" and title == "Trends by group" and "<b>" not in js and "&lt;b&gt;" in js
    assert not any(t.fill == "toself" for t in fig.data)  # 6 documents per group < 7: no band anywhere
    assert "fewer than 7 documents" in note


def test_predictions_say_which_years_have_documents():
    """With a time term the curve spans every year from the first to the last, each row saying whether
    its group has documents that year; without one, a group's share is given at its data years only."""
    d = simulate(4, np.random.default_rng(5))
    doc_years = {g: {u.year for u in d.units if d.meta_of[u.doc_id]["group"] == g} for g in ("A", "B")}
    timed = estimate_effects(d, EffectsConfig(formula="group + year", draws=2, resamples=20), seed=1)
    for g in ("A", "B"):
        rows = [p for p in timed.predicted if p.topic == 1 and p.group == g]
        first, last = min(u.year for u in d.units), max(u.year for u in d.units)
        assert [p.year for p in rows] == list(range(first, last + 1))
        assert {p.year for p in rows if p.has_data} == doc_years[g]
    flat = estimate_effects(d, EffectsConfig(formula="group", draws=2, resamples=20), seed=1)
    for g in ("A", "B"):
        rows = [p for p in flat.predicted if p.topic == 1 and p.group == g]
        assert [p.year for p in rows] == sorted(doc_years[g]) and all(p.has_data for p in rows)
        assert len({round(p.share, 12) for p in rows}) == 1  # no time term: the same share every year
