"""Imports flow one way: each module may import only from its own layer and the layers below it.

The order (docs/architecture.md draws it):

    base      inspector.{errors, i18n, paths, fileio, clock, drives}
    rubric    the model, rules, points, scoring, the file forms
    store     the SQLite store, the change log, evaluations, evidence, backup
    crypto    keys, identities, PDF signatures, sealing          (beside centre: neither imports the other)
    centre    register, roster, plans, dispatch, calendars, results, statistics
    documents the score sheet and the other printed documents     (beside bundles)
    bundles   USB sync bundles
    app       inspector.folder (the one way to open a data folder)
    cli, ui   the two faces

Every import counts, also one inside a function (a lazy import is still a dependency). The test
reads the source with :mod:`ast`, so it also catches a cycle that importing would hide.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

BASE = {"errors", "i18n", "paths", "fileio", "clock", "drives"}
# A layer's rank; layers of the same rank may not import each other (siblings).
RANK = {
    "base": 0,
    "rubric": 1,
    "store": 2,
    "crypto": 3,
    "centre": 3,
    "documents": 4,
    "bundles": 4,
    "app": 5,
    "cli": 6,
    "ui": 6,
}


def layer_of(module: str) -> str:
    """The layer of a dotted module name of ours (``inspector.store.db`` → ``store``)."""
    parts = module.split(".")
    if parts[0] == "ui":
        return "ui"
    assert parts[0] == "inspector", module
    if parts[1:] == ["__main__"]:
        return "cli"  # ``python -m inspector`` is the command line
    if len(parts) == 1 or parts[1] in BASE or parts[1].startswith("__"):
        return "base"
    if parts[1] == "folder":
        return "app"
    if parts[1] in RANK:
        return parts[1]
    raise AssertionError(f"{module}: not in any layer (add it to tests/test_layers.py and the docs)")


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of ours in the file, resolving ``from inspector import x``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    typing_only = {
        id(n)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for stmt in block.body
        for n in ast.walk(stmt)
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue  # annotations only: no import at run time (still none upward: see below)
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in ("inspector", "ui"):
                found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return [(n, m) for n, m in found if m.split(".")[0] in ("inspector", "ui")]


def sources() -> list[Path]:
    return sorted([*(ROOT / "inspector").rglob("*.py"), *(ROOT / "ui").rglob("*.py")])


# The two faces meet only in the entry points: ``inspector gui`` starts the window (through click,
# or without it for a plain start: inspector.cli.fast), and the frozen window executable
# (``python -m ui``) answers command-line arguments too.
FACES_MEET = {
    ("inspector.cli.gui", "ui.app"),
    ("inspector.cli.fast", "ui.app"),
    ("ui.__main__", "inspector.cli.main"),
    ("ui.__main__", "inspector.cli.fast"),
}


def wrong_way(path: Path, module: str) -> list[str]:
    """The imports of ``path`` (read as module ``module``) that go up or sideways."""
    mine = layer_of(module)
    wrong = []
    for line, target in imports_of(path):
        theirs = layer_of(target)
        if (module, target) in FACES_MEET:
            continue
        if theirs != mine and RANK[theirs] >= RANK[mine]:
            wrong.append(f"{module}:{line}: {mine} imports {target} ({theirs})")
    return wrong


def upward_imports(files: list[Path]) -> list[str]:
    return [w for path in files for w in wrong_way(path, module_name(path))]


def test_every_module_is_in_a_layer() -> None:
    for path in sources():
        layer_of(module_name(path))


def test_imports_flow_one_way() -> None:
    assert upward_imports(sources()) == []


def test_no_cycle_between_modules() -> None:
    """Within a layer too: no module imports itself back through others."""
    graph: dict[str, set[str]] = {}
    for path in sources():
        name = module_name(path)
        graph[name] = {t for _line, t in imports_of(path)}
    names = set(graph)

    def resolve(target: str) -> str | None:
        while target and target not in names:
            target = target.rpartition(".")[0]
        return target or None

    edges = {
        n: {r for t in ts if (r := resolve(t)) and r != n and not n.startswith(r + ".")}
        for n, ts in graph.items()
    }
    # a package's __init__ importing its own modules is not a cycle; packages here have empty inits
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        seen[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if seen.get(m) == 1:
                cycle = [*stack[stack.index(m) :], m]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if m not in seen:
                visit(m)
        stack.pop()
        seen[n] = 2

    for n in sorted(edges):
        if n not in seen:
            visit(n)


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("inspector/store/db.py", "from inspector.centre.holidays import use_stored_notices"),
        ("inspector/rubric/model.py", "import inspector.store.db"),
        ("inspector/crypto/keys.py", "from inspector.centre import plans"),
        ("inspector/centre/plans.py", "from inspector.bundles.export import export_bundle"),
        ("inspector/bundles/export.py", "from inspector.folder import open_folder"),
        ("inspector/documents/parts.py", "from inspector.bundles import format"),
        ("inspector/errors.py", "from ui import worker"),
    ],
)
def test_a_wrong_way_import_is_caught(tmp_path: Path, source: str, line: str) -> None:
    """The checker itself: a wrong-way import planted (inside a function) in a copy is reported."""
    original = ROOT / source
    assert wrong_way(original, module_name(original)) == []
    planted = tmp_path / "planted.py"
    text = original.read_text(encoding="utf-8")
    planted.write_text(f"{text}\n\ndef _planted() -> None:\n    {line}\n", encoding="utf-8")
    assert len(wrong_way(planted, module_name(original))) == 1
