"""The pure builders of topics.render, checked on what they build (not on file sizes): plotly figures,
the CSV tables and their registry, LaTeX, the small HTML pages. Small hand-made inputs where values
can be checked by hand; the session's baseline run (``seeds_run``) where a whole run is at stake."""

import csv
import html
import re
from collections import namedtuple
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from topics.analysis.runs import ConfigDifference, RunComparison, TopicMatch
from topics.analysis.stability import Ensemble
from topics.analysis.sweep import SweepResult, SweepRow
from topics.analysis.uncertainty import Bands, Contrast, TrendFits
from topics.analysis import words
from topics.config import ReportConfig
from topics.data import CleanLog, DocTermMatrix, FittedModel, Trends, Unit, YearShare
from topics.record.provenance import fmt
from topics.render import figures, latex, pages, tables

YEARS = (2001, 2003, 2010)
SHARES = np.array(
    [
        [0.5, 0.3, 0.2],  # (years, topics): each year's shares sum to 1
        [0.2, 0.2, 0.6],
        [0.1, 0.6, 0.3],
    ]
)
DOCS = {2001: 1, 2003: 2, 2010: 3}  # documents behind each year
HOSTILE = "<b>x</b>"
LABELS = {1: "甲", 2: HOSTILE, 3: "丙"}
SPAN = (2000, 2012)


def name(t, labels=LABELS):
    """A topic's name as the figures must show it: markup escaped, shown as text."""
    return html.escape(f"T{t} {labels[t]}", quote=False)


def small_trends(reverse=False):
    rows = [
        YearShare(y, t + 1, float(SHARES[i, t]), DOCS[y], 10 * DOCS[y], 100 * (i + 1))
        for i, y in enumerate(YEARS)
        for t in range(3)
    ]
    return Trends(years=YEARS, by_year=tuple(rows[::-1] if reverse else rows), by_doc=(), matrix=SHARES)


def small_bands():
    return Bands(
        years=YEARS,
        point=SHARES,
        reps=np.stack([SHARES, SHARES]),
        low=SHARES * 0.5,
        high=SHARES * 1.5,
        seed_points=np.stack([SHARES, SHARES * 0.9, SHARES * 1.2]),
        level=0.9,
        resamples=2,
        seed=1,
        scheme="units",
        n_seeds=3,
    )


def small_model():
    """Three topics on four words; the top words of each are known by hand (ties by vocabulary)."""
    topic_term = np.array([[0.6, 0.3, 0.1, 0.0], [0.1, 0.1, 0.4, 0.4], [0.25, 0.25, 0.25, 0.25]])
    return FittedModel(
        engine="nmf", doc_topic=np.full((2, 3), 1 / 3), topic_term=topic_term, vocab=("a", "b", "c", "d")
    )


def small_words(top_words=3):
    """small_model's words three ways (analysis.words), with term counts 4 2 2 2 over two units."""
    units = tuple(Unit(f"u{i}", f"doc{i}", 2000 + i, i, "", "") for i in range(2))
    dtm = DocTermMatrix(
        counts=sp.csr_matrix(np.array([[3, 1, 1, 1], [1, 1, 1, 1]])), vocab=("a", "b", "c", "d"), units=units
    )
    return words.topic_words(small_model(), dtm, ReportConfig(top_words=top_words))


def small_ensemble():
    """Topic 2 recurs in no other seed (unstable); topic 3 in one of two (not unstable)."""
    m = small_model()
    return Ensemble(
        models=(m, m, m), seeds=(1, 2, 3), similarity=np.array([[0.9, 0.2, 0.8], [0.95, 0.1, 0.3]]), threshold=0.5
    )


def small_contrasts():
    return [
        Contrast(2, "late", "early", (2010,), (2001,), 0.6, 0.3, 0.3, 0.1, 0.45),
        Contrast(1, "mid", "early", (2003,), (2001,), 0.2, 0.5, -0.3, -0.35, -0.2),
        Contrast(1, "late", "early", (2010,), (2001,), 0.1, 0.5, -0.4, -0.5, -0.3),
    ]


def small_comparison(differences=(ConfigDifference("model.n_topics", "2", "3"),)):
    nan = np.nan
    return RunComparison(
        name_a="<i>a</i>",
        name_b="b",
        threshold=0.5,
        years=YEARS,
        similarity=np.zeros((2, 3)),
        matches=(TopicMatch(1, 2, 0.9, True), TopicMatch(2, 1, 0.4, False), TopicMatch(0, 3, 0.0, False)),
        trends_a=np.array([[0.6, 0.4], [nan, nan], [0.3, 0.7]]),
        trends_b=np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8], [nan, nan, nan]]),
        differences=differences,
    )


def strings(obj):
    """Every string in a figure's JSON (trace names, hover templates, titles, tick labels, ...)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from strings(v)
    elif isinstance(obj, np.ndarray) and obj.dtype.kind in "OU":
        yield from strings(obj.tolist())


def lines_of(fig):
    return [t for t in fig.data if t.mode == "lines+markers"]


# ------------------------------------------------------------------ figures


GAPPED = [2001, None, 2003, None, 2010]  # YEARS as a broken line: no document in 2002 or 2004-2009


def broken(values, gap=None):
    """values (one per year of YEARS) as the figures draw them: a gap between years apart."""
    a, b, c = list(values)
    return [a, gap, b, gap, c]


def test_year_runs_and_breaks_follow_the_data_years():
    assert figures.year_runs([2005, 2008, 2009, 2016]) == [[2005], [2008, 2009], [2016]]
    assert figures.year_runs([2001]) == [[2001]] and figures.year_runs([]) == []
    years = [2005, 2008, 2009, 2016]
    assert figures.with_breaks(years, years) == [2005, None, 2008, 2009, None, 2016]
    assert figures.with_breaks(years, "abcd", "-") == ["a", "-", "b", "c", "-", "d"]
    assert figures.with_breaks([2001, 2002, 2003], [1, 2, 3]) == [1, 2, 3]


def test_trend_bands_break_lines_at_years_without_documents_and_lone_years_as_error_bars():
    bands = small_bands()
    grid, fitted = np.array([2001.0, 2005.0, 2010.0]), np.array([0.25, 0.3, 0.55])
    fits = TrendFits(linear=(), spline={2: (grid, fitted, fitted - 0.1, fitted + 0.1)})
    fig = figures.trend_bands(bands, fits, LABELS, DOCS, SPAN)
    polygons = [t for t in fig.data if t.fill == "toself"]
    bars = [t for t in fig.data if t.error_y.array is not None]
    line = lines_of(fig)
    dotted = [t for t in fig.data if t.line.dash == "dot"]
    # every data year stands alone: no polygon, one trace of error bars per topic
    assert polygons == [] and len(bars) == 3 and len(line) == 3 and len(dotted) == 1 and len(fig.data) == 7
    for t in range(3):
        assert list(line[t].x) == GAPPED and line[t].connectgaps is False
        assert list(line[t].y) == broken(SHARES[:, t])
        assert line[t].name == name(t + 1)
        assert list(bars[t].x) == list(YEARS) and (bars[t].xaxis, bars[t].yaxis) == (line[t].xaxis, line[t].yaxis)
        assert np.allclose(np.add(bars[t].y, bars[t].error_y.array), bands.high[:, t])
        assert np.allclose(np.subtract(bars[t].y, bars[t].error_y.arrayminus), bands.low[:, t])
        # hover rows stay on their points, a gap row on each gap
        hover = [list(r) for r in line[t].customdata]
        expected = [[bands.low[i, t], bands.high[i, t], DOCS[y]] for i, y in enumerate(YEARS)]
        assert [h == [None] * 3 for h in hover] == [x is None for x in GAPPED]
        assert np.allclose([h for h, x in zip(hover, GAPPED) if x is not None], expected)
    assert len({t.xaxis for t in line}) == 3  # one panel per topic
    assert list(dotted[0].x) == list(grid) and dotted[0].xaxis == line[1].xaxis  # topic 2's spline only
    colours = [c for c, x in zip(line[0].marker.color, line[0].x) if x is not None]
    assert [c == "white" for c in colours] == [DOCS[y] == 1 for y in YEARS]  # open: one document
    assert [a.text for a in fig.layout.annotations] == [name(t) for t in (1, 2, 3)]
    assert list(fig.layout.xaxis.range) == [SPAN[0] - 0.5, SPAN[1] + 0.5]
    assert all(list(ax.tickvals) == list(YEARS) for ax in (fig.layout.xaxis, fig.layout.xaxis2, fig.layout.xaxis3))
    assert "90% intervals" in fig.layout.title.text


GAP_YEARS = (2005, 2008, 2009, 2016)


def gap_bands():
    point = np.array([[0.4, 0.6], [0.3, 0.7], [0.5, 0.5], [0.2, 0.8]])
    return replace(
        small_bands(),
        years=GAP_YEARS,
        point=point,
        reps=np.stack([point, point]),
        low=point - 0.1,
        high=point + 0.1,
        seed_points=np.stack([point, point]),
    )


def gap_trends():
    point = gap_bands().point
    rows = [YearShare(y, t + 1, float(point[i, t]), 1 + i, 10, 100) for i, y in enumerate(GAP_YEARS) for t in range(2)]
    return Trends(years=GAP_YEARS, by_year=tuple(rows), by_doc=(), matrix=point)


def test_figures_of_data_years_with_gaps_break_draw_bands_per_run_and_tick_the_data_years():
    bands, support = gap_bands(), {y: 2 for y in GAP_YEARS}
    fig = figures.trend_bands(bands, TrendFits((), {}), {1: "a", 2: "b"}, support, (2005, 2016))
    for t, line in enumerate(lines_of(fig)):
        assert list(line.x) == [2005, None, 2008, 2009, None, 2016]  # breaks 2005-2008 and 2009-2016
        assert list(line.y) == [bands.point[0, t], None, bands.point[1, t], bands.point[2, t], None, bands.point[3, t]]
    polygons = [t for t in fig.data if t.fill == "toself"]
    assert len(polygons) == 2  # one per topic: the run 2008-2009 only
    for t, poly in enumerate(polygons):
        assert list(poly.x) == [2008, 2009, 2009, 2008]
        assert np.allclose(poly.y, [bands.high[1, t], bands.high[2, t], bands.low[2, t], bands.low[1, t]])
    bars = [t for t in fig.data if t.error_y.array is not None]
    assert [list(b.x) for b in bars] == [[2005, 2016]] * 2  # the years standing alone
    for t, b in enumerate(bars):
        assert np.allclose(np.add(b.y, b.error_y.array), bands.high[[0, 3], t])
        assert np.allclose(np.subtract(b.y, b.error_y.arrayminus), bands.low[[0, 3], t])
    assert all(list(ax.tickvals) == list(GAP_YEARS) for ax in (fig.layout.xaxis, fig.layout.xaxis2))
    overview = figures.corpus_overview(gap_trends(), (2005, 2016))
    assert all(0 < t.width <= 0.8 for t in overview.data)
    assert list(overview.layout.xaxis.tickvals) == list(overview.layout.xaxis2.tickvals) == list(GAP_YEARS)
    area = figures.prevalence_area(gap_trends(), {1: "a", 2: "b"}, (2005, 2016))
    assert area.layout.barmode == "stack" and all(t.type == "bar" and t.width <= 0.8 for t in area.data)
    assert list(area.layout.xaxis.tickvals) == list(GAP_YEARS)


def test_formulation_and_engine_comparison_lines_break_at_years_without_documents():
    from topics.analysis.compare import Comparison
    from topics.analysis.formulations import Formulations

    by_year = tuple(("改革", "c", y, 1, i, i, 1000, 0.5 * i) for i, y in enumerate(GAP_YEARS))
    forms = Formulations(by_doc=(), by_year=by_year, kwic=(), chart=("改革",), n_terms=1)
    fig = figures.formulations(forms, (2005, 2016))
    (line,) = fig.data
    assert list(line.x) == [2005, None, 2008, 2009, None, 2016] and list(line.y) == [0, None, 0.5, 1.0, None, 1.5]
    assert [list(r) for r in line.customdata][1] == [None] * 3 and list(line.customdata[2]) == [1, 1, 1]
    assert list(fig.layout.xaxis.tickvals) == list(GAP_YEARS)
    other = Comparison("sklearn", None, np.array([0.9, 0.8]), np.array([2, 1]), gap_trends())
    fig = figures.comparison(gap_trends(), [other], {1: "a", 2: "b"}, (2005, 2016))
    assert all(list(t.x) == [2005, None, 2008, 2009, None, 2016] for t in fig.data)
    assert list(fig.layout.xaxis.tickvals) == list(GAP_YEARS)


def test_static_figures_tick_the_data_years_and_break_lines():
    from topics.render import paper

    bands = gap_bands()
    fig = paper.trend_bands(bands, TrendFits((), {}), {1: "a", 2: "b"}, {y: 2 for y in GAP_YEARS})
    ax = fig.axes[0]
    assert list(ax.get_xticks()) == list(GAP_YEARS)
    x, y = ax.lines[0].get_data()
    assert np.isnan(np.asarray(x, dtype=float)).sum() == 2 and np.isnan(np.asarray(y, dtype=float)).sum() == 2
    assert len(ax.collections) >= 3  # the 2008-2009 band, the stand-alone bars, the markers
    lines = paper.trend_lines(bands, {1: "a", 2: "b"})
    assert list(lines.axes[0].get_xticks()) == list(GAP_YEARS)


def test_trend_bands_of_the_baseline(seeds_run):
    f, k = seeds_run.findings, seeds_run.model.n_topics
    years = list(seeds_run.trends.years)
    fig = figures.trend_bands(f.bands, f.fits, seeds_run.labels, seeds_run.trends.support, (2005, 2024))
    runs = figures.year_runs(years)
    polygons = sum(len(r) > 1 for r in runs)
    alone = any(len(r) == 1 for r in runs)
    assert sum(t.fill == "toself" for t in fig.data) == k * polygons
    assert [t.name for t in lines_of(fig)] == [name(t, seeds_run.labels) for t in range(1, k + 1)]
    assert all(list(t.x) == figures.with_breaks(years, years) for t in lines_of(fig))
    assert len(fig.data) == k * (1 + polygons + alone) + len(f.fits.spline)
    assert list(fig.layout.xaxis.tickvals) == years


def test_prevalence_area_stacks_each_years_shares_to_one(seeds_run):
    trends = seeds_run.trends
    fig = figures.prevalence_area(trends, seeds_run.labels, (2005, 2024))
    assert len(fig.data) == seeds_run.model.n_topics and fig.layout.barmode == "stack"
    assert all(t.type == "bar" and list(t.x) == list(trends.years) for t in fig.data)
    assert np.allclose(np.sum([t.y for t in fig.data], axis=0), 1)
    for t, trace in enumerate(fig.data):
        assert np.allclose(trace.y, trends.matrix[:, t]) and trace.name == name(t + 1, seeds_run.labels)


def test_prevalence_area_hover_names_the_counts_behind_each_year():
    fig = figures.prevalence_area(small_trends(), LABELS, SPAN)
    hover = [list(row) for row in fig.data[0].customdata]
    assert hover == [[1, 10, 100, "  (one document)"], [2, 20, 200, ""], [3, 30, 300, ""]]
    assert "doc(s)" in fig.data[0].hovertemplate
    assert np.allclose(np.sum([t.y for t in fig.data], axis=0), 1)


def test_corpus_overview_counts_documents_and_tokens_per_year():
    fig = figures.corpus_overview(small_trends(reverse=True), SPAN)
    docs, tokens = fig.data
    assert list(docs.x) == list(tokens.x) == list(YEARS)
    assert list(docs.y) == [1, 2, 3] and list(tokens.y) == [100, 200, 300]
    assert [list(c) for c in docs.customdata] == [[10], [20], [30]]  # units, in the hover
    assert docs.yaxis != tokens.yaxis  # two panels
    assert docs.width == tokens.width == 0.8  # a bar never wider than its year


@pytest.mark.parametrize(
    "build",
    [
        lambda: figures.trend_bands(small_bands(), TrendFits((), {}), LABELS, DOCS, SPAN),
        lambda: figures.prevalence_area(small_trends(), LABELS, SPAN),
        lambda: figures.heatmap(small_trends(), LABELS),
        lambda: figures.top_words(small_words(), small_model().topic_term, ("a", "b", "c", "d"), LABELS),
        lambda: figures.stability(small_ensemble(), LABELS),
        lambda: figures.contrasts(small_contrasts(), LABELS),
        lambda: figures.run_comparison(small_comparison(), {1: "甲", 2: HOSTILE}, {1: "乙", 2: "丙", 3: "丁"}),
    ],
    ids=["trend_bands", "prevalence_area", "heatmap", "top_words", "stability", "contrasts", "run_comparison"],
)
def test_topic_names_are_escaped_and_shown_as_text(build):
    texts = list(strings(build().to_plotly_json()))
    assert not [s for s in texts if "<b>" in s or "<i>" in s]
    assert [s for s in texts if "T2 &lt;b&gt;x&lt;/b&gt;" in s or "A T2 &lt;b&gt;x&lt;/b&gt;" in s]


def test_top_words_show_probability_and_frex_words_side_by_side_with_corpus_wide_words_marked():
    tw, model = small_words(), small_model()
    fig = figures.top_words(tw, model.topic_term, model.vocab, LABELS)
    assert len(fig.data) == 2 * 3  # per topic: probability (left), FREX (right)
    for t in range(3):
        prob, frex = fig.data[2 * t], fig.data[2 * t + 1]
        assert prob.xaxis != frex.xaxis and prob.yaxis != frex.yaxis
        assert [y.rstrip("*") for y in prob.y][::-1] == [w.term for w in tw.probability[t]]  # best on top
        assert [y.rstrip("*") for y in frex.y][::-1] == [w.term for w in tw.frex[t]]
        # bars: the word's probability in the topic on both sides; the FREX score in the hover
        assert list(prob.x)[::-1] == [w.score for w in tw.probability[t]]
        assert list(frex.x)[::-1] == [model.topic_term[t, "abcd".index(w.term)] for w in tw.frex[t]]
        assert [c[0] for c in frex.customdata][::-1] == [w.score for w in tw.frex[t]]
        for bars in (prob, frex):  # corpus-wide (a, b, c): grey and marked; d in the topic's colour
            for y, c in zip(bars.y, bars.marker.color):
                wide = y.rstrip("*") in tw.corpus_wide
                assert y.endswith("*") == wide and (c == figures.WIDE_COLOR) == wide
                assert wide or c == figures.color(t + 1)
    assert "d" in fig.data[3].y  # T2's d is not corpus-wide
    titles = [a.text for a in fig.layout.annotations]
    assert titles[:2] == ["T1 甲: by probability", "by FREX"]


def test_stability_marks_the_topics_that_do_not_recur():
    ens = small_ensemble()
    fig = figures.stability(ens, LABELS)
    (bars,) = fig.data
    assert np.allclose(bars.x, [0.925, 0.15, 0.55]) and list(bars.y) == [name(t) for t in (1, 2, 3)]
    assert list(bars.marker.color) == [figures.color(1), "#d62728", figures.color(3)]
    assert [t.endswith("does not recur") for t in bars.text] == [False, True, False]
    assert list(bars.customdata) == [2, 0, 1]  # other seeds it recurs in
    assert [s.x0 for s in fig.layout.shapes] == [0.5]  # the threshold
    assert "of 2 other seeds" in bars.hovertemplate


def test_contrasts_have_one_panel_per_pair_of_eras_with_the_intervals():
    fig = figures.contrasts(small_contrasts(), LABELS)
    assert [a.text for a in fig.layout.annotations] == ["late minus early", "mid minus early"]
    late, mid = fig.data
    assert late.xaxis != mid.xaxis
    assert np.allclose(late.x, [0.3, -0.4]) and list(late.y) == [name(2), name(1)]
    assert np.allclose(late.error_x.array, [0.15, 0.1]) and np.allclose(late.error_x.arrayminus, [0.2, 0.1])
    assert (
        np.allclose(mid.x, [-0.3])
        and np.allclose(mid.error_x.array, [0.1])
        and np.allclose(mid.error_x.arrayminus, [0.05])
    )
    assert [s.x0 for s in fig.layout.shapes] == [0, 0]  # zero line in each panel


def test_sweep_has_a_panel_per_measure_with_seed_ranges_and_marks_the_chosen_k():
    from topics.analysis.sweep import RANGED, choose_k

    rows = tuple(
        SweepRow(
            k=k,
            c_v=0.3 + k / 100,
            c_npmi=-0.1 + k / 1000,
            u_mass=-k / 4,
            diversity=1 - k / 20,
            heldout=900 - 10 * k,
            stability=1 - k / 12,
            unstable_topics=k // 4,
            **{f"{m}_min": -k / 100 - 3 for m in RANGED},  # lower than every mean
            **{f"{m}_max": 1 + k / 100 for m in RANGED},
        )
        for k in (4, 6, 8)
    )
    rows = (  # K = 6 stands out; the seed ranges of K = 4 and 8 overlap
        rows[0]._replace(c_v_min=0.30, c_v_max=0.375),
        rows[1]._replace(c_v=0.9, c_v_min=0.88, c_v_max=0.92),
        rows[2]._replace(c_v_min=0.37, c_v_max=0.39),
    )
    sw = SweepResult(
        rows=rows,
        runs=(),
        verdict=choose_k(rows, "c_v", 0.0, 2),
        heldout_name="held-out perplexity",
        criterion="c_v",
        min_stability=0.0,
        n_train=90,
        n_heldout=10,
        seeds=(1, 2),
    )
    assert sw.verdict.chosen == 6
    fig = figures.sweep(sw)
    measures = sw.measures()
    assert len(fig.data) == len(measures) and [a.text for a in fig.layout.annotations] == [t for _, t in measures]
    for trace, (key, _) in zip(fig.data, measures):
        assert list(trace.x) == [r.k for r in sw.rows]
        mean = np.array([getattr(r, key) for r in sw.rows])
        assert np.allclose(trace.y, mean)
        low, high = (np.array([r.seed_range(key)[i] for r in sw.rows]) for i in (0, 1))
        assert np.allclose(mean + trace.error_y.array, high) and np.allclose(mean - trace.error_y.arrayminus, low)
    assert len({t.xaxis for t in fig.data}) == len(measures)
    assert [s.x0 for s in fig.layout.shapes] == [6] * len(measures)
    assert "K = 6" in fig.layout.title.text
    tie = replace(sw, verdict=choose_k(rows[:1] + rows[2:], "c_v", 0.0, 2))  # ranges overlap: no K named
    assert tie.verdict.chosen is None and tie.verdict.best == 8 and tie.verdict.parsimonious == 4
    assert sorted(s.x0 for s in figures.sweep(tie).layout.shapes) == [4] * len(measures) + [8] * len(measures)
    assert "no K stands out" in figures.sweep(tie).layout.title.text


def test_run_comparison_draws_matched_pairs_with_gaps_where_a_run_has_no_document():
    cmp = small_comparison()
    fig = figures.run_comparison(cmp, {1: "甲", 2: "乙"}, {1: "丙", 2: "丁", 3: "戊"})
    assert len(fig.data) == 4  # two pairs (B's topic 3 has no partner), A and B each
    assert all(list(t.x) == GAPPED for t in fig.data)
    a1, b2, a2, b1 = fig.data
    assert list(a1.y) == broken([0.6, None, 0.3]) and list(b2.y) == broken([0.5, 0.1, None])
    assert list(a2.y) == broken([0.4, None, 0.7]) and list(b1.y) == broken([0.2, 0.1, None])
    assert [t.line.dash for t in fig.data] == ["solid", "dash"] * 2
    assert [bool(t.showlegend) for t in fig.data] == [True, True, False, False]
    assert a1.name == "&lt;i&gt;a&lt;/i&gt;" and b2.name == "b"
    assert [a.text for a in fig.layout.annotations] == ["A T1 甲 ~ B T2 (0.90)", "A T2 乙 ~ B T1 (0.40)"]


# ------------------------------------------------------------------ tables


def test_topics_table_lists_each_topics_top_words_by_rank():
    tw = small_words()
    header, rows = tables.topics_table(tw, LABELS)
    assert header == [
        "topic",
        "label",
        "rank",
        "term",
        "weight",
        "frex_term",
        "frex",
        "relevance_term",
        "relevance",
        "corpus_wide",
    ]
    assert [(t, lab, r, w) for t, lab, r, w, *_ in rows] == [
        (1, "甲", 1, "a"),
        (1, "甲", 2, "b"),
        (1, "甲", 3, "c"),
        (2, HOSTILE, 1, "c"),
        (2, HOSTILE, 2, "d"),
        (2, HOSTILE, 3, "a"),  # tables keep labels exactly
        (3, "丙", 1, "a"),
        (3, "丙", 2, "b"),
        (3, "丙", 3, "c"),
    ]
    assert [r[4] for r in rows][:3] == [0.6, 0.3, 0.1]
    for t in range(3):  # beside each probability word, the word of the same rank by FREX and by relevance
        mine = [r for r in rows if r[0] == t + 1]
        assert [(r[5], r[6]) for r in mine] == [tuple(w) for w in tw.frex[t]]
        assert [(r[7], r[8]) for r in mine] == [tuple(w) for w in tw.relevance[t]]
    # a, b and c are in the top 3 of more than half the topics (T1 a b c, T2 c d a, T3 a b c)
    assert tw.corpus_wide == ("a", "b", "c")
    assert [r[9] for r in rows] == [True, True, True, True, False, True, True, True, True]


def test_topics_table_of_the_baseline(seeds_run):
    k, n = seeds_run.model.n_topics, seeds_run.config.report.top_words
    header, rows = tables.topics_table(seeds_run.topic_words, seeds_run.labels)
    assert len(rows) == k * n
    assert [(r[0], r[2]) for r in rows] == [(t, rank) for t in range(1, k + 1) for rank in range(1, n + 1)]
    for t in range(1, k + 1):
        weights = [r[4] for r in rows if r[0] == t]
        assert weights == sorted(weights, reverse=True)
        assert [r[3] for r in rows if r[0] == t] == [w for w, _ in seeds_run.model.top_terms(t - 1, n)]
        assert {r[1] for r in rows if r[0] == t} == {seeds_run.labels[t]}
        frex = [r[6] for r in rows if r[0] == t]
        assert frex == sorted(frex, reverse=True) and all(0 < x <= 1 for x in frex)
        relevance = [r[8] for r in rows if r[0] == t]
        assert relevance == sorted(relevance, reverse=True)
    wide = set(seeds_run.topic_words.corpus_wide)
    assert wide and all(r[9] == (r[3] in wide) for r in rows)
    with open(seeds_run.run_dir / "topics.csv", encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == header == list(tables.TOPICS_HEADER)


def test_trends_table_carries_the_interval_and_the_seed_range():
    bands = small_bands()
    header, rows = tables.trends_table(small_trends(reverse=True), LABELS, bands)
    assert [(r[0], r[1]) for r in rows] == [(y, t) for y in YEARS for t in (1, 2, 3)]  # sorted
    for r in rows:
        row = dict(zip(header, r))
        i, t = YEARS.index(row["year"]), row["topic"] - 1
        assert row["prevalence"] == SHARES[i, t] and row["label"] == LABELS[row["topic"]]
        assert (row["ci_low"], row["ci_high"]) == (bands.low[i, t], bands.high[i, t])
        assert (row["seed_min"], row["seed_max"]) == (SHARES[i, t] * 0.9, SHARES[i, t] * 1.2)
        assert row["n_docs"] == DOCS[row["year"]] and row["single_document"] is (DOCS[row["year"]] == 1)
    _, bare = tables.trends_table(small_trends(), LABELS)
    assert {r[4:8] for r in bare} == {("", "", "", "")}  # no bands: empty interval columns


def test_trends_table_of_the_baseline_holds_each_share_inside_its_interval(seeds_run):
    header, rows = tables.trends_table(seeds_run.trends, seeds_run.labels, seeds_run.findings.bands)
    assert len(rows) == len(seeds_run.trends.years) * seeds_run.model.n_topics
    for r in map(lambda r: dict(zip(header, r)), rows):
        assert r["ci_low"] <= r["prevalence"] <= r["ci_high"] and r["ci_low"] < r["ci_high"]
        assert r["seed_min"] <= r["prevalence"] <= r["seed_max"]
    for year in seeds_run.trends.years:
        assert sum(r[3] for r in rows if r[0] == year) == pytest.approx(1)


def test_cleaning_table_counts_per_document_in_year_and_file_order():
    Doc = namedtuple("Doc", "doc_id file year")
    documents = [Doc("b", "b.txt", 2010), Doc("a", "z.txt", 2001), Doc("c", "c.txt", 2001)]
    logs = (
        CleanLog("a", (("lines_raw", 5), ("boilerplate_lines", 2)), ("仅供学习", "禁止外传")),
        CleanLog("b", (("lines_raw", 3),)),
        CleanLog("c", ()),
    )
    header, rows = tables.cleaning_table(documents, logs, {"a": 4, "b": 2})
    assert header == ["doc_id", "file", "year", *tables.CLEANING_COUNTS, "units", "removed_lines"]
    assert [r[0] for r in rows] == ["c", "a", "b"]  # by year, then file (not doc id)
    c, a, b = (dict(zip(header, r)) for r in rows)
    assert (a["lines_raw"], a["boilerplate_lines"], a["chars_raw"], a["units"]) == (5, 2, 0, 4)
    assert a["removed_lines"] == "仅供学习 | 禁止外传" and b["removed_lines"] == ""
    assert (b["lines_raw"], b["units"], c["units"]) == (3, 2, 0)


def test_every_table_in_the_registry_is_written_by_a_run_as_built(seeds_run):
    built = tables.run_tables(seeds_run)  # the baseline has a sweep and comparisons: every table
    scored = ("validation",)  # written once `topics validate score` has scored a kit (test_validation.py)
    registered = sorted(f"{name}.csv" for name, t in tables.TABLES.items() if t.csv is not None and name not in scored)
    assert sorted(built) == registered == sorted(p.name for p in seeds_run.run_dir.glob("*.csv"))
    assert sorted(t.latex for n, t in tables.TABLES.items() if t.latex and n not in scored) == sorted(
        p.name for p in (seeds_run.run_dir / "tables").glob("*.tex")
    )
    for file, (header, rows) in built.items():
        with open(seeds_run.run_dir / file, encoding="utf-8", newline="") as f:
            written = list(csv.reader(f))
        assert written[0] == list(header), file
        assert written[1:] == [[fmt(v) for v in row] for row in rows], file
    assert len({tuple(header) for header, _ in built.values()}) == len(built)  # each table its own builder


def test_tables_of_a_run_without_sweep_or_comparisons_are_left_out(seeds_run):
    bare = replace(seeds_run, findings=replace(seeds_run.findings, sweep=None, comparisons=()))
    optional = {"sweep.csv", "sweep_runs.csv", "compare.csv", "compare_trends.csv"}
    assert set(tables.run_tables(bare)) == set(tables.run_tables(seeds_run)) - optional


# ------------------------------------------------------------------ LaTeX


def test_latex_escape_of_every_special_character():
    assert latex.escape("&%$#_{}~^\\") == (
        r"\&\%\$\#\_\{\}\textasciitilde{}\textasciicircum{}"
        r"\textbackslash{}"
    )
    assert latex.escape("组织工作 50%") == r"组织工作 50\%" and latex.escape(0.5) == "0.5"


def test_latex_table_escapes_header_cells_and_caption():
    tex = latex.table(["a_b", "T"], [("x&y", 1), ("50%", "{z}")], "Caption #1", "tab:x")
    lines = tex.splitlines()
    assert r"\caption{Caption \#1}" in lines and r"\label{tab:x}" in lines and r"\begin{tabular}{ll}" in lines
    assert lines[lines.index(r"\toprule") + 1 : lines.index(r"\bottomrule")] == [
        r"a\_b & T \\",
        r"\midrule",
        r"x\&y & 1 \\",
        r"50\% & \{z\} \\",
    ]
    assert lines[-3:] == [r"\bottomrule", r"\end{tabular}", r"\end{table}"] and tex.endswith("\n")
    assert r"\begin{tabular}{rl}" in latex.table(["a", "b"], [], "c", "tab:y", align="rl")


# ------------------------------------------------------------------ pages


def run_manifest(documents=5, engine="gensim-lda", k=8):
    return {
        "created_utc": "2024-05-01T00:00:00Z",
        "model": {"engine": engine, "params": {"n_topics": k}},
        "corpus": {"documents": documents, "years": [2005, 2008, 2024], "fingerprint": "abcdef0123456789"},
    }


def test_index_page_escapes_run_names_and_links_each_runs_dashboard():
    hostile = '<script>alert(1)</script>" onmouseover="x'
    metrics = {"coherence": {"u_mass": {"mean": -1.5}, "c_v": {"mean": 0.41234}}}
    sweep = {"kind": "sweep", "created_utc": "", "corpus": {"documents": 5}, "sweep": {"k": [4, 6, 8], "chosen_k": 6}}
    page = pages.index_page(
        [("base&line", run_manifest(), metrics), (hostile, run_manifest(engine="nmf"), None), ("k-sweep", sweep, None)]
    )
    assert "<script" not in page and '" onmouseover="' not in page
    escaped = html.escape(hostile, quote=True)
    assert re.findall(r'<a href="([^"]*)">', page) == [
        "base&amp;line/dashboard.html",
        f"{escaped}/dashboard.html",
        "k-sweep/sweep.html",
    ]
    assert f">{escaped}</a>" in page
    assert "5 documents, 2005–2024 (abcdef012345)" in page and "c_v 0.412" in page and "<td>nmf</td>" in page
    assert "4–8 (chooses 6)" in page
    assert "No runs yet." in pages.index_page([]) and "<a href" not in pages.index_page([])


def test_comparison_page_escapes_names_and_labels():
    bad = "<img src=x onerror=alert(1)>"
    page = pages.comparison_page(small_comparison(), {1: bad, 2: "乙"}, {1: "丙", 2: "丁", 3: "戊"})
    assert bad not in page and "<i>a</i>" not in page
    assert f"T1 {html.escape(bad)}" in page
    assert "1 of 2 topics of &lt;i&gt;a&lt;/i&gt; have a partner in b" in page
    assert 'id="fig-compare"' in page and "<td>model.n_topics</td><td>2</td><td>3</td>" in page
    assert "<td>–</td><td>T3 戊</td>" in page  # B's topic without a partner
    same = pages.comparison_page(small_comparison(differences=()), {1: "甲", 2: "乙"}, {1: "丙", 2: "丁", 3: "戊"})
    assert "Nothing: the same configuration." in same
    spoofed = pages.comparison_page(small_comparison(), {1: "\u202eevil", 2: "乙"}, {1: "丙", 2: "丁", 3: "戊"})
    assert "T1 <bdi>\u202eevil</bdi>" in spoofed  # a label's override cannot reverse the cells after it


def test_many_adjacent_data_years_are_labelled_sparsely_and_every_data_year_keeps_a_tick():
    """Government reports: a report in every year 1978-2025. Adjacent labels would overlap, so labels
    are thinned to a fixed spacing (first and last always); the other data years keep a minor tick,
    in the dashboard and in the static figures alike."""
    years = list(range(1978, 2026))
    labelled = figures.labelled_years(years, 8)
    assert labelled[0] == 1978 and labelled[-1] == 2025 and len(labelled) <= 8
    assert min(b - a for a, b in zip(labelled, labelled[1:])) >= 7  # ceil(47 / 7) years apart
    assert figures.labelled_years([2005, 2008, 2016, 2020, 2024], 8) == [2005, 2008, 2016, 2020, 2024]
    assert figures.labelled_years([2019, 2020, 2021], 2) == [2019, 2021]
    import plotly.graph_objects as go

    from topics.render import paper

    fig = figures.year_axis(go.Figure(), years)
    assert len(fig.layout.xaxis.tickvals) <= figures.YEAR_LABELS
    assert sorted([*fig.layout.xaxis.tickvals, *fig.layout.xaxis.minor.tickvals]) == years

    rng = np.random.default_rng(0)
    point = rng.dirichlet([1, 1], size=len(years))
    bands = Bands(tuple(years), point, point[None], point, point, point[None], 0.95, 0, 1, "units", 1)
    fig = paper.trend_bands(bands, TrendFits((), {}), {1: "a", 2: "b"}, {y: 1 for y in years})
    ax = fig.axes[0]
    major = [int(x) for x in ax.get_xticks()]
    assert len(major) <= paper.PANEL_YEAR_LABELS and major[0] == 1978 and major[-1] == 2025
    assert sorted(major + [int(x) for x in ax.get_xticks(minor=True)]) == years


def test_tables_carry_the_metadata_columns_and_theme_shifts_one_word_per_row(seeds_run):
    """documents.csv and doc_topics.csv are loaded without a join: title, place, level, genre ..."""

    def read(name):
        with open(seeds_run.run_dir / name, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    docs = read("documents.csv")
    meta = ["title", "place", "level", "genre", "speaker_role", "notes"]
    assert list(docs[0])[:9] == ["doc_id", "file", "year", *meta]
    first = [d for d in docs if d["file"] == "000_77a5f213a8567952.txt"][0]
    assert (first["title"], first["level"], first["genre"]) == ("组织工作会议上的讲话", "county", "speech")
    units = read("doc_topics.csv")
    assert list(units[0])[4:10] == meta and {u["level"] for u in units} == {"county", "district", "city"}
    shifts = read("theme_shifts.csv")
    assert list(shifts[0]) == ["topic", "label", "year", "change", "rank", "term"]
    assert all(" " not in s["term"] and s["change"] in ("entering", "leaving") for s in shifts)
    n_words = sum(len(s.entering) + len(s.leaving) for s in seeds_run.findings.evolution.shifts)
    assert len(shifts) == n_words > 0


def test_a_metadata_column_named_like_a_table_column_is_prefixed():
    from topics.results import DocumentRecord

    docs = [DocumentRecord("a", "a.txt", 2020, "", (("topic", "x"), ("level", "city")))]
    meta = tables.Meta.of(docs, tables.DOCUMENTS_COLUMNS)
    assert meta.columns == ("meta_topic", "level") and meta.values == {"a": ("x", "city")}


def test_bidi_controls_and_right_to_left_text_are_isolated_in_html_and_plotly():
    from topics.render import escape

    assert escape.html_text("干部队伍 <b>") == "干部队伍 &lt;b&gt;"  # no isolation needed: unchanged
    assert escape.html_text("\u202eevil") == "<bdi>\u202eevil</bdi>"
    assert escape.html_text("שלום & x") == "<bdi>שלום &amp; x</bdi>"
    assert escape.plotly("T1 工作") == "T1 工作"
    # isolated, and the two overrides left open inside closed before the isolate ends
    assert escape.plotly("\u202e\u202dx<") == "\u2068\u202e\u202dx&lt;\u202c\u202c\u2069"
    assert escape.terminal(escape.plotly("\u202ex")) == "\\u2068\\u202ex\\u202c\\u2069"
