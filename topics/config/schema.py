"""The sections of an experiment file, one frozen dataclass each.

Each field's metadata names its checker (``topics.checks``); ``required`` keys must be given;
``internal`` fields are derived while loading and are not keys. Sections from [uncertainty] on are
optional: left out, they take the defaults below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import checks as ck

MAX_TOPICS = 1000  # the most topics a model, a sweep's K or --k may ask for
MIN_TOPICS = 2  # the fewest: a sweep whose parsimonious K is 2 cannot be extended below it


# ---------------------------------------------------------------- field metadata
def _opt(**kw):
    """Field metadata: ``check`` (the checker), ``required``, ``internal`` (derived, not a key)."""
    return kw


# ---------------------------------------------------------------- sections
@dataclass(frozen=True)
class ExperimentSection:
    name: str = field(default="", metadata=_opt(check=ck.name, required=True))
    seed: int = field(default=0, metadata=_opt(check=ck.integer(0, 2**32 - 1), required=True))
    description: str = field(default="", metadata=_opt(check=ck.string))


@dataclass(frozen=True)
class CorpusConfig:
    path: str = field(default="", metadata=_opt(check=ck.string, required=True))
    metadata: str = field(default="metadata.csv", metadata=_opt(check=ck.string))
    encoding: str = field(default="utf-8", metadata=_opt(check=ck.encoding))
    years: tuple = field(default=(), metadata=_opt(check=ck.years))
    root: Path = field(default=Path("."), metadata=_opt(internal=True))  # path, resolved


@dataclass(frozen=True)
class CleanConfig:
    boilerplate: bool = field(default=True, metadata=_opt(check=ck.boolean))
    punctuation: bool = field(default=True, metadata=_opt(check=ck.boolean))
    spaces: bool = field(default=True, metadata=_opt(check=ck.boolean))
    placeholders: bool = field(default=True, metadata=_opt(check=ck.boolean))
    lost_chars: bool = field(default=True, metadata=_opt(check=ck.boolean))


@dataclass(frozen=True)
class UnitsConfig:
    kind: str = field(default="paragraph", metadata=_opt(check=ck.registry("text.units", "KINDS")))
    min_chars: int = field(default=20, metadata=_opt(check=ck.integer(0)))
    max_chars: int = field(default=1000, metadata=_opt(check=ck.integer(0)))
    run_chars: int = field(default=300, metadata=_opt(check=ck.integer(20)))


@dataclass(frozen=True)
class SegmentConfig:
    engine: str = field(default="jieba", metadata=_opt(check=ck.registry("text.segmenters", "ENGINES")))
    lexicon: bool = field(default=True, metadata=_opt(check=ck.boolean))
    extra_lexicon: tuple = field(default=(), metadata=_opt(check=ck.str_list))
    hmm: bool = field(default=False, metadata=_opt(check=ck.boolean))
    stopwords: str = field(default="iso", metadata=_opt(check=ck.choice({"iso", "none"})))
    extra_stopwords: tuple = field(default=(), metadata=_opt(check=ck.str_list))
    keep_words: tuple = field(default=(), metadata=_opt(check=ck.str_list))
    min_chars: int = field(default=2, metadata=_opt(check=ck.integer(1)))
    drop_numbers: bool = field(default=True, metadata=_opt(check=ck.boolean))
    drop_latin: bool = field(default=False, metadata=_opt(check=ck.boolean))
    extra_lexicon_paths: tuple = field(default=(), metadata=_opt(internal=True))


@dataclass(frozen=True)
class VectorizeConfig:
    min_df: object = field(default=2, metadata=_opt(check=ck.df))
    max_df: object = field(default=0.5, metadata=_opt(check=ck.df))
    max_features: int = field(default=0, metadata=_opt(check=ck.integer(0)))
    # the model's vocabulary (text/vocabulary.py); formulation counts never lose these words
    pos: str = field(default="content", metadata=_opt(check=ck.registry("text.vocabulary", "POS_SETS")))
    extra_pos: tuple = field(default=(), metadata=_opt(check=ck.str_list))  # tags kept beside the content tags
    generic: bool = field(default=True, metadata=_opt(check=ck.boolean))  # the shipped generic-term list
    extra_generic: tuple = field(default=(), metadata=_opt(check=ck.str_list))
    policy_terms: bool = field(default=True, metadata=_opt(check=ck.boolean))  # shipped terms kept whatever their tag
    keep_terms: tuple = field(default=(), metadata=_opt(check=ck.str_list))  # exempt from every word rule


@dataclass(frozen=True)
class ModelConfig:
    engine: str = "gensim-lda"
    n_topics: int = 8
    params: tuple = ()  # (name, value) pairs, engine defaults filled in, sorted by name


@dataclass(frozen=True)
class EvaluateConfig:
    top_n: int = field(default=10, metadata=_opt(check=ck.integer(2, 100)))
    coherence: tuple = field(default=("c_v", "c_npmi"), metadata=_opt(check=ck.coherence_list))
    diversity_top_n: int = field(default=25, metadata=_opt(check=ck.integer(1, 1000)))
    max_units: int = field(default=20000, metadata=_opt(check=ck.integer(0)))  # coherence on a sample; 0 = all


@dataclass(frozen=True)
class ReportConfig:
    labels: tuple = field(default=(), metadata=_opt(check=ck.labels))
    top_words: int = field(default=15, metadata=_opt(check=ck.integer(3, 100)))
    passages: int = field(default=3, metadata=_opt(check=ck.integer(0, 50)))
    passage_chars: int = field(default=240, metadata=_opt(check=ck.integer(20, 5000)))
    merge: tuple = field(default=(), metadata=_opt(check=ck.topic_groups))  # e.g. [[2, 5]]: topics merged
    curator: str = field(default="", metadata=_opt(check=ck.string))  # who curated, recorded
    # automatic labels and the words that tell topics apart (topics/analysis/words.py)
    frex_weight: float = field(default=0.5, metadata=_opt(check=ck.number(0.0, 1.0)))  # FREX weight on frequency
    relevance_lambda: float = field(default=0.6, metadata=_opt(check=ck.number(0.0, 1.0)))
    label_words: int = field(default=3, metadata=_opt(check=ck.integer(1, 10)))  # FREX words per automatic label
    # a word in the top_words of more than this share of topics is corpus-wide, never in a label (1: none)
    corpus_wide_share: float = field(default=0.5, metadata=_opt(check=ck.number(0.0, 1.0)))

    def label_map(self) -> dict[int, str]:
        return dict(self.labels)


# ---------------------------------------------------------------- research sections (all optional)
@dataclass(frozen=True)
class UncertaintyConfig:
    resamples: int = field(default=1000, metadata=_opt(check=ck.integer(0, 100_000)))
    seed: object = field(default=None, metadata=_opt(check=ck.integer(0, 2**32 - 1)))  # None: experiment seed
    level: float = field(default=0.95, metadata=_opt(check=ck.number(0.5, 0.999)))
    resample: str = field(
        default="documents+units", metadata=_opt(check=ck.registry("analysis.uncertainty", "SCHEMES"))
    )
    spline: bool = field(default=True, metadata=_opt(check=ck.boolean))
    eras: tuple = field(default=(), metadata=_opt(check=ck.eras))
    contrasts: tuple = field(default=(), metadata=_opt(check=ck.contrasts))

    def era_pairs(self) -> tuple:
        """The contrasts to report: as configured, else each era against the one before it."""
        if self.contrasts:
            return self.contrasts
        names = [n for n, _ in self.eras]
        return tuple((names[i], names[i - 1]) for i in range(1, len(names)))


@dataclass(frozen=True)
class EffectsConfig:
    """Covariate effects on prevalence (analysis/effects.py): the formula of metadata columns ("" = off),
    reference levels, composition draws, bootstrap resamples over documents, interval level, and the
    fewest documents an estimate needs for an interval."""

    formula: str = field(default="", metadata=_opt(check=ck.formula))
    reference: tuple = field(default=(), metadata=_opt(check=ck.references))
    draws: int = field(default=25, metadata=_opt(check=ck.integer(1, 1000)))
    resamples: int = field(default=500, metadata=_opt(check=ck.integer(0, 100_000)))
    level: float = field(default=0.95, metadata=_opt(check=ck.number(0.5, 0.999)))
    min_documents: int = field(default=10, metadata=_opt(check=ck.integer(1, 1_000_000)))


@dataclass(frozen=True)
class StabilityConfig:
    seeds: int = field(default=3, metadata=_opt(check=ck.integer(1, 100)))
    threshold: float = field(default=0.5, metadata=_opt(check=ck.number(0.0, 1.0)))


@dataclass(frozen=True)
class GuardsConfig:
    """K against the data before fitting (analysis/guards.py): the fewest units, terms and tokens
    per topic (0: that rule off), and what a K below them does ("warn" or "stop")."""

    small: str = field(default="warn", metadata=_opt(check=ck.registry("analysis.guards", "ACTIONS")))
    units_per_topic: int = field(default=5, metadata=_opt(check=ck.integer(0, 1_000_000)))
    terms_per_topic: int = field(default=10, metadata=_opt(check=ck.integer(0, 1_000_000)))
    tokens_per_topic: int = field(default=300, metadata=_opt(check=ck.integer(0, 1_000_000_000)))


@dataclass(frozen=True)
class SweepConfig:
    k: tuple = field(default=(), metadata=_opt(check=ck.int_list(MIN_TOPICS)))
    seeds: int = field(default=3, metadata=_opt(check=ck.integer(1, 100)))
    held_out: float = field(default=0.2, metadata=_opt(check=ck.number(0.05, 0.5)))
    criterion: str = field(default="c_v", metadata=_opt(check=ck.registry("analysis.sweep", "MEASURES")))
    min_stability: float = field(default=0.6, metadata=_opt(check=ck.number(0.0, 1.0)))
    n_init: int = field(default=0, metadata=_opt(check=ck.integer(0, 100)))  # 0: as in [model]


@dataclass(frozen=True)
class EvolutionConfig:
    top_n: int = field(default=10, metadata=_opt(check=ck.integer(3, 50)))
    weighting: str = field(default="assignment", metadata=_opt(check=ck.registry("analysis.evolution", "WEIGHTINGS")))


@dataclass(frozen=True)
class FormulationsConfig:
    lexicon: bool = field(default=True, metadata=_opt(check=ck.boolean))
    terms: tuple = field(default=(), metadata=_opt(check=ck.str_list))
    chart: tuple = field(default=(), metadata=_opt(check=ck.str_list))
    chart_top: int = field(default=8, metadata=_opt(check=ck.integer(1, 30)))
    kwic: int = field(default=3, metadata=_opt(check=ck.integer(0, 50)))
    kwic_chars: int = field(default=30, metadata=_opt(check=ck.integer(5, 500)))


@dataclass(frozen=True)
class CompareConfig:
    engines: tuple = field(default=(), metadata=_opt(check=ck.engine_list))


@dataclass(frozen=True)
class ExportConfig:
    static: bool = field(default=True, metadata=_opt(check=ck.boolean))
    formats: tuple = field(default=("svg", "pdf", "png"), metadata=_opt(check=ck.formats))
    dpi: int = field(default=300, metadata=_opt(check=ck.integer(72, 1200)))
    font: str = field(default="", metadata=_opt(check=ck.font_file))  # a font file with Chinese glyphs
    latex: bool = field(default=True, metadata=_opt(check=ck.boolean))
    # true: a CSV text cell starting with = + - @ tab or CR gets a leading ' (README "Spreadsheets")
    spreadsheet_safe: bool = field(default=False, metadata=_opt(check=ck.boolean))


@dataclass(frozen=True)
class ParallelConfig:
    """How fits are spread (never changes results): local processes, or a Dask scheduler."""

    workers: int = field(default=0, metadata=_opt(check=ck.integer(0, 1024)))  # 0: all cores
    scheduler: str = field(default="", metadata=_opt(check=ck.scheduler))  # tcp://host:8786


SECTIONS = {
    "experiment": ExperimentSection,
    "corpus": CorpusConfig,
    "clean": CleanConfig,
    "units": UnitsConfig,
    "segment": SegmentConfig,
    "vectorize": VectorizeConfig,
    "model": ModelConfig,
    "evaluate": EvaluateConfig,
    "report": ReportConfig,
    "uncertainty": UncertaintyConfig,
    "effects": EffectsConfig,
    "stability": StabilityConfig,
    "guards": GuardsConfig,
    "sweep": SweepConfig,
    "evolution": EvolutionConfig,
    "formulations": FormulationsConfig,
    "compare": CompareConfig,
    "export": ExportConfig,
    "parallel": ParallelConfig,
}
