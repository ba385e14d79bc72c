"""The import structure of toolkit/: no cycles, layers imported only downwards, no private imports
across modules, no oversized module.

Every module is parsed with `ast` (nothing is imported), and every import counts: module level,
inside functions (lazy imports) and under `if TYPE_CHECKING:`. A package's `__init__.py` is the
package's own module, so a name re-exported there is an edge from the package to the module it
comes from. The layers, bottom to top, are LAYERS; a module imports only its own layer and the ones
below it (docs/layout.md explains the order). The checker is tested on small fake packages at the
end of this file, so each check can fail.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "toolkit"
#: Layers of toolkit/, bottom to top. `toolkit.cli` is the top layer; `toolkit` itself has none.
LAYERS = ("core", "privacy", "ingest", "analysis", "pipeline", "report", "sample", "quality", "cli")
#: Imports allowed to run up the layer order (issue 17: "at most 1").
MAX_UPWARD = 1
#: Hard limit on the lines of one module (data files are not modules).
MAX_LINES = 800
#: Folders that hold data files and build scripts for them, not modules of the package.
DATA_FOLDERS = ("resources",)


@dataclass(frozen=True)
class Import:
    """One import statement's edge: `source` imports `target` (`names` from it) at `line`."""

    source: str
    target: str
    line: int
    names: tuple[str, ...] = ()

    def where(self, root: Path) -> str:
        return f"{module_path(root, self.source)}:{self.line}"


def module_files(root: Path, package: str = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every module of `package` under `root` (data folders out)."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        rel = path.relative_to(root)
        if any(part in DATA_FOLDERS for part in rel.parts):
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def module_path(root: Path, module: str) -> str:
    """The file of `module` relative to `root`, for messages."""
    base = root / Path(*module.split("."))
    path = base / "__init__.py" if (base / "__init__.py").exists() else base.with_suffix(".py")
    return str(path.relative_to(root))


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of dotted `name` that is a module of the package, or None."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """Every import in `path` (module `module`) that lands on a module of the package."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name, modules)
                if target and target != module:
                    found.append(Import(module, target, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            by_target: dict[str, list[str]] = {}
            for alias in node.names:
                submodule = f"{origin}.{alias.name}"
                target = submodule if submodule in modules else _resolve(origin, modules)
                if target and target != module:
                    by_target.setdefault(target, []).append(alias.name)
            found += [Import(module, t, node.lineno, tuple(n)) for t, n in by_target.items()]
    return found


def import_graph(root: Path, package: str = PACKAGE) -> list[Import]:
    """All imports between modules of `package` under `root`."""
    modules = module_files(root, package)
    return [edge for module, path in modules.items() for edge in imports_of(module, path, modules)]


def find_cycles(edges: list[Import]) -> list[list[str]]:
    """The modules tied in each import cycle: every strongly connected component of more than one
    module (each one a sorted list; every module of it can reach every other)."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def connect(v: str) -> None:  # Tarjan's algorithm; the package is small enough to recurse
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(components)


def layer_of(module: str, layers: tuple[str, ...] = LAYERS) -> str | None:
    """The layer of a dotted module name (`toolkit.privacy.gate` -> privacy), or None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in layers else None


def upward_imports(edges: list[Import], layers: tuple[str, ...] = LAYERS) -> list[Import]:
    """Imports from a module to a module of a higher layer."""
    up = []
    for e in edges:
        src, dst = layer_of(e.source, layers), layer_of(e.target, layers)
        if src and dst and layers.index(dst) > layers.index(src):
            up.append(e)
    return up


def private_imports(edges: list[Import]) -> list[Import]:
    """Imports of a name starting with `_` (not a dunder) from another module."""
    return [e for e in edges if any(_is_private(n) for n in e.names)]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def long_modules(
    root: Path, package: str = PACKAGE, limit: int = MAX_LINES
) -> list[tuple[str, int]]:
    """(file, lines) of every module over `limit` lines, longest first."""
    sizes = []
    for path in module_files(root, package).values():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            sizes.append((str(path.relative_to(root)), n))
    return sorted(sizes, key=lambda s: -s[1])


def _edge_text(
    root: Path, e: Import, layers: tuple[str, ...] = LAYERS, private_only: bool = False
) -> str:
    shown = [n for n in e.names if _is_private(n)] if private_only else e.names
    names = f" ({', '.join(shown)})" if shown else ""
    layer = ""
    if layer_of(e.source, layers) and layer_of(e.target, layers):
        layer = f" [{layer_of(e.source, layers)} -> {layer_of(e.target, layers)}]"
    return f"{e.where(root)}: {e.source} imports {e.target}{names}{layer}"


def cycle_text(root: Path, cycle: list[str], edges: list[Import]) -> str:
    """The modules of one cycle and every import that ties them, with its file and line."""
    members = set(cycle)
    ties = sorted(
        (e for e in edges if e.source in members and e.target in members),
        key=lambda e: (e.source, e.target, e.line),
    )
    return f"{len(cycle)} modules in one cycle: {', '.join(cycle)}\n" + "\n".join(
        f"    {_edge_text(root, e)}" for e in ties
    )


# ------------------------------------------------------------------ the checks on toolkit/
@pytest.fixture(scope="module")
def toolkit_imports() -> list[Import]:
    return import_graph(REPO)


def test_toolkit_has_no_import_cycles(toolkit_imports):
    cycles = find_cycles(toolkit_imports)
    assert not cycles, f"{len(cycles)} import cycle(s) in toolkit/:\n" + "\n".join(
        cycle_text(REPO, c, toolkit_imports) for c in cycles
    )


def test_toolkit_imports_run_down_the_layers(toolkit_imports):
    up = upward_imports(toolkit_imports)
    assert len(up) <= MAX_UPWARD, (
        f"{len(up)} import(s) run up the layer order {' -> '.join(LAYERS)} "
        f"(at most {MAX_UPWARD} allowed):\n" + "\n".join(_edge_text(REPO, e) for e in up)
    )


def test_toolkit_imports_no_private_name_from_another_module(toolkit_imports):
    private = private_imports(toolkit_imports)
    assert not private, (
        f"{len(private)} import(s) of a private name (make it public with a docstring, or move it):\n"
        + "\n".join(_edge_text(REPO, e, private_only=True) for e in private)
    )


def test_no_toolkit_module_over_the_line_limit():
    long = long_modules(REPO)
    assert not long, (
        f"{len(long)} module(s) over {MAX_LINES} lines (split by concern):\n"
        + "\n".join(f"{path}: {n} lines" for path, n in long)
    )


# ------------------------------------------------------------------ the checker catches each defect
def _fake_package(root: Path, files: dict[str, str]) -> Path:
    """Write a package `toolkit` under `root` from {relative path: source}; return `root`."""
    for rel, source in files.items():
        path = root / PACKAGE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        for parent in path.relative_to(root).parents:
            init = root / parent / "__init__.py"
            if parent != Path(".") and not init.exists():
                init.write_text("")
    return root


def test_checker_finds_a_clean_package_clean(tmp_path):
    root = _fake_package(
        tmp_path,
        {
            "core/config.py": "X = 1\n",
            "analysis/sql.py": "from toolkit.core.config import X\n",
            "report/build.py": "def f():\n    from toolkit.analysis import sql\n    return sql\n",
        },
    )
    edges = import_graph(root)
    assert {(e.source, e.target) for e in edges} == {
        ("toolkit.analysis.sql", "toolkit.core.config"),
        ("toolkit.report.build", "toolkit.analysis.sql"),
    }
    assert not find_cycles(edges) and not upward_imports(edges) and not private_imports(edges)
    assert not long_modules(root)


def test_checker_finds_a_cycle_through_a_function_level_import(tmp_path):
    root = _fake_package(
        tmp_path,
        {
            "analysis/a.py": "from toolkit.analysis.b import g\ndef f():\n    return g()\n",
            "analysis/b.py": "def g():\n    from toolkit.analysis import a\n    return a\n",
        },
    )
    edges = import_graph(root)
    assert find_cycles(edges) == [["toolkit.analysis.a", "toolkit.analysis.b"]]
    assert "analysis/b.py:2: toolkit.analysis.b imports toolkit.analysis.a" in cycle_text(
        root, find_cycles(edges)[0], edges
    )


def test_checker_reports_every_module_of_a_larger_cycle(tmp_path):
    root = _fake_package(
        tmp_path,
        {
            "analysis/sql.py": "def f():\n    from toolkit.analysis import campaigns, trends\n",
            "analysis/campaigns.py": "from toolkit.analysis import sql\n",
            "analysis/trends.py": "from toolkit.analysis.engagement import g\n",
            "analysis/engagement.py": "from toolkit.analysis.sql import f\ndef g():\n    pass\n",
            "analysis/scope.py": "from toolkit.analysis.engagement import g\n",
        },
    )
    edges = import_graph(root)
    assert find_cycles(edges) == [
        [
            "toolkit.analysis.campaigns",
            "toolkit.analysis.engagement",
            "toolkit.analysis.sql",
            "toolkit.analysis.trends",
        ]
    ]
    text = cycle_text(root, find_cycles(edges)[0], edges)
    assert text.startswith("4 modules in one cycle") and "scope" not in text
    assert len(text.splitlines()) == 1 + 5  # the heading, then each import that ties them


def test_checker_counts_a_package_reexport_as_an_edge_from_the_package(tmp_path):
    root = _fake_package(
        tmp_path,
        {
            "report/__init__.py": "from toolkit.report.build import build_page\n",
            "report/build.py": "from toolkit.report.style import COLOURS\ndef build_page():\n    return COLOURS\n",
            "report/style.py": "def f():\n    from toolkit.report import build_page\n    return build_page\nCOLOURS = {}\n",
        },
    )
    cycles = find_cycles(import_graph(root))
    assert cycles == [["toolkit.report", "toolkit.report.build", "toolkit.report.style"]]


def test_checker_resolves_relative_imports(tmp_path):
    root = _fake_package(
        tmp_path,
        {
            "ingest/a.py": "from .b import X\nfrom .. import core\n",
            "ingest/b.py": "X = 1\n",
            "core/config.py": "",
        },
    )
    assert {(e.source, e.target) for e in import_graph(root)} == {
        ("toolkit.ingest.a", "toolkit.ingest.b"),
        ("toolkit.ingest.a", "toolkit.core"),
    }


def test_checker_finds_an_upward_import(tmp_path):
    root = _fake_package(
        tmp_path,
        {
            "core/config.py": "def f():\n    import toolkit.privacy.pseudonymise\n",
            "privacy/pseudonymise.py": "from toolkit.core.config import f\n",
            "ingest/readers.py": "from toolkit.privacy import pseudonymise\n",
        },
    )
    up = upward_imports(import_graph(root))
    assert [(e.source, e.target, e.line) for e in up] == [
        ("toolkit.core.config", "toolkit.privacy.pseudonymise", 2)
    ]
    assert "[core -> privacy]" in _edge_text(root, up[0])


def test_checker_finds_a_private_import(tmp_path):
    root = _fake_package(
        tmp_path,
        {
            "analysis/engagement.py": "def _as_float(x):\n    return float(x)\n",
            "analysis/campaigns.py": "from toolkit.analysis.engagement import _as_float, __doc__\n",
            "analysis/trends.py": "from toolkit.analysis.engagement import __doc__\n",
        },
    )
    private = private_imports(import_graph(root))
    assert [(e.source, e.names) for e in private] == [
        ("toolkit.analysis.campaigns", ("_as_float", "__doc__"))
    ]


def test_checker_finds_a_long_module_but_not_a_data_file(tmp_path):
    root = _fake_package(
        tmp_path,
        {
            "sample/generator.py": "x = 1\n" * (MAX_LINES + 1),
            "sample/short.py": "x = 1\n" * MAX_LINES,
            "resources/build_words.py": "x = 1\n" * (MAX_LINES + 5),
        },
    )
    (root / PACKAGE / "sample" / "templates.yaml").write_text("- a\n" * 5000)
    assert long_modules(root) == [("toolkit/sample/generator.py", MAX_LINES + 1)]


# ------------------------------------------------------------------ the public entry points
def test_import_toolkit_is_cheap_and_names_its_entry_points():
    import subprocess
    import sys

    code = (
        "import sys, toolkit; "
        "print(sorted(m for m in sys.modules if m.startswith('toolkit.') or m in ('pandas', 'numpy')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]", f"`import toolkit` imported: {loaded.stdout}"

    import toolkit

    for name, module in toolkit.ENTRY_POINTS.items():
        assert getattr(toolkit, name).__module__ == module, name
        assert name in dir(toolkit)
    with pytest.raises(AttributeError):
        toolkit.no_such_entry_point  # noqa: B018
