"""Configuration: the experiment schema (one frozen section per stage), value checkers, and
loading an experiment file with ``--set`` overrides."""

from __future__ import annotations

from .loading import (
    Experiment,
    build_experiment,
    load_experiment,
    parse_override,
    with_recorded_report,
    with_report_settings,
)
from .schema import (
    SECTIONS,
    CleanConfig,
    CompareConfig,
    CorpusConfig,
    EvaluateConfig,
    EvolutionConfig,
    ExperimentSection,
    ExportConfig,
    FormulationsConfig,
    GuardsConfig,
    ModelConfig,
    ParallelConfig,
    ReportConfig,
    SegmentConfig,
    StabilityConfig,
    SweepConfig,
    UncertaintyConfig,
    UnitsConfig,
    VectorizeConfig,
)

__all__ = [
    "Experiment",
    "build_experiment",
    "load_experiment",
    "parse_override",
    "with_recorded_report",
    "with_report_settings",
    "SECTIONS",
    "CleanConfig",
    "CompareConfig",
    "CorpusConfig",
    "EvaluateConfig",
    "EvolutionConfig",
    "ExperimentSection",
    "ExportConfig",
    "FormulationsConfig",
    "GuardsConfig",
    "ModelConfig",
    "ParallelConfig",
    "ReportConfig",
    "SegmentConfig",
    "StabilityConfig",
    "SweepConfig",
    "UncertaintyConfig",
    "UnitsConfig",
    "VectorizeConfig",
]
