"""The ``[effects]`` formula's grammar: terms of metadata columns joined by ``+``.

``year`` (linear), ``spline(year, df=N)``, a column name (categorical) and ``col:year`` (that column's
levels each with a slope of their own). A small hand-written parser: nothing is evaluated. It lives
with the config because the config's checks read a formula; analysis/effects.py builds the design.
"""

from __future__ import annotations

import re
from typing import NamedTuple

YEAR = "year"


class FormulaError(ValueError):
    """A formula that cannot be read; the message says what to write instead."""


class Term(NamedTuple):
    """One term of a formula: kind is "year", "spline", "categorical" or "interaction"."""

    kind: str
    column: str
    df: int = 0

    def text(self) -> str:
        if self.kind == "spline":
            return f"spline(year, df={self.df})"
        if self.kind == "interaction":
            return f"{self.column}:year"
        return self.column


_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_SPLINE = re.compile(rf"spline\(\s*({_NAME})\s*,\s*df\s*=\s*([0-9]+)\s*\)")
_INTERACTION = re.compile(rf"({_NAME})\s*:\s*({_NAME})")
MAX_DF = 10


def parse_formula(text: str) -> tuple[Term, ...]:
    """'level + spline(year, df=4) + level:year' -> Terms. "" -> (). Raises FormulaError."""
    if not isinstance(text, str):
        raise FormulaError(f"expected a string such as \"level + year\", got {text!r}")
    if not text.strip():
        return ()
    terms: list[Term] = []
    for raw in text.split("+"):
        part = raw.strip()
        if not part:
            raise FormulaError(f"an empty term in {text!r}: join terms with a single '+', e.g. \"level + year\"")
        m = _SPLINE.fullmatch(part)
        if m:
            if m.group(1) != YEAR:
                raise FormulaError(f"{part!r}: only the year takes a spline; write spline(year, df=4)")
            df = int(m.group(2))
            if not 1 <= df <= MAX_DF:
                raise FormulaError(f"{part!r}: df must be a whole number from 1 to {MAX_DF}")
            terms.append(Term("spline", YEAR, df))
            continue
        m = _INTERACTION.fullmatch(part)
        if m:
            a, b = m.groups()
            col = a if b == YEAR else b if a == YEAR else None
            if col is None or col == YEAR:
                raise FormulaError(f"{part!r}: an interaction is a column with the year, e.g. level:year")
            terms.append(Term("interaction", col))
            continue
        if re.fullmatch(_NAME, part):
            terms.append(Term("year" if part == YEAR else "categorical", part))
            continue
        raise FormulaError(
            f"cannot read the term {part!r}; terms are year, spline(year, df=N), a metadata column name, "
            "or column:year, joined by '+'"
        )
    if len(set(terms)) != len(terms):
        raise FormulaError(f"a term appears twice in {text!r}; write each term once")
    time_terms = [t for t in terms if t.kind in ("year", "spline")]
    if len(time_terms) > 1:
        raise FormulaError(f"{text!r}: give the year once, either year or spline(year, df=N)")
    for t in terms:
        if t.kind == "interaction" and Term("categorical", t.column) not in terms:
            raise FormulaError(f"{t.text()!r} needs its column as a term too: write \"{t.column} + {t.text()}\"")
    return tuple(terms)


def categorical_columns(terms) -> tuple[str, ...]:
    return tuple(t.column for t in terms if t.kind == "categorical")
