"""Reading a run folder back: ``topics.load_run`` for notebooks, and the index of runs.

A run folder is a data product: its tables are CSV, its arrays ``.npy`` (read without pickle), its
record JSON. ``load_run`` gives the tables as pandas DataFrames, the model's arrays as numpy arrays,
and the saved fit as a RunResult, without refitting anything.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import store
from ..errors import RunFolderError

TABLES = ("trends", "trend_fits", "trend_smooth", "contrasts", "stability", "documents", "doc_topics", "topics",
          "cleaning", "theme_words", "theme_shifts", "formulations_by_doc", "formulations_by_year", "kwic",
          "date_audit", "date_audit_summary", "compare", "compare_trends", "sweep", "sweep_runs")


def read_manifest(path: Path) -> dict:
    """The manifest.json of a folder, or a RunFolderError saying what is wrong and what to do."""
    file = path / "manifest.json"
    if not path.is_dir():
        raise RunFolderError(f"{str(path)!r} is not a folder; give a run folder written by topics run, "
                             f"e.g. reports/baseline")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFolderError(f"{str(path)!r} is not a run folder (no manifest.json); give a run folder written "
                             f"by topics run, e.g. reports/baseline")
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"{str(file)!r} cannot be read ({exc}); rerun the experiment") from exc
    if not isinstance(manifest, dict):
        raise RunFolderError(f"{str(file)!r} is not a run record (not a JSON object); rerun the experiment")
    if manifest.get("kind") == "sweep":
        raise RunFolderError(f"{str(path)!r} is a sweep folder, which holds no fitted run; give the run folder "
                             f"of the experiment (written by topics run)")
    return manifest


def fit_provenance(m: dict):
    """The Provenance of a fit, read from its run record (manifest.json)."""
    from ..results import SEGMENT_RUN, Provenance

    try:
        return Provenance(
            fit_id=m["fit_id"], report_id="", created_utc=m["created_utc"],
            command=tuple(m["command"]) if m.get("command") is not None else None,
            config_file=m["config_file"], overrides=tuple(m["overrides"]), versions=m["versions"],
            platform=m["platform"], git=m["git"], timings=m["timings_seconds"], peak_rss_mb=m["peak_rss_mb"],
            segment_run={k: m["segment"][k] for k in (*SEGMENT_RUN, "cache_hits") if k in m["segment"]})
    except (KeyError, TypeError) as exc:
        raise RunFolderError(f"manifest.json lacks {exc} or holds the wrong kind of value; it was written by an "
                             f"older version of topics or was edited: rerun the experiment with topics run") from exc


class Run:
    """A run folder, read back. Tables are pandas DataFrames read on first use (``run.trends``,
    ``run.doc_topics``, ... one per CSV file; ``run.tables`` lists those present); ``doc_topic``
    (n_units, K) and ``topic_term`` (K, n_terms) are numpy arrays with ``vocab`` (n_terms,) and
    ``units`` (a DataFrame of the modelled units, in the rows' order); ``fit`` is the saved
    RunResult of the fit (as fitted: before any relabelling or merging by ``topics report``)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.manifest = read_manifest(self.path)
        self._fit = None
        self._frames: dict = {}

    def __repr__(self) -> str:
        m = self.manifest
        return (f"Run({str(self.path)!r}: {m.get('experiment')}, {m.get('model', {}).get('engine')}, "
                f"K = {len(self.labels)}, fit {m.get('fit_id', m.get('run_id'))})")

    @property
    def fit(self):
        if self._fit is None:
            from dataclasses import replace

            from .provenance import report_id
            fit = store.load(self.path / "result", fit_provenance(self.manifest))
            prov = replace(fit.provenance, report_id=report_id(fit.run_id, fit.config.to_dict(), []))
            self._fit = replace(fit, provenance=prov)
        return self._fit

    @property
    def tables(self) -> list[str]:
        return [t for t in TABLES if (self.path / f"{t}.csv").is_file()]

    def table(self, name: str):
        """One CSV table of the run as a DataFrame (text cells stay text: "NA" is not missing)."""
        import pandas as pd

        if name not in self._frames:
            path = self.path / f"{name}.csv"
            if not path.is_file():
                raise RunFolderError(f"{str(self.path)!r} has no {name}.csv; tables here: {', '.join(self.tables)}")
            self._frames[name] = pd.read_csv(path, keep_default_na=False, na_values=[""], encoding="utf-8")
        return self._frames[name]

    def __getattr__(self, name: str):
        if name in TABLES:
            return self.table(name)
        raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r}")

    @property
    def labels(self) -> dict[int, str]:
        """Topic labels as the run's report shows them (after any relabelling or merging)."""
        topics = self.table("topics")
        return {int(t): str(lab) for t, lab in zip(topics["topic"], topics["label"])}

    @property
    def doc_topic(self):
        """(n_units, K) unit shares of the fit (before any merging), rows in ``units`` order."""
        return self.fit.model.doc_topic

    @property
    def topic_term(self):
        """(K, n_terms) word distributions of the fit (before any merging), rows summing to 1."""
        return self.fit.model.topic_term

    @property
    def vocab(self) -> tuple[str, ...]:
        return self.fit.model.vocab

    @property
    def units(self):
        """The modelled units as a DataFrame (unit_id, doc_id, year, position, n_tokens), in the
        order of the rows of ``doc_topic``."""
        import pandas as pd

        dtm = self.fit.dtm
        return pd.DataFrame({"unit_id": [u.unit_id for u in dtm.units], "doc_id": [u.doc_id for u in dtm.units],
                             "year": [u.year for u in dtm.units], "position": [u.position for u in dtm.units],
                             "n_tokens": dtm.n_tokens})


def load_run(path: str | Path) -> Run:
    """Read a run folder written by ``topics run`` (or re-rendered by ``topics report``)."""
    return Run(path)


def runs_in(out_dir: Path) -> list[tuple[Path, dict]]:
    """Every run folder directly inside ``out_dir`` with its manifest, by name (sweep folders too)."""
    out = []
    for sub in sorted(p for p in out_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            manifest = json.loads((sub / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(manifest, dict):
            out.append((sub, manifest))
    return out
