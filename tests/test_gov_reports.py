"""The package on real data beyond the seeds: the government work reports in ../shared (skipped when
../shared is absent, as in a user's fresh clone)."""

import csv
import json
import re

import pytest

from topics.cli import main
from topics.config import load_experiment
from topics.pipeline import check

from .conftest import EXPERIMENTS, GOV_REPORTS

pytestmark = pytest.mark.skipif(not GOV_REPORTS.is_dir(), reason="../shared/corpora/gov_work_reports is absent")


def test_every_report_loads_and_cleans():
    config = load_experiment(EXPERIMENTS / "baseline.toml", [f"corpus.path={GOV_REPORTS}", "corpus.years=[]"])
    result = check(config)
    assert len(result.corpus.documents) == 57
    assert {d.year for d in result.corpus.documents} >= set(range(1978, 2026))
    assert len(result.units) > 5000
    assert all(u.text for u in result.units)


@pytest.mark.slow  # a whole run on the 20 reports of 2005-2024
def test_run_gives_a_point_for_every_year_2005_2024(tmp_path, cache_dir):
    args = [
        "run",
        str(EXPERIMENTS / "baseline.toml"),
        "--out",
        str(tmp_path),
        "--cache",
        str(cache_dir),
        "--quiet",
        "--set",
        f"corpus.path={GOV_REPORTS}",
        "--set",
        "model.passes=3",
        "--set",
        "model.n_init=1",
        "--set",
        "sweep.k=[]",
        "--set",
        "compare.engines=[]",
        "--set",
        "stability.seeds=1",
        "--set",
        "uncertainty.resamples=200",
        "--set",
        'effects.formula="spline(year, df=4)"',
        "--set",
        "effects.resamples=200",
    ]
    assert main(args) == 0
    run_dir = tmp_path / "baseline"
    with open(run_dir / "trends.csv", encoding="utf-8", newline="") as f:
        years = sorted({int(r["year"]) for r in csv.DictReader(f)})
    assert years == list(range(2005, 2025))
    with open(run_dir / "effects_predicted.csv", encoding="utf-8", newline="") as f:
        predicted = list(csv.DictReader(f))
    assert sorted({int(r["year"]) for r in predicted}) == years and {r["group"] for r in predicted} == {"all"}
    assert all(r["low"] and not r["flag"] for r in predicted)  # 20 reports behind every estimate
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["corpus"]["excluded"]) == 57 - 20
    html = (run_dir / "dashboard.html").read_text(encoding="utf-8")
    lines = html[html.index('id="fig-lines"') :]
    xs = [m.split(",") for m in re.findall(r'"x":\[([0-9,]+)\]', lines[: lines.index("</section>")])]
    assert [str(y) for y in range(2005, 2025)] in xs  # a point for every year, in order
    from .test_methods import check_methods  # methods.md of the reports reads as a methods paragraph

    sections = check_methods((run_dir / "methods.md").read_text(encoding="utf-8"))
    assert "The corpus holds 20 documents from 2005 to 2024" in sections["Corpus"]
    assert "The smooth trend is a cubic smoothing spline" in sections["Uncertainty and stability"]
    # the saved result loads again: every record it holds (the date audit's second opinion, which
    # only a corpus of 10 or more documents gets, the effects) is a type the store knows
    import topics

    loaded = topics.load_run(run_dir)
    assert any(a.second is not None for a in loaded.fit.findings.audit)
    assert loaded.fit.findings.effects is not None and loaded.fit.findings.effects.timed
