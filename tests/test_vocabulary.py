"""The model's vocabulary: word rules in order, every removed term recorded, counting untouched."""

from __future__ import annotations

import dataclasses

import pytest

from topics.config import FormulationsConfig, SegmentConfig, VectorizeConfig
from topics.data import Unit
from topics.text.lexicon import load_stopwords
from topics.text.segment import segment
from topics.text.tagging import dictionary_tags, tag_terms
from topics.text.vectorize import vectorize
from topics.text.vocabulary import WordRules, builtin_table

SEG = SegmentConfig()
VEC = VectorizeConfig(min_df=1, max_df=1.0)

TEXTS = (
    "同志们，我们要推进脱贫攻坚，做好扶贫工作，加强干部队伍建设。",
    "各级党组织要推进创新，选拔优秀干部，坚决打赢疫情防控阻击战，保障就业。",
    "我们要加快经济发展，推进改革开放，改善民生，发展教育事业。",
    "全面从严治党，推进反腐败斗争，发展基层民主，做好换届工作。",
)


def units_of(*texts):
    return tuple(
        Unit(unit_id=f"d{i}:0", doc_id=f"d{i}", year=2020, position=0, original=t, text=t) for i, t in enumerate(texts)
    )


@pytest.fixture(scope="module")
def segmented():
    return segment(units_of(*TEXTS), SEG)


def dtm_of(segmented, vec=VEC, seg=SEG):
    return vectorize(segmented, vec, WordRules.from_config(seg, vec))


def test_each_rule_removes_and_records_in_order(segmented):
    dtm = dtm_of(segmented)
    rec = dtm.pruning
    rule = {t.term: t.rule for t in rec.removed}
    assert rule["我们"] == "stopword" and rule["同志"] == "filler"
    assert rule["推进"] == "generic" and rule["工作"] == "generic"  # listed, so recorded as generic, not pos
    assert rule["打赢"] == "pos"  # a verb not on any list
    for kept in ("扶贫", "就业", "选拔", "换届"):  # policy terms tagged v, kept
        assert dictionary_tags()[kept] == "v" and kept in dtm.vocab
    assert "脱贫攻坚" in dtm.vocab and "全面从严治党" in dtm.vocab  # lexicon formulations
    assert "疫情防控" in dtm.vocab and "事业" in dtm.vocab  # a formulation; a noun
    generic = rec.lookup("推进")
    assert generic.tokens == 3 and generic.units == 3 and "policy verb" in generic.note  # 推进改革 is one word
    # every removed term has its counts, and the rules add up to what was cut
    assert rec.tokens_before == sum(t.tokens for t in rec.removed) + rec.tokens_kept
    assert rec.terms_before == len(rec.removed) + rec.terms_kept == len(set(segmented.ids.tolist()))
    assert rec.terms_kept == len(dtm.vocab) and rec.tokens_kept == int(dtm.n_tokens.sum())
    assert list(rec.by_rule()) == ["stopword", "filler", "generic", "pos", "min_df", "max_df"]


def test_max_df_removal_is_recorded_with_its_units(segmented):
    dtm = dtm_of(segmented, dataclasses.replace(VEC, max_df=0.4))
    t = dtm.pruning.lookup("发展")
    assert t is not None and t.rule == "max_df" and t.units == 2 and t.tokens == 3
    assert "发展" not in dtm.vocab


def test_switches_and_keep_terms(segmented):
    everything = dtm_of(segmented, dataclasses.replace(VEC, pos="all", generic=False))
    assert "打赢" in everything.vocab and "推进" in everything.vocab
    assert {t.rule for t in everything.pruning.removed} == {"stopword", "filler"}
    kept = dtm_of(segmented, dataclasses.replace(VEC, keep_terms=("推进", "打赢", "我们")))
    assert {"推进", "打赢", "我们"} <= set(kept.vocab)
    dropped = dtm_of(segmented, dataclasses.replace(VEC, policy_terms=False, extra_generic=("民生",)))
    assert "扶贫" not in dropped.vocab and dropped.pruning.lookup("扶贫").rule == "pos"
    assert dropped.pruning.lookup("民生").note == "[vectorize] extra_generic"
    verbs = dtm_of(segmented, dataclasses.replace(VEC, extra_pos=("v",)))
    assert "打赢" in verbs.vocab and "推进" not in verbs.vocab  # the generic list still applies


def test_formulation_counts_keep_the_words_the_model_drops(tmp_path):
    """A generic verb asked for as a formulation is counted in full though the model drops it."""
    import contextlib

    from topics.analysis.formulations import count_formulations
    from topics.config import load_experiment
    from topics.pipeline import prepare

    from .conftest import EXPERIMENTS, write_corpus

    write_corpus(tmp_path / "c", {f"{i}.txt": (2020 + i, t) for i, t in enumerate(TEXTS)})
    cfg = load_experiment(EXPERIMENTS / "baseline.toml", [f"corpus.path={tmp_path / 'c'}", "vectorize.min_df=1"])
    corpus, cleaned, seg, dtm = prepare(cfg, tmp_path / "cache", lambda stage: contextlib.nullcontext())
    assert "推进" not in dtm.vocab and "我们" not in dtm.vocab
    assert "推进" in seg.vocab and "我们" in seg.vocab  # the tokens formulation counts read
    forms = count_formulations(cleaned, seg, FormulationsConfig(terms=("推进",), lexicon=False), cfg.segment)
    rows = [r for r in forms.by_doc if r.term == "推进"]
    assert sum(r.substring_count for r in rows) == 4 and sum(r.token_count for r in rows) == 3  # 推进改革 is one token


def test_stopwords_are_not_in_the_segmentation_cache_key(tmp_path):
    units = units_of(*TEXTS)
    segment(units, SEG, cache_dir=tmp_path)
    again = segment(units, dataclasses.replace(SEG, extra_stopwords=("干部",)), cache_dir=tmp_path)
    assert again.cache_hits == len(units)  # stopwords act on the vocabulary, after the cache
    vec = VEC
    rules = WordRules.from_config(dataclasses.replace(SEG, extra_stopwords=("干部",)), vec)
    assert "干部" not in vectorize(again, vec, rules).vocab


def test_tags_and_shipped_lists():
    assert tag_terms(["发展", "扶贫", "GDP", "5G", "脱贫攻坚", "某个新词汇"], frozenset({"脱贫攻坚"})) == (
        "vn",
        "v",
        "eng",
        "eng",
        "nz",
        "un",
    )
    for name in ("generic.tsv", "policy_terms.tsv"):
        rows = builtin_table(name)
        assert rows and all(term and note for term, note in rows), name
        assert len({t for t, _ in rows}) == len(rows), f"{name} lists a term twice"
    generic = {t for t, _ in builtin_table("generic.tsv")}
    assert not generic & {t for t, _ in builtin_table("policy_terms.tsv")}
    # a generic term that is already filler or a stopword would never be recorded as generic
    assert not generic & load_stopwords(SEG).words


def test_the_run_writes_the_vocabulary_record(seeds_run):
    run_dir = seeds_run.run_dir
    text = (run_dir / "vocabulary.csv").read_text(encoding="utf-8")
    assert text.startswith("term,rule,tag,tokens,units,note\n")
    assert "\n推进,generic," in text
    methods = (run_dir / "methods.md").read_text(encoding="utf-8")
    assert "vocabulary left out" in methods and "vocabulary.csv" in methods
    import json

    m = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [r["rule"] for r in m["vocabulary"]["rules"]][:4] == ["stopword", "filler", "generic", "pos"]
