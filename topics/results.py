"""RunResult: the one typed home of everything a run found, and the records it is made of.

The pipeline builds a RunResult; ``record`` writes it (and saves it whole in the run folder, so that
``topics.load_run`` gets it back without refitting); ``render`` turns it into views and computes no
finding. Every row is a NamedTuple or a frozen dataclass; arrays are read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from .analysis.compare import Comparison
from .analysis.dates import DocumentAudit
from .analysis.effects import Effects
from .analysis.evolution import Evolution
from .analysis.formulations import Formulations
from .analysis.guards import SizeCheck
from .analysis.stability import Ensemble
from .analysis.sweep import SweepResult
from .analysis.uncertainty import Bands, Contrast, TrendFits
from .analysis.words import TopicWords, topic_words
from .analysis.validation import Validation
from .config import Experiment
from .data import CleanLog, Corpus, DocTermMatrix, FittedModel, Trends


@dataclass(frozen=True)
class Findings:
    """The research outputs beside the model."""

    ensemble: Ensemble  # the reference model and the other seeds, topics aligned
    bands: Bands  # yearly prevalence with bootstrap intervals
    fits: TrendFits  # linear trends and smoothing splines
    contrasts: tuple[Contrast, ...]  # era contrasts
    evolution: Evolution  # theme words by year
    formulations: Formulations  # formulation counts and passages in context
    comparisons: tuple[Comparison, ...]  # other engines matched to the model
    sweep: SweepResult | None  # the K sweep, when [sweep] k asks for one
    audit: tuple[DocumentAudit, ...]  # the date audit, per document
    warnings: tuple[str, ...] = ()
    sizes: tuple[SizeCheck, ...] = ()  # K against the data, before fitting: model.n_topics, each sweep K
    effects: Effects | None = None  # covariate effects, when [effects] formula asks for them


@dataclass(frozen=True)
class DocumentRecord:
    """A corpus document as a run records it: everything but its text (the units hold the text)."""

    doc_id: str
    file: str
    year: int
    sha256: str
    meta: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str = "") -> str:
        return dict(self.meta).get(key, default)


@dataclass(frozen=True)
class CorpusRecord:
    """The corpus as a run records it: documents sorted by (year, file), fingerprint, exclusions."""

    root: Path
    documents: tuple[DocumentRecord, ...]
    fingerprint: str
    metadata_sha256: str
    excluded: tuple[tuple[str, int, str], ...] = ()

    @classmethod
    def of(cls, corpus: Corpus) -> "CorpusRecord":
        return cls(
            root=corpus.root,
            fingerprint=corpus.fingerprint,
            metadata_sha256=corpus.metadata_sha256,
            excluded=corpus.excluded,
            documents=tuple(DocumentRecord(d.doc_id, d.file, d.year, d.sha256, d.meta) for d in corpus.documents),
        )


@dataclass(frozen=True)
class Preparation:
    """What happened between the files and the counts: cleaning per document (CleanLog, in corpus
    order), units per document after splitting and before pruning, and the segmenter's record."""

    cleaning: tuple[CleanLog, ...]
    units_per_doc: dict[str, int]
    segment: dict  # engine, versions, lexicon and stopword hashes, cache key, units


@dataclass(frozen=True)
class Curation:
    """One decision taken on a fitted run without refitting (``topics report``)."""

    action: str  # "label" or "merge"
    topics: tuple[int, ...]  # topic numbers of the fit (1-based)
    value: str = ""  # the label given, or the merged topic's number
    by: str = ""  # [report] curator, when the config says who


SEGMENT_RUN = ("setup_seconds", "cut_seconds", "chars_cut", "cut_processes")  # how a run cut its text, not what


@dataclass(frozen=True)
class Provenance:
    """Where and how the run was made: ids, versions, platform, git, command, time stamp, timings."""

    fit_id: str  # hashes what changes the model (config minus [report], [export],
    report_id: str  # [parallel]; corpus; versions); report_id adds report settings
    created_utc: str
    command: tuple[str, ...] | None
    config_file: str
    overrides: tuple[str, ...]
    versions: dict
    platform: dict
    git: dict | None
    timings: dict
    peak_rss_mb: float | None
    static_figures: str = ""
    segment_run: dict = field(default_factory=dict)  # this run's cutting: cache hits, seconds, processes
    reported_utc: str = ""  # set by ``topics report`` when it changes a saved run's report
    report_command: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RunResult:
    """Everything a run found. Shapes: model.doc_topic (n_units, K) aligned with dtm.units;
    model.topic_term (K, n_terms) aligned with dtm.vocab; trends.matrix (n_years, K)."""

    config: Experiment
    corpus: CorpusRecord
    preparation: Preparation
    dtm: DocTermMatrix
    model: FittedModel
    trends: Trends
    metrics: dict  # coherence per measure (mean, per topic) and diversity
    findings: Findings
    warnings: tuple[str, ...]
    provenance: Provenance
    curation: tuple[Curation, ...] = ()
    validation: Validation | None = None  # coders' answers to the run's kit (`topics validate score`)
    run_dir: Path | None = field(default=None, compare=False)

    @property
    def run_id(self) -> str:
        """The fit id (kept under this name: the manifest's run_id is the fit id)."""
        return self.provenance.fit_id

    @cached_property
    def topic_words(self) -> TopicWords:
        """Each topic's probability, FREX and relevance words, the corpus-wide words and the labels,
        computed from model, dtm and [report] settings (never stored: a loaded run, or one relabelled
        or merged by ``topics report``, computes them the same way)."""
        return topic_words(self.model, self.dtm, self.config.report)

    @cached_property
    def labels(self) -> dict[int, str]:
        """Label per topic 1..K: from [report] labels when given, else the topic's top FREX words,
        corpus-wide words skipped (``analysis.words.label_topics``; computed once per result)."""
        return dict(enumerate(self.topic_words.labels, start=1))

    def placed(self, run_dir: Path) -> "RunResult":
        return replace(self, run_dir=run_dir)


@dataclass(frozen=True)
class SweepRecord:
    """What ``topics sweep`` found and how it ran: the sweep and the facts its folder records."""

    config: Experiment
    corpus_fingerprint: str
    n_documents: int
    n_units: int
    n_terms: int
    sweep: SweepResult
    timings: dict
    command: tuple[str, ...] | None


@dataclass(frozen=True)
class CheckResult:
    """What ``topics check`` found: the corpus, its cleaned documents and units, the date audit."""

    corpus: Corpus
    cleaned: tuple
    units: tuple
    audit: tuple = ()
