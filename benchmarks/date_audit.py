"""Date audit on relabelled government work reports: hits, misses and false alarms by shift.

    python benchmarks/date_audit.py            # prints a Markdown table; --json for the raw counts

The 20 reports of 2005-2024 in ../shared/corpora/gov_work_reports are cleaned as a run cleans them,
then each is audited under its true year (shift 0: any verdict other than consistent or no dated cues
is a false alarm) and under its year shifted by -6, -3, -1, +1, +3 and +6 (a hit when the verdict says
the label is wrong). The corpus second opinion (formulation profiles, leave one out) is scored the same
way: a hit when the stated year falls outside the range it gives.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from topics.analysis import dates
from topics.config import load_experiment
from topics.pipeline import check

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT.parent / "shared" / "corpora" / "gov_work_reports"
SHIFTS = (-6, -3, -1, 0, 1, 3, 6)


def cleaned_reports(first: int = 2005, last: int = 2024):
    config = load_experiment(
        ROOT / "experiments" / "baseline.toml",
        [f"corpus.path={REPORTS}", f"corpus.years=[{first}, {last}]"],
    )
    return check(config).cleaned


def flagged(a) -> bool:
    verdict = getattr(a, "verdict", None)
    if verdict is None:  # the audit before verdicts: any conflicting cue
        return bool(a.conflicts)
    return verdict not in ("consistent", "no dated cues")


def score(cleaned) -> dict:
    cues = dates.load_cues()
    docs = [(cd.document, "\n".join(p.text for p in cd.paragraphs)) for cd in cleaned]
    second = None
    if hasattr(dates, "second_opinions"):
        second = dates.second_opinions([t for _, t in docs], [d.year for d, _ in docs])
    table = {}
    for shift in SHIFTS:
        cue_hits = second_hits = 0
        missed = []
        for i, (d, text) in enumerate(docs):
            a = dates.audit_document(d.doc_id, d.file, d.year + shift, text, cues)
            if flagged(a):
                cue_hits += 1
            elif shift:
                missed.append(d.year)
            if second is not None and second[i] is not None and not second[i].allows(d.year + shift):
                second_hits += 1
        table[shift] = {"n": len(docs), "cue": cue_hits, "second": second_hits if second else None, "missed": missed}
    return table


def markdown(table) -> str:
    lines = ["| shift | documents | cue audit flags | second opinion flags | cue audit missed (true years) |"]
    lines.append("|---:|---:|---:|---:|---|")
    for shift, row in table.items():
        what = "false alarms" if shift == 0 else "hits"
        second = "-" if row["second"] is None else f"{row['second']}/{row['n']}"
        lines.append(
            f"| {shift:+d} | {row['n']} | {row['cue']}/{row['n']} {what} | {second} | "
            f"{' '.join(map(str, row['missed'])) or '-'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = score(cleaned_reports())
    print(json.dumps(result, indent=1) if args.json else markdown(result))
