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
