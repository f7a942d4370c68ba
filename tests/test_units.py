"""Units: paragraphs, short ones joined, long ones cut into runs of whole sentences."""

import dataclasses

import pytest

from topics.text.clean import clean_corpus, normalise
from topics.config import CleanConfig, CorpusConfig, UnitsConfig
from topics.text.corpus import load_corpus
from topics.data import CleanDocument, CleanLog, Document
from topics.text.units import sentence_runs, split_units

from .conftest import SEEDS


def doc_of(*paragraphs, doc_id="d"):
    doc = Document(doc_id=doc_id, file=f"{doc_id}.txt", year=2010, raw="\n".join(paragraphs), sha256="0")
    paras = tuple(normalise(p, CleanConfig())[0] for p in paragraphs)
    return CleanDocument(document=doc, paragraphs=paras, log=CleanLog(doc_id=doc_id, counts=()))


@pytest.fixture(scope="module")
def seed_units():
    corpus = load_corpus(CorpusConfig(path=str(SEEDS), root=SEEDS))
    cleaned = clean_corpus(corpus, CleanConfig())
    return cleaned, split_units(cleaned, UnitsConfig())


def test_short_paragraphs_join_the_next():
    cd = doc_of("一、总体要求", "同志们：", "这是一个足够长的段落，讲的是加强基层党组织建设和干部队伍建设的问题。")
    (unit,) = split_units((cd,), UnitsConfig(min_chars=20))
    assert unit.original.split("\n") == [
        "一、总体要求",
        "同志们：",
        "这是一个足够长的段落，讲的是加强基层党组织建设和干部队伍建设的问题。",
    ]
    assert unit.unit_id == "d:0000" and unit.position == 0 and unit.year == 2010


def test_trailing_short_paragraph_joins_the_previous():
    cd = doc_of("这是一个足够长的段落，讲的是加强基层党组织建设和干部队伍建设的问题。", "谢谢大家！")
    (unit,) = split_units((cd,), UnitsConfig(min_chars=20))
    assert unit.original.endswith("\n谢谢大家！")


def test_long_paragraph_cut_into_whole_sentences_of_similar_length():
    sentence = "要坚持把政治标准放在首位，选优配强各级领导班子。"  # 24 characters
    text = sentence * 40  # 960 characters, no breaks
    spans = sentence_runs(text, run_chars=200, max_chars=300)
    assert len(spans) == 5
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(b == c for (_, b), (c, _) in zip(spans, spans[1:]))  # contiguous
    lengths = [b - a for a, b in spans]
    assert max(lengths) - min(lengths) <= len(sentence)
    assert all(text[a:b].endswith("。") for a, b in spans)  # whole sentences


def test_sentence_without_stop_is_cut_at_clauses_then_hard():
    text = "加强组织建设，" * 100
    spans = sentence_runs(text, run_chars=100, max_chars=150)
    assert all(b - a <= 150 for a, b in spans) and spans[-1][1] == len(text)
    spans = sentence_runs("党" * 500, run_chars=100, max_chars=150)
    assert all(b - a <= 150 for a, b in spans) and sum(b - a for a, b in spans) == 500


def test_seed_document_without_breaks_is_cut_into_runs(seed_units):
    _, units = seed_units
    runs = [u for u in units if u.doc_id.startswith("002")]
    assert len(runs) >= 10
    assert all(len(u.text) <= 1000 for u in units)
    assert all(200 <= len(u.text) <= 400 for u in runs[1:])


def test_units_cover_each_document_exactly(seed_units):
    cleaned, units = seed_units
    for cd in cleaned:
        mine = [u for u in units if u.doc_id == cd.document.doc_id]
        assert [u.position for u in mine] == list(range(len(mine)))
        assert "".join(u.text.replace("\n", "") for u in mine) == "".join(p.text for p in cd.paragraphs)
        for u in mine:  # every unit's original wording is a piece of the raw file
            assert all(line in cd.document.raw for line in u.original.split("\n"))


def test_document_kind_gives_one_unit_per_document(seed_units):
    cleaned, _ = seed_units
    units = split_units(cleaned, dataclasses.replace(UnitsConfig(), kind="document"))
    assert len(units) == 5 and len({u.doc_id for u in units}) == 5


def _nearest_cuts_by_scanning(text, run_chars, marks):
    """The cut rule written the slow, obvious way (every bound scanned for every cut): the oracle."""
    import math

    n = max(1, math.ceil(len(text) / run_chars))
    bounds = sorted({m.end() for m in marks.finditer(text) if 0 < m.end() < len(text)})
    if n == 1 or not bounds:
        return [(0, len(text))]
    cuts, lo = [], 0
    for r in range(1, n):
        target = r * len(text) / n
        best = min(range(lo, len(bounds)), key=lambda i: (abs(bounds[i] - target), i), default=None)
        if best is None:
            break
        if not cuts or bounds[best] > cuts[-1]:
            cuts.append(bounds[best])
        lo = best + 1
    edges = [0, *cuts, len(text)]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


def test_cuts_equal_the_scanning_rule_and_a_long_line_splits_in_linear_time():
    import random
    import time

    from topics.text.units import _SENTENCE_END, sentence_runs

    rng = random.Random(7)
    for _ in range(200):
        text = "".join(rng.choice("一二三。，！x") for _ in range(rng.randint(1, 2000)))
        run_chars = rng.choice([5, 20, 60, 300])
        assert sentence_runs(text, run_chars, 0) == _nearest_cuts_by_scanning(text, run_chars, _SENTENCE_END)
    line = ("这是一个关于组织工作的句子，" * 3 + "完。") * 22_800  # 1,003,200 characters, no line break
    start = time.perf_counter()
    runs = sentence_runs(line, 300, 1000)
    assert time.perf_counter() - start < 0.5 and len(runs) == 3344 and runs[-1][1] == len(line)


def test_original_positions_equal_counting_the_removed_characters_one_by_one():
    import random

    from topics.data import Paragraph

    rng = random.Random(3)
    for _ in range(200):
        n = rng.randint(1, 150)
        removed = tuple(sorted(rng.sample(range(n), rng.randint(0, n))))
        para = Paragraph(original="o" * n, text="t" * (n - len(removed)), removed=removed)
        for j in range(n - len(removed)):
            i = j
            for r in removed:  # the definition: skip each removed position at or before i
                if r <= i:
                    i += 1
            assert para.original_index(j) == i
