"""The package's shape: a folder per stage, imports that only point down, no import cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "leafletgen"

# lowest first: a module may import from its own layer's folder and from the layers below it
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "limits", "files", "version", "textcheck", "pdfbounds"),
    ("model", "project"),
    ("fonts",),
    ("source",),
    ("i18n",),
    ("checks",),
    ("render",),
    ("verification",),
    ("catalogue",),
    ("personal",),
    ("pages",),
    ("exchange",),
    ("serve",),
    ("cli", "__init__"),
)


def _stage(module: str) -> str:
    """The stage a dotted module name belongs to: its first part below ``leafletgen``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(stage: str) -> int:
    for index, stages in enumerate(LAYERS):
        if stage in stages:
            return index
    raise AssertionError(f"leafletgen.{stage} is in no layer of tests/test_architecture.py")


def _module_name(path: Path) -> str:
    if not path.is_relative_to(PACKAGE.parent):
        return "leafletgen.outside"
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """The leafletgen modules a file imports, at any depth of the file (lazy imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("leafletgen")}
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import; leafletgen imports are absolute"
            if node.module == "leafletgen":
                # "from leafletgen import textcheck" imports the module leafletgen.textcheck
                found |= {f"leafletgen.{a.name}" if (PACKAGE / f"{a.name}.py").is_file()
                          or (PACKAGE / a.name).is_dir() else "leafletgen" for a in node.names}
            elif node.module.startswith("leafletgen"):
                found.add(node.module)
    return found


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: {i for i in _imports(path) if i in MODULES and i != name}
         for name, path in MODULES.items()}


def test_every_stage_is_in_a_layer():
    for name in MODULES:
        _layer(_stage(name))


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_only_point_down(name):
    # the package's own __init__ (the public API) is the top layer: it may import any stage,
    # and no stage may import it
    mine = _layer(_stage(name))
    upward = sorted(i for i in GRAPH[name] if _layer(_stage(i)) > mine)
    assert not upward, f"{name} imports from a later stage: {upward}"


def _private_imports(path: Path) -> list[str]:
    """``module.name`` for each private name (``_x``) the file imports from another stage."""
    own = _stage(_module_name(path)) if path.is_relative_to(PACKAGE) else None
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module \
                and node.module.startswith("leafletgen.") and _stage(node.module) != own:
            found += [f"{node.module}.{a.name}" for a in node.names
                      if a.name.startswith("_") and not a.name.startswith("__")]
    return found


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_another_stages_private_names(name):
    assert not _private_imports(MODULES[name])


def test_the_private_name_checker_sees_one(tmp_path):
    module = PACKAGE / "serve" / "x.py"  # not written: only its name places it in serve/
    source = tmp_path / "x.py"
    source.write_text("from leafletgen.personal.packet import _assemble\n")
    assert _private_imports(source) == ["leafletgen.personal.packet._assemble"]
    assert module.parent.is_dir()


def test_there_are_no_import_cycles():
    graph = GRAPH
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_checker_sees_an_upward_import(tmp_path):
    module = tmp_path / "x.py"
    module.write_text("def f():\n    from leafletgen.catalogue.build import plan\n")
    assert _imports(module) == {"leafletgen.catalogue.build"}


def test_every_public_name_is_documented_in_the_api_page():
    import inspect

    import leafletgen

    page = (PACKAGE.parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    for name in leafletgen.__all__:
        if name == "__version__":
            continue
        value = getattr(leafletgen, name)
        doc = inspect.getdoc(value) or ""
        assert doc and not doc.startswith(f"{name}("), f"leafletgen.{name} has no docstring"
        assert f"`{name}" in page or f"{name}(" in page, f"docs/api.md does not name {name}"


def test_importing_the_package_loads_no_stage():
    import subprocess
    import sys

    code = ("import sys, leafletgen; "
            "print(sorted(m for m in sys.modules if m.startswith('leafletgen.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"  # no stage, not even the version (read when asked)
    code = "import leafletgen; print(leafletgen.build.__module__, leafletgen.packet.__module__)"
    names = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split()
    assert names == ["leafletgen.catalogue.build", "leafletgen.personal.service"]


def test_all_lists_exactly_the_names_imported_on_first_use():
    import leafletgen

    assert set(leafletgen.__all__) == {*leafletgen._HOME, "__version__"}
