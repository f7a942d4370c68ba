"""Run records: fit and report ids, versions, platform and git state, and the deterministic writers.

The same config on the same corpus with the same versions writes byte-identical tables: rows are
sorted, floats have a fixed number of decimals, JSON keys are sorted, and time stamps appear only in
manifest.json. A run is written to a hidden staging folder and renamed into place at the end, so a
folder under the run's name is always complete.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path


DISTRIBUTIONS = (
    "topics",
    "jieba",
    "rjieba",
    "gensim",
    "scikit-learn",
    "tomotopy",
    "topica",
    "numpy",
    "scipy",
    "plotly",
    "matplotlib",
    "stopwordsiso",
)
FLOAT_FORMAT = "{:.6f}"
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a cell starting so is read as a formula by spreadsheets


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in DISTRIBUTIONS:
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "not installed"
    return out


def peak_rss_mb() -> float | None:
    """The process's peak resident memory so far, in MB (None where the platform cannot say)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def platform_info() -> dict:
    return {
        "system": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
        "python_implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
    }


def git_state(path: Path) -> dict | None:
    """Commit and dirty flag of the git checkout holding ``path``, or None outside one."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "-C", str(path), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


REPORT_SECTIONS = ("report", "export")  # settings that change views of a fit, never the fit


def fit_id(config: dict, corpus_fingerprint: str, vers: dict) -> str:
    """What identifies a fit: a hash of the resolved config minus the corpus path (the fingerprint
    identifies the data), minus [parallel] (where fits ran never changes what they give) and minus
    the report settings ([report], [export]), with the corpus fingerprint and the package versions.
    Relabelling, merging or re-rendering a run never changes its fit id."""
    cfg = json.loads(json.dumps(config))
    cfg.get("corpus", {}).pop("path", None)
    for section in ("parallel", *REPORT_SECTIONS):
        cfg.pop(section, None)
    if not (cfg.get("effects") or {}).get("formula"):  # [effects] off: the ids of runs made before it stay
        cfg.pop("effects", None)
    return _digest({"config": cfg, "corpus": corpus_fingerprint, "versions": vers})


def report_id(fit: str, config: dict, curation: list) -> str:
    """What identifies a report of a fit: the fit id, the report settings and every curation decision."""
    return _digest({"fit": fit, "report": {s: config.get(s) for s in REPORT_SECTIONS}, "curation": curation})


def _digest(obj) -> str:
    blob = json.dumps(obj, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def fmt(value) -> str:
    """A table cell: floats with fixed decimals, booleans as true/false, the rest as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return FLOAT_FORMAT.format(value + 0.0)  # + 0.0 turns -0.0 into 0.0
    return str(value)


def spreadsheet_cell(value) -> str:
    """A text cell as ``[export] spreadsheet_safe = true`` writes it: one starting with a character in
    :data:`FORMULA` gets a leading single quote, so a spreadsheet shows it as text instead of running
    it. Numbers are never changed (a negative number stays a number)."""
    text = fmt(value)
    if isinstance(value, str) and text.startswith(FORMULA):
        return "'" + text
    return text


def write_csv(path: Path, header: list[str], rows, *, spreadsheet_safe: bool = False) -> None:
    """One CSV of a run folder (every CSV the package writes goes through here). ``rows`` is an
    iterable of sequences, one value per column of ``header``; with ``spreadsheet_safe`` text cells
    that a spreadsheet would read as a formula are prefixed with a single quote."""
    cell = spreadsheet_cell if spreadsheet_safe else fmt
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        # the csv module quotes a cell holding "\n" but not one holding a lone "\r" (not in the line
        # terminator), which a reader then splits: such a row is written with every cell quoted
        quoted = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_ALL)
        for row in ([cell(h) for h in header], *([cell(v) for v in r] for r in rows)):
            (quoted if any("\r" in c for c in row) else w).writerow(row)


def write_json(path: Path, obj) -> None:
    text = json.dumps(_round(obj), ensure_ascii=False, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def _round(obj):
    if isinstance(obj, float):
        return round(obj, 6)
    if isinstance(obj, dict):
        return {str(k): _round(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_round(v) for v in obj]
    return obj


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def to_toml(config: dict) -> str:
    """A resolved config as TOML (for configs built in code, which have no file to copy).
    Settings left at None mean 'the library's default' and are omitted."""
    lines = []
    for section, values in config.items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            if value is not None:
                lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {_toml_value(v)}" for k, v in value.items())
            + "}"
        )
    raise TypeError(f"cannot write {value!r} as TOML")
