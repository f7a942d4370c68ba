"""The date audit: seeds, and cues whose answer is known."""

import pytest

from topics.config import load_experiment
from topics.analysis.dates import _number, audit, audit_document, load_cues
from topics.pipeline import check

from .conftest import EXPERIMENTS


@pytest.fixture(scope="module")
def seeds_audit():
    return {a.file[:3]: a for a in audit(check(load_experiment(EXPERIMENTS / "baseline.toml")).cleaned)}


def test_seed_004_conflicts_with_its_stated_year(seeds_audit):
    a = seeds_audit["004"]
    assert a.stated_year == 2024 and a.best_years == (2020,)
    cues = {(e.cue, e.condition) for e in a.conflicts}
    assert ("十三五", "final") in cues and ("十四五", "planning") in cues
    assert all(e.context for e in a.conflicts) and all(e.source for e in a.conflicts)


@pytest.mark.parametrize("seed", ["000", "001", "002", "003"])
def test_other_seeds_agree_with_their_cues(seeds_audit, seed):
    a = seeds_audit[seed]
    assert a.evidence and not a.conflicts and a.stated_year in a.best_years


@pytest.mark.parametrize(
    "text, stated, conflict",
    [
        ("今年是建党100周年，我们要总结经验。", 2021, False),
        ("今年是建党100周年，我们要总结经验。", 2019, True),
        ("2016年是“十三五”开局之年。", 2016, False),
        ("明年是“十四五”开局之年。", 2012, True),
        ("深入学习贯彻党的十九届二中、三中、四中全会精神。", 2018, True),  # 四中全会: 2019
        ("深入学习贯彻党的十九届二中、三中、四中全会精神。", 2020, False),
        ("以优异成绩迎接党的十九大胜利召开。", 2017, False),
        ("以优异成绩迎接党的十九大胜利召开。", 2019, True),
        ("深入开展党的群众路线教育实践活动。", 2010, True),
        ("纪念改革开放四十周年。", 2018, False),
        ("没有任何日期线索的一段话。", 1990, False),
    ],
)
def test_known_cues(text, stated, conflict):
    a = audit_document("d", "d.txt", stated, text)
    assert bool(a.conflicts) == conflict, [(e.cue, e.span()) for e in a.evidence]


def test_chinese_numerals_and_cue_tables():
    assert [_number(x) for x in ("95", "九十五", "一百", "四十", "十", "二十", "一百零")] == [
        95,
        95,
        100,
        40,
        10,
        20,
        None,
    ]
    cues = load_cues()
    assert len(cues) > 60 and all(c.source and c.first >= 2002 for c in cues)
    assert all(c.last is None or c.last >= c.first for c in cues)
