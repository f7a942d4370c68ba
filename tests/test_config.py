"""Experiment files: every file in experiments/ loads; mistakes are named with the valid choices."""

import sys

import pytest

from topics.config import build_experiment, load_experiment
from topics.errors import ConfigError

from .conftest import ROOT, EXPERIMENTS, SEEDS

MINIMAL = {"experiment": {"name": "t", "seed": 1}, "corpus": {"path": str(SEEDS)}}


def build(raw, overrides=()):
    return build_experiment(raw, base_dir=EXPERIMENTS, overrides=overrides)


def problems_of(raw, overrides=()):
    with pytest.raises(ConfigError) as info:
        build(raw, overrides)
    return info.value.problems


@pytest.mark.parametrize("path", sorted(EXPERIMENTS.glob("*.toml")), ids=lambda p: p.name)
def test_every_experiment_file_loads(path):
    config = load_experiment(path)
    assert config.name == path.stem
    root = config.corpus.root
    if ROOT not in root.parents and not root.is_dir():  # a corpus beside the project, e.g. ../shared
        pytest.skip(f"{path.name}: its corpus {root} lies outside the project and is absent here")
    assert root.is_dir(), f"{path.name}: corpus folder {root} missing"


def test_required_experiments_exist():
    engines = {load_experiment(p).model.engine for p in EXPERIMENTS.glob("*.toml")}
    assert {"gensim-lda", "sklearn-lda", "nmf"} <= engines


def test_defaults_filled_and_recorded():
    config = build(MINIMAL)
    d = config.to_dict()
    assert d["model"] == {
        "alpha": "symmetric",
        "engine": "gensim-lda",
        "eta": "symmetric",
        "iterations": 400,
        "n_init": 4,
        "n_topics": 8,
        "passes": 20,
    }
    assert d["units"]["kind"] == "paragraph" and d["segment"]["engine"] == "jieba"
    assert all(list(sec) == sorted(sec) for sec in d.values())


def test_unknown_key_names_key_and_lists_valid_ones():
    (p,) = problems_of({**MINIMAL, "units": {"min_char": 5}})
    assert "units.min_char" in p and "min_chars" in p and "max_chars" in p


def test_unknown_section_lists_sections():
    (p,) = problems_of({**MINIMAL, "modle": {}})
    assert "[modle]" in p and "model" in p


def test_unknown_engine_lists_engines():
    (p,) = problems_of({**MINIMAL, "model": {"engine": "bertopic"}})
    assert "'bertopic'" in p
    for name in ("gensim-lda", "sklearn-lda", "nmf"):
        assert name in p


def test_engine_specific_keys_are_checked_against_the_engine():
    (p,) = problems_of({**MINIMAL, "model": {"engine": "nmf", "passes": 3}})
    assert "model.passes" in p and "'nmf'" in p and "max_iter" in p


def test_wrong_types_are_named():
    probs = problems_of(
        {
            **MINIMAL,
            "model": {"n_topics": "8"},
            "units": {"min_chars": 2.5},
            "segment": {"hmm": "no"},
            "vectorize": {"max_df": 1.5},
        }
    )
    text = "\n".join(probs)
    assert len(probs) == 4
    for key in ("model.n_topics", "units.min_chars", "segment.hmm", "vectorize.max_df"):
        assert key in text


def test_label_settings_are_checked_and_recorded():
    probs = problems_of(
        {
            **MINIMAL,
            "report": {"frex_weight": 1.5, "relevance_lambda": "0.6", "label_words": 0, "corpus_wide_share": -0.1},
        }
    )
    assert probs == [
        "report.frex_weight: expected a number from 0.0 to 1.0, got 1.5",
        "report.relevance_lambda: expected a number from 0.0 to 1.0, got '0.6'",
        "report.label_words: expected a whole number from 1 to 10, got 0",
        "report.corpus_wide_share: expected a number from 0.0 to 1.0, got -0.1",
    ]
    report = build_experiment(MINIMAL, base_dir=ROOT).to_dict()["report"]
    assert (report["frex_weight"], report["relevance_lambda"], report["label_words"]) == (0.5, 0.6, 3)
    assert report["corpus_wide_share"] == 0.5


def test_all_problems_reported_at_once():
    probs = problems_of({"experiment": {"name": "bad name!"}, "corpus": {}, "bogus": 1})
    text = "\n".join(probs)
    assert "experiment.name" in text and "experiment.seed" in text and "corpus.path" in text
    assert "[bogus]" in text


def test_override_sets_typed_values_and_is_recorded():
    config = build(MINIMAL, ["model.n_topics=12", "experiment.description=hello world", "corpus.years=[2005, 2010]"])
    assert config.model.n_topics == 12
    assert config.experiment.description == "hello world"
    assert config.corpus.years == (2005, 2010)
    assert config.overrides == ("model.n_topics=12", "experiment.description=hello world", "corpus.years=[2005, 2010]")


def test_override_errors_are_named():
    probs = problems_of(MINIMAL, ["model.n_topic=3", "nodot=1", "model.n_topics=x"])
    text = "\n".join(probs)
    assert "model.n_topic" in text and "nodot" in text and "model.n_topics" in text


def test_labels_must_name_existing_topics():
    (p,) = problems_of({**MINIMAL, "model": {"n_topics": 3}, "report": {"labels": {"5": "x"}}})
    assert "topic 5" in p
    config = build({**MINIMAL, "report": {"labels": {"2": "干部"}}})
    assert config.report.label_map() == {2: "干部"}


def test_relative_paths(tmp_path, monkeypatch):
    exp = tmp_path / "exp"
    exp.mkdir()
    (exp / "a.toml").write_text('[experiment]\nname="a"\nseed=1\n[corpus]\npath="../data"\n', encoding="utf-8")
    assert load_experiment(exp / "a.toml").corpus.root == (tmp_path / "data").resolve()
    monkeypatch.chdir(tmp_path)
    cfg = load_experiment(exp / "a.toml", ["corpus.path=other"])
    assert cfg.corpus.root == (tmp_path / "other").resolve()  # --set is relative to the cwd


def test_bad_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[experiment\nname=1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_experiment(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_experiment(tmp_path / "nope.toml")


def test_config_values_are_never_evaluated():
    # a string that would do something if evaluated stays a string (or is rejected)
    config = build(MINIMAL, ["experiment.description=__import__('os').system('echo hi')"])
    assert config.experiment.description == "__import__('os').system('echo hi')"


@pytest.mark.parametrize("path", sorted(EXPERIMENTS.glob("*.toml")), ids=lambda p: p.name)
def test_resolved_config_written_as_toml_loads_back_the_same(path):
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    from topics.record.provenance import to_toml

    config = load_experiment(path, ['report.labels={"1" = "引号\\"与反斜杠\\\\"}'])
    again = build(tomllib.loads(to_toml(config.to_dict())))
    assert again.to_dict() == config.to_dict()


def test_a_long_list_of_problems_is_summarised_after_the_first_50():
    from topics.errors import CorpusError

    message = str(CorpusError([f"d{i}.txt: the text is empty" for i in range(120)]))
    lines = message.splitlines()
    assert lines[0] == "corpus error: 120 problems" and len(lines) == 1 + 50 + 1
    assert lines[50] == "  - d49.txt: the text is empty" and "d50.txt" not in message
    assert lines[-1] == "  ... and 70 more of the same kinds (the first 50 are shown)"
    assert len(str(CorpusError([f"p{i}" for i in range(50)])).splitlines()) == 51  # 50: all shown


def test_an_empty_entry_in_a_word_list_is_refused():
    """An empty formulation term matched at every character (counted 10,014 times per 10,000 characters)."""
    probs = problems_of(
        {**MINIMAL, "formulations": {"terms": ["新时代", ""]}, "vectorize": {"keep_terms": [" "]}, "segment": {}}
    )
    assert probs == [
        "vectorize.keep_terms: entry 1 of the list is empty; remove it or write the word",
        "formulations.terms: entry 2 of the list is empty; remove it or write the word",
    ]
