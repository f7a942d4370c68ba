"""Citing a run: a BibTeX entry and a one-line citation, read from the run's manifest.json,
beside the citation of the package itself (the same facts as the repository's CITATION.cff)."""
from __future__ import annotations

import json
from pathlib import Path

from .. import __version__
from ..errors import ConfigError

PACKAGE = {"title": "topics: topic and trend modelling of Chinese political speeches",
           "author": "The topics developers", "version": __version__, "year": "2026", "license": "MIT"}


def _bib(text: str) -> str:
    return "".join("\\" + ch if ch in "{}&%$#_" else ch for ch in str(text))


def read_manifest(run_dir: str | Path) -> dict:
    path = Path(run_dir) / "manifest.json"
    if not path.is_file():
        raise ConfigError(f"{str(run_dir)!r} is not a run folder (no manifest.json); give a folder "
                          f"written by `topics run`, e.g. reports/baseline")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable manifest ({exc}); rerun the experiment") from None


def citation(m: dict) -> tuple[str, str]:
    """(BibTeX for the run and the package, one-line citation) from a manifest dict."""
    date = m["created_utc"][:10]
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
           f"  year = {{{date[:4]}}},\n"
           f"  date = {{{date}}},\n"
           f"  howpublished = {{Run record (manifest.json) produced by topics {m['versions'].get('topics')}}},\n"
           f"  note = {{{_bib(note)}}}\n"
           f"}}\n\n"
           f"@software{{topics_{PACKAGE['version'].replace('.', '_')},\n"
           f"  title = {{{{{_bib(PACKAGE['title'])}}}}},\n"
           f"  author = {{{_bib(PACKAGE['author'])}}},\n"
           f"  version = {{{PACKAGE['version']}}},\n"
           f"  year = {{{PACKAGE['year']}}},\n"
           f"  license = {{{PACKAGE['license']}}}\n"
           f"}}\n")
    line = (f"{PACKAGE['author']} ({date[:4]}). {m['experiment']}: topic model run {m['run_id']} "
            f"({model['engine']}, K = {model['params']['n_topics']}, seed {m['seed']}; {c['documents']} documents, "
            f"{years}). topics {m['versions'].get('topics')}. Run record created {date}.")
    return bib, line
