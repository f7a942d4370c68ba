"""The text of a new experiment file for a researcher's own corpus (``topics init``).

``experiment_text`` writes every section and key of the schema at the package defaults, except the
settings chosen from the corpus (name, seed, description, years, K, the formulation chart), each
section with a comment naming the README section that explains it. The result is valid TOML that
``load_experiment`` reads back to the same settings (a test checks).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

README_SECTIONS = {  # [section] -> where the README explains its keys
    "experiment": "Using your own speeches",
    "corpus": "Using your own speeches",
    "clean": "Experiments (the [clean] row of the table)",
    "units": "Experiments (the [units] row)",
    "segment": "Experiments (the [segment] row)",
    "vectorize": "Experiments (the [vectorize] row) and Method, and what to watch for",
    "model": "Experiments (the [model] row)",
    "evaluate": "Experiments (the [evaluate] row)",
    "report": "Experiments (the [report] row) and Working with saved runs",
    "uncertainty": "Method, and what to watch for",
    "stability": "Method, and what to watch for",
    "guards": "Method, and what to watch for",
    "sweep": "Method, and what to watch for",
    "evolution": "Method, and what to watch for",
    "formulations": "Experiments (the [formulations] row)",
    "compare": "Experiments (the [compare] row)",
    "export": "What a run writes",
    "parallel": "Speed and scale",
    "effects": "Method, and what to watch for",
}

UNSET = {("uncertainty", "seed"): "the experiment seed"}
K_RULE = "K = round(4 x log10(units)), at least 2 and at most units / [guards] units_per_topic"


def suggested_k(n_units: int, units_per_topic: int) -> int:
    """The K ``topics init`` writes: 8 for the 117 units of the bundled seeds, 15 for the 5,892 of the
    government work reports (the K their experiments use), never more than the guards allow."""
    k = round(4 * math.log10(max(n_units, 1)))
    cap = n_units // units_per_topic if units_per_topic else n_units
    return max(2, min(k, cap))


@dataclass(frozen=True)
class Scaffold:
    """The settings ``topics init`` chose from the corpus, with the facts behind them (for comments)."""

    name: str
    seed: int
    description: str
    corpus_path: str  # relative to the experiment file
    years: tuple[int, int]
    n_topics: int
    chart: tuple[str, ...]
    n_documents: int
    n_units: int


def toml_value(v) -> str:
    """A TOML value for str, bool, int, float, list and dict (dicts inline); None is not TOML."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return (
            "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(x)}" for k, x in v.items()) + "}"
        )
    raise TypeError(f"no TOML value for {v!r}")


def experiment_text(s: Scaffold, defaults: dict) -> str:
    """The experiment file. ``defaults``: Experiment.to_dict() of the package defaults with the
    scaffold's own settings applied ({section: {key: value}})."""
    comments = {
        ("experiment", "seed"): "every random choice derives from this seed (here: from the corpus fingerprint)",
        ("corpus", "path"): "relative to this file" if not s.corpus_path.startswith("/") else "",
        ("corpus", "years"): f"the first and last year of the {s.n_documents} documents",
        ("model", "n_topics"): f"{K_RULE} ({s.n_units} units); compare others with `topics sweep --k 4:20:2`",
        ("formulations", "chart"): "the lexicon formulations most frequent in this corpus when `topics init` ran; "
        "[] charts the most frequent at every run",
    }
    lines = [
        f"# {s.name}: written by `topics init` for {s.corpus_path} ({s.n_documents} documents, "
        f"{s.years[0]}-{s.years[1]}, {s.n_units} units).",
        "# Every setting not chosen from the corpus is at the package default; each section names the README",
        "# section that explains it. Edit freely: `topics check` validates the file without fitting.",
    ]
    for section, values in defaults.items():
        lines += ["", f"[{section}]  # README: {README_SECTIONS.get(section, 'Experiments')}"]
        if section == "model":  # engine first, then its parameters
            values = {"engine": values["engine"], "n_topics": values["n_topics"], **values}
        for key, value in values.items():
            if value is None:
                lines.append(f"# {key} = (not set: {UNSET.get((section, key), 'the package chooses')})")
                continue
            line = f"{key} = {toml_value(value)}"
            note = comments.get((section, key))
            lines.append(f"{line}  # {note}" if note else line)
    return "\n".join(lines) + "\n"
