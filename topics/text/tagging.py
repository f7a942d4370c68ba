"""Part-of-speech tags of vocabulary terms: jieba's dictionary tag of each term.

The model's vocabulary keeps content words by part of speech. Tags are looked up per term, not
cut again in context: with ``hmm = false`` (the default) jieba.posseg gives every dictionary word
its dictionary tag wherever it stands, so a term's tag is a function of the term (benchmarks/
tagging.py measures the agreement with posseg in context and with rjieba's tagger). Lexicon
formulations carry the tag they were added with (nz); Latin tokens are ``eng``, numbers ``m``, and a
word the dictionary does not hold (found by the HMM) is ``un``.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from .clean import HAN

LEXICON_TAG = "nz"  # the tag segmenters give the lexicon's formulations (segmenters.add_word)
UNKNOWN_TAG = "un"  # a word jieba's dictionary does not hold

# tag -> what it is (jieba's tag set, after ICTCLAS); the content tags are those a theme is named by
TAGS = {
    "n": "noun",
    "nr": "person name",
    "nrt": "transcribed name",
    "nrfg": "person name (full)",
    "ns": "place name",
    "nt": "organisation name",
    "nz": "other proper noun (and every lexicon formulation)",
    "ng": "noun morpheme",
    "vn": "verbal noun",
    "an": "adjectival noun",
    "j": "abbreviation (党建, 医保)",
    "l": "fixed expression (义务教育, 生态环境)",
    "eng": "Latin-script word (GDP, PM2.5)",
}
CONTENT_TAGS = tuple(TAGS)
# A word jieba's dictionary does not hold (UNKNOWN_TAG, found by the HMM with hmm = true) is not a
# content tag: on the seeds the HMM's words are mostly fragments (中要, 二要, 学以). extra_pos = ["un"]
# keeps them; a word to keep belongs in [segment] extra_lexicon.
# The others, removed by [vectorize] pos = "content": v verb, a adjective, d adverb, i idiom, m numeral,
# t time, r pronoun, b distinguishing word, s place word, f direction word, ad, vd, c, p, u, q, z ...

_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9.+\-]*")
_HAS_HAN = re.compile(f"[{HAN}]")


@functools.lru_cache(maxsize=1)
def dictionary_tags() -> dict[str, str]:
    """word -> tag from jieba's main dictionary (each line: word, frequency, tag)."""
    import jieba

    tags = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return tags


def tag_terms(terms, lexicon_terms: frozenset) -> tuple[str, ...]:
    """One tag per term, aligned with ``terms``."""
    table = dictionary_tags()
    out = []
    for t in terms:
        if t in lexicon_terms:
            out.append(LEXICON_TAG)
        elif t in table:
            out.append(table[t])
        elif _HAS_HAN.search(t):
            out.append(UNKNOWN_TAG)
        elif _LATIN.fullmatch(t):
            out.append("eng")
        else:
            out.append("m")
    return tuple(out)
