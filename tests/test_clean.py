"""Cleaning: each kind of noise in the seeds is handled in code; the original wording is kept."""

import pytest

from topics.text.clean import clean_corpus, normalise
from topics.config import CleanConfig, CorpusConfig
from topics.text.corpus import load_corpus

from .conftest import SEEDS

ON = CleanConfig()


@pytest.fixture(scope="module")
def cleaned():
    corpus = load_corpus(CorpusConfig(path=str(SEEDS), root=SEEDS))
    return {cd.document.file[:3]: cd for cd in clean_corpus(corpus, ON)}


def body(cd, form="text"):
    return "\n".join(getattr(p, form) for p in cd.paragraphs)


def test_advertising_header_block_removed(cleaned):
    cd = cleaned["003"]
    assert "仅供学习" not in body(cd, "original") and "QQ群" not in body(cd, "original")
    assert "酷乐文行" not in body(cd, "original")  # an unmarked line inside the block
    assert cd.paragraphs[0].original == "在全县组织工作会议上的讲话"
    assert cd.log.count("boilerplate_lines") == 8


def test_generator_footer_and_truncation_notice_removed(cleaned):
    assert "本DOCX文档由" not in body(cleaned["004"], "original")
    assert "因篇幅问题" not in body(cleaned["001"], "original")
    assert cleaned["004"].paragraphs[-1].original.startswith("同志们，让我们紧密团结")
    assert cleaned["004"].log.removed_lines[0].startswith("本DOCX文档由")


def test_dot_punctuation_file_normalised(cleaned):
    text = body(cleaned["002"])
    assert "常委。组织部长" in text and "“新解放。新跨越。新崛起”" in text
    assert "." not in text and "'" not in text
    assert cleaned["002"].log.count("punctuation") >= 400


def test_ascii_punctuation_and_spaces_in_numbers(cleaned):
    text = body(cleaned["001"])
    assert "95周年" in text and "“420”" in text and "63%，" in text
    assert "," not in text and " " not in text
    assert "95 周年" in body(cleaned["001"], "original")  # the original keeps its wording


def test_placeholders_and_lost_characters(cleaned):
    text = body(cleaned["003"])
    assert "某月某日" in text and "X" not in text
    assert "□河镇" in body(cleaned["001"])
    assert "XX同志" in body(cleaned["004"], "original") and "某某同志" in body(cleaned["004"])


def test_leading_space_and_trailing_blank_lines(cleaned):
    assert cleaned["004"].paragraphs[0].original == "市委书记在2024年全市组织工作会议上的讲话"
    assert all(p.original.strip() for cd in cleaned.values() for p in cd.paragraphs)


def test_original_span_maps_back_exactly(cleaned):
    for cd in cleaned.values():
        raw = cd.document.raw
        for p in cd.paragraphs:
            assert p.original in raw
            assert p.original_span(0, len(p.text)) == p.original
            assert len(p.text) == len(p.original) - len(p.removed)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("增长 63% ,推动", "增长63%，推动"),
        ("召开,?河镇", "召开，□河镇"),
        ("怎么办?我们", "怎么办？我们"),  # a real question mark is not a lost character
        ("X月X日,县委书记X同志", "某月某日，县委书记某同志"),
        ("Windows XP 系统", "Windows XP系统"),  # Latin words keep their space, no placeholder
        ("１２３ＡＢＣ", "123ABC"),
        ("1.坚定政治信仰", "1.坚定政治信仰"),  # list numbering keeps its dot
    ],
)
def test_normalise_rules(raw, expected):
    para, _ = normalise(raw, ON)
    assert para.text == expected


def test_rules_can_be_switched_off():
    off = CleanConfig(boilerplate=False, punctuation=False, spaces=False, placeholders=False, lost_chars=False)
    para, counts = normalise("X月X日 , ?河镇", off)
    assert para.text == "X月X日 , ?河镇" and sum(counts.values()) == 0
