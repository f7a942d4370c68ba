"""The package's layout: dependencies run one way between stage folders, no import cycle, and no
module takes a private name from another."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "topics"

# Each part of the package, and the parts it may import from. Lower layers never import higher ones.
ALLOWED = {
    "errors": set(),
    "files": set(),
    "processes": set(),
    "progress": set(),  # the progress bars: a leaf every long step may count with
    "data": {"errors"},
    "config": {"errors"},
    "text": {"progress", "config", "data", "errors", "files", "processes"},
    "models": {"progress", "config", "data", "errors", "processes"},
    "analysis": {"progress", "config", "data", "errors", "models", "text"},
    "results": {"config", "data", "errors", "analysis", "models"},
    "render": {"config", "data", "errors", "results", "analysis", "models"},
    "record": {"config", "data", "errors", "files", "results", "render", "analysis", "models", "text"},
    "pipeline": {"config", "data", "errors", "results", "render", "record", "analysis", "models", "text"},
    "cli": {"progress", "config", "errors", "pipeline", "record", "render", "analysis", "text", "results"},
    "__init__": {"errors"},
    "__main__": {"cli"},
}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(("topics", *parts))] = path
    return out


def imports(name: str, path: Path):
    """(imported module, names taken) for every import in the module, lazy ones included."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.startswith("topics"):
                yield target, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("topics"):
                    yield a.name, []


def part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def graph():
    mods = modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for target, names in imports(name, path):
            for n in names or [""]:  # `from .pkg import module` imports the module
                sub = f"{target}.{n}"
                edges[name].add(sub if sub in mods else target)
    return mods, edges


def test_every_part_imports_only_the_parts_below_it():
    mods, edges = graph()
    wrong = [
        f"{a} imports {b}"
        for a, targets in edges.items()
        for b in sorted(targets)
        if part(b) != part(a) and part(b) not in ALLOWED[part(a)] | {"lexicon", "cues"} and b != "topics"
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle():
    mods, edges = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(m, stack):
        state[m] = 1
        stack.append(m)
        for n in sorted(edges.get(m, ())):
            if n not in mods or n == m or mods[n].name == "__init__.py" and m.startswith(n + "."):
                continue
            if state.get(n) == 1:
                cycles.append(" -> ".join(stack[stack.index(n) :] + [n]))
            elif not state.get(n):
                visit(n, stack)
        stack.pop()
        state[m] = 2

    for m in sorted(mods):
        if not state.get(m):
            visit(m, [])
    assert not cycles, "\n".join(cycles)


def test_no_module_takes_a_private_name_from_another():
    mods = modules()
    wrong = [
        f"{name} takes {n} from {target}"
        for name, path in mods.items()
        for target, names in imports(name, path)
        for n in names
        if n.startswith("_") and not n.startswith("__") and target != name
    ]
    assert not wrong, "\n".join(wrong)


def test_the_graph_sees_the_package():
    """The checks above are not vacuous: the graph finds the modules and the stage imports."""
    mods, edges = graph()
    assert {"topics.pipeline", "topics.text.segment", "topics.models.engines", "topics.render.dashboard"} <= set(mods)
    assert "topics.text.segment" in edges["topics.pipeline"]
    assert "topics.models.engines" in edges["topics.models.tasks"]
