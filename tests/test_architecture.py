"""The rooms and their arrows (../shared/design/ARCHITECTURE.md): web -> core -> (media, index).

Read from the source with ast, every import counts, also one placed inside a function: an import
cycle or a forbidden arrow fails here with the modules named.
"""

from __future__ import annotations

import ast
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
# Folder -> import name, as pyproject.toml's package-dir maps them.
ROOMS = {"verhalen": "verhalen", "media": "verhalen.media", "index": "verhalen.index", "web": "verhalen.web"}


def modules() -> dict[str, Path]:
    found = {}
    for folder, package in ROOMS.items():
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:  # Alembic loads these by path; they import only alembic/sqlalchemy
                continue
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules that `name` imports (relative imports resolved; `from x import y` counts x.y when
    y is a module of ours, else x)."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                root = base[: len(base) - node.level + 1]
                module = ".".join(root + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in known else module for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:  # a.b.c where only a.b is ours
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def room(module: str) -> str:
    for prefix in ("verhalen.web", "verhalen.media", "verhalen.index"):
        if module == prefix or module.startswith(prefix + "."):
            return prefix
    return "verhalen"


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            # A package importing its own submodule (to re-export) is not a cycle of rooms' modules.
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    found = cycles(graph())
    assert not found, "import cycles (break them by moving the shared piece into a third module): " + "; ".join(
        " <-> ".join(c) for c in found)


def test_arrows_point_one_way():
    allowed = {
        "verhalen.web": {"verhalen.web", "verhalen", "verhalen.media", "verhalen.index"},
        "verhalen": {"verhalen", "verhalen.media", "verhalen.index"},
        "verhalen.media": {"verhalen.media"},
        "verhalen.index": {"verhalen.index"},
    }
    wrong = []
    for module, targets in graph().items():
        for t in targets:
            if room(t) not in allowed[room(module)] and t != "verhalen.errors":
                wrong.append(f"{module} -> {t}")
            # media/ and index/ may use only the core's error classes.
            if room(module) in ("verhalen.media", "verhalen.index") and room(t) == "verhalen" and t != "verhalen.errors":
                wrong.append(f"{module} -> {t}")
    assert not sorted(set(wrong)), "forbidden arrows: " + ", ".join(sorted(set(wrong)))


def test_every_project_import_names_a_module_that_exists():
    """A rename leaves no import behind, not even one inside a function that only runs in one command."""
    mods = modules()
    known = set(mods)
    missing = []
    for name, path in mods.items():
        is_package = path.name == "__init__.py"
        base = name.split(".") if is_package else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                root = base[: len(base) - node.level + 1]
                module = ".".join(root + ([node.module] if node.module else []))
                if module not in known:
                    missing.append(f"{name}: from {'.' * node.level}{node.module or ''}")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in ([a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]):
                    if target.startswith("verhalen") and target not in known:
                        missing.append(f"{name}: {target}")
    assert not missing, "imports of modules that do not exist: " + ", ".join(missing)


def test_errors_is_a_leaf():
    g = graph()
    assert g["verhalen.errors"] == set(), f"verhalen/errors.py must import nothing of the project: {g['verhalen.errors']}"


def test_the_checker_sees_imports_inside_functions(tmp_path):
    """The test above is only worth something if it catches the dodge it forbids."""
    pkg = tmp_path / "a.py"
    pkg.write_text("def f():\n    from .b import g\n")
    assert imports_of("verhalen.a", pkg, {"verhalen.a", "verhalen.b"}) == {"verhalen.b"}
    assert cycles({"x": {"y"}, "y": {"x"}, "z": {"x"}}) == [["x", "y"]]
