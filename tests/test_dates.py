"""The date audit: seeds, and cues whose answer is known."""

import pytest

from topics.config import load_experiment
from topics.analysis.date_profiles import second_opinions
from topics.analysis.dates import _number, audit, audit_document, load_cues
from topics.cli import main
from topics.pipeline import check
from topics.render.tables import audit_summary_table, audit_table

from .conftest import EXPERIMENTS, write_corpus


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


def _verdict(text, stated):
    return audit_document("d", "d.txt", stated, text).verdict


@pytest.mark.parametrize(
    "text, stated, verdict",
    [
        # a plan period named as current bounds both ways
        ("今年是“十三五”收官之年。", 2020, "consistent"),
        ("今年是“十三五”收官之年。", 2023, "too late"),
        ("今年是“十三五”收官之年。", 2017, "too early"),
        # an anniversary: that year, or soon after (soft)
        ("今年是建党100周年。", 2023, "too late"),
        ("隆重庆祝改革开放40周年。", 2019, "consistent"),
        ("隆重庆祝改革开放40周年。", 2025, "too late"),
        # the year after a congress
        ("今年是全面贯彻党的十九大精神的开局之年。", 2018, "consistent"),
        ("今年是全面贯彻党的十九大精神的开局之年。", 2019, "too late"),
        # a date line and a year's tasks
        ("——2023年3月5日在第十四届全国人民代表大会第一次会议上", 2024, "too late"),
        ("三、2019年政府工作任务", 2018, "consistent"),
        ("三、2019年政府工作任务", 2020, "too late"),
        ("一、2018年工作回顾", 2017, "too early"),
        # cues that cannot all hold
        ("今年是“十三五”收官之年，学习贯彻党的二十届三中全会精神。", 2022, "conflicting"),
    ],
)
def test_bounds_from_both_sides(text, stated, verdict):
    assert _verdict(text, stated) == verdict, [e.describe() for e in audit_document("d", "d", stated, text).evidence]


@pytest.mark.parametrize(
    "text, stated, verdict",
    [
        ("明年将召开党的二十大，我们要做好各项准备。", 2021, "consistent"),  # a December readout
        ("明年将召开党的二十大，我们要做好各项准备。", 2022, "too late"),
        ("明年将召开党的二十大，我们要做好各项准备。", 2020, "too early"),
        ("今年将召开中国共产党第十九次全国代表大会。", 2017, "consistent"),
        ("今年将召开中国共产党第十九次全国代表大会。", 2016, "too early"),
        ("以优异成绩迎接党的十九大胜利召开。", 2016, "consistent"),
        ("以优异成绩迎接党的十九大胜利召开。", 2018, "too late"),
        ("即将召开的党的十九届五中全会将审议规划建议。", 2020, "consistent"),
        ("即将召开的党的十九届五中全会将审议规划建议。", 2019, "consistent"),
        ("明年是建党100周年。", 2020, "consistent"),
        ("明年是建党100周年。", 2021, "too late"),
        # said after the event, though 明年 comes first: no look-ahead
        ("明年要全面贯彻党的二十大精神。", 2021, "too early"),
        ("胜利召开党的十九届六中全会。", 2021, "consistent"),
        ("胜利召开党的十九届六中全会。", 2020, "too early"),
    ],
)
def test_looking_ahead_reads_as_the_year_before(text, stated, verdict):
    a = audit_document("d", "d.txt", stated, text)
    assert a.verdict == verdict, [e.describe() for e in a.evidence]


def test_a_campaign_the_text_launches_is_not_a_recollection():
    launched = audit_document("d", "d", 2012, "要在全党深入开展以为民务实清廉为主要内容的党的群众路线教育实践活动。")
    assert launched.verdict == "consistent"
    assert {e.reading for e in launched.evidence if e.kind == "campaign"} == {"launched by the text"}
    recalled = audit_document("d", "d", 2012, "党的群众路线教育实践活动取得了重要成果。")
    assert recalled.verdict == "too early"


def test_latest_known_event_is_a_soft_upper_bound():
    text = "深入贯彻党的十八届四中全会精神。"
    late = audit_document("d", "d", 2021, text)
    assert late.verdict == "too late"
    (soft,) = late.conflicts
    assert (soft.kind, soft.strength, soft.bound, soft.last) == ("latest known", "soft", "upper", 2015)
    assert "十八届五中全会" in soft.condition and "十八届五中全会" in soft.source
    assert audit_document("d", "d", 2015, text).verdict == "consistent"
    assert late.hard_range() == (2014, None) and late.soft_upper() == 2015
    # 十八大以来 is how texts of any later year speak of an era: no bound from it
    assert audit_document("d", "d", 2024, "党的十八大以来，我国发展取得历史性成就。").verdict == "consistent"
    # the latest of several: 十九大 after 十八大
    assert audit_document("d", "d", 2020, "党的十八大提出，党的十九大作出部署。").verdict == "consistent"
    assert audit_document("d", "d", 2023, "党的十八大提出，党的十九大作出部署。").verdict == "too late"


def test_every_verdict_lists_its_evidence():
    a = audit_document("d", "d.txt", 2021, "今年是“十二五”收官之年，深入贯彻党的十八届四中全会精神。")
    assert a.verdict == "too late" and len(a.conflicts) == 3  # 收官之年, and the latest plenum and plan
    assert "十二五" in a.summary() and "十八届四中全会" in a.summary() and "soft" in a.summary()
    for e in a.evidence:
        assert e.cue in e.context and e.source and e.strength in ("hard", "soft") and e.position >= 0
    assert "consistent" in audit_document("d", "d", 2015, "今年是“十二五”收官之年。").summary()
    assert audit_document("d", "d", 2015, "没有线索。").verdict == "no dated cues"


def _synthetic_corpus(n_years=6, per_year=2):
    """Documents whose wording drifts year by year: each year has its own phrases and shares a few
    with the years beside it."""
    phrases = [
        "改革开放稳步推进",
        "科学发展全面协调",
        "创新驱动发展战略",
        "供给侧结构性改革",
        "高质量发展",
        "新发展格局构建",
    ]
    texts, years = [], []
    for i in range(n_years):
        for j in range(per_year):
            near = phrases[max(0, i - 1)] + "。" + phrases[min(n_years - 1, i + 1)]
            texts.append(f"{phrases[i]}。{phrases[i]}。{near}。第{j}篇文字不同{'甲乙丙丁'[j % 4]}。")
            years.append(2010 + i)
    return texts, years


def test_second_opinion_on_a_small_corpus():
    texts, years = _synthetic_corpus()
    opinions = second_opinions(texts, years, [f"{i}.txt" for i in range(len(texts))])
    assert len(opinions) == 12 and all(o is not None for o in opinions)
    for o, y, i in zip(opinions, years, range(len(texts))):
        assert o.year == y and o.allows(y) and not o.allows(y + 4)
        assert len(o.neighbours) == 3 and f"{i}.txt" not in {f for f, _, _ in o.neighbours}  # left out
    assert second_opinions(texts, years) == second_opinions(texts, years)  # deterministic
    too_few = second_opinions(texts[:9], years[:9])
    assert too_few == (None,) * 9
    assert second_opinions(texts[:10], years[:10])[0] is not None  # 10 documents, 5 years
    assert second_opinions(texts[:8] * 2, years[:8] * 2) == (None,) * 16  # 16 documents, 4 years


def test_second_opinion_beside_the_verdict(seeds_audit):
    a = seeds_audit["004"]
    assert a.second is None and a.second_opinion() == "too few documents for a second opinion"


def test_csv_columns():
    a = audit_document("d", "d.txt", 2021, "今年是“十二五”收官之年，深入贯彻党的十八届四中全会精神。")
    header, rows = audit_table([a])
    assert {"reading", "bound", "strength", "allows", "conflict", "position", "context"} <= set(header)
    assert rows and all(len(r) == len(header) for r in rows)
    header, rows = audit_summary_table([a])
    assert rows[0][header.index("verdict")] == "too late"
    assert rows[0][header.index("soft_upper")] == 2015 and rows[0][header.index("hard_upper")] == 2016
    assert rows[0][header.index("second_opinion_range")] == "too few documents for a second opinion"


def test_context_is_terminal_safe(tmp_path, capsys):
    corpus = write_corpus(
        tmp_path / "c", {"a.txt": (2021, "深入贯彻党的十八届四中全会\x1b]0;pwned\x07精神。\n\n第二段文字。")}
    )
    assert (
        main(
            ["check", str(EXPERIMENTS / "baseline.toml"), "--set", f"corpus.path={corpus}", "--set", "corpus.years=[]"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "too late" in out and "\x1b" not in out and "\x07" not in out


def test_second_opinion_in_blocks_is_the_same(monkeypatch):
    from topics.analysis import date_profiles

    texts, years = _synthetic_corpus()
    whole = second_opinions(texts, years)
    monkeypatch.setattr(date_profiles, "BLOCK", 5)
    assert second_opinions(texts, years) == whole


def test_no_second_opinion_for_a_text_with_nothing_in_common():
    texts, years = _synthetic_corpus()
    opinions = second_opinions([*texts[:-1], "no Chinese text at all"], years)
    assert opinions[-1] is None and all(o is not None for o in opinions[:-1])
