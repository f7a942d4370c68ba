"""End to end: the CLI run in-process on the seeds writes every output; two runs give identical
tables (in two processes with different hash seeds: with FAST settings in the default run, the full
baseline as a slow test); errors are one message and an exit code, and leave no run folder behind."""

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest

from topics.cli import main

from .conftest import EXPERIMENTS, write_corpus

TABLES = (
    "topics.csv",
    "doc_topics.csv",
    "trends.csv",
    "documents.csv",
    "cleaning.csv",
    "stability.csv",
    "trend_fits.csv",
    "trend_smooth.csv",
    "contrasts.csv",
    "theme_words.csv",
    "theme_shifts.csv",
    "formulations_by_doc.csv",
    "formulations_by_year.csv",
    "kwic.csv",
    "compare.csv",
    "compare_trends.csv",
    "sweep.csv",
    "sweep_runs.csv",
    "date_audit.csv",
    "date_audit_summary.csv",
    "metrics.json",
    "config.json",
)
OUTPUTS = (
    *TABLES,
    "config.toml",
    "manifest.json",
    "dashboard.html",
    "details.html",
    "sweep.html",
    "topics/topic-01.html",
    "topics/topic-08.html",
    "methods.md",
    "tables/topics.tex",
    "tables/trends.tex",
    "tables/contrasts.tex",
    "tables/sweep.tex",
    "tables/trend_fits.tex",
)
FAST = (
    "--set",
    "sweep.k=[]",
    "--set",
    "compare.engines=[]",
    "--set",
    "stability.seeds=1",
    "--set",
    "uncertainty.resamples=100",
)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def run_cli(*args):
    return main(["run", str(EXPERIMENTS / "baseline.toml"), *args])


def cli_run_in_another_process(out, cache_dir, *args):
    """A CLI run of the baseline in another process with another hash seed (set order must not leak
    into outputs); returns its run folder."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "topics",
            "run",
            str(EXPERIMENTS / "baseline.toml"),
            "--out",
            str(out),
            "--cache",
            str(cache_dir),
            "--quiet",
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out / "baseline"


def assert_same_files(a, b):
    """Run folders a and b hold the same files, byte for byte (manifest.json, which records times,
    aside) and the same run id; returns the files' names and both manifests."""
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file() and p.name != "manifest.json")
    for name in files:  # every table, figure (SVG, PDF, PNG), LaTeX file, methods.md and the dashboard
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    mb = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    assert ma["run_id"] == mb["run_id"]
    return [p.as_posix() for p in files], ma, mb


@pytest.fixture(scope="module")
def two_runs(seeds_run, cache_dir, tmp_path_factory):
    """The session's library run of the baseline, and a full CLI run of it in another process with
    another hash seed and the cache the first one filled (slow: a second full run)."""
    return seeds_run.run_dir, cli_run_in_another_process(tmp_path_factory.mktemp("b"), cache_dir)


@pytest.fixture(scope="module")
def fast_cli_run(cache_dir, tmp_path_factory):
    """A CLI run of the baseline with FAST settings in another process with another hash seed
    (with the session's segmentation cache)."""
    return cli_run_in_another_process(tmp_path_factory.mktemp("fast"), cache_dir, *FAST)


def test_run_writes_every_output(seeds_run):
    run_dir = seeds_run.run_dir
    for name in OUTPUTS:
        assert (run_dir / name).is_file(), name
    assert not [
        p for p in run_dir.parent.iterdir() if p.name.startswith((".baseline~", ".baseline."))
    ]  # no staging, no lock left


@pytest.mark.slow
def test_two_runs_give_byte_identical_tables(two_runs):
    a, b = two_runs
    files, ma, mb = assert_same_files(a, b)
    assert len(files) >= len(OUTPUTS) - 1
    # the first run may find some units in the session's cache (an earlier test segmented them);
    # the second, with the cache the first one filled, segments nothing
    assert 0 <= ma["segment"]["cache_hits"] <= ma["segment"]["units"]
    assert mb["segment"]["cache_hits"] == mb["segment"]["units"]


def test_manifest_records_provenance(seeds_run):
    m = json.loads((seeds_run.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["seed"] == 20240501 and m["model"]["params"]["seed"] == 20240501
    assert m["corpus"]["documents"] == 5 and len(m["corpus"]["fingerprint"]) == 64
    assert {f["file"] for f in m["corpus"]["files"]} >= {"000_77a5f213a8567952.txt"}
    for dist in ("python", "topics", "jieba", "gensim", "scikit-learn", "numpy", "plotly", "stopwordsiso"):
        assert m["versions"][dist]
    assert len(m["segment"]["lexicon_sha256"]) == 64 and len(m["vocabulary"]["stopwords_sha256"]) == 64
    assert set(m["timings_seconds"]) >= {"load corpus", "segment", "fit model"}
    assert m["outputs"]["trends.csv"]
    assert any("single document" in w for w in m["warnings"])


def test_tables_agree_with_each_other(seeds_run):
    run_dir = seeds_run.run_dir
    trends = read_csv(run_dir / "trends.csv")
    assert sorted({int(r["year"]) for r in trends}) == [2005, 2008, 2016, 2020, 2024]
    for year in {r["year"] for r in trends}:
        shares = [float(r["prevalence"]) for r in trends if r["year"] == year]
        assert len(shares) == 8 and abs(sum(shares) - 1) < 1e-4
    assert all(r["single_document"] == "true" and r["n_docs"] == "1" for r in trends)
    units = read_csv(run_dir / "doc_topics.csv")
    cleaning = read_csv(run_dir / "cleaning.csv")
    assert len(units) == sum(int(r["units"]) for r in cleaning)
    assert {r["year"] for r in units} == {r["year"] for r in trends}
    topics = read_csv(run_dir / "topics.csv")
    assert len(topics) == 8 * 15 and topics[0]["rank"] == "1"
    ad = next(r for r in cleaning if r["file"].startswith("003"))
    assert ad["boilerplate_lines"] == "8" and "仅供学习" in ad["removed_lines"]


def test_dashboard_is_self_contained(seeds_run):
    """The overview and the page of every other chart and table each embed plotly.js once and
    nothing from the network; together they hold every chart, each once."""
    pages = {
        name: (seeds_run.run_dir / name).read_text(encoding="utf-8") for name in ("dashboard.html", "details.html")
    }
    for html in pages.values():
        assert html.count("plotly.js v") == 1  # plotly.js embedded once per page
        start = html.index("<script>")
        page = html[:start] + html[html.index("</script>", start) :]  # the page minus the plotly.js bundle
        assert "<script src" not in page and "http://" not in page and "https://" not in page
        assert "Content-Security-Policy" in html and "default-src 'none'" in html
    where = {
        "dashboard.html": ("fig-overview", "fig-area", "fig-lines", "fig-formulations"),
        "details.html": ("fig-heatmap", "fig-words", "fig-stability", "fig-evolution", "fig-contrasts", "fig-compare"),
    }
    for name, figs in where.items():
        for fig in figs:
            assert pages[name].count(f'id="{fig}"') == 1 and sum(p.count(f'id="{fig}"') for p in pages.values()) == 1
    # one document per year in the seeds: the per-document heatmap is folded into the per-year one
    assert 'id="fig-documents"' not in pages["details.html"] and "also the per-document view" in pages["details.html"]
    sweep = (seeds_run.run_dir / "sweep.html").read_text(encoding="utf-8")
    assert "<script" not in sweep and 'class="chart"' in sweep  # the sweep page draws SVG, no plotly.js
    topic = (seeds_run.run_dir / "topics" / "topic-01.html").read_text(encoding="utf-8")
    assert 'id="passages-data"' in topic and "组织工作" in topic


@pytest.mark.slow  # a few seconds: kept out of the default run (under three minutes), run in CI
def test_existing_run_needs_force_and_a_forced_rerun_is_byte_identical(fast_cli_run, tmp_path, capsys):
    """An existing run is replaced only with --force. Forced, the same FAST settings in this process
    (another hash seed, its own segmentation cache) rewrite every file as the other process wrote it:
    the default run's end-to-end determinism check (the full baseline's is a slow test)."""
    run_dir = tmp_path / "baseline"  # a copy of the CLI run; the library run stays as the other tests read it
    shutil.copytree(fast_cli_run, run_dir)
    before = (run_dir / "manifest.json").read_bytes()
    assert run_cli("--out", str(run_dir.parent), "--quiet") == 5
    assert "--force" in capsys.readouterr().err
    assert (run_dir / "manifest.json").read_bytes() == before
    assert run_cli("--out", str(run_dir.parent), "--quiet", "--force", *FAST) == 0
    assert json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["created_utc"]
    files, ma, _ = assert_same_files(run_dir, fast_cli_run)
    no_sweep_or_compare = {n for n in OUTPUTS if "sweep" not in n and "compare" not in n} - {"manifest.json"}
    assert no_sweep_or_compare <= set(files) and any(n.startswith("figures/") for n in files)
    assert ma["segment"]["cache_hits"] == 0  # segmented anew, the same tokens


def test_failed_run_leaves_nothing(tmp_path, capsys):
    assert run_cli("--out", str(tmp_path), "--set", "model.n_topics=500", "--quiet") == 4
    err = capsys.readouterr().err
    assert "cannot support 500 topics" in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".cache")] == []


def test_config_error_is_one_message(tmp_path, capsys):
    assert run_cli("--out", str(tmp_path), "--set", "model.engine=bertopic") == 2
    err = capsys.readouterr().err
    assert "model.engine" in err and "'gensim-lda'" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_check_prints_corpus_and_cleaning_summary(capsys):
    assert main(["check", str(EXPERIMENTS / "baseline.toml")]) == 0
    out = capsys.readouterr().out
    assert "5 documents" in out and "117 units" in out
    assert "removed: 仅供学习 禁止外传" in out and "boilerplate_lines" in out


@pytest.mark.slow  # a whole run of a hostile corpus (8 s)
def test_hostile_text_is_shown_as_text(tmp_path, seeds_copy):
    hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    text = ("加强基层党组织建设，推进干部队伍建设。" * 8 + hostile + "\n") * 3
    (seeds_copy / "999_hostile.txt").write_text(text, encoding="utf-8")
    with open(seeds_copy / "metadata.csv", "a", encoding="utf-8") as f:
        f.write(f'999_hostile.txt,2012,"{hostile.replace(chr(34), "")}",x,city,speech,x,x\n')
    label = '{"1" = "<b onmouseover=alert(2)>标签</b>"}'
    assert (
        run_cli(
            "--out",
            str(tmp_path),
            "--quiet",
            "--set",
            f"corpus.path={seeds_copy}",
            "--set",
            f"report.labels={label}",
            *FAST,
        )
        == 0
    )
    run = tmp_path / "baseline"
    for name in ("dashboard.html", "details.html", "topics/topic-01.html"):
        html = (run / name).read_text(encoding="utf-8")
        for raw in ("<script>alert('x')", "<img src=x", "<b onmouseover"):
            assert raw not in html
    details = (run / "details.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in details  # shown, escaped, in the documents table
    units = read_csv(tmp_path / "baseline" / "doc_topics.csv")
    assert any(hostile in u["text"] for u in units)  # tables keep values exactly
    assert read_csv(tmp_path / "baseline" / "trends.csv")[0]["label"] == "<b onmouseover=alert(2)>标签</b>"


def test_library_run_returns_result_objects(seeds_run):
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    from topics.config import build_experiment

    assert seeds_run.model.doc_topic.shape == (len(seeds_run.dtm.units), 8)
    resolved = json.loads((seeds_run.run_dir / "config.json").read_text(encoding="utf-8"))
    copied = tomllib.loads((seeds_run.run_dir / "config.toml").read_text(encoding="utf-8"))
    assert build_experiment(copied, base_dir=EXPERIMENTS).to_dict() == resolved
    assert seeds_run.trends.years == (2005, 2008, 2016, 2020, 2024)
    assert (seeds_run.run_dir / "dashboard.html").is_file()


@pytest.mark.slow  # a whole run on a copied corpus (7 s)
def test_own_corpus_by_changing_one_value(tmp_path):
    docs = {
        f"s{i}.txt": (
            2010 + i % 3,
            (
                "加强基层党组织建设，推进干部队伍建设，做好人才工作。\n" * 4
                + f"第{i}篇讲话强调脱贫攻坚和乡村振兴的任务。\n"
            )
            * 3,
        )
        for i in range(6)
    }
    folder = write_corpus(tmp_path / "mine", docs)
    assert (
        run_cli(
            "--out",
            str(tmp_path / "out"),
            "--quiet",
            "--set",
            f"corpus.path={folder}",
            "--set",
            "model.n_topics=2",
            "--set",
            "vectorize.min_df=1",
        )
        == 0
    )
    years = {r["year"] for r in read_csv(tmp_path / "out" / "baseline" / "trends.csv")}
    assert years == {"2010", "2011", "2012"}
