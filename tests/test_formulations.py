"""Formulation counts against counts made by hand on a few passages."""

from topics.config import load_experiment
from topics.analysis.formulations import PER, count_formulations
from topics.pipeline import check
from topics.text.segment import segment

from .conftest import EXPERIMENTS, write_corpus

P1 = "坚持全面从严治党，推进全面从严治党向纵深发展。"
P2 = "开展“不忘初心、牢记使命”主题教育，做到不忘初心牢记使命。"
P3 = "加强党的建设。党的建设是根本，全面从严治党永远在路上。"


def counted(tmp_path, terms=("党的建设",)):
    folder = write_corpus(tmp_path / "c", {"a.txt": (2015, f"{P1}\n{P2}\n"), "b.txt": (2016, f"{P1}\n{P3}\n")})
    config = load_experiment(
        EXPERIMENTS / "baseline.toml",
        [
            f"corpus.path={folder}",
            f"formulations.terms={list(terms)!r}".replace("'", '"'),
            'formulations.chart=["全面从严治党", "不忘初心牢记使命"]',
        ],
    )
    cleaned = check(config).cleaned
    units = tuple(u for u in check(config).units)
    seg = segment(units, config.segment, cache_dir=None)
    return count_formulations(cleaned, seg, config.formulations, config.segment), seg


def test_counts_match_hand_counts(tmp_path):
    forms, seg = counted(tmp_path)
    by_doc = {(r[0], r[2]): r for r in forms.by_doc}
    chars_a, chars_b = len(P1) + len(P2), len(P1) + len(P3)
    # 全面从严治党: twice in P1, once in P3
    assert by_doc[("全面从严治党", "a")][4] == 2 and by_doc[("全面从严治党", "b")][4] == 3
    assert by_doc[("全面从严治党", "a")][6] == chars_a
    assert abs(by_doc[("全面从严治党", "b")][7] - 3 * PER / chars_b) < 1e-9
    # 不忘初心牢记使命: once with 、 and quotes around it, once written solid
    assert by_doc[("不忘初心牢记使命", "a")][4] == 2
    assert ("不忘初心牢记使命", "b") not in by_doc
    # a term the config names (also in the lexicon): its category says so
    assert by_doc[("党的建设", "b")][4] == 2 and by_doc[("党的建设", "b")][1].endswith("config")
    # token counts equal the segmented tokens that are exactly the term
    tokens = {
        u.doc_id: [t for u2, toks in zip(seg.units, seg.tokens) if u2.doc_id == u.doc_id for t in toks]
        for u in seg.units
    }
    for (term, doc), row in by_doc.items():
        assert row[5] == tokens[doc].count(term), (term, doc)
    assert by_doc[("全面从严治党", "b")][5] == 3  # a lexicon formulation stays one token


def test_yearly_rows_and_keyword_in_context(tmp_path):
    forms, _ = counted(tmp_path)
    year = {(r[0], r[2]): r for r in forms.by_year}
    assert year[("全面从严治党", 2015)][4] == 2 and year[("全面从严治党", 2016)][4] == 3
    assert year[("不忘初心牢记使命", 2016)][4] == 0  # zero rows kept so charts have every year
    assert forms.chart == ("全面从严治党", "不忘初心牢记使命")
    kwic = [r for r in forms.kwic if r[0] == "不忘初心牢记使命"]
    assert kwic[0][4] == "不忘初心、牢记使命"  # the original wording of the hit
    assert kwic[0][3].endswith("开展“") and kwic[0][5].startswith("”主题教育")
    first_docs = [r[2] for r in forms.kwic if r[0] == "全面从严治党"][:2]
    assert first_docs == ["a", "b"]  # one hit per document before a second


def test_a_charted_term_outside_the_lexicon_is_counted(tmp_path):
    forms, _ = counted(tmp_path, terms=())
    assert "党的建设" in {r[0] for r in forms.by_doc}  # from the lexicon
    folder = write_corpus(tmp_path / "d", {"a.txt": (2015, "推进改革开放，深化改革开放。\n")})
    config = load_experiment(
        EXPERIMENTS / "baseline.toml",
        [f"corpus.path={folder}", 'formulations.chart=["深化改革开放"]', "formulations.lexicon=false"],
    )
    result = check(config)
    seg = segment(result.units, config.segment, cache_dir=None)
    forms = count_formulations(result.cleaned, seg, config.formulations, config.segment)
    assert [(r[0], r[4]) for r in forms.by_doc] == [("深化改革开放", 1)] and forms.chart == ("深化改革开放",)
