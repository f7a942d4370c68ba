"""Citing a run: a BibTeX entry and a one-line citation, read from the run's manifest.json,
beside the citation of the package itself (the same facts as the repository's CITATION.cff)."""
from __future__ import annotations

import json
from pathlib import Path

from .. import __version__
from ..errors import RunFolderError

RELEASE_YEAR = "2026"      # the year of date-released in CITATION.cff: only for a manifest without created_utc
PACKAGE = {"title": "topics: topic and trend modelling of Chinese political speeches",
           "author": "The topics developers", "version": __version__, "license": "MIT"}

# what citation() reads from a run's manifest.json, as (dotted key, kind of value)
REQUIRED = (("run_id", str), ("experiment", str), ("seed", int), ("versions", dict),
            ("corpus", dict), ("corpus.documents", int), ("corpus.years", list), ("corpus.fingerprint", str),
            ("model", dict), ("model.engine", str), ("model.params", dict), ("model.params.n_topics", int))
_GIVE = "give a run folder written by `topics run`, e.g. reports/baseline"


def _bib(text: str) -> str:
    return "".join("\\" + ch if ch in "{}&%$#_" else ch for ch in str(text))


def _lookup(m: dict, dotted: str):
    value: object = m
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(dotted)
        value = value[part]
    return value


def read_manifest(run_dir: str | Path) -> dict:
    """The manifest.json of a run folder, checked to hold what ``citation`` needs; a
    RunFolderError naming the folder and what to do otherwise."""
    folder = str(run_dir)
    path = Path(run_dir) / "manifest.json"
    if not path.is_file():
        why = ("no such folder" if not Path(run_dir).exists() else "it is a file, not a folder"
               if not Path(run_dir).is_dir() else "no manifest.json")
        raise RunFolderError(f"{folder!r} is not a run folder ({why}); {_GIVE}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RunFolderError(f"{folder!r}: manifest.json cannot be read ({exc}); check its permissions") from exc
    try:
        m = json.loads(raw.decode("utf-8"))
    except ValueError as exc:     # UnicodeDecodeError and JSONDecodeError
        raise RunFolderError(f"{folder!r}: manifest.json is not valid JSON ({exc}); the run record is damaged: "
                             f"rerun the experiment to write it again") from exc
    if not isinstance(m, dict):
        raise RunFolderError(f"{folder!r}: manifest.json holds a {type(m).__name__}, not a JSON object; "
                             f"the run record is damaged: rerun the experiment to write it again")
    if m.get("kind") == "sweep":
        sweep = m.get("sweep")
        k = sweep.get("chosen_k") if isinstance(sweep, dict) else None
        chosen = f" (this sweep chose K = {k})" if k else ""
        raise RunFolderError(f"{folder!r} is a sweep folder (written by `topics sweep`): sweep folders have no "
                             f"run to cite; cite the run folder of the model you report instead, written by "
                             f"`topics run`{chosen}, e.g. reports/{m.get('experiment') or 'baseline'}")
    missing: list[str] = []
    wrong: list[str] = []
    for key, kind in REQUIRED:
        if any(key.startswith(f"{bad}.") for bad in missing + [w.split(" ")[0] for w in wrong]):
            continue            # name "corpus", not also each of its keys
        try:
            value = _lookup(m, key)
        except KeyError:
            missing.append(key)
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            wrong.append(f"{key} ({type(value).__name__}, expected {kind.__name__})")
    if missing or wrong:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + \
                ([f"wrong type of {', '.join(wrong)}"] if wrong else [])
        raise RunFolderError(f"{folder!r}: manifest.json is not a complete run record ({'; '.join(parts)}); "
                             f"give a folder written by `topics run`, or rerun the experiment to write it again")
    return m


def citation(m: dict) -> tuple[str, str]:
    """(BibTeX for the run and the package, one-line citation) from a manifest dict."""
    date = str(m.get("created_utc") or "")[:10]
    year = date[:4] or RELEASE_YEAR
    key = f"topics_{m['experiment']}_{m['run_id'][:8]}".replace("-", "_").replace(".", "_")
    c = m["corpus"]
    years = f"{min(c['years'])}-{max(c['years'])}" if c["years"] else ""
    model = m["model"]
    note = (f"Run {m['run_id']} of experiment {m['experiment']}: {model['engine']}, "
            f"K = {model['params']['n_topics']}, seed {m['seed']}; corpus of {c['documents']} documents "
            f"({years}), fingerprint {c['fingerprint'][:16]}; topics {m['versions'].get('topics')}")
    git = m.get("git") or {}
    if git.get("commit"):
        note += f", commit {git['commit'][:12]}" + (" (uncommitted changes)" if git.get("dirty") else "")
    bib = (f"@misc{{{key},\n"
           f"  title = {{{{{_bib(m['experiment'])}}}: topic model run {m['run_id']}}},\n"
           f"  author = {{{_bib(PACKAGE['author'])}}},\n"
           f"  year = {{{year}}},\n"
           + (f"  date = {{{date}}},\n" if date else "")
           + f"  howpublished = {{Run record (manifest.json) produced by topics {m['versions'].get('topics')}}},\n"
           f"  note = {{{_bib(note)}}}\n"
           f"}}\n\n"
           f"@software{{topics_{PACKAGE['version'].replace('.', '_')},\n"
           f"  title = {{{{{_bib(PACKAGE['title'])}}}}},\n"
           f"  author = {{{_bib(PACKAGE['author'])}}},\n"
           f"  version = {{{PACKAGE['version']}}},\n"
           f"  year = {{{year}}},\n"
           f"  license = {{{PACKAGE['license']}}}\n"
           f"}}\n")
    line = (f"{PACKAGE['author']} ({year}). {m['experiment']}: topic model run {m['run_id']} "
            f"({model['engine']}, K = {model['params']['n_topics']}, seed {m['seed']}; {c['documents']} documents, "
            f"{years}). topics {m['versions'].get('topics')}." + (f" Run record created {date}." if date else ""))
    return bib, line
