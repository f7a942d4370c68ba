"""Property-based: random and mutated configs either load or raise ConfigError naming the key.
Never another exception. (At least 500 examples each; derandomized, so CI runs the same examples
every time. Explore new ones locally by removing derandomize.)"""

import copy
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topics.config import build_experiment, load_experiment
from topics.errors import ConfigError
from topics.models import ENGINES
from topics.config.schema import SECTIONS

from .conftest import EXPERIMENTS, SEEDS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BASE = tomllib.loads((EXPERIMENTS / "baseline.toml").read_text(encoding="utf-8"))
BASE["corpus"]["path"] = str(SEEDS)
KEYS = {
    sec: sorted({f.name for f in cls.__dataclass_fields__.values() if not f.metadata.get("internal")})
    for sec, cls in SECTIONS.items()
    if sec != "model"
}
KEYS["model"] = sorted({"engine", "n_topics", *(k for spec in ENGINES.values() for k in spec.checks)})

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(
        ["jieba", "rjieba", "nmf", "gensim-lda", "utf-8", "c_v", "documents+units", "share", "svg", "2005-2012"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)
sections = st.sampled_from(sorted(KEYS) + ["bogus", "Model", ""])


@st.composite
def mutated(draw):
    raw = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        sec = draw(sections)
        key = draw(st.sampled_from(KEYS.get(sec, ["x"]) + ["unknown_key"]))
        action = draw(st.sampled_from(["set", "delete", "replace_section"]))
        if action == "replace_section":
            raw[sec] = draw(values)
        elif action == "delete" and isinstance(raw.get(sec), dict):
            raw[sec].pop(key, None)
        else:
            if not isinstance(raw.get(sec), dict):
                raw[sec] = {}
            raw[sec][key] = draw(values)
    return raw


def named(problem: str) -> bool:
    """A problem names its key (section.key), its section ([section]) or the override."""
    return (
        any(f"{sec}." in problem or f"[{sec}]" in problem for sec in [*KEYS, "bogus", "Model", ""])
        or "section" in problem
    )


@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_configs_load_or_name_the_key(raw):
    try:
        build_experiment(raw, base_dir=EXPERIMENTS)
    except ConfigError as exc:
        assert exc.problems and all(named(p) for p in exc.problems), exc.problems


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    st.lists(st.tuples(st.sampled_from(sorted(KEYS) + ["x"]), st.text(max_size=10), st.text(max_size=12)), max_size=4)
)
def test_random_overrides_load_or_name_the_key(items):
    overrides = [f"{sec}.{key}={value}" for sec, key, value in items]
    try:
        build_experiment(copy.deepcopy(BASE), base_dir=EXPERIMENTS, overrides=overrides)
    except ConfigError as exc:
        assert exc.problems and all(named(p) or "--set" in p for p in exc.problems), exc.problems


@settings(
    max_examples=500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=200))
def test_random_files_are_config_errors(tmp_path, text):
    path = tmp_path / "x.toml"
    path.write_bytes(text.encode("utf-8", errors="replace"))
    try:
        load_experiment(path)
    except ConfigError as exc:
        assert exc.problems
