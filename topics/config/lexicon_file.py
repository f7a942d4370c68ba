"""What a lexicon file's lines must be: one Chinese term per line (a TSV's first column), checked
with the config so that ``topics check`` names a file of another kind before anything is read."""

from __future__ import annotations

import re
from pathlib import Path


def lexicon_file_problems(path: Path) -> list[str]:
    """Why the file ``path`` of ``[segment] extra_lexicon`` is not a lexicon, one sentence per bad
    line naming the file and the line (checked with the config, so that ``topics check`` says it)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"segment.extra_lexicon: cannot read {str(path)!r} as UTF-8 text ({exc}); a lexicon file is UTF-8 text"]
    problems = []
    for line_no, line in enumerate(text.splitlines(), 1):
        entry = line.split("\t", 1)[0].strip()
        if not entry or entry.startswith("#") or entry == "term":
            continue
        why = not_a_term(entry)
        if why:
            problems.append(
                f"segment.extra_lexicon: {path} line {line_no}: {entry[:40]!r} {why}; a lexicon file has "
                f"one term per line (a TSV's first column), '#' for comments"
            )
    return problems


TERM_CHARS = 40  # a formulation longer than this is not a term (a sentence, or a file of another kind)
_NOT_IN_TERM = re.compile(r"[\x00-\x1f\x7f\s,;|，；、。：:\"'<>{}\[\]=]")


def not_a_term(entry: str) -> str:
    """Why ``entry`` (the first column of a lexicon line) is not a lexicon term ("" when it is)."""
    bad = _NOT_IN_TERM.search(entry)
    if bad:
        return f"holds {bad.group()!r}, which no term holds (is the file a CSV or another kind of file?)"
    if len(entry.replace("/", "")) > TERM_CHARS:
        return f"is longer than {TERM_CHARS} characters: a term is a word or a short formulation"
    if not re.search("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]", entry):
        return "has no Chinese character: a term of the lexicon is Chinese"
    return ""
