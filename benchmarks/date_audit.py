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


ABLATIONS = (  # name, evidence kept, explicit-year conditions dropped
    ("all cues", lambda e: True, ()),
    ("hard bounds only", lambda e: e.strength == "hard", ()),
    ("no review/tasks/date-line years", lambda e: True, ("review", "tasks", "date line")),
    ("neither", lambda e: e.strength == "hard", ("review", "tasks", "date line")),
    ("no explicit years, soft kept", lambda e: e.kind != "explicit year", ()),
    ("no explicit years, hard only", lambda e: e.kind != "explicit year" and e.strength == "hard", ()),
)


def ablation(cleaned) -> dict:
    """Flags by shift with parts of the audit left out (which cues catch what)."""
    cues = dates.load_cues()
    docs = [(cd.document, "\n".join(p.text for p in cd.paragraphs)) for cd in cleaned]
    kept, out = dates._EXPLICIT, {}
    try:
        for name, keep, dropped in ABLATIONS:
            dates._EXPLICIT = tuple(x for x in kept if x[1] not in dropped)
            out[name] = {}
            for shift in SHIFTS:
                flags = 0
                for d, text in docs:
                    a = dates.audit_document(d.doc_id, d.file, d.year + shift, text, cues)
                    evidence = [e for e in a.evidence if keep(e)]
                    flags += any(e.conflict for e in evidence)
                out[name][shift] = flags
    finally:
        dates._EXPLICIT = kept
    return out


def second_errors(cleaned) -> str:
    docs = [(cd.document, "\n".join(p.text for p in cd.paragraphs)) for cd in cleaned]
    ops = dates.second_opinions([t for _, t in docs], [d.year for d, _ in docs])
    errors = [abs(o.year - d.year) for o, (d, _) in zip(ops, docs)]
    return (
        f"second opinion, estimate against the true year: mean absolute error {sum(errors) / len(errors):.2f} "
        f"years, largest {max(errors)}; range width {sum(o.high - o.low for o in ops) / len(ops):.1f} years on average"
    )


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
    parser.add_argument("--ablate", action="store_true", help="also: flags with parts of the audit left out")
    args = parser.parse_args()
    cleaned = cleaned_reports()
    result = score(cleaned)
    print(json.dumps(result, indent=1) if args.json else markdown(result))
    if args.ablate and hasattr(dates, "second_opinions"):
        print()
        print("| cues used | " + " | ".join(f"{s:+d}" for s in SHIFTS) + " |")
        print("|---|" + "---:|" * len(SHIFTS))
        for name, row in ablation(cleaned).items():
            print(f"| {name} | " + " | ".join(f"{row[s]}/20" for s in SHIFTS) + " |")
        print()
        print(second_errors(cleaned))
