"""Experiment files: TOML in, frozen dataclasses out, every problem reported at once.

An experiment file has the sections below; every setting that changes results lives here and is
recorded in the run. ``--set section.key=value`` overrides a value before validation; its value is
read as a TOML value (``12``, ``0.5``, ``true``, ``"text"``, ``[1, 2]``), else taken as a string.
Relative paths in the file are resolved against the file's folder; relative paths given with
``--set`` are resolved against the current directory.
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path

from . import checks as ck
from ..errors import ConfigError
from .schema import (
    MAX_TOPICS,
    SECTIONS,
    CleanConfig,
    CompareConfig,
    CorpusConfig,
    EffectsConfig,
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

_SECTIONS = SECTIONS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: one frozen section per stage."""

    experiment: ExperimentSection
    corpus: CorpusConfig
    clean: CleanConfig
    units: UnitsConfig
    segment: SegmentConfig
    vectorize: VectorizeConfig
    model: ModelConfig
    evaluate: EvaluateConfig
    report: ReportConfig
    uncertainty: UncertaintyConfig = UncertaintyConfig()
    effects: EffectsConfig = EffectsConfig()
    stability: StabilityConfig = StabilityConfig()
    guards: GuardsConfig = GuardsConfig()
    sweep: SweepConfig = SweepConfig()
    evolution: EvolutionConfig = EvolutionConfig()
    formulations: FormulationsConfig = FormulationsConfig()
    compare: CompareConfig = CompareConfig()
    export: ExportConfig = ExportConfig()
    parallel: ParallelConfig = ParallelConfig()
    source: str = ""  # the experiment file it came from ("" when built in code)
    source_text: str = ""  # that file's text, copied into the run as config.toml
    overrides: tuple = ()  # the --set strings, in order

    @property
    def name(self) -> str:
        return self.experiment.name

    @property
    def seed(self) -> int:
        return self.experiment.seed

    def to_dict(self) -> dict:
        """The resolved configuration (what a run records), paths as written, keys sorted."""
        out = {}
        for sec in _SECTIONS:
            obj = getattr(self, sec)
            if sec == "model":
                d = {"engine": obj.engine, "n_topics": obj.n_topics, **dict(obj.params)}
            else:
                d = {f.name: _plain(getattr(obj, f.name)) for f in fields(obj) if not f.metadata.get("internal")}
                if sec == "report":
                    d["labels"] = {str(k): v for k, v in obj.labels}
                if sec == "uncertainty":
                    d["eras"] = {n: list(span) for n, span in obj.eras}
                    d["contrasts"] = [list(p) for p in obj.contrasts]
                if sec == "effects":
                    d["reference"] = dict(obj.reference)
            out[sec] = dict(sorted(d.items()))
        return out


def _plain(v):
    return list(v) if isinstance(v, tuple) else v


# ---------------------------------------------------------------- loading
def load_experiment(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Experiment:
    """Read and validate an experiment file; raise ConfigError listing every problem found."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"experiment file {str(path)!r} not found; give the path to a .toml file (see experiments/ for examples)"
        )
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ConfigError("the file is not UTF-8 text; save it as UTF-8", source=str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc}); fix the syntax at that line", source=str(path)) from exc
    except RecursionError as exc:
        raise ConfigError(
            "arrays or tables are nested too deeply to read; an experiment file needs at most a few levels",
            source=str(path),
        ) from exc
    return build_experiment(
        raw, base_dir=path.resolve().parent, source=str(path), source_text=text, overrides=overrides
    )


def parse_override(item: str) -> tuple[str, str, object]:
    """'model.n_topics=12' -> ('model', 'n_topics', 12). Values are parsed as TOML values."""
    key, sep, value = item.partition("=")
    section, dot, name = key.strip().partition(".")
    if not sep or not dot or not section or not name:
        raise ConfigError(f"--set {item!r}: expected section.key=value, e.g. --set model.n_topics=12")
    try:
        parsed = tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value
    except RecursionError as exc:
        raise ConfigError(
            f"--set {key.strip()}=...: the value is nested too deeply to read; give a plain value"
        ) from exc
    return section, name.strip(), parsed


def build_experiment(
    raw: dict, *, base_dir: Path, source: str = "", source_text: str = "", overrides=(), cwd: Path | None = None
) -> Experiment:
    """Validate a parsed config dict (plus overrides) into an Experiment."""
    data = copy.deepcopy(raw)
    cli_keys: set[tuple[str, str]] = set()
    problems: list[str] = []
    for item in overrides:
        try:
            sec, key, value = parse_override(item)
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(data.setdefault(sec, {}), dict):
            problems.append(f"[{sec}] must be a table")
            continue
        data[sec][key] = value
        cli_keys.add((sec, key))

    for sec in data:
        if sec not in _SECTIONS:
            problems.append(f"unknown section [{sec}]; valid sections: {', '.join(_SECTIONS)}")
    built = {}
    for sec, cls in _SECTIONS.items():
        given = data.get(sec, {})
        if not isinstance(given, dict):
            problems.append(f"[{sec}] must be a table, got {given!r}")
            given = {}
        if sec == "model":
            built[sec] = _build_model(given, problems)
        else:
            built[sec] = _build_section(sec, cls, given, problems)

    if not problems:
        cwd = cwd or Path.cwd()
        built["corpus"], built["segment"] = _resolve_paths(built, base_dir, cwd, cli_keys)
        if built["uncertainty"].seed is None:  # recorded resolved, so a run names its bootstrap seed
            built["uncertainty"] = replace(built["uncertainty"], seed=built["experiment"].seed)
        problems += _cross_checks(built)
    if problems:
        raise ConfigError(problems, source=source or None)
    return Experiment(**built, source=source, source_text=source_text, overrides=tuple(overrides))


REPORT_SECTIONS = ("report", "export")


def with_report_settings(config: Experiment, overrides) -> Experiment:
    """``config`` with ``--set`` overrides of its report settings ([report], [export]) applied and
    validated; any other key is an error, since changing it needs a new fit."""
    problems: list[str] = []
    given = {
        sec: {f.name: _plain(getattr(getattr(config, sec), f.name)) for f in fields(_SECTIONS[sec])}
        for sec in REPORT_SECTIONS
    }
    given["report"]["labels"] = {str(k): v for k, v in config.report.labels}
    given["report"]["merge"] = [list(g) for g in config.report.merge]
    for item in overrides:
        try:
            sec, key, value = parse_override(item)
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        if sec not in REPORT_SECTIONS:
            problems.append(
                f"--set {item!r}: a saved run can change only [report] and [export] settings; "
                f"[{sec}] changes the fit: run the experiment again with topics run --set {sec}.{key}=..."
            )
            continue
        given[sec][key] = value
    return _with_report(config, given, problems)


def with_recorded_report(config: Experiment, recorded: dict) -> Experiment:
    """``config`` with the report settings ([report], [export]) a run folder's config.json records
    (``recorded``: that file's dict), validated; keys it leaves out take their defaults."""
    given = {sec: dict(recorded.get(sec) or {}) for sec in REPORT_SECTIONS}
    return _with_report(config, given, [])


def _with_report(config: Experiment, given: dict, problems: list[str]) -> Experiment:
    built = {sec: _build_section(sec, _SECTIONS[sec], given[sec], problems) for sec in REPORT_SECTIONS}
    if not problems:
        problems += _cross_checks({**{s: getattr(config, s) for s in _SECTIONS}, **built})
    if problems:
        raise ConfigError(problems)
    return replace(config, **built)


def _build_section(sec, cls, given: dict, problems: list[str]):
    valid = [f.name for f in fields(cls) if not f.metadata.get("internal")]
    kwargs = {}
    for key, value in given.items():
        if key not in valid:
            problems.append(f"unknown key {sec}.{key}; valid keys in [{sec}]: {', '.join(valid)}")
            continue
        check = next(f for f in fields(cls) if f.name == key).metadata["check"]
        try:
            kwargs[key] = check(value)
        except ck.Bad as exc:
            problems.append(f"{sec}.{key}: {exc}")
    for f in fields(cls):
        if f.metadata.get("required") and f.name not in given:
            problems.append(f"missing required key {sec}.{f.name}")
    try:
        return cls(**kwargs)
    except TypeError:  # pragma: no cover - kwargs are filtered above
        return cls()


def _build_model(given: dict, problems: list[str]) -> ModelConfig:
    ENGINES = ck.table("models.engines", "ENGINES")
    engine = given.get("engine", ModelConfig.engine)
    if not isinstance(engine, str) or engine not in ENGINES:
        problems.append(
            f"model.engine: unknown engine {engine!r}; valid engines: {', '.join(map(repr, sorted(ENGINES)))}"
        )
        return ModelConfig()
    spec = ENGINES[engine]
    n_topics = given.get("n_topics", ModelConfig.n_topics)
    try:
        n_topics = ck.integer(2, MAX_TOPICS)(n_topics)
    except ck.Bad as exc:
        problems.append(f"model.n_topics: {exc}")
        n_topics = ModelConfig.n_topics
    params = dict(spec.defaults)
    for key, value in given.items():
        if key in ("engine", "n_topics"):
            continue
        if key not in spec.checks:
            valid = ", ".join(["engine", "n_topics", *sorted(spec.checks)])
            problems.append(f"unknown key model.{key} for engine {engine!r}; valid keys: {valid}")
            continue
        try:
            params[key] = spec.checks[key](value)
        except ck.Bad as exc:
            problems.append(f"model.{key}: {exc}")
    return ModelConfig(engine=engine, n_topics=n_topics, params=tuple(sorted(params.items())))


def _resolve_paths(built, base_dir: Path, cwd: Path, cli_keys):
    def resolve(p: str, key) -> Path:
        path = Path(p).expanduser()
        if path.is_absolute():
            return path
        return ((cwd if key in cli_keys else base_dir) / path).resolve()

    corpus, seg = built["corpus"], built["segment"]
    corpus = replace(corpus, root=resolve(corpus.path, ("corpus", "path")))
    seg = replace(seg, extra_lexicon_paths=tuple(resolve(p, ("segment", "extra_lexicon")) for p in seg.extra_lexicon))
    return corpus, seg


def _cross_checks(built) -> list[str]:
    problems = []
    units = built["units"]
    if units.max_chars and units.max_chars < units.run_chars:
        problems.append(
            f"units.max_chars ({units.max_chars}) is below units.run_chars "
            f"({units.run_chars}); raise max_chars or set it to 0 for no limit"
        )
    k = built["model"].n_topics
    for topic, _ in built["report"].labels:
        if topic > k:
            problems.append(f"report.labels: topic {topic} does not exist; model.n_topics is {k}")
    for group in built["report"].merge:
        if max(group) > k:
            problems.append(f"report.merge: topic {max(group)} does not exist; model.n_topics is {k}")
    if sum(len(g) - 1 for g in built["report"].merge) > k - 2:
        problems.append(f"report.merge: at least two topics must remain of the {k}")
    unc = built["uncertainty"]
    era_names = [n for n, _ in unc.eras]
    if len(set(era_names)) != len(era_names):
        problems.append("uncertainty.eras: era names must differ")
    for pair in unc.contrasts:
        for name in pair:
            if name not in era_names:
                problems.append(
                    f"uncertainty.contrasts: unknown era {name!r}; eras defined: "
                    f"{', '.join(map(repr, era_names)) or 'none (add uncertainty.eras)'}"
                )
    if built["sweep"].k and max(built["sweep"].k) > MAX_TOPICS:
        problems.append(f"sweep.k: at most {MAX_TOPICS} topics")
    for p in built["segment"].extra_lexicon_paths:
        if not p.is_file():
            problems.append(f"segment.extra_lexicon: file {str(p)!r} not found")
        else:
            from .lexicon_file import lexicon_file_problems

            problems += lexicon_file_problems(p)
    return problems


CARRIED = (  # settings an experiment file writes for its own corpus
    ("corpus", "years"),
    ("experiment", "description"),
    ("formulations", "chart"),
    ("uncertainty", "eras"),
    ("experiment", "name"),
)


def carried_settings(config: Experiment) -> str:
    """A warning when ``--set corpus.path=...`` points an experiment file at another corpus while the
    file's own corpus-specific settings (years, description, chart, eras, name) come along; "" else."""
    given = [parse_override(o)[:2] for o in config.overrides if "=" in o and "." in o.partition("=")[0]]
    if ("corpus", "path") not in given or not config.source_text:
        return ""
    try:
        raw = tomllib.loads(config.source_text)
    except tomllib.TOMLDecodeError:
        return ""
    came = [
        f"{sec}.{key}"
        for sec, key in CARRIED
        if (sec, key) not in given and isinstance(raw.get(sec), dict) and raw[sec].get(key) not in (None, "", [], {})
    ]
    if not came:
        return ""
    name = f"; the run is written under its name {config.name!r}" if "experiment.name" in came else ""
    return (
        f"--set corpus.path points {config.source} at another corpus, but settings it wrote for its own came along: "
        f"{', '.join(came)}{name}. Run `topics init {config.corpus.path}` for an experiment of the corpus's own, "
        "or --set those keys too"
    )
