"""The package's layers, read from its source: data flows one way and no import (at the top of a module or inside a
function) climbs back up. A new module must be given its layer here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cchc_analysis"

# lower layers never import higher ones; modules of one layer may import each other (without a circle)
LAYERS = [
    # 0: foundations (text, errors, settings, periods, the methodology, the rate definitions, the unit registry)
    {
        "errors",
        "text",
        "fileio",
        "paths",
        "settings",
        "periods",
        "keyed_hash",
        "methodology",
        "rates",
        "registry",
        "pseudonym",
        "outline",
        "parallel",
    },
    # 1: reading the exports
    {"ingest"},
    # 2: the store and the dossier-state rules
    {"states", "store", "remote"},
    # 3: figures
    {"indicators", "coverage", "tt01", "ranking", "rollup"},
    # 4: presentation
    {"plots", "workbook", "brief", "report", "publish", "api"},
    # 5: orchestration and entry points
    {"run", "demo", "cli", "__main__", "__init__"},
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        out[".".join(parts)] = path
    return out


def _layer(module: str) -> int:
    top = module.split(".")[0]
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"cchc_analysis.{module} has no layer in tests/test_architecture.py")


def _imports(module: str, path: Path) -> set[str]:
    """The package modules ``module`` imports, wherever the import statement is."""
    modules = _modules()
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
            for alias in node.names:
                target = ".".join([*base, alias.name])
                found.add(target if target in modules else ".".join(base))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if name.startswith("cchc_analysis."):
                    found.add(name.removeprefix("cchc_analysis."))
    found.discard(module)
    found.discard("")
    return {m for m in found if m in modules or m.split(".")[0] in modules}


GRAPH = {m: _imports(m, p) for m, p in _modules().items()}


def _climbs(graph: dict[str, set[str]], module: str) -> list[str]:
    return sorted(t for t in graph[module] if _layer(t) > _layer(module))


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    def circle_from(start):
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    return [*trail, nxt]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
        return None

    return [c for m in sorted(graph) if (c := circle_from(m))]


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_import_climbs_a_layer(module):
    assert _climbs(GRAPH, module) == [], f"{module} (layer {_layer(module)}) imports from a higher layer"


def test_no_import_circle():
    assert _circles(GRAPH) == []


def test_the_checks_see_a_circle_and_a_climb():
    """The checks above on a made-up graph (the circle the readers once had, and a reader calling the CLI)."""
    made_up = {"ingest.common": {"ingest.onestop"}, "ingest.onestop": {"ingest.common"}, "ingest.inspect": {"cli"}}
    assert _circles(made_up) == [
        ["ingest.common", "ingest.onestop", "ingest.common"],
        ["ingest.onestop", "ingest.common", "ingest.onestop"],
    ]
    assert _climbs(made_up, "ingest.inspect") == ["cli"] and _climbs(made_up, "ingest.common") == []
    with pytest.raises(AssertionError, match="has no layer"):
        _layer("newmodule")
    # the real graph is read: the store reads the dossier-state rules, the indicators read the store
    assert "states" in GRAPH["store"] and "store" in GRAPH["indicators"] and "text" in GRAPH["ingest.inspect"]


MAX_FUNCTION_LINES = 120


def _long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_function_is_longer_than_120_lines(module):
    """Long functions are split at their natural seams (one function per brief section, per reading stage...)."""
    assert _long_functions(_modules()[module]) == []


def test_the_length_check_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "m.py").write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}\n", encoding="utf-8")
    assert _long_functions(tmp_path / "m.py") == [f"long ({MAX_FUNCTION_LINES + 1} lines)"]
