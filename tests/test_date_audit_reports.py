"""The date audit on copies of the real government work reports of 2005-2024 with wrong years, earlier
and later than the truth, and as they are (false alarms). ../shared holds no December meeting readouts,
so the look-ahead cases are the reports' own sentences that look ahead to a congress or an anniversary.
Skipped when ../shared is absent."""

import csv
import re

import pytest

from topics.analysis.dates import audit_document
from topics.config import load_experiment
from topics.pipeline import check

from .conftest import EXPERIMENTS, GOV_REPORTS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not GOV_REPORTS.is_dir(), reason="../shared/corpora/gov_work_reports is absent"),
]
YEARS = range(2005, 2025)
FLAGGED = ("too early", "too late", "conflicting")


def _copies(folder, shift):
    """The 20 reports, each labelled ``shift`` years away from its true year."""
    folder.mkdir()
    rows = ["file,year,title"]
    for y in YEARS:
        name = f"gwr_{y}.txt"
        (folder / name).write_bytes((GOV_REPORTS / name).read_bytes())
        rows.append(f"{name},{y + shift},report {y}")
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def _audit(folder):
    config = load_experiment(EXPERIMENTS / "baseline.toml", [f"corpus.path={folder}", "corpus.years=[]"])
    return check(config).audit


@pytest.fixture(scope="module")
def audits(tmp_path_factory):
    base = tmp_path_factory.mktemp("shifted")
    return {s: _audit(_copies(base / f"shift{s:+d}", s)) for s in (-6, -3, -1, 0, 1, 3, 6)}


def test_no_false_alarms_on_the_reports_as_they_are(audits):
    a = audits[0]
    assert len(a) == 20
    assert sum(x.verdict in FLAGGED for x in a) <= 1, [x.summary() for x in a if x.verdict in FLAGGED]
    assert sum(not x.second.allows(x.stated_year) for x in a) <= 1  # the corpus's own second opinion


@pytest.mark.parametrize("shift, at_least", [(-6, 18), (-3, 18), (-1, 10), (1, 15), (3, 18), (6, 18)])
def test_wrong_years_are_caught(audits, shift, at_least):
    caught = [x for x in audits[shift] if x.verdict in FLAGGED]
    assert len(caught) >= at_least, [x.summary() for x in audits[shift] if x.verdict not in FLAGGED]
    expected = "too early" if shift < 0 else "too late"
    assert sum(x.verdict == expected for x in caught) >= len(caught) - 1
    assert all(x.conflicts for x in caught)  # every verdict lists its evidence


def test_second_opinion_far_from_a_label_six_years_off(audits):
    # left out, a document's own label plays no part: its neighbours are the other, true, reports
    a = audits[0]
    assert all(x.second is not None for x in a)
    assert sum(not x.second.allows(x.stated_year + 6) for x in a) >= 18
    assert sum(not x.second.allows(x.stated_year - 6) for x in a) >= 18


def _looking_ahead_sentences():
    pattern = re.compile(r"[^。；！\n]*(?:迎接|即将召开|今年将召开|明年将召开)[^。；！\n]*")
    event = re.compile(r"十[六七八九]大|二十大|第[一二三四五六七八九十]+次全国代表大会|周年")
    for y in YEARS:
        text = (GOV_REPORTS / f"gwr_{y}.txt").read_text(encoding="utf-8")
        for m in pattern.finditer(text):
            if event.search(m.group()):
                yield y, m.group()


def test_the_reports_own_looking_ahead_sentences():
    cases = list(_looking_ahead_sentences())
    assert len(cases) >= 8
    with_cues = [(y, s) for y, s in cases if audit_document("d", "d", y, s).evidence]
    assert len(with_cues) >= 8
    assert all(audit_document("d", "d", y, s).verdict == "consistent" for y, s in with_cues), [
        (y, s) for y, s in with_cues if audit_document("d", "d", y, s).verdict != "consistent"
    ]
    # two years after the event it looks ahead to, the sentence is out of place
    assert all(audit_document("d", "d", y + 2, s).verdict == "too late" for y, s in with_cues)


def test_date_audit_csv_on_the_reports(tmp_path):
    from topics.render.tables import audit_summary_table

    header, rows = audit_summary_table(_audit(_copies(tmp_path / "c", 3)))
    assert len(rows) == 20 and "second_opinion_range" in header
    out = tmp_path / "s.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    assert sum(r["verdict"] == "too late" for r in csv.DictReader(out.open(encoding="utf-8"))) >= 18
