"""topics: topic and trend modelling of Chinese political speeches.

Public API::

    import topics
    config = topics.load_experiment("experiments/baseline.toml", ["model.n_topics=10"])
    result = topics.run(config)            # writes reports/<name>/, returns the result objects
"""
__version__ = "0.1.0"

from .config import Experiment, load_experiment  # noqa: E402
from .data import (CleanDocument, Corpus, DocTermMatrix, Document, FittedModel,  # noqa: E402
                   Segmented, Trends, Unit)
from .errors import ConfigError, CorpusError, ModelError, RunExistsError, TopicsError  # noqa: E402
from .pipeline import CheckResult, RunResult, check, run  # noqa: E402

__all__ = ["__version__", "run", "check", "load_experiment", "Experiment", "RunResult", "CheckResult",
           "Corpus", "Document", "CleanDocument", "Unit", "Segmented", "DocTermMatrix", "FittedModel",
           "Trends", "TopicsError", "ConfigError", "CorpusError", "ModelError", "RunExistsError"]
