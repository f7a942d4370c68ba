"""One run of the baseline writes every research output: intervals, stability, contrasts, theme
words, formulations, comparison, sweep, date audit, static figures, LaTeX, methods.md, citation."""

import csv
import functools
import os
import json
import struct

import pytest

from topics.cli import main
from topics.render.latex import escape
from topics.render.paper import find_font


def rows(run_dir, name):
    with open(run_dir / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_trends_carry_intervals_and_year_support(seeds_run):
    trends = rows(seeds_run.run_dir, "trends.csv")
    assert len(trends) == 5 * 8
    for r in trends:
        assert 0 <= float(r["ci_low"]) <= float(r["ci_high"]) <= 1
        assert float(r["seed_min"]) <= float(r["prevalence"]) <= float(r["seed_max"])
        assert r["single_document"] == "true" and r["n_docs"] == "1"
    smooth = rows(seeds_run.run_dir, "trend_smooth.csv")
    assert {int(r["year"]) for r in smooth} == set(range(2005, 2025))
    # the spline runs over every year of the range; only the years with documents are data
    assert {int(r["year"]) for r in smooth if r["has_data"] == "true"} == {2005, 2008, 2016, 2020, 2024}
    assert {r["has_data"] for r in smooth} == {"true", "false"}
    assert len(rows(seeds_run.run_dir, "trend_fits.csv")) == 8


def test_stability_contrasts_comparison_and_sweep(seeds_run):
    d = seeds_run.run_dir
    stab = rows(d, "stability.csv")
    assert len(stab) == 8 and all(0 < float(r["stability"]) <= 1 for r in stab)
    assert [k for k in stab[0] if k.startswith("similarity_seed_")] == [
        "similarity_seed_20248420",
        "similarity_seed_20256339",
    ]
    contrasts = rows(d, "contrasts.csv")
    assert {(r["later_era"], r["earlier_era"]) for r in contrasts} == {("2013-2024", "2005-2012")}
    assert all(r["earlier_years"] == "2005 2008" for r in contrasts)
    compare = rows(d, "compare.csv")
    assert {r["engine"] for r in compare} == {"sklearn-lda", "nmf"} and len(compare) == 16
    assert sorted(int(r["matched_topic"]) for r in compare if r["engine"] == "nmf") == list(range(1, 9))
    sweep = rows(d, "sweep.csv")
    assert [int(r["k"]) for r in sweep] == [4, 6, 8, 10, 12]
    verdict = seeds_run.findings.sweep.verdict
    assert [int(r["k"]) for r in sweep if r["chosen"] == "true"] == ([verdict.chosen] if verdict.chosen else [])
    assert [int(r["k"]) for r in sweep if r["within_noise"] == "true"] == list(verdict.within_noise)
    for r in sweep:  # every measure: the mean over seeds within the lowest and highest seed
        for m in ("c_v", "c_npmi", "u_mass", "diversity", "stability", "heldout"):
            assert float(r[f"{m}_min"]) <= float(r[m]) <= float(r[f"{m}_max"]), (r["k"], m)
    assert len(rows(d, "sweep_runs.csv")) == 5 * 3
    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sweep"]["verdict"] and manifest["stability"]["seeds"][0] == 20240501
    assert manifest["uncertainty"]["replicates_pooled"] == 3000


def test_theme_words_formulations_and_date_audit(seeds_run):
    d = seeds_run.run_dir
    words = rows(d, "theme_words.csv")
    assert {(int(r["topic"]), int(r["year"])) for r in words} == {
        (t, y) for t in range(1, 9) for y in (2005, 2008, 2016, 2020, 2024)
    }
    years = rows(d, "formulations_by_year.csv")
    by = {(r["term"], int(r["year"])): r for r in years}
    assert int(by[("两学一做", 2016)]["substring_count"]) > 0 and by[("两学一做", 2005)]["substring_count"] == "0"
    assert rows(d, "kwic.csv")
    audit = rows(d, "date_audit_summary.csv")
    assert [r["conflicts"] != "0" for r in audit] == [False, False, False, False, True]
    assert "004" in audit[-1]["file"] and audit[-1]["best_supported_years"] == "2020"


def test_methods_latex_and_citation(seeds_run, capsys):
    d = seeds_run.run_dir
    methods = (d / "methods.md").read_text(encoding="utf-8")
    for phrase in (
        seeds_run.run_id,
        "5 of 5 years rest on a single document",
        "K = 8",
        "1000 bootstrap",
        "117 units",
        "325 political formulations",
        "seed 20240501",
        "Automatic labels are each topic's 3 highest-FREX words",
        "weight 0.5 on frequency",
        "skipping corpus-wide words (among the 15 most probable words of more than 50% of topics: 干部",
        "## Number of topics",
        "A K is named only if it has the highest mean c_v",
        "fixed by the config ([model] n_topics)",
    ):
        assert phrase in methods, phrase
    for name in ("topics.tex", "trends.tex", "contrasts.tex", "sweep.tex", "trend_fits.tex"):
        tex = (d / "tables" / name).read_text(encoding="utf-8")
        assert r"\toprule" in tex and r"\bottomrule" in tex
    assert main(["cite", str(d)]) == 0
    out = capsys.readouterr().out
    assert "@misc{" in out and "@software{" in out and seeds_run.run_id in out
    assert main(["cite", str(d / "nope")]) == 8  # RunFolderError


def test_static_figures_are_written_at_300_dpi(seeds_run):
    family, _ = find_font()
    if family is None:
        pytest.skip("no CJK font installed; static figures are skipped with a warning")
    figures = seeds_run.run_dir / "figures"
    for stem in ("trend_bands", "trend_lines", "era_contrasts", "formulations", "sweep"):
        for ext in ("svg", "pdf", "png"):
            assert (figures / f"{stem}.{ext}").stat().st_size > 5000, (stem, ext)
    data = (figures / "trend_bands.png").read_bytes()
    i = data.index(b"pHYs")
    x, y, unit = struct.unpack(">IIB", data[i + 4 : i + 13])
    assert unit == 1 and round(x * 0.0254) == 300  # 300 dots per inch
    assert (figures / "trend_bands.pdf").read_bytes().startswith(b"%PDF")


def test_without_a_cjk_font_no_static_figure_is_written(tmp_path):
    from topics.config.schema import ExportConfig
    from topics.render.paper import write_static

    written, note = write_static(tmp_path / "figures", ExportConfig(font=str(tmp_path / "missing.ttf")), None)
    assert written == [] and "missing.ttf" in note and not (tmp_path / "figures").exists()


def test_latex_escapes_every_special_character():
    assert escape("50% of $x_1 & {a} #2 ~^\\") == (
        r"50\% of \$x\_1 \& \{a\} \#2 \textasciitilde{}"
        r"\textasciicircum{}\textbackslash{}"
    )


def test_package_citation_agrees_with_citation_cff():
    from topics import __version__
    from topics.record.cite import PACKAGE

    from .conftest import ROOT

    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert f"version: {__version__}" in cff and f'title: "{PACKAGE["title"]}"' in cff
    assert f'name: "{PACKAGE["author"]}"' in cff and f"license: {PACKAGE['license']}" in cff


STALE_CACHE = """
import matplotlib.font_manager as fm, matplotlib, pathlib
m = fm.fontManager
m.ttflist = [f for f in m.ttflist if "CJK" not in f.name and "CJK" not in f.fname]
fm.json_dump(m, pathlib.Path(matplotlib.get_cachedir()) / f"fontlist-v{fm.FontManager.__version__}.json")
"""
FIND = """
from topics.render.paper import find_font
import matplotlib.font_manager as fm
print(find_font()[0]); print(any("CJK" in f.name for f in fm.fontManager.ttflist))
"""


def test_a_font_installed_after_matplotlib_built_its_cache_is_found(tmp_path):
    """matplotlib's cached font list predates the CJK font: find_font rebuilds it once and rewrites it."""
    import subprocess
    import sys

    if "CJK" not in subprocess.run(["fc-list"], capture_output=True, text=True).stdout:
        pytest.skip("no CJK font installed")
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path)}
    run = functools.partial(subprocess.run, capture_output=True, text=True, env=env, timeout=120, check=True)
    run([sys.executable, "-c", STALE_CACHE])
    run(
        [
            sys.executable,
            "-c",
            "import matplotlib.font_manager as fm; import sys; sys.exit(any('CJK' in f.name for f in fm.fontManager.ttflist))",
        ]
    )  # the cache lacks it
    first = run([sys.executable, "-c", FIND]).stdout.splitlines()
    assert first[0] != "None" and first[1] == "True"  # found, after one rebuild
    cached = run(
        [
            sys.executable,
            "-c",
            "import matplotlib.font_manager as fm; print(any('CJK' in f.name for f in fm.fontManager.ttflist))",
        ]
    )
    assert cached.stdout.strip() == "True"  # the rewritten cache has it: the next process needs no rebuild
