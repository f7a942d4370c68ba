"""topics: topic and trend modelling of Chinese political speeches.

Public API::

    import topics
    config = topics.load_experiment("experiments/baseline.toml", ["model.n_topics=10"])
    result = topics.run(config, out_dir="reports")   # writes reports/<name>/, returns the result objects

Names are imported on first use, so ``topics --help`` and ``topics check`` start without loading
gensim, scikit-learn or plotly.
"""

from __future__ import annotations

import importlib

__version__ = "0.2.0"

_WHERE = {
    "run": "pipeline",
    "check": "pipeline",
    "report": "pipeline",
    "compare": "pipeline",
    "validate": "pipeline",
    "score_validation": "pipeline",
    "RunResult": "results",
    "CheckResult": "results",
    "load_run": "record.folder",
    "Run": "record.folder",
    "load_experiment": "config",
    "Experiment": "config",
    "Corpus": "data",
    "Document": "data",
    "CleanDocument": "data",
    "Unit": "data",
    "Segmented": "data",
    "DocTermMatrix": "data",
    "FittedModel": "data",
    "Trends": "data",
    "TopicsError": "errors",
    "ConfigError": "errors",
    "CorpusError": "errors",
    "ModelError": "errors",
    "RunExistsError": "errors",
    "RunLockedError": "errors",
    "WorkerError": "errors",
    "RunFolderError": "errors",
    "SchedulerError": "errors",
    "ValidationError": "errors",
    "FileAccessError": "errors",
    "ExitStatus": "errors",
}
__all__ = ["__version__", *_WHERE]


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f"topics.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'topics' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
