"""The package's shape: no module imports another module's private names, and no two modules import each other."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "gigafleet"


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, str, int]]:
    """``(module imported, name or '', line)`` for every gigafleet import in a file (lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, str, int]] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.split(".")[0] == "gigafleet"
        ):
            found += [(node.module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "", node.lineno) for alias in node.names if alias.name.split(".")[0] == "gigafleet"]
    return found


def _modules(root: Path) -> dict[str, Path]:
    return {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def private_imports(root: Path = PACKAGE) -> list[str]:
    """``file:line imports module._name`` for every private name imported from another module."""
    modules = _modules(root)
    bad = []
    for name, path in modules.items():
        for module, imported, line in _imports(path):
            if imported.startswith("_") and module != name:
                bad.append(f"{path.relative_to(root.parent)}:{line} imports {module}.{imported}")
    return bad


def import_cycles(root: Path = PACKAGE) -> list[tuple[str, str]]:
    """Pairs of modules that import each other (directly, at any depth of the file, lazy imports included)."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for module, imported, _ in _imports(path):
            target = f"{module}.{imported}" if f"{module}.{imported}" in modules else module
            if target in modules and target != name:
                targets.add(target)
        graph[name] = targets
    return sorted((a, b) for a in graph for b in graph[a] if a < b and a in graph.get(b, set()))


def test_no_module_imports_a_private_name_of_another() -> None:
    assert private_imports() == []


def test_no_two_modules_import_each_other() -> None:
    assert import_cycles() == []


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The scanner sees a private import and a two-module cycle in a package that has them."""
    root = tmp_path / "gigafleet"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "a.py").write_text("from gigafleet.b import _helper\n")
    (root / "b.py").write_text("def f():\n    import gigafleet.a\n")
    assert private_imports(root) == ["gigafleet/a.py:1 imports gigafleet.b._helper"]
    assert import_cycles(root) == [("gigafleet.a", "gigafleet.b")]
