"""The model's vocabulary: which segmented terms a topic model sees, and a record of every term left out.

Counting and the model read different vocabularies. Formulation counts and passages use the full
cleaned text; the model drops, in this order, stopwords, speech filler, generic policy verbs and
formula, terms whose part of speech is not a content tag, and terms too rare or too common. Each
removed term is recorded with the rule that removed it, its tag, its token count and the units it
is in, so that a reader sees, say, that 发展 was left out by max_df and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .lexicon import builtin_text
from .tagging import CONTENT_TAGS

# rule -> what it removes, in the order the rules are applied (a term is recorded under the first)
RULES = {
    "stopword": "a general Chinese stopword (stopwords-iso zh) or one of [segment] extra_stopwords",
    "filler": "speech filler of the package's list (进一步, 切实, 同志 ...)",
    "generic": "a generic policy verb, noun or speech formula of the package's list, or one of [vectorize] extra_generic",
    "pos": "its part of speech (jieba's dictionary tag) is not a content tag",
    "min_df": "in fewer units than [vectorize] min_df",
    "max_df": "in more units than [vectorize] max_df",
    "max_features": "not among the [vectorize] max_features most frequent terms",
}

POS_SETS = {  # [vectorize] pos -> the tags kept (None: every tag)
    "content": CONTENT_TAGS,
    "all": None,
}


class RemovedTerm(NamedTuple):
    """A term the model does not see: the rule that removed it, its tag, tokens and units."""

    term: str
    rule: str
    tag: str
    tokens: int
    units: int
    note: str = ""


@dataclass(frozen=True)
class VocabularyRecord:
    """What the model's vocabulary kept and left out. ``removed`` is sorted by rule (in RULES order),
    then by tokens, most first."""

    rules: tuple[str, ...]  # the rules applied, in order
    removed: tuple[RemovedTerm, ...]
    terms_before: int
    tokens_before: int
    terms_kept: int
    tokens_kept: int
    pos_kept: tuple[str, ...] = ()  # the tags kept ((): every tag)
    protected: int = 0  # terms of the corpus exempt from the generic and pos rules (lexicon, policy terms, keep_terms)
    settings: dict = field(default_factory=dict)

    def by_rule(self) -> dict[str, tuple[int, int]]:
        """rule -> (terms, tokens) removed, for every applied rule."""
        out = {r: [0, 0] for r in self.rules}
        for t in self.removed:
            out[t.rule][0] += 1
            out[t.rule][1] += t.tokens
        return {r: (a, b) for r, (a, b) in out.items()}

    def lookup(self, term: str) -> RemovedTerm | None:
        for t in self.removed:
            if t.term == term:
                return t
        return None


@dataclass(frozen=True)
class WordRules:
    """The word rules of a run, built once from the config (``from_config``)."""

    stopword: frozenset = frozenset()
    filler: frozenset = frozenset()
    generic: dict = field(default_factory=dict)  # term -> note
    pos_kept: tuple | None = None  # None: no part-of-speech rule
    protected: dict = field(default_factory=dict)  # term -> why it is exempt from generic and pos
    lexicon_terms: frozenset = frozenset()
    settings: dict = field(default_factory=dict)

    @classmethod
    def from_config(cls, segment_cfg, vectorize_cfg) -> "WordRules":
        from .lexicon import load_lexicon, load_stopwords

        stop = load_stopwords(segment_cfg)
        lexicon = load_lexicon(segment_cfg)
        generic = dict(builtin_table("generic.tsv")) if vectorize_cfg.generic else {}
        generic.update((t, "[vectorize] extra_generic") for t in vectorize_cfg.extra_generic)
        protected = {t: "a lexicon formulation" for t in lexicon.terms}
        if vectorize_cfg.policy_terms:
            protected.update((t, f"policy term: {note}") for t, note in builtin_table("policy_terms.tsv"))
        protected.update((t, "[vectorize] keep_terms") for t in vectorize_cfg.keep_terms)
        for t in protected:
            generic.pop(t, None)
        kept = POS_SETS[vectorize_cfg.pos]
        if kept is not None:
            kept = tuple(dict.fromkeys((*kept, *vectorize_cfg.extra_pos)))
        keep = set(vectorize_cfg.keep_terms)
        return cls(
            stopword=frozenset(stop.general - keep),
            filler=frozenset(stop.filler - keep),
            generic=generic,
            pos_kept=kept,
            protected=protected,
            lexicon_terms=frozenset(lexicon.terms),
            settings={
                "stopwords_source": stop.source,
                "stopwords_sha256": stop.sha256,
                "stopwords": len(stop.words),
                "generic": len(generic),
                "pos": vectorize_cfg.pos,
            },
        )

    def rule_of(self, term: str, tag: str) -> tuple[str, str] | None:
        """(rule, note) of the first word rule that removes ``term``, or None."""
        if term in self.stopword:
            return "stopword", ""
        if term in self.filler:
            return "filler", ""
        if term in self.protected:
            return None
        if term in self.generic:
            return "generic", self.generic[term]
        if self.pos_kept is not None and tag not in self.pos_kept:
            return "pos", ""
        return None


def builtin_table(name: str) -> list[tuple[str, str]]:
    """(term, note) rows of a shipped list: term<TAB>note per line, '#' comments."""
    rows = []
    for line in builtin_text(name).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, _, note = line.partition("\t")
        rows.append((term.strip(), note.strip()))
    return rows
