"""methods.md reads as a paper's methods paragraph: every section says something (a section with
nothing to report says so in one sentence), no placeholder or broken Markdown is left, for the seeds,
a run without a sweep, a run with one year, and (slow, in test_gov_reports.py) the reports corpus."""

from __future__ import annotations

import re

import pytest

from topics.analysis.uncertainty import Contrast
from topics.cli import main
from topics.render import methods

from .conftest import EXPERIMENTS

SECTIONS = [
    "Corpus",
    "Preparation",
    "Model",
    "Uncertainty and stability",
    "Era contrasts",
    "Number of topics",
    "Other engines",
    "Dating",
    "Software and record",
]


def check_methods(text: str) -> dict[str, str]:
    """The sections of a methods.md, after checking that it reads as prose; {heading: body}."""
    assert text.startswith("# Methods: run "), text[:80]
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    sections = {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts), 2)}
    missing = [s for s in SECTIONS if s not in sections]
    assert not missing, f"sections missing: {missing}"
    for heading, body in sections.items():
        assert body, f"section {heading!r} is empty"
        assert len(body) >= 40, f"section {heading!r} says too little: {body!r}"
    for n, line in enumerate(text.splitlines(), 1):
        where = f"line {n}: {line[:120]!r}"
        assert line.count("`") % 2 == 0, f"unbalanced backticks, {where}"
        assert line.count("(") == line.count(")"), f"unbalanced parentheses, {where}"
        assert line.count("[") == line.count("]"), f"unbalanced brackets, {where}"
        for bad in ("None", "nan", "{", "}", "((", "))", " ,", " .", "..", "  ", "(s)", "year(s)", ": ;"):
            assert bad not in line.replace("...", "…"), f"{bad!r} in {where}"
        assert not re.search(r"\b(\w+) \1\b", line.replace("K = ", "")), f"a word repeated, {where}"
    return sections


FAST = [
    "--set", "model.passes=3", "--set", "model.n_init=1", "--set", "stability.seeds=1",
    "--set", "uncertainty.resamples=50", "--set", "compare.engines=[]",
]  # fmt: skip


def test_methods_of_the_seeds(seeds_run):
    text = (seeds_run.run_dir / "methods.md").read_text(encoding="utf-8")
    sections = check_methods(text)
    assert "latent Dirichlet allocation" in sections["Model"] and "gensim's LdaModel" in sections["Model"]
    assert "K was compared over 4, 6, 8, 10, 12" in sections["Number of topics"]
    assert "scikit-learn LDA and NMF" in sections["Other engines"]


@pytest.mark.slow  # a whole run of one speech (one year), and a second without a sweep
def test_methods_of_a_run_with_one_year_and_no_sweep(tmp_path, cache_dir):
    args = ["run", str(EXPERIMENTS / "baseline.toml"), "--out", str(tmp_path), "--cache", str(cache_dir), "--quiet"]
    one_year = ["--set", "corpus.years=[2020, 2020]", "--set", "model.n_topics=3", "--set", "sweep.k=[]"]
    one_year += ["--set", "effects.formula=\"\""]  # one document has one level: no covariate to estimate
    assert main([*args, *FAST, *one_year, "--set", "guards.small=warn"]) == 0
    sections = check_methods((tmp_path / "baseline" / "methods.md").read_text(encoding="utf-8"))
    assert "The corpus holds 1 document in 2020" in sections["Corpus"]
    assert (
        "With documents from one year only, no trend over time was estimated." in sections["Uncertainty and stability"]
    )
    assert "fewer than two of them hold documents" in sections["Era contrasts"]
    assert "no sweep over K was run" in sections["Number of topics"]
    assert sections["Other engines"] == "No other engine was fitted for comparison."
    assert "--set" in sections["Software and record"]
    record = sections["Software and record"]
    assert (
        "`topics run " in record
        and "baseline.toml --set model.passes=3" in record
        and "--set 'corpus.years=[2020, 2020]'" in record
    )
    assert record.endswith("--set guards.small=warn`.")


def test_era_contrasts_none_excluding_zero_say_so_in_one_sentence():
    crossing = [
        Contrast(1, "late", "early", (3, 4), (1, 2), 0.2, 0.19, 0.01, -0.02, 0.04),
        Contrast(2, "late", "early", (3, 4), (1, 2), 0.1, 0.11, -0.01, -0.05, 0.02),
    ]
    assert methods._contrasts_text(crossing, {1: "a", 2: "b"}, {"early": [1, 2], "late": [3, 4]}) == [
        "None of the 2 era contrasts (mean yearly share of the later era minus the earlier) has an interval that "
        "excludes zero; contrasts.csv lists them all."
    ]
    assert methods._contrasts_text([], {}, {}) == [
        "No eras were defined ([uncertainty] eras), so no era contrasts were estimated."
    ]


def test_the_reproduce_command_is_one_code_span_whatever_the_values_hold():
    m = {"config_file": "experiments/a b.toml", "overrides": ["report.labels={1 = \"x`y\"}", "model.n_topics=5"]}
    span = methods._code(methods._command(m))
    assert span.startswith("``") and span.endswith("``") and span.count("``") == 2
    assert "'experiments/a b.toml'" in span and "--set model.n_topics=5" in span
