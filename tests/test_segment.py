"""Segmentation: formulations kept whole, variants folded, stopwords, no global jieba state, cache."""

import dataclasses
import json

import jieba
import pytest

from topics.config import SegmentConfig
from topics.data import Unit
from topics.text.segmenters import JiebaSegmenter
from topics.text.lexicon import load_lexicon, load_stopwords
from topics.text.segment import keep_token, segment

CFG = SegmentConfig()


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(CFG)


@pytest.fixture(scope="module")
def segmenter(lexicon):
    return JiebaSegmenter(lexicon)


@pytest.fixture(scope="module")
def plain():
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


def units_of(*texts):
    return tuple(
        Unit(unit_id=f"d:{i:04d}", doc_id="d", year=2010, position=i, original=t, text=t) for i, t in enumerate(texts)
    )


def test_lexicon_has_at_least_150_formulations_plain_jieba_splits(lexicon, plain):
    split = [t for t in lexicon.terms if plain.lcut(t, HMM=False) != [t]]
    assert len(split) >= 150, len(split)
    for term in (
        "两学一做",
        "不忘初心牢记使命",
        "四个意识",
        "两个维护",
        "先进性教育",
        "全面从严治党",
        "习近平新时代中国特色社会主义思想",
        "十三五",
    ):
        assert term in lexicon.terms


def test_every_formulation_is_one_token_alone_and_in_context(lexicon, segmenter):
    for term in lexicon.terms:
        assert segmenter.cut(term) == [term], term
        assert term in segmenter.cut(f"我们要深入学习{term}，认真抓好落实。"), term


@pytest.mark.parametrize(
    "text, term",
    [
        ("巩固“不忘初心、牢记使命”主题教育成果", "不忘初心牢记使命"),
        ("巩固“不忘初心”“牢记使命”主题教育成果", "不忘初心牢记使命"),
        ("坚持“两手抓、两手硬”", "两手抓两手硬"),
        ("“新解放。新跨越。新崛起”大讨论", "新解放新跨越新崛起"),
        ("落实“两不愁、三保障”", "两不愁三保障"),
    ],
)
def test_variant_spellings_fold_to_the_canonical_form(segmenter, text, term):
    assert term in segmenter.cut(text)


def test_private_tokenizer_leaves_global_jieba_alone(segmenter):
    segmenter.cut("两学一做")
    assert "两学一做" not in jieba.dt.FREQ  # the module-level tokenizer never saw the lexicon


def test_stopwords_keep_content_words_and_drop_filler():
    words = load_stopwords(CFG).words
    for w in ("坚持", "加强", "全面", "深入", "人民", "自身"):
        assert w not in words
    for w in ("同志们", "进一步", "切实", "认真", "我们", "的"):
        assert w in words
    assert "同志们" not in load_stopwords(dataclasses.replace(CFG, keep_words=("同志们",))).words
    assert "组织" in load_stopwords(dataclasses.replace(CFG, extra_stopwords=("组织",))).words


@pytest.mark.parametrize(
    "token, kept",
    [
        ("干部", True),
        ("党", False),
        ("，", False),
        ("2020", False),
        ("95%", False),
        ("GDP", True),
        ("□", False),
        ("同志们", False),
        ("  ", False),
    ],
)
def test_token_filter(token, kept):
    assert keep_token(token, CFG, load_stopwords(CFG).words) is kept


def test_segment_result_and_cache(tmp_path):
    units = units_of(
        "同志们，我们要学习贯彻习近平新时代中国特色社会主义思想，增强“四个意识”。",
        "2020年，全县组织工作要坚持以脱贫攻坚统揽全局。",
    )
    first = segment(units, CFG, cache_dir=tmp_path)
    # stopwords stay in the segmented tokens (同志, 我们): the model's vocabulary removes them
    assert first.tokens[0] == ("同志", "我们", "学习", "贯彻", "习近平新时代中国特色社会主义思想", "增强", "四个意识")
    assert "脱贫攻坚" in first.tokens[1] and "2020" not in first.tokens[1]
    assert first.cache_hits == 0
    second = segment(units, CFG, cache_dir=tmp_path)
    assert second.cache_hits == 2 and second.tokens == first.tokens
    other = segment(units, dataclasses.replace(CFG, min_chars=3), cache_dir=tmp_path)
    assert other.cache_hits == 0  # options are part of the cache key
    assert first.info["lexicon_terms"] == len(load_lexicon(CFG).terms)


def test_a_cache_grows_with_new_texts_and_repeated_texts_are_cut_once(tmp_path):
    a, b, c = ("加强干部队伍建设。", "全面从严治党永远在路上。", "坚持以脱贫攻坚统揽全局，推动乡村振兴。")
    segment(units_of(a, b), CFG, cache_dir=tmp_path)
    mixed = units_of(c, a, c, b, a)  # two cached, one new; repeats
    grown = segment(mixed, CFG, cache_dir=tmp_path)
    plain = segment(mixed, CFG, cache_dir=None)
    assert grown.cache_hits == 3 and grown.info["chars_cut"] == len(c)
    assert grown.tokens == plain.tokens and grown.tokens[0] == grown.tokens[2] and grown.tokens[1] == grown.tokens[4]
    again = segment(units_of(b, c, a), CFG, cache_dir=tmp_path)
    assert again.cache_hits == 3 and again.tokens == (plain.tokens[3], plain.tokens[0], plain.tokens[1])


def test_corrupt_or_foreign_cache_is_rebuilt(tmp_path):
    units = units_of("加强干部队伍建设。")
    segment(units, CFG, cache_dir=tmp_path)
    (cache_file,) = tmp_path.glob("segment-*.npz")
    cache_file.write_bytes(b"{not an npz")
    again = segment(units, CFG, cache_dir=tmp_path)
    assert again.cache_hits == 0 and again.tokens == (("加强", "干部队伍", "建设"),)
    third = segment(units, CFG, cache_dir=tmp_path)  # rewritten, valid
    assert third.cache_hits == 1 and third.tokens == again.tokens


def test_extra_lexicon_file_keeps_its_terms_whole_and_changes_the_cache_key(tmp_path):
    extra = tmp_path / "mine.txt"
    extra.write_text("# my terms\n五化协同/大抓基层\n红色物业\n", encoding="utf-8")
    cfg = dataclasses.replace(CFG, extra_lexicon=(str(extra),), extra_lexicon_paths=(extra,))
    lexicon = load_lexicon(cfg)
    assert "红色物业" in lexicon.terms and "五化协同大抓基层" in lexicon.terms
    assert lexicon.sha256 != load_lexicon(CFG).sha256
    units = units_of("推进红色物业建设，坚持“五化协同、大抓基层”。")
    tokens = segment(units, cfg, cache_dir=tmp_path).tokens[0]
    assert "红色物业" in tokens and "五化协同大抓基层" in tokens
    assert "红色物业" not in segment(units, CFG, cache_dir=tmp_path).tokens[0]


# ---- rjieba: the fast segmenter gives jieba's tokens ------------------------------------------


def _agreement(units, hmm):
    from topics.text.segmenters import RJiebaSegmenter
    from topics.config import SegmentConfig as SC

    lex = load_lexicon(SC())
    a, b = JiebaSegmenter(lex, hmm=hmm), RJiebaSegmenter(lex, hmm=hmm)
    ta, tb = [a.cut(u.text) for u in units], [b.cut(u.text) for u in units]
    same_units = sum(x == y for x, y in zip(ta, tb))
    return same_units, ta, tb


def _units(path, years="[2005, 2024]"):
    from topics.config import load_experiment
    from topics.pipeline import check
    from .conftest import EXPERIMENTS

    return check(load_experiment(EXPERIMENTS / "baseline.toml", [f"corpus.path={path}", f"corpus.years={years}"])).units


@pytest.mark.slow  # both segmenters over every seed (4 s)
def test_rjieba_tokens_equal_jieba_on_the_seeds():
    from .conftest import SEEDS

    units = _units(SEEDS)
    same, ta, tb = _agreement(units, hmm=False)
    assert same == len(units) == 117  # HMM off (the default): identical
    same_hmm, _, _ = _agreement(units, hmm=True)
    assert same_hmm >= 110  # HMM on: 114 of 117 measured; the HMMs differ


@pytest.mark.slow  # a few seconds: kept out of the default run (under three minutes), run in CI
def test_rjieba_tokens_equal_jieba_on_the_reports():
    from .conftest import GOV_REPORTS

    if not GOV_REPORTS.is_dir():
        pytest.skip("../shared/corpora/gov_work_reports is absent")
    units = _units(GOV_REPORTS, "[]")
    same, _, _ = _agreement(units, hmm=False)
    assert same == len(units)


def test_rjieba_engine_in_a_run(tmp_path):
    from .conftest import SEEDS

    units = _units(SEEDS)
    one = segment(units, SegmentConfig(), cache_dir=None)
    fast = segment(units, SegmentConfig(engine="rjieba"), cache_dir=tmp_path)
    assert one.tokens == fast.tokens
    assert fast.info["engine"] == "rjieba" and "rjieba" in fast.info["engine_version"]
