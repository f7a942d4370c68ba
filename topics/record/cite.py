"""Citing a run: a BibTeX entry and a one-line citation, read from the run's manifest.json,
beside the citation of the package itself (the same facts as the repository's CITATION.cff)."""

from __future__ import annotations

from .. import __version__
from ..render import escape
from .folder import read_manifest  # noqa: F401  (cite's public reader)

RELEASE_YEAR = "2026"  # the year of date-released in CITATION.cff: only for a manifest without created_utc
PACKAGE = {
    "title": "topics: topic and trend modelling of Chinese political speeches",
    "author": "The topics developers",
    "version": __version__,
    "license": "MIT",
}


_bib = escape.bibtex


def citation(m: dict) -> tuple[str, str]:
    """(BibTeX for the run and the package, one-line citation) from a manifest dict."""
    date = str(m.get("created_utc") or "")[:10]
    year = date[:4] or RELEASE_YEAR
    key = f"topics_{m['experiment']}_{m['run_id'][:8]}".replace("-", "_").replace(".", "_")
    c = m["corpus"]
    years = f"{min(c['years'])}-{max(c['years'])}" if c["years"] else ""
    model = m["model"]
    note = (
        f"Run {m['run_id']} of experiment {m['experiment']}: {model['engine']}, "
        f"K = {model['params']['n_topics']}, seed {m['seed']}; corpus of {c['documents']} documents "
        f"({years}), fingerprint {c['fingerprint'][:16]}; topics {m['versions'].get('topics')}"
    )
    git = m.get("git") or {}
    if git.get("commit"):
        note += f", commit {git['commit'][:12]}" + (" (uncommitted changes)" if git.get("dirty") else "")
    bib = (
        f"@misc{{{key},\n"
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
        f"}}\n"
    )
    line = (
        f"{PACKAGE['author']} ({year}). {m['experiment']}: topic model run {m['run_id']} "
        f"({model['engine']}, K = {model['params']['n_topics']}, seed {m['seed']}; {c['documents']} documents, "
        f"{years}). topics {m['versions'].get('topics')}." + (f" Run record created {date}." if date else "")
    )
    return bib, line
