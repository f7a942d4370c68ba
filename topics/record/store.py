"""Saving a RunResult in the run folder and reading it back, in open formats only.

``result/result.json`` holds the tree of frozen dataclasses and NamedTuples as JSON, each object
tagged with its class name; every numpy array is a ``.npy`` file in ``result/arrays/`` (written and
read with ``allow_pickle=False``), named after its place in the tree (``model.doc_topic.npy``), and
a sparse matrix is its three CSR arrays. Reading looks class names up in a fixed table of the
package's own result classes: nothing from the folder is evaluated, imported or unpickled. Floats
are written as Python's shortest exact repr, so a result read back equals the one saved, and a
re-render gives byte-identical files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from pathlib import Path

import numpy as np

from ..errors import RunFolderError

FORMAT = 2  # bump when the stored layout changes (2: the sweep verdict, the vocabulary record)
_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


# the package's modules whose records a stored result may hold (named once; imported when reading)
RECORD_MODULES = (
    "data",
    "results",
    "analysis.compare",
    "analysis.dates",
    "analysis.date_profiles",
    "analysis.degenerate",
    "analysis.effects",
    "analysis.evolution",
    "analysis.formulations",
    "analysis.guards",
    "analysis.stability",
    "analysis.sweep",
    "analysis.uncertainty",
    "analysis.validation",
    "config.schema",
    "config.loading",
    "text.vocabulary",
)


def _classes() -> dict[str, type]:
    """Every class a stored result may hold, by name (the only classes ever built when reading)."""
    import importlib

    table: dict[str, type] = {}
    for module in (importlib.import_module(f"topics.{name}") for name in RECORD_MODULES):
        for name, obj in vars(module).items():
            if (
                isinstance(obj, type)
                and obj.__module__ == module.__name__
                and (dataclasses.is_dataclass(obj) or (issubclass(obj, tuple) and hasattr(obj, "_fields")))
            ):
                table[name] = obj
    return table


LEFT_OUT = ("provenance",)  # time stamps, timings, commands: they live in manifest.json, so that
# the same config and corpus write a byte-identical result.json


def save(result, folder: Path) -> None:
    """Write ``result`` (a RunResult, minus its provenance) to ``folder/result.json`` and ``folder/arrays/``."""
    arrays = folder / "arrays"
    arrays.mkdir(parents=True)
    names: set[str] = set()
    seen: dict[tuple, dict] = {}  # an array held in two places (the reference model) is written once

    def array(a: np.ndarray, where: str) -> dict:
        if a.dtype == object:
            raise TypeError(f"{where}: object arrays cannot be stored without pickle")
        a = np.ascontiguousarray(a)
        key = (a.dtype.str, a.shape, hashlib.sha256(a.tobytes()).hexdigest())
        if key in seen:
            return seen[key]
        if a.dtype == object:
            raise TypeError(f"{where}: object arrays cannot be stored without pickle")
        name = _NAME.sub("_", where) or "array"
        base, i = name, 1
        while name in names:
            i += 1
            name = f"{base}.{i}"
        names.add(name)
        np.save(arrays / f"{name}.npy", np.ascontiguousarray(a), allow_pickle=False)
        seen[key] = {"__array__": f"arrays/{name}.npy"}
        return seen[key]

    def enc(obj, where: str):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, (int, np.integer)):
            return int(obj)
        if isinstance(obj, (float, np.floating)):
            x = float(obj)
            return x if math.isfinite(x) else {"__float__": repr(x)}
        if isinstance(obj, np.bool_):
            return bool(obj)
        if isinstance(obj, np.ndarray):
            return array(obj, where)
        if isinstance(obj, Path):
            return {"__path__": str(obj)}
        if hasattr(obj, "tocsr") and hasattr(obj, "indptr"):
            m = obj.tocsr()
            return {
                "__csr__": {
                    "shape": list(m.shape),
                    "data": array(m.data, where + ".data"),
                    "indices": array(m.indices, where + ".indices"),
                    "indptr": array(m.indptr, where + ".indptr"),
                }
            }
        if isinstance(obj, tuple) and hasattr(obj, "_fields"):
            return {"__row__": type(obj).__name__, "values": [enc(v, f"{where}.{f}") for f, v in zip(obj._fields, obj)]}
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return {
                "__type__": type(obj).__name__,
                "fields": {
                    f.name: enc(getattr(obj, f.name), f"{where}.{f.name}" if where else f.name)
                    for f in dataclasses.fields(obj)
                    if f.init and f.compare
                },
            }
        if isinstance(obj, tuple):
            return {"__tuple__": [enc(v, f"{where}.{i}") for i, v in enumerate(obj)]}
        if isinstance(obj, list):
            return [enc(v, f"{where}.{i}") for i, v in enumerate(obj)]
        if isinstance(obj, frozenset):
            return {"__frozenset__": sorted(enc(v, where) for v in obj)}
        if isinstance(obj, dict):
            return {"__dict__": [[enc(k, where), enc(v, f"{where}.{k}")] for k, v in obj.items()]}  # in order
        raise TypeError(f"{where}: cannot store a {type(obj).__name__}")

    tree = {"format": FORMAT, "result": enc(dataclasses.replace(result, provenance=None), "")}
    (folder / "result.json").write_text(
        json.dumps(tree, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8"
    )


def load(folder: Path, provenance):
    """Read a RunResult saved by ``save``, with ``provenance`` (read from the manifest) put back.
    Raises RunFolderError naming what is wrong."""
    path = folder / "result.json"
    try:
        tree = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFolderError(
            f"{folder} holds no saved result (result/result.json); it was written by an older "
            f"version of topics or is not a run folder: rerun the experiment with topics run"
        )
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(f"cannot read {path} ({exc}); rerun the experiment with topics run") from exc
    if not isinstance(tree, dict) or tree.get("format") != FORMAT:
        raise RunFolderError(
            f"{path} is not a result this version of topics can read (format "
            f"{tree.get('format') if isinstance(tree, dict) else '?'}, expected {FORMAT}); "
            f"rerun the experiment with topics run"
        )
    classes = _classes()

    def dec(obj):
        if isinstance(obj, list):
            return [dec(v) for v in obj]
        if not isinstance(obj, dict):
            return obj
        if "__row__" in obj or "__type__" in obj:
            name = obj.get("__row__") or obj.get("__type__")
            cls = classes.get(name)
            if cls is None:
                raise RunFolderError(f"{path}: unknown record type {name!r}; rerun the experiment with topics run")
            if "__row__" in obj:
                return cls(*[dec(v) for v in obj["values"]])
            return cls(**{k: dec(v) for k, v in obj["fields"].items()})
        if obj is None:
            return None
        if len(obj) != 1:
            raise RunFolderError(f"{path}: unexpected entry {sorted(obj)[:3]}; rerun the experiment with topics run")
        tag, value = next(iter(obj.items()))
        if tag == "__array__":
            return _array(folder, value)
        if tag == "__float__":
            return float(value)
        if tag == "__path__":
            return Path(value)
        if tag == "__tuple__":
            return tuple(dec(v) for v in value)
        if tag == "__frozenset__":
            return frozenset(dec(v) for v in value)
        if tag == "__dict__":
            return {dec(k): dec(v) for k, v in value}
        if tag == "__csr__":
            import scipy.sparse as sp

            return sp.csr_matrix(
                (
                    _array(folder, value["data"]["__array__"]),
                    _array(folder, value["indices"]["__array__"]),
                    _array(folder, value["indptr"]["__array__"]),
                ),
                shape=tuple(value["shape"]),
            )
        raise RunFolderError(f"{path}: unexpected entry {tag!r}; rerun the experiment with topics run")

    try:
        return dataclasses.replace(dec(tree["result"]), provenance=provenance)
    except (TypeError, ValueError, KeyError) as exc:
        raise RunFolderError(
            f"{path} does not hold a complete result ({exc}); rerun the experiment with topics run"
        ) from exc


def _array(folder: Path, name: str) -> np.ndarray:
    path = (folder / name).resolve()
    if folder.resolve() not in path.parents:
        raise RunFolderError(f"{folder / 'result.json'} names an array outside the folder ({name!r})")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"cannot read {path} ({exc}); rerun the experiment with topics run") from exc
