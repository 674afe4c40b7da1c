"""Proves the package's layering from the source's own imports: core < data < analysis < training <
lessons < plots < ui < tools/pages, streamlit only in the UI layer, no private names across modules."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. A module may import its own layer and the ones before it.
LAYERS = ("core", "data", "analysis", "training", "lessons", "plots", "ui", "tools")
ENTRY = len(LAYERS)  # app.py and pages/: may import every layer of the package
PUBLIC_STREAMLIT = ("streamlit", "streamlit.testing.v1", "streamlit.components.v1")
# Entry points that are not part of any layer but the package's facade.
FACADE = {"rnnviz/__init__.py": "core", "rnnviz/__main__.py": "tools"}


@dataclass(frozen=True)
class Import:
    path: str  # the importing file, relative to the repository
    line: int
    module: str  # the imported module, dotted ("rnnviz.core.trace", "streamlit")
    names: tuple[str, ...]  # names taken from it with `from … import`; () for `import x`
    comment: str  # the source line and the five above it, to find a reason given in a comment


def _python_files() -> list[Path]:
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "bench").glob("*.py"))]
    return files + sorted((ROOT / "rnnviz").rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(path: Path) -> list[Import]:
    """Every import statement of one file, wherever it stands (functions included)."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    rel = path.relative_to(ROOT).as_posix()
    found = []
    for node in ast.walk(ast.parse(source)):
        context = "\n".join(lines[max(0, node.lineno - 6) : node.lineno]) if hasattr(node, "lineno") else ""
        if isinstance(node, ast.Import):
            found += [Import(rel, node.lineno, alias.name, (), context) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(path, node)
            found.append(Import(rel, node.lineno, module, tuple(a.name for a in node.names), context))
    return found


def layer_of(path: str) -> int | None:
    """The layer index of a file, ENTRY for app/pages, None for what has no layer (bench)."""
    path = FACADE.get(path, path)
    if path in LAYERS:
        return LAYERS.index(path)
    if path == "app.py" or path.startswith("pages/"):
        return ENTRY
    match = re.match(r"rnnviz/([a-z_]+)/", path)
    if match and match.group(1) in LAYERS:
        return LAYERS.index(match.group(1))
    if match and match.group(1) == "resources":
        return 0
    return None


def imported_layer(module: str, names: tuple[str, ...]) -> list[int]:
    """Layers an import reaches: `from rnnviz import ui` reaches the ui layer."""
    parts = module.split(".")
    if parts[0] != "rnnviz":
        return []
    if len(parts) >= 2 and parts[1] in LAYERS:
        return [LAYERS.index(parts[1])]
    if len(parts) == 1:
        return [LAYERS.index(name) for name in names if name in LAYERS] or [0]
    return []


ALL = [imp for path in _python_files() for imp in imports_of(path)]


def test_the_scan_sees_the_package():
    modules = {imp.path for imp in ALL}
    assert "rnnviz/core/trace.py" in modules and "app.py" in modules
    assert any(imp.module.startswith("rnnviz.core") for imp in ALL)


def test_no_layer_imports_a_higher_one():
    upward = []
    for imp in ALL:
        own = layer_of(imp.path)
        if own is None:
            continue
        for reached in imported_layer(imp.module, imp.names):
            if reached > own:
                upward.append(f"{imp.path}:{imp.line} imports {imp.module} ({LAYERS[reached]})")
    assert not upward, "lower layers import higher ones:\n" + "\n".join(upward)


def test_only_the_ui_layer_imports_streamlit():
    offenders = []
    for imp in ALL:
        if imp.module.split(".")[0] != "streamlit":
            continue
        ui_side = imp.path.startswith(("rnnviz/ui/", "pages/")) or imp.path == "app.py"
        test_harness = imp.path.startswith("bench/") and (
            imp.module == "streamlit.testing.v1" or imp.module.startswith("streamlit.proto.")  # bench.wire
        )
        yardstick = imp.path == "bench/toy_page.py"  # the one-chart app the browser benches compare with
        if not (ui_side or test_harness or yardstick):
            offenders.append(f"{imp.path}:{imp.line} imports {imp.module}")
    assert not offenders, "streamlit outside rnnviz/ui/:\n" + "\n".join(offenders)


def test_the_package_and_the_benches_never_import_tests():
    # Product code must work where tests/ is absent (an installed package, a slim deployment).
    reaching = [
        f"{imp.path}:{imp.line} imports {imp.module}"
        for imp in ALL
        if imp.path.startswith(("rnnviz/", "bench/", "app.py", "pages/"))
        and imp.module.split(".")[0] == "tests"
    ]
    assert not reaching, "product code imports tests/:\n" + "\n".join(reaching)


def test_private_streamlit_modules_say_why():
    unexplained = [
        f"{imp.path}:{imp.line} imports {imp.module}"
        for imp in ALL
        if imp.module.startswith("streamlit.")
        and imp.module not in PUBLIC_STREAMLIT
        and "no public" not in imp.comment.lower()
    ]
    assert not unexplained, (
        "private streamlit modules need a comment saying there is no public way:\n" + "\n".join(unexplained)
    )


def _private_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT).as_posix()
    modules: set[str] = set()  # local names bound to rnnviz modules
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _resolve(path, node).startswith("rnnviz"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    bad.append(f"{rel}:{node.lineno} imports {alias.name} from {_resolve(path, node)}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(
                a.asname or a.name.split(".")[0] for a in node.names if a.name.startswith("rnnviz")
            )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            bad.append(f"{rel}:{node.lineno} uses {node.value.id}.{node.attr}")
    return bad


def test_no_module_uses_another_modules_private_names():
    bad = [line for path in _python_files() for line in _private_imports(path)]
    assert not bad, "private names used across modules:\n" + "\n".join(bad)


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "pages").glob("*.py")))
def test_pages_do_not_reach_into_models_or_traces(page):
    source = (ROOT / "pages" / page).read_text(encoding="utf-8")
    reaches = re.findall(r"\.model\.(?:rnn|embedding|head)\b|\.states\[|import torch|torch\.", source)
    assert not reaches, f"pages/{page} does tensor work itself: {reaches}"


def test_the_layer_rule_catches_an_upward_import(tmp_path):
    # The checker itself: a core module importing the ui layer is reported.
    assert imported_layer("rnnviz.ui.session", ()) == [LAYERS.index("ui")]
    assert imported_layer("rnnviz", ("ui", "core")) == [LAYERS.index("ui"), 0]
    assert layer_of("rnnviz/core/trace.py") == 0 and layer_of("pages/explore.py") == ENTRY
    assert layer_of("bench/explore.py") is None
