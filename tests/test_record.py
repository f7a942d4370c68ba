"""The run folder as a data product: the saved result reads back equal, `topics report` re-renders it
byte for byte or with new labels and merged topics (the fit id unchanged), `topics compare` matches
two runs, reports/index.html lists every run, and `topics.load_run` gives DataFrames and arrays."""

import csv
import json
import shutil

import numpy as np
import pytest

import topics
from topics.cli import main
from topics.errors import RunFolderError
from topics.record.folder import Run

from .conftest import EXPERIMENTS

FAST = (
    "--set",
    "sweep.k=[]",
    "--set",
    "compare.engines=[]",
    "--set",
    "stability.seeds=2",
    "--set",
    "uncertainty.resamples=100",
)


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small_run(tmp_path_factory, cache_dir):
    out = tmp_path_factory.mktemp("record")
    assert (
        main(
            ["run", str(EXPERIMENTS / "baseline.toml"), "--out", str(out), "--cache", str(cache_dir), "--quiet", *FAST]
        )
        == 0
    )
    return out / "baseline"


def test_saved_result_reads_back_equal(seeds_run):
    """Every array and field of the session's full run (sweep and comparisons included) survives."""
    fit = Run(seeds_run.run_dir).fit
    assert fit.config == seeds_run.config and fit.corpus == seeds_run.corpus
    assert fit.run_id == seeds_run.run_id
    assert np.array_equal(fit.model.doc_topic, seeds_run.model.doc_topic)
    assert np.array_equal(fit.findings.bands.reps, seeds_run.findings.bands.reps)
    assert fit.findings.sweep.rows == seeds_run.findings.sweep.rows
    assert fit.findings.evolution == seeds_run.findings.evolution
    assert fit.findings.formulations == seeds_run.findings.formulations
    assert fit.trends.by_year == seeds_run.trends.by_year
    assert fit.metrics == seeds_run.metrics and fit.preparation == seeds_run.preparation
    assert [c.engine for c in fit.findings.comparisons] == ["sklearn-lda", "nmf"]
    assert not any(p.suffix == ".pkl" for p in (seeds_run.run_dir / "result").rglob("*"))


@pytest.mark.slow  # a few seconds: kept out of the default run (under three minutes), run in CI
def test_report_with_unchanged_settings_reproduces_the_run_byte_for_byte(seeds_run, tmp_path):
    copy = tmp_path / "baseline"
    shutil.copytree(seeds_run.run_dir, copy)
    before = tree(copy)
    assert main(["report", str(copy)]) == 0
    after = tree(copy)
    assert sorted(after) == sorted(before)
    assert (
        any(name.startswith("figures/") for name in after)
        or "static figures" in json.loads(before["manifest.json"])["static_figures"]
    )
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [], changed  # dashboard, every table, figure, LaTeX file, methods.md, manifest


@pytest.mark.slow  # a few seconds: kept out of the default run (under three minutes), run in CI
def test_relabel_and_merge_keep_the_fit_id_and_record_the_curation(small_run, tmp_path, capsys):
    copy = tmp_path / "baseline"
    shutil.copytree(small_run, copy)
    before_trends = rows(copy / "trends.csv")
    before = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    assert (
        main(
            [
                "report",
                str(copy),
                "--set",
                'report.labels={"1" = "干部能力", "5" = "学习教育"}',
                "--set",
                "report.merge=[[2, 5]]",
                "--set",
                "report.curator=A. Researcher",
            ]
        )
        == 0
    )
    m = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    assert m["fit_id"] == before["fit_id"] == m["run_id"] and m["report_id"] != before["report_id"]
    assert {"action": "merge", "topics": [2, 5], "value": "2", "by": "A. Researcher"} in m["curation"]
    assert {"action": "label", "topics": [1], "value": "干部能力", "by": "A. Researcher"} in m["curation"]
    assert m["reported_utc"] and m["report_command"][:2] == ["topics", "report"]
    trends = rows(copy / "trends.csv")
    assert len(trends) == len(before_trends) // 8 * 7  # 8 topics became 7
    labels = {r["topic"]: r["label"] for r in rows(copy / "topics.csv")}
    assert (
        labels["1"] == "干部能力" and labels["2"] == "学习教育"
    )  # a merged topic takes the first label given to its parts
    old = {(r["year"], r["topic"]): float(r["prevalence"]) for r in before_trends}
    new = {(r["year"], r["topic"]): r for r in trends}
    for year in {r["year"] for r in trends}:
        assert float(new[year, "2"]["prevalence"]) == pytest.approx(old[year, "2"] + old[year, "5"], abs=2e-6)
        assert float(new[year, "4"]["prevalence"]) == pytest.approx(old[year, "4"], abs=2e-6)
        assert float(new[year, "5"]["prevalence"]) == pytest.approx(old[year, "6"], abs=2e-6)
        lo, hi = float(new[year, "2"]["ci_low"]), float(new[year, "2"]["ci_high"])
        assert lo <= float(new[year, "2"]["prevalence"]) <= hi
    # the bands of the merged topic are read from the saved replicates, summed
    fit = Run(copy).fit
    reps = fit.findings.bands.reps
    merged = reps[:, :, 1] + reps[:, :, 4]
    first = sorted({r["year"] for r in trends})[0]
    assert float(new[first, "2"]["ci_high"]) == pytest.approx(np.quantile(merged[:, 0], 0.975), abs=2e-6)
    # load_run's labels are the report's (merged, relabelled), made as the run made them
    shown = Run(copy)
    assert shown.labels == {int(t): lab for t, lab in labels.items()} and len(shown.topic_words.frex) == 7
    assert shown.topic_words.automatic == (3, 4, 5, 6, 7)
    # the saved fit is untouched: reporting again without the merge gives the original tables back
    assert main(["report", str(copy), "--set", "report.merge=[]", "--set", "report.labels={}"]) == 0
    assert (copy / "trends.csv").read_bytes() == (small_run / "trends.csv").read_bytes()


NEW_KEYS = ("frex_weight", "relevance_lambda", "label_words", "corpus_wide_share")


@pytest.mark.slow  # a few seconds: kept out of the default run (under three minutes), run in CI
def test_report_relabels_with_new_label_settings_without_refitting(small_run, tmp_path):
    copy = tmp_path / "baseline"
    shutil.copytree(small_run, copy)
    before = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    fit = Run(copy).fit
    assert Run(copy).labels == fit.labels  # as run: the same function, the same labels
    assert main(["report", str(copy), "--set", "report.frex_weight=1.0", "--set", "report.label_words=2"]) == 0
    m = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    assert m["fit_id"] == before["fit_id"] and m["report_id"] != before["report_id"]
    labels = {int(r["topic"]): r["label"] for r in rows(copy / "topics.csv")}
    assert Run(copy).labels == labels != fit.labels
    # FREX with all its weight on frequency ranks by probability: the top two words that are not corpus-wide
    wide = set(Run(copy).topic_words.corpus_wide)
    assert labels[1].split("·") == [w for w, _ in fit.model.top_terms(0, 50) if w not in wide][:2]
    assert len(set(labels.values())) == len(labels)
    assert not {w for label in labels.values() for w in label.split("·")} & wide
    assert json.loads((copy / "config.json").read_text(encoding="utf-8"))["report"]["frex_weight"] == 1.0


def test_a_run_folder_written_before_the_label_settings_still_loads(small_run, tmp_path):
    """A folder of the current format whose config.json and saved config lack the label settings
    loads, and its labels are made with the defaults."""
    old = tmp_path / "old"
    shutil.copytree(small_run, old)
    config = json.loads((old / "config.json").read_text(encoding="utf-8"))
    for key in NEW_KEYS:
        del config["report"][key]
    (old / "config.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    saved = (old / "result" / "result.json").read_text(encoding="utf-8")
    tree = json.loads(saved)

    def strip(node):
        if isinstance(node, dict):
            if node.get("__type__") == "ReportConfig":
                for key in NEW_KEYS:
                    del node["fields"][key]
            for v in node.values():
                strip(v)
        elif isinstance(node, list):
            for v in node:
                strip(v)

    strip(tree)
    (old / "result" / "result.json").write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    assert (old / "result" / "result.json").read_text(encoding="utf-8") != saved
    # and its topics.csv as the version before wrote it: five columns, labels of the top three words
    fit = Run(small_run).fit
    table = [["topic", "label", "rank", "term", "weight"]] + [
        [
            r["topic"],
            "·".join(w for w, _ in fit.model.top_terms(int(r["topic"]) - 1, 3)),
            r["rank"],
            r["term"],
            r["weight"],
        ]
        for r in rows(old / "topics.csv")
    ]
    with open(old / "topics.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(table)
    run = topics.load_run(old)
    assert run.labels == Run(small_run).labels == run.fit.labels  # FREX labels, as `topics report` would write
    assert run.labels != {int(r["topic"]): r["label"] for r in rows(old / "topics.csv")}
    assert list(run.topics.columns) == ["topic", "label", "rank", "term", "weight"]  # the table reads as it is
    assert run.fit.config.report.frex_weight == 0.5 and run.config.report.label_words == 3


def test_report_refuses_settings_that_need_a_new_fit(small_run, capsys):
    assert main(["report", str(small_run), "--set", "model.n_topics=5"]) == 2
    err = capsys.readouterr().err
    assert "only [report] and [export]" in err and "topics run" in err
    assert main(["report", str(small_run), "--set", "report.merge=[[2, 99]]"]) == 2
    assert "topic 99 does not exist" in capsys.readouterr().err
    assert main(["report", str(small_run.parent / "nothing-here")]) == 8


@pytest.mark.slow  # a few seconds: kept out of the default run (under three minutes), run in CI
def test_compare_matches_topics_of_two_runs(small_run, tmp_path, cache_dir, capsys):
    out = small_run.parent
    assert (
        main(
            [
                "run",
                str(EXPERIMENTS / "baseline.toml"),
                "--out",
                str(out),
                "--cache",
                str(cache_dir),
                "--quiet",
                *FAST,
                "--set",
                "experiment.name=k6",
                "--set",
                "model.n_topics=6",
            ]
        )
        == 0
    )
    assert main(["compare", str(small_run), str(out / "k6")]) == 0
    folder = out / "compare-baseline-k6"
    matches = rows(folder / "compare_runs.csv")
    assert len(matches) == 8  # every topic of A; B has fewer, so none is left over
    paired = [r for r in matches if r["topic_b"]]
    assert len(paired) == 6 and len({r["topic_b"] for r in paired}) == 6
    assert sum(r["matched"] == "true" for r in matches) >= 4
    assert all(0 < float(r["similarity"]) <= 1 for r in paired)
    diffs = {r["setting"]: (r["run_a"], r["run_b"]) for r in rows(folder / "config_diff.csv")}
    assert diffs["model.n_topics"] == ("8", "6") and "experiment.name" in diffs
    page = (folder / "compare.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "fig-compare" in page and 'src="http' not in page
    # the same run against itself: every topic matches itself
    assert main(["compare", str(small_run), str(small_run), "--out", str(tmp_path)]) == 0
    same = rows(tmp_path / "compare-baseline-baseline" / "compare_runs.csv")
    assert all(r["topic_a"] == r["topic_b"] and float(r["similarity"]) == pytest.approx(1) for r in same)


def test_index_lists_every_run(small_run):
    index = (small_run.parent / "index.html").read_text(encoding="utf-8")
    assert 'href="baseline/dashboard.html"' in index and "gensim-lda" in index and "c_v" in index


def test_load_run_gives_dataframes_and_arrays(small_run):
    run = topics.load_run(small_run)
    assert {"trends", "documents", "doc_topics", "topics", "formulations_by_year"} <= set(run.tables)
    trends = run.trends
    assert list(trends.columns[:4]) == ["year", "topic", "label", "prevalence"] and len(trends) == 5 * 8
    assert trends["year"].dtype.kind == "i" and trends["prevalence"].dtype.kind == "f"
    assert run.doc_topic.shape == (len(run.units), 8) and np.allclose(run.doc_topic.sum(axis=1), 1)
    assert run.topic_term.shape == (8, len(run.vocab)) and list(run.vocab) == sorted(run.vocab)
    assert not run.doc_topic.flags.writeable
    assert run.labels[1] == rows(small_run / "topics.csv")[0]["label"]
    with pytest.raises(RunFolderError, match="no sweep.csv"):
        run.table("sweep")


def test_load_run_refuses_what_is_not_a_run(tmp_path, small_run):
    with pytest.raises(RunFolderError, match="not a run folder"):
        topics.load_run(tmp_path)
    broken = tmp_path / "broken"
    shutil.copytree(small_run, broken)
    (broken / "result" / "result.json").write_text('{"format": 2, "result": {"__type__": "os.system"}}')
    with pytest.raises(RunFolderError, match="unknown record type"):
        Run(broken).fit


def test_write_csv_keeps_values_exact_unless_spreadsheet_safe(tmp_path):
    from topics.record.provenance import write_csv

    row = ["=HYPERLINK(\"x\")", "+1", "-gone", "@SUM", "\tTab", "\rcr", "plain", -0.5, 3]
    write_csv(tmp_path / "exact.csv", ["a", "b", "c", "d", "e", "f", "g", "h", "i"], [row])
    write_csv(tmp_path / "safe.csv", ["=h", "b", "c", "d", "e", "f", "g", "h", "i"], [row], spreadsheet_safe=True)
    with open(tmp_path / "exact.csv", encoding="utf-8", newline="") as f:
        exact = list(csv.reader(f))[1]
    with open(tmp_path / "safe.csv", encoding="utf-8", newline="") as f:
        header, safe = list(csv.reader(f))
    assert exact == ["=HYPERLINK(\"x\")", "+1", "-gone", "@SUM", "\tTab", "\rcr", "plain", "-0.500000", "3"]
    assert safe[:7] == ["'=HYPERLINK(\"x\")", "'+1", "'-gone", "'@SUM", "'\tTab", "'\rcr", "plain"]
    assert safe[7:] == ["-0.500000", "3"]  # numbers stay numbers
    assert header[0] == "'=h"


@pytest.mark.slow  # a second run of the small corpus
def test_spreadsheet_safe_prefixes_formula_labels_in_every_csv(small_run, tmp_path):
    copy = tmp_path / "baseline"
    shutil.copytree(small_run, copy)
    label = ["--set", 'report.labels={"1" = "=cmd|\' /C calc\'!A0"}']  # the default (exact) is tested above
    assert main(["report", str(copy), *label, "--set", "export.spreadsheet_safe=true"]) == 0
    for name in ("trends.csv", "topics.csv", "documents.csv"):
        got = {r["label"] for r in rows(copy / name) if r["topic"] == "1"}
        assert got == {"'=cmd|' /C calc'!A0"}, name
    before, after = rows(small_run / "trends.csv"), rows(copy / "trends.csv")
    assert [{k: v for k, v in r.items() if k != "label"} for r in after] == [
        {k: v for k, v in r.items() if k != "label"} for r in before
    ]  # every other cell unchanged: numbers are never prefixed
