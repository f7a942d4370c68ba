"""Cutting in chunks and in forked processes gives exactly the tokens of cutting text by text."""

import os
import struct
import threading

import numpy as np
import pytest

from topics.text import cutting
from topics.text import segment as seg_mod
from topics.config import SegmentConfig
from topics.text.lexicon import load_lexicon
from topics.text.segment import segment
from topics.text.segmenters import ENGINES

from .conftest import GOV_REPORTS, SEEDS


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(SegmentConfig())


def _texts(path, years="[2005, 2024]"):
    from topics.config import load_experiment
    from topics.pipeline import check
    from .conftest import EXPERIMENTS

    units = check(
        load_experiment(EXPERIMENTS / "baseline.toml", [f"corpus.path={path}", f"corpus.years={years}"])
    ).units
    return [u.text for u in units]


def _per_text(segmenter, texts):
    return [segmenter.cut(t) for t in texts]


def _unpack(vocab, ids, lengths):
    words = [vocab[i] for i in ids]
    bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(int)
    return [words[a:b] for a, b in zip(bounds, bounds[1:])]


@pytest.mark.parametrize("engine", ["jieba", "rjieba"])
@pytest.mark.parametrize("hmm", [False, True])
def test_a_joined_chunk_cuts_exactly_as_text_by_text(lexicon, engine, hmm):
    segmenter = ENGINES[engine](lexicon, hmm=hmm)
    texts = _texts(SEEDS)
    assert _unpack(*cutting.cut_chunk(segmenter.cut, texts)) == _per_text(segmenter, texts)


def test_a_joined_chunk_matches_on_the_reports(lexicon):
    if not GOV_REPORTS.is_dir():
        pytest.skip("../shared/corpora/gov_work_reports is absent")
    segmenter = ENGINES["rjieba"](lexicon)
    texts = _texts(GOV_REPORTS, "[]")
    for chunk in cutting.chunks(texts):
        assert _unpack(*cutting.cut_chunk(segmenter.cut, chunk)) == _per_text(segmenter, chunk)


@pytest.mark.parametrize("engine", ["jieba", "rjieba"])
def test_edge_texts_empty_whitespace_latin_and_nul(lexicon, engine):
    segmenter = ENGINES[engine](lexicon)
    edge = ["", "  ", "\n", "\r\n", "GDP增长6.5%左右。 ", "", "不忘初心、牢记使命", "a\tb", "。"]
    assert _unpack(*cutting.cut_chunk(segmenter.cut, edge)) == _per_text(segmenter, edge)
    with_nul = ["干部\x00队伍建设", "全面从严治党"]  # NUL in a text: cut one by one
    assert _unpack(*cutting.cut_chunk(segmenter.cut, with_nul)) == _per_text(segmenter, with_nul)
    assert _unpack(*cutting.cut_chunk(segmenter.cut, ["只有一段"])) == _per_text(segmenter, ["只有一段"])
    vocab, ids, lengths = cutting.cut_chunk(segmenter.cut, [])
    assert vocab == [] and len(ids) == 0 and lengths == []


def test_chunks_and_shares_keep_order_and_cover_every_text():
    texts = [f"第{i}段" * (i % 7 + 1) for i in range(101)]
    for size in (1, 10, 50, 10_000):
        parts = cutting.chunks(texts, size)
        assert [t for p in parts for t in p] == texts and all(parts)
    assert len(cutting.chunks(texts, 10_000)) == 1
    assert [len(s) for s in cutting.split(texts[:3], 5)] == [1, 1, 1]
    assert cutting.split([], 2) == [] and cutting.chunks([]) == []


def test_share_results_survive_the_trip_through_bytes():
    vocab = ["干部", "\n", "a\x00b", "", "😀", "\r\n", "\ud800", "𠀀字"]  # lone surrogate, astral
    ids = np.array([0, 1, 2, 3, 4, 5, 0, 7, 6], np.int32)
    v, i, lengths = cutting._decode(b"\x00" + cutting._encode(vocab, ids, [3, 0, 4]), 1)
    assert v == vocab and i.tolist() == ids.tolist() and lengths == [3, 0, 4]
    v, i, lengths = cutting._decode(cutting._encode([], ids[:0], [0]))
    assert v == [] and len(i) == 0 and lengths == [0]
    whole = cutting._encode(vocab, ids, [3, 0, 6])
    for cut_at in (3, 30, len(whole) - 7, len(whole) - 1):  # a child that died while sending
        with pytest.raises((ValueError, struct.error)):
            cutting._decode(whole[:cut_at])


@pytest.mark.parametrize("engine", ["jieba", "rjieba"])
def test_a_share_of_many_chunks_merges_into_one_vocabulary(lexicon, monkeypatch, engine):
    segmenter = ENGINES[engine](lexicon)
    texts = _texts(SEEDS)
    monkeypatch.setattr(cutting, "CHUNK_CHARS", 500)
    vocab, ids, lengths = cutting.cut_share(segmenter, texts)
    assert len(vocab) == len(set(vocab)) and len(cutting.chunks(texts)) > 50
    assert _unpack(vocab, ids, lengths) == _per_text(segmenter, texts)


def test_remap_looks_up_known_words_and_adds_new_ones_in_order():
    index = {"a": 0, "b": 1}
    assert cutting.remap(index, ["c", "b", "e", "a", "d"]).tolist() == [2, 1, 3, 0, 4]
    assert index == {"a": 0, "b": 1, "c": 2, "e": 3, "d": 4}
    assert list(index) == ["a", "b", "c", "e", "d"]
    assert cutting.remap(index, []).tolist() == []
    assert cutting.remap({}, ["x", "y"]).tolist() == [0, 1]


@pytest.mark.skipif(not cutting.can_fork(), reason="forked cutting is for Linux")
@pytest.mark.slow  # 7 s: the seeds cut with 1 to 4 workers, twice
@pytest.mark.parametrize("engine", ["jieba", "rjieba"])
def test_any_number_of_workers_gives_the_same_tokens_vocabulary_and_ids(monkeypatch, engine):
    units = _units()
    cfg = SegmentConfig(engine=engine)
    one = segment(units, cfg, cache_dir=None, workers=1)
    monkeypatch.setattr(seg_mod, "PARALLEL_CHARS", {})  # fork even for the small seeds
    monkeypatch.setattr(cutting, "CHUNK_CHARS", 997)  # many chunks ...
    monkeypatch.setattr(cutting, "ROUND_CHARS", 4001)  # ... and several rounds of forks
    threads = threading.active_count()
    for workers in (2, 3):
        many = segment(units, cfg, cache_dir=None, workers=workers)
        assert threading.active_count() == threads  # no thread beside a fork (deprecated, 3.12)
        assert many.tokens == one.tokens
        assert many.vocab == one.vocab and np.array_equal(many.ids, one.ids)
        assert np.array_equal(many.offsets, one.offsets)
        assert many.info["cut_processes"] == workers
    _no_child_left()  # every child reaped by the run


def _units():
    from topics.config import load_experiment
    from topics.pipeline import check
    from .conftest import EXPERIMENTS

    return check(load_experiment(EXPERIMENTS / "baseline.toml", [f"corpus.path={SEEDS}"])).units


@pytest.mark.slow  # spawned workers load their own dictionary (3 s)
def test_without_fork_worker_processes_give_the_same_tokens(monkeypatch):
    units = _units()[:30]
    cfg = SegmentConfig(engine="rjieba")
    one = segment(units, cfg, cache_dir=None, workers=1)
    monkeypatch.setattr(seg_mod, "PARALLEL_CHARS", {})
    monkeypatch.setattr(cutting, "can_fork", lambda: False)
    assert segment(units, cfg, cache_dir=None, workers=2).tokens == one.tokens


@pytest.mark.skipif(not cutting.can_fork(), reason="forked cutting is for Linux")
@pytest.mark.parametrize("how", ["raises", "dies", "cut short"])
def test_a_failing_or_dying_child_is_reported_and_reaped(lexicon, monkeypatch, how):
    segmenter = ENGINES["jieba"](lexicon)
    parent, real = os.getpid(), segmenter.cut

    def cut(text):
        if os.getpid() != parent:
            if how == "dies":
                os._exit(9)
            if how == "raises":
                raise MemoryError("planted in the child")
        return real(text)

    monkeypatch.setattr(segmenter, "cut", cut)
    encode = cutting._encode
    if how == "cut short":  # sends part of its result, exits 0
        monkeypatch.setattr(cutting, "_encode", lambda *a: encode(*a)[:-3])
    texts = _texts(SEEDS)
    from topics.errors import WorkerError

    with pytest.raises(
        WorkerError, match={"raises": "planted in the child", "dies": "died", "cut short": "incomplete"}[how]
    ) as caught:
        list(cutting.cut_rounds(segmenter, texts, 2))
    assert caught.value.exit_code == 7 and "parallel.workers = 1" in str(caught.value)
    _no_child_left()


@pytest.mark.skipif(not cutting.can_fork(), reason="forked cutting is for Linux")
def test_stopping_early_ends_the_children(lexicon):
    segmenter = ENGINES["jieba"](lexicon)
    gen = cutting.cut_rounds(segmenter, _texts(SEEDS), 2)
    next(gen)
    gen.close()  # the consumer stopped: children killed
    _no_child_left()


def _no_child_left():
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
