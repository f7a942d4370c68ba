"""The dashboard's structure, without a browser: the overview stays short (its charts and sections
counted), every chart is on exactly one page, every topic has its page, the topic pages' CSP allows
their one script by its hash, no page has an inline event handler, passage JSON cannot close its
element, the sentences say plainly when nothing excludes zero, and the sweep page ticks the swept K."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from types import SimpleNamespace

import numpy as np

from topics.render import readout, topic_view
from topics.render.dashboard import sweep_page

HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S)


def _without_plotly(html: str) -> str:
    """The page minus the plotly.js bundle (the first script element, which is plotly's own code)."""
    if "plotly.js v" not in html:
        return html
    start = html.index("<script>")
    return html[:start] + html[html.index("</script>", start) :]


def test_overview_is_short_and_every_chart_is_on_one_page(seeds_run):
    run = seeds_run.run_dir
    overview = (run / "dashboard.html").read_text(encoding="utf-8")
    details = (run / "details.html").read_text(encoding="utf-8")
    charts = re.findall(r'id="(fig-[a-z]+)"', overview)
    assert charts == ["fig-overview", "fig-lines", "fig-area", "fig-formulations"]  # the length proxy
    assert overview.count("<section") == 7 and overview.count("<table") == 1  # one compact table
    assert 'id="readout"' in overview and "What this run can and cannot say" in overview
    assert not set(charts) & set(re.findall(r'id="(fig-[a-z]+)"', details))  # no chart twice
    assert "Era contrasts in theme share" not in details  # drawn as a chart, not repeated as a table
    assert details.count("Linear trend of theme share on year") == 1
    assert "Representative passages" not in overview + details  # every passage is on its topic's page


def test_every_topic_has_its_page_linked_from_the_overview(seeds_run):
    run, k = seeds_run.run_dir, seeds_run.model.n_topics
    overview = (run / "dashboard.html").read_text(encoding="utf-8")
    pages = sorted((run / "topics").glob("topic-*.html"))
    assert [p.name for p in pages] == [topic_view.page_name(t) for t in range(1, k + 1)]
    for t in range(1, k + 1):
        assert f'href="topics/{topic_view.page_name(t)}"' in overview
    page = pages[0].read_text(encoding="utf-8")
    for key in ("words", "trend", "passages"):
        assert f'<section id="{key}">' in page
    assert "<th>Word (probability)</th>" in page and "<th>Word (FREX)</th>" in page
    assert '<svg class="chart"' in page and "plotly" not in page  # the trend as SVG, no plotly.js


def test_topic_pages_csp_hash_and_no_inline_handlers(seeds_run):
    run = seeds_run.run_dir
    for path in (run / "topics").glob("topic-*.html"):
        html = path.read_text(encoding="utf-8")
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
        scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
        assert len(scripts) == 1  # the one script that runs (the passages are a JSON data element)
        digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
        assert f"script-src 'sha256-{digest}'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
        assert "connect-src 'none'" in csp and "default-src 'none'" in csp
        assert "eval(" not in scripts[0] and "innerHTML" not in scripts[0]
    for name in ("dashboard.html", "details.html", "sweep.html", "topics/topic-01.html"):
        assert not HANDLER.search(_without_plotly((run / name).read_text(encoding="utf-8"))), name


def test_passage_json_cannot_close_its_element(seeds_run):
    hostile = {"text": "</script><script>alert(1)</script><!-- & \u2028", "title": "</SCRIPT >"}
    text = topic_view.json_for_script(hostile)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == hostile
    page = (seeds_run.run_dir / "topics" / "topic-02.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="passages-data">(.*?)</script>', page).group(1))
    share = seeds_run.model.doc_topic[:, 1]
    assert len(data["rows"]) == int((share >= topic_view.MIN_SHARE).sum())  # all its passages
    shares = [float(r["share"].rstrip("%")) for r in data["rows"]]
    assert shares == sorted(shares, reverse=True)  # ranked by share
    assert set(data["fields"]) == {"level", "genre", "place"} and all(r["year"] and r["title"] for r in data["rows"])


def _fake(contrast_bounds, slope_bounds, support):
    labels = {1: "甲", 2: "乙"}
    contrasts = [
        SimpleNamespace(
            topic=t,
            later="late",
            earlier="early",
            later_years=(2020,),
            earlier_years=(2010,),
            difference=(lo + hi) / 2,
            low=lo,
            high=hi,
        )
        for t, (lo, hi) in enumerate(contrast_bounds, start=1)
    ]
    linear = [SimpleNamespace(topic=t, low=lo, high=hi) for t, (lo, hi) in enumerate(slope_bounds, start=1)]
    findings = SimpleNamespace(
        contrasts=contrasts,
        fits=SimpleNamespace(linear=linear),
        bands=SimpleNamespace(level=0.95, low=np.zeros((2, 2)), high=np.full((2, 2), 0.2)),
        ensemble=SimpleNamespace(unstable=lambda: [2]),
    )
    return SimpleNamespace(
        findings=findings, labels=labels, trends=SimpleNamespace(support=support), model=SimpleNamespace(n_topics=2)
    )


def test_sentences_say_plainly_what_crosses_zero():
    text = " ".join(
        readout.sentences(_fake([(-0.1, 0.1), (-0.2, 0.05)], [(-0.1, 0.1), (-0.1, 0.2)], {2010: 1, 2020: 1}))
    )
    assert "Every era contrast (late vs early) crosses zero" in text
    assert "No linear trend excludes zero" in text
    assert "2 of 2 years rest on a single document (every year)" in text
    assert "The median 95% band is 20.0 percentage points wide" in text
    assert "T2 乙 does not recur across seeds" in text
    mixed = " ".join(
        readout.sentences(_fake([(0.01, 0.1), (-0.2, 0.05)], [(0.01, 0.1), (-0.1, 0.2)], {2010: 3, 2020: 2}))
    )
    assert "Era contrasts whose interval excludes zero: T1 甲 (late vs early" in mixed
    assert "The other 1 of 2 contrasts cross zero" in mixed and "rising T1 甲." in mixed
    assert "single document" not in mixed


def test_sweep_page_ticks_exactly_the_swept_k(seeds_run):
    sw = seeds_run.findings.sweep
    ks = [r.k for r in sw.rows]
    page = sweep_page("baseline", sw)
    panels = re.findall(r'<svg class="chart".*?</svg>', page, re.S)
    assert len(panels) == len(sw.measures())
    for svg in panels:
        ticks = re.findall(r'text-anchor="middle" fill="#333">([^<]+)</text>', svg)
        assert ticks == [str(k) for k in ks]
        assert svg.count("<path d=") >= 1  # seed spread drawn as bars
    assert "<script" not in page and len(page.encode()) < 100_000
    assert sw.verdict.sentence.split(":")[0] in page
