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


# what a run's manifest.json must hold (what citation() and load_run read), as (dotted key, kind of value)
REQUIRED = (
    ("run_id", str),
    ("experiment", str),
    ("seed", int),
    ("versions", dict),
    ("corpus", dict),
    ("corpus.documents", int),
    ("corpus.years", list),
    ("corpus.fingerprint", str),
    ("model", dict),
    ("model.engine", str),
    ("model.params", dict),
    ("model.params.n_topics", int),
)
_GIVE = "give a run folder written by `topics run`, e.g. reports/baseline"


def _lookup(m: dict, dotted: str):
    value: object = m
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(dotted)
        value = value[part]
    return value


def read_manifest(run_dir: str | Path) -> dict:
    """The manifest.json of a run folder, checked to hold what ``citation`` needs; a
    RunFolderError naming the folder and what to do otherwise."""
    folder = str(run_dir)
    path = Path(run_dir) / "manifest.json"
    if not path.is_file():
        why = (
            "no such folder"
            if not Path(run_dir).exists()
            else "it is a file, not a folder"
            if not Path(run_dir).is_dir()
            else "no manifest.json"
        )
        raise RunFolderError(f"{folder!r} is not a run folder ({why}); {_GIVE}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RunFolderError(f"{folder!r}: manifest.json cannot be read ({exc}); check its permissions") from exc
    try:
        m = json.loads(raw.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError
        raise RunFolderError(
            f"{folder!r}: manifest.json is not valid JSON ({exc}); the run record is damaged: "
            f"rerun the experiment to write it again"
        ) from exc
    if not isinstance(m, dict):
        raise RunFolderError(
            f"{folder!r}: manifest.json holds a {type(m).__name__}, not a JSON object; "
            f"the run record is damaged: rerun the experiment to write it again"
        )
    if m.get("kind") == "sweep":
        sweep = m.get("sweep")
        k = sweep.get("chosen_k") if isinstance(sweep, dict) else None
        chosen = f" (this sweep chose K = {k})" if k else ""
        raise RunFolderError(
            f"{folder!r} is a sweep folder (written by `topics sweep`): sweep folders have no "
            f"run to cite; cite the run folder of the model you report instead, written by "
            f"`topics run`{chosen}, e.g. reports/{m.get('experiment') or 'baseline'}"
        )
    missing: list[str] = []
    wrong: list[str] = []
    for key, kind in REQUIRED:
        if any(key.startswith(f"{bad}.") for bad in missing + [w.split(" ")[0] for w in wrong]):
            continue  # name "corpus", not also each of its keys
        try:
            value = _lookup(m, key)
        except KeyError:
            missing.append(key)
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            wrong.append(f"{key} ({type(value).__name__}, expected {kind.__name__})")
    if missing or wrong:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"wrong type of {', '.join(wrong)}"] if wrong else []
        )
        raise RunFolderError(
            f"{folder!r}: manifest.json is not a complete run record ({'; '.join(parts)}); "
            f"give a folder written by `topics run`, or rerun the experiment to write it again"
        )
    return m


def fit_provenance(m: dict):
    """The Provenance of a fit, read from its run record (manifest.json)."""
    from ..results import SEGMENT_RUN, Provenance

    try:
        return Provenance(
            fit_id=m["fit_id"],
            report_id="",
            created_utc=m["created_utc"],
            command=tuple(m["command"]) if m.get("command") is not None else None,
            config_file=m["config_file"],
            overrides=tuple(m["overrides"]),
            versions=m["versions"],
            platform=m["platform"],
            git=m["git"],
            timings=m["timings_seconds"],
            peak_rss_mb=m["peak_rss_mb"],
            segment_run={k: m["segment"][k] for k in (*SEGMENT_RUN, "cache_hits") if k in m["segment"]},
        )
    except (KeyError, TypeError) as exc:
        raise RunFolderError(
            f"manifest.json lacks {exc} or holds the wrong kind of value; it was written by an "
            f"older version of topics or was edited: rerun the experiment with topics run"
        ) from exc


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
        self._config = None
        self._words = None
        self._frames: dict = {}

    def __repr__(self) -> str:
        m = self.manifest
        return (
            f"Run({str(self.path)!r}: {m.get('experiment')}, {m.get('model', {}).get('engine')}, "
            f"K = {self.table('topics')['topic'].nunique()}, fit {m.get('fit_id', m.get('run_id'))})"
        )

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
        from ..render.tables import TABLES

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
        from ..render.tables import TABLES

        if name in TABLES:
            return self.table(name)
        raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r}")

    @property
    def config(self):
        """The configuration of the report this folder shows: the fit's, with the [report] and
        [export] settings its config.json records (which ``topics report`` may have changed)."""
        if self._config is None:
            from ..config import with_recorded_report
            from ..errors import ConfigError

            path = self.path / "config.json"
            try:
                recorded = json.loads(path.read_text(encoding="utf-8"))
                self._config = with_recorded_report(self.fit.config, recorded if isinstance(recorded, dict) else {})
            except (OSError, ValueError) as exc:
                raise RunFolderError(f"cannot read {path} ({exc}); rerun the experiment with topics run") from exc
            except ConfigError as exc:
                raise RunFolderError(
                    f"{path} records report settings this version of topics does not accept "
                    f"({'; '.join(exc.problems)}); run topics report on the folder with settings that are valid"
                ) from exc
        return self._config

    @property
    def topic_words(self):
        """The TopicWords of the report this folder shows (``analysis.words``): each topic's
        probability, FREX and relevance words, the corpus-wide words and the labels, computed from the
        saved fit (its topics merged as the report merges them) and the report's settings."""
        if self._words is None:
            from ..analysis.curation import merge_model, merge_plan
            from ..analysis.words import topic_words

            fit, report = self.fit, self.config.report
            model = fit.model
            if report.merge:
                model = merge_model(model, merge_plan(model.n_topics, report.merge), fit.dtm.n_tokens)
            self._words = topic_words(model, fit.dtm, report)
        return self._words

    @property
    def labels(self) -> dict[int, str]:
        """Topic labels as the run's report shows them (after any relabelling or merging), made by
        the function that makes ``RunResult.labels`` (``analysis.words.label_topics``)."""
        return dict(enumerate(self.topic_words.labels, start=1))

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
        return pd.DataFrame(
            {
                "unit_id": [u.unit_id for u in dtm.units],
                "doc_id": [u.doc_id for u in dtm.units],
                "year": [u.year for u in dtm.units],
                "position": [u.position for u in dtm.units],
                "n_tokens": dtm.n_tokens,
            }
        )


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
