"""The dashboard in a real browser: headless Chromium opens it from disk and reports what the page
does. Skipped only where no Chromium is installed (.ci/run installs Debian's chromium)."""

import csv
import json
import os
import re
from pathlib import Path

import pytest

from topics.cli import main

from .browser import find_chromium, open_page
from .conftest import EXPERIMENTS, ROOT

pytestmark = [
    pytest.mark.skipif(find_chromium() is None, reason="no Chromium on this machine"),
    pytest.mark.slow,  # a hostile whole run (14 s) and Chromium: in the slow run, which CI runs
]
ARTIFACTS = Path(os.environ.get("TOPICS_TEST_ARTIFACTS", ROOT / "tests" / "artifacts"))
MARK = "document.documentElement.setAttribute('data-pwned', '{}')"
HOSTILE = {
    "img": f'<img src=x onerror="{MARK.format("img")}">',
    "script": f"<script>{MARK.format('script')}</script>",
    "link": f'<a href="javascript:{MARK.format("link")}">点这里</a>',
    "quote": f"\"'><svg onload=\"{MARK.format('svg')}\">",
}
PROBES = {
    "figures": "document.querySelectorAll('.js-plotly-plot').length",
    "svgs": "document.querySelectorAll('.js-plotly-plot .main-svg').length",
    "chinese": "document.body.innerText.includes('组织工作')",
    "pwned": "document.documentElement.getAttribute('data-pwned')",
    "shown": "document.body.innerText",
    "anchors": "Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))",
    "scripts": "document.querySelectorAll('script').length",
}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    import shutil
    from .conftest import SEEDS

    tmp = tmp_path_factory.mktemp("browser")
    corpus = tmp / "seeds"
    shutil.copytree(SEEDS, corpus)
    payload = " ".join(HOSTILE.values())
    text = ("加强基层党组织建设，推进干部队伍建设。" * 6 + payload + "\n") * 3
    (corpus / "999_hostile.txt").write_text(text, encoding="utf-8")
    title = HOSTILE["img"].replace('"', "'")
    with open(corpus / "metadata.csv", "a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(["999_hostile.txt", 2012, title, "x", "city", "speech", "x", "x"])
    label = HOSTILE["quote"].replace('"', "'")
    args = [
        "run",
        str(EXPERIMENTS / "baseline.toml"),
        "--out",
        str(tmp / "out"),
        "--quiet",
        "--set",
        f"corpus.path={corpus}",
        "--set",
        "sweep.k=[4,6]",
        "--set",
        "stability.seeds=2",
        "--set",
        "uncertainty.resamples=100",
        "--set",
        "compare.engines=[\"nmf\"]",
        "--set",
        f'report.labels={{"1" = "{label}", "2" = "{HOSTILE["script"].replace(chr(34), "")}"}}',
        "--set",
        f'uncertainty.eras={{"{title}" = [2005, 2012], "later" = [2013, 2024]}}',
        "--set",
        f'formulations.chart=["组织工作", "{HOSTILE["link"].replace(chr(34), "")}"]',
    ]
    assert main(args) == 0
    return tmp / "out" / "baseline"


def _no_network(page) -> list:
    return [u for u in page.requests if not u.startswith(("file:", "data:", "blob:", "about:"))]


@pytest.mark.parametrize("name", ["dashboard.html", "details.html"])
def test_dashboard_in_headless_chromium(hostile_run, name):
    html_file = hostile_run / name
    n_figures = len(re.findall(r'id="fig-[a-z]+"', html_file.read_text(encoding="utf-8")))
    page = open_page(
        html_file.as_uri(),
        PROBES,
        ready=f"document.readyState === 'complete' && "
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n_figures}",
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name.replace(".html", ".png")).write_bytes(page.screenshot)
    assert page.errors == []  # no console errors, no CSP reports
    assert page.values["figures"] == n_figures >= 4  # every chart rendered
    assert page.values["svgs"] >= n_figures
    assert page.values["chinese"] is True
    assert page.values["pwned"] is None  # no hostile string ran
    assert page.values["scripts"] == 1 + n_figures  # plotly.js and one per figure
    assert not [a for a in page.values["anchors"] if a and a.lower().startswith("javascript")]
    assert _no_network(page) == []  # no network request attempted
    shown = page.values["shown"]
    if name == "details.html":
        assert "<img src=x onerror=" in shown and "<script>" in shown  # the payloads are shown as text
    assert len(page.screenshot) > 50_000


def _hostile_topic(run):
    """The page of a topic whose passages hold the hostile unit (its first page, in topic order)."""
    for path in sorted((run / "topics").glob("topic-*.html")):
        if "onerror" in path.read_text(encoding="utf-8"):
            return path
    raise AssertionError("no topic page holds the hostile passage")


ITEMS = "document.querySelectorAll('#passage-list li').length"
TOPIC_PROBES = {**{k: PROBES[k] for k in ("pwned", "shown", "anchors")}, "items": ITEMS}


def test_topic_page_search_and_filters(hostile_run):
    from .browser import Page

    path = _hostile_topic(hostile_run)
    data = json.loads(re.search(r'id="passages-data">(.*?)</script>', path.read_text(encoding="utf-8")).group(1))
    rows = data["rows"]
    with Page(1300, 1400) as page:
        page.open(path.as_uri(), ready=f"document.readyState === 'complete' && {ITEMS} > 0")
        assert page.evaluate(ITEMS) == len(rows)  # the script ran under the CSP: every passage listed
        # typing in the search box narrows the passages to those holding the words
        query = "基层党组织"
        page.click("#passage-search")
        page.send("Input.insertText", {"text": query})
        expected = sum(query in r["text"] or query in r["title"] for r in rows)
        assert page.wait(f"{ITEMS} === {expected}", 10), page.evaluate(ITEMS)
        assert 0 < expected < len(rows)
        assert page.evaluate(
            "Array.from(document.querySelectorAll('#passage-list .passage')).every(e => e.textContent.includes("
            + json.dumps(query)
            + "))"
        )
        # clearing it and choosing a year keeps exactly that year's passages
        page.evaluate(
            "(() => { const s = document.getElementById('passage-search'); s.value = ''; "
            "s.dispatchEvent(new Event('input')); })()"
        )
        year = "2012"
        page.evaluate(
            "(() => { const s = document.querySelector('select[data-field=year]'); s.value = '2012'; "
            "s.dispatchEvent(new Event('change')); })()"
        )
        wanted = sorted(r["unit"] for r in rows if r["year"] == year)
        assert page.wait(f"{ITEMS} === {len(wanted)}", 10)
        shown = page.evaluate(
            "Array.from(document.querySelectorAll('#passage-list li')).map(e => e.getAttribute('data-unit')).sort()"
        )
        assert shown == wanted and wanted  # the hostile 2012 document's units, and no others
        text = page.evaluate("document.body.innerText")
        assert "<img src=x onerror=" in text  # shown as text
        assert page.evaluate(PROBES["pwned"]) is None  # no hostile string ran
        page.pipe.pump(0.5)
        report = page.report()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "topic.png").write_bytes(page.screenshot())
    assert report.errors == []  # no console errors, no CSP violation report
    assert _no_network(report) == []


def test_topic_page_csp_blocks_a_changed_script(hostile_run, tmp_path):
    """The CSP allows the page's own script by its hash only: one character changed and it is refused."""
    path = _hostile_topic(hostile_run)
    html = path.read_text(encoding="utf-8").replace('"use strict";', '"use strict"; ', 1)
    changed = tmp_path / "changed.html"
    changed.write_text(html, encoding="utf-8")
    page = open_page(changed.as_uri(), {"items": ITEMS})
    assert page.values["items"] == 0
    assert any("Content Security Policy" in e for e in page.errors)


def test_sweep_page_in_headless_chromium(hostile_run):
    page = open_page((hostile_run / "sweep.html").as_uri(), {"charts": "document.querySelectorAll('svg.chart').length"})
    assert page.values["charts"] >= 5 and page.errors == [] and _no_network(page) == []


def test_hostile_values_are_kept_exactly_in_tables(hostile_run):
    with open(hostile_run / "trends.csv", encoding="utf-8", newline="") as f:
        labels = {r["topic"]: r["label"] for r in csv.DictReader(f)}
    assert labels["1"] == HOSTILE["quote"].replace('"', "'")
    with open(hostile_run / "doc_topics.csv", encoding="utf-8", newline="") as f:
        assert any(HOSTILE["img"] in r["text"] for r in csv.DictReader(f))
    tex = (hostile_run / "tables" / "topics.tex").read_text(encoding="utf-8")
    assert "<svg onload=" in tex  # LaTeX escapes only its own specials


RLO = "\u202e"
# the x position of the package's own word "unit" after each passage's title: in its logical order on
# screen (u left of t), unless a U+202E in the title reversed the line after it
UNIT_ORDER = r"""
(() => {
  const out = [];
  for (const meta of document.querySelectorAll('.meta')) {
    if (!meta.textContent.includes('\u202e')) continue;
    const walker = document.createTreeWalker(meta, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = n.data.indexOf('unit');
      if (i < 0 || (n.parentElement && n.parentElement.closest('bdi'))) continue;
      const x = k => { const r = document.createRange(); r.setStart(n, i + k); r.setEnd(n, i + k + 1);
                       return r.getBoundingClientRect().left; };
      out.push(x(0) < x(3));
    }
  }
  return out;
})()
"""


@pytest.mark.slow
def test_a_right_to_left_override_in_a_title_reverses_only_the_title(tmp_path):
    import shutil

    from .conftest import SEEDS

    corpus = tmp_path / "seeds"
    shutil.copytree(SEEDS, corpus)
    rows = (corpus / "metadata.csv").read_text(encoding="utf-8").splitlines()
    with open(corpus / "metadata.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for i, row in enumerate(csv.reader(rows)):
            if i > 0:
                row[2] = RLO + "evil title " + row[2]
            w.writerow(row)
    args = ["run", str(EXPERIMENTS / "baseline.toml"), "--out", str(tmp_path / "out"), "--quiet"]
    args += ["--set", f"corpus.path={corpus}", "--set", "sweep.k=[]", "--set", "compare.engines=[]"]
    args += ["--set", "stability.seeds=1", "--set", "uncertainty.resamples=50", "--set", "export.static=false"]
    args += ["--set", f'report.labels={{"1" = "{RLO}label one"}}']
    assert main(args) == 0
    run_dir = tmp_path / "out" / "baseline"
    html = (run_dir / "dashboard.html").read_text(encoding="utf-8")
    assert f"<bdi>{RLO}label one</bdi>" in html  # the overview's table of topics
    assert "\\u2068T1 \\u202elabel one\\u202c\\u2069" in html  # plotly's JSON: isolated, the override closed
    # a topic's page lists its passages, each with its document's title (in <bdi>, by the page's script)
    # followed by the package's own text "· unit <id>"
    html_file = run_dir / "topics" / "topic-01.html"
    page = open_page(html_file.as_uri(), {"order": UNIT_ORDER})
    assert page.errors == []
    order = page.values["order"]
    assert order and all(order), order  # every "unit" after an overridden title reads left to right
