"""Value checkers for config keys. Each takes a parsed TOML value and returns it (normalised), or
raises Bad with a sentence saying what was expected. Config sections name one checker per key."""

from __future__ import annotations

import codecs
import importlib
import re


class Bad(Exception):
    """A value failed its check; the message says what was expected."""


def integer(lo: int, hi: int | None = None):
    def check(v):
        if isinstance(v, bool) or not isinstance(v, int):
            raise Bad(f"expected a whole number, got {v!r}")
        if v < lo or (hi is not None and v > hi):
            span = f"from {lo} to {hi}" if hi is not None else f">= {lo}"
            raise Bad(f"expected a whole number {span}, got {v}")
        return v

    return check


def boolean(v):
    if not isinstance(v, bool):
        raise Bad(f"expected true or false, got {v!r}")
    return v


def string(v):
    if not isinstance(v, str):
        raise Bad(f"expected a string, got {v!r}")
    return v


def name(v):
    if not isinstance(v, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", v):
        raise Bad(
            f"expected a name of 1 to 64 characters, each an ASCII letter, a digit, '_', '-' or '.', "
            f"starting with a letter or digit (it names the run folder), got {v!r}"
        )
    return v


def choice(names):
    def check(v):
        if not isinstance(v, str) or v not in names:
            raise Bad(f"unknown choice {v!r}; valid choices: {', '.join(map(repr, sorted(names)))}")
        return v

    return check


def str_list(v):
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise Bad(f"expected a list of strings, got {v!r}")
    blank = [i + 1 for i, x in enumerate(v) if not x.strip()]
    if blank:  # an empty term matches everywhere: "" was counted 10,014 times per 10,000 characters
        raise Bad(f"entry {', '.join(map(str, blank))} of the list is empty; remove it or write the word")
    return tuple(v)


def encoding(v):
    string(v)
    try:
        info = codecs.lookup(v)
    except LookupError as exc:
        raise Bad(f"unknown text encoding {v!r}; use e.g. 'utf-8', 'gb18030' or 'utf-16'") from exc
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib, hex: bytes-to-bytes codecs
        raise Bad(f"{v!r} is a codec but not a text encoding; use e.g. 'utf-8', 'gb18030' or 'utf-16'")
    return v


CJK_PROBE = "中国共产党"  # characters a font for the figures must have


def font_file(v):
    """ "" (the first installed CJK font) or a font file (TrueType/OpenType) with Chinese glyphs."""
    string(v)
    if not v:
        return v
    from pathlib import Path

    path = Path(v)
    if not path.is_file():
        raise Bad(f"{v!r} is not a file; give the path of a .ttf, .otf or .ttc font with Chinese glyphs, or \"\"")
    try:
        from matplotlib.ft2font import FT2Font

        charmap = FT2Font(str(path)).get_charmap()
    except (RuntimeError, OSError, ValueError) as exc:
        raise Bad(
            f"{v!r} is not a font file matplotlib can read ({exc}); give a .ttf, .otf or .ttc font with "
            f"Chinese glyphs (e.g. Noto Sans CJK), or \"\" for the first installed one"
        ) from exc
    missing = [c for c in CJK_PROBE if ord(c) not in charmap]
    if missing:
        raise Bad(
            f"{v!r} has no glyph for {''.join(missing)}: it does not cover Chinese; give a font with "
            f"Chinese glyphs (e.g. Noto Sans CJK, Source Han Sans), or \"\" for the first installed one"
        )
    return v


SCHEDULER_SCHEMES = ("tcp", "tls", "ucx", "ws", "wss", "inproc")  # the address schemes Dask reads


def scheduler(v):
    """ "" (this machine's cores) or a Dask scheduler address scheme://host:port."""
    string(v)
    if not v:
        return v
    example = "give one like tcp://host:8786, or \"\" to use this machine's cores"
    scheme, sep, rest = v.partition("://")
    if not sep or scheme not in SCHEDULER_SCHEMES:
        raise Bad(f"{v!r} is not a Dask scheduler address (scheme {', '.join(SCHEDULER_SCHEMES)}); {example}")
    if scheme == "inproc":
        return v
    host, colon, port = rest.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or "/" in rest or any(c.isspace() for c in rest):
        raise Bad(f"{v!r}: expected {scheme}://host:port; {example}")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise Bad(f"{v!r}: the port must be a number from 1 to 65535; {example}")
    return v


def years(v):
    if v == []:
        return ()
    if (
        not isinstance(v, list)
        or len(v) != 2
        or any(isinstance(y, bool) or not isinstance(y, int) for y in v)
        or v[0] > v[1]
    ):
        raise Bad(f"expected [first_year, last_year] with first <= last, or [] for all years, got {v!r}")
    return tuple(v)


def df(v):
    """Document-frequency bound: a count (int >= 1) or a fraction of units (0 < float <= 1)."""
    if isinstance(v, int) and not isinstance(v, bool) and v >= 1:
        return v
    if isinstance(v, float) and 0.0 < v <= 1.0:
        return v
    raise Bad(f"expected a count (whole number >= 1) or a fraction (0 < x <= 1), got {v!r}")


def labels(v):
    if not isinstance(v, dict):
        raise Bad(f"expected a table of topic number = \"label\", got {v!r}")
    out = {}
    for k, label in v.items():
        if not re.fullmatch(r"[1-9][0-9]*", str(k)):
            raise Bad(f"label key {k!r} is not a topic number (topics are numbered from 1)")
        if not isinstance(label, str) or not label.strip():
            raise Bad(f"label for topic {k} must be a non-empty string, got {label!r}")
        out[int(k)] = label
    return tuple(sorted(out.items()))


def table(module: str, name: str):
    """A registry table of another topics module (``module`` relative to the package), looked up by
    name when a value is checked: the config sits below every stage, so it never imports them; and
    loading a config does not import the libraries behind every stage."""
    return getattr(importlib.import_module(f"topics.{module}"), name)


def topic_groups(v):
    """Groups of topic numbers to merge, e.g. [[2, 5], [3, 4, 7]]: each group two or more distinct
    topics, no topic in two groups."""
    if not isinstance(v, (list, tuple)):
        raise Bad(f"expected a list of groups of topic numbers, e.g. [[2, 5]], got {v!r}")
    seen: set[int] = set()
    out = []
    for group in v:
        if (
            not isinstance(group, (list, tuple))
            or len(group) < 2
            or not all(isinstance(t, int) and not isinstance(t, bool) and t >= 1 for t in group)
        ):
            raise Bad(f"each group lists two or more topic numbers (from 1), got {group!r}")
        if len(set(group)) != len(group) or seen & set(group):
            raise Bad(f"a topic appears twice in {v!r}; each topic may be merged into one group only")
        seen |= set(group)
        out.append(tuple(sorted(group)))
    return tuple(sorted(out))


def registry(module: str, name: str):
    """A choice among the names of a registry table of another topics module (see ``table``)."""

    def names():
        return table(module, name)

    def check(v):
        return choice(names())(v)

    return check


def coherence_list(v):
    names = str_list(v)
    for n in names:
        _measure(n)
    if not names:
        raise Bad("expected at least one coherence measure")
    return names


_measure = registry("analysis.quality", "MEASURES")


def number(lo: float, hi: float):
    """A real number in [lo, hi] (whole numbers are accepted)."""

    def check(v):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
            raise Bad(f"expected a number from {lo} to {hi}, got {v!r}")
        return float(v)

    return check


def int_list(lo: int):
    """A list of whole numbers >= lo, returned sorted without repeats ([] for none)."""

    def check(v):
        if not isinstance(v, list) or any(isinstance(x, bool) or not isinstance(x, int) or x < lo for x in v):
            raise Bad(f"expected a list of whole numbers >= {lo}, e.g. [5, 10, 15], got {v!r}")
        return tuple(sorted(set(v)))

    return check


def eras(v):
    """Named spans of years: {"2005-2012" = [2005, 2012], ...}, in the order written."""
    if not isinstance(v, dict):
        raise Bad(f'expected a table of name = [first_year, last_year], e.g. {{"early" = [2005, 2012]}}, got {v!r}')
    out = []
    for name_, span in v.items():
        try:
            span = years(span)
        except Bad as exc:
            raise Bad(f"era {name_!r}: expected [first_year, last_year] with first <= last, got {span!r}") from exc
        if not span:
            raise Bad(f"era {name_!r}: give [first_year, last_year]")
        out.append((str(name_), span))
    return tuple(out)


def contrasts(v):
    """Pairs of era names [[later, earlier], ...]: each contrast is later minus earlier."""
    if not isinstance(v, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in v
    ):
        raise Bad(f'expected a list of [era, era] pairs, e.g. [["2013-2024", "2005-2012"]], got {v!r}')
    return tuple(tuple(p) for p in v)


def engine_list(v):
    names = str_list(v)
    for n in names:
        _engine(n)
    return names


_engine = registry("models", "ENGINES")


def formats(v):
    names = str_list(v)
    for n in names:
        choice({"svg", "pdf", "png"})(n)
    return names


def formula(v):
    """An [effects] formula, e.g. "level + spline(year, df=4)" ("" = off), read by the effects parser."""
    string(v)
    from .formula import FormulaError, parse_formula

    try:
        parse_formula(v)
    except FormulaError as exc:
        raise Bad(str(exc)) from exc
    return v.strip()


def references(v):
    """A table of metadata column = reference level, e.g. {level = "county"}."""
    if not isinstance(v, dict) or not all(isinstance(k, str) and isinstance(x, str) and x for k, x in v.items()):
        raise Bad(f'expected a table of column = "reference level", e.g. {{level = "county"}}, got {v!r}')
    return tuple(sorted(v.items()))
