"""The political lexicon (formulations kept whole, variant spellings folded) and the stopword lists."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..config.lexicon_file import not_a_term
from ..config import SegmentConfig
from ..errors import ConfigError

_SEPARATORS = r"[、，,.。；;·・\s“”‘’\"']{0,3}"


@functools.lru_cache(maxsize=None)
def dist_version(dist: str) -> str:
    """The installed version of a distribution, or "not installed"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


@dataclass(frozen=True)
class Lexicon:
    """Formulations kept whole. ``terms`` sorted; ``variants`` folds separator spellings."""

    terms: tuple[str, ...]
    variants: dict  # canonical term -> pattern string (only terms with split points)
    sha256: str

    def fold(self, text: str) -> str:
        """Replace variant spellings of split formulations with their canonical form."""
        if not self.variants:
            return text
        pattern = _variant_regex(self)
        return pattern.sub(lambda m: m.group().translate(_STRIP_SEP), text)


_STRIP_SEP = {ord(c): None for c in "、，,.。；;·・ \t\n\u3000“”‘’\"'"}
_REGEX_CACHE: dict = {}


def _variant_regex(lexicon: Lexicon) -> re.Pattern:
    if lexicon.sha256 not in _REGEX_CACHE:
        alts = sorted(lexicon.variants.values(), key=len, reverse=True)
        _REGEX_CACHE[lexicon.sha256] = re.compile("|".join(alts))
    return _REGEX_CACHE[lexicon.sha256]


def load_lexicon(cfg: SegmentConfig) -> Lexicon:
    """The built-in formulations (unless ``lexicon = false``) plus ``extra_lexicon`` files.

    A lexicon file is UTF-8 text, one term per line (a TSV's first column is the term); lines
    starting with '#' and a header line ``term...`` are skipped; '/' marks separator points."""
    sources = []
    if cfg.lexicon:
        sources.append(("builtin:formulations.tsv", builtin_text("formulations.tsv")))
    for path in cfg.extra_lexicon_paths:
        try:
            sources.append((str(path), Path(path).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"segment.extra_lexicon: cannot read {str(path)!r} as UTF-8 text ({exc})") from exc
    parts: dict[str, str] = {}
    problems: list[str] = []
    for source, text in sources:
        for line_no, line in enumerate(text.splitlines(), 1):
            entry = line.split("\t", 1)[0].strip()
            if not entry or entry.startswith("#") or entry == "term":
                continue
            why = "" if source.startswith("builtin:") else not_a_term(entry)
            if why:
                problems.append(
                    f"segment.extra_lexicon: {source} line {line_no}: {entry[:40]!r} {why}; a lexicon file has "
                    f"one term per line (a TSV's first column), '#' for comments"
                )
                continue
            term = entry.replace("/", "")
            parts.setdefault(term, entry)
    if problems:
        raise ConfigError(problems)
    digest = hashlib.sha256()
    for term in sorted(parts):
        digest.update(f"{parts[term]}\n".encode("utf-8"))
    variants = {t: _SEPARATORS.join(re.escape(p) for p in e.split("/")) for t, e in parts.items() if "/" in e}
    return Lexicon(terms=tuple(sorted(parts)), variants=variants, sha256=digest.hexdigest())


@dataclass(frozen=True)
class Stopwords:
    words: frozenset  # general | filler
    sha256: str
    source: str
    general: frozenset = frozenset()  # stopwords-iso zh and extra_stopwords, minus the keep lists
    filler: frozenset = frozenset()  # the package's speech filler, minus the keep lists


def load_stopwords(cfg: SegmentConfig) -> Stopwords:
    """stopwords-iso's Chinese list (``stopwords = "iso"``) plus the package's filler list and
    ``extra_stopwords``, minus the package's keep list and ``keep_words``."""
    general: set[str] = set()
    filler: set[str] = set()
    source = "none"
    if cfg.stopwords == "iso":
        import stopwordsiso

        keep = set(_word_list(builtin_text("stopwords_keep.txt")))
        general = set(stopwordsiso.stopwords("zh")) - keep
        filler = set(_word_list(builtin_text("stopwords_add.txt"))) - keep - general
        source = f"stopwords-iso {dist_version('stopwordsiso')} zh + topics filler - topics keep"
    general |= set(cfg.extra_stopwords)
    general -= set(cfg.keep_words)
    filler -= set(cfg.keep_words) | general
    words = general | filler
    digest = hashlib.sha256("\n".join(sorted(words)).encode("utf-8")).hexdigest()
    return Stopwords(
        words=frozenset(words), sha256=digest, source=source, general=frozenset(general), filler=frozenset(filler)
    )


def _word_list(text: str) -> list[str]:
    return [w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")]


def builtin_text(name: str) -> str:
    return resources.files("topics.lexicon").joinpath(name).read_text(encoding="utf-8")
