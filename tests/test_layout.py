"""The package layout: dependencies point one way. A module may import its own
package or a package of a lower layer, never one above it (imports inside
functions count too). Every package of derive must have a layer here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import derive

ROOT = Path(derive.__file__).resolve().parent

# Lowest first. The README's "Layout" section describes the same table.
LAYERS: dict[str, int] = {
    "derive": 0,  # __init__ (the version) and __main__
    "derive.errors": 0,
    "derive.kb": 1,
    "derive.engine": 2,
    "derive.validate": 2,
    "derive.ingest": 2,  # outside formats read into the knowledge base's terms: BibTeX, tables
    "derive.audit": 3,
    "derive.query": 3,
    "derive.render": 4,  # shows what the engine, the audit and queries produce
    "derive.export": 4,  # the knowledge base in formats other tools read
    "derive.remote": 4,  # other stores over HTTP: reads query results, writes graphs
    "derive.api": 5,
    "derive.cli": 6,
    "derive.serve": 6,  # the web front end, beside the command line
}
# derive/__main__.py starts the command line: it is the program, not a layer.
ENTRY_POINTS = {"derive.__main__"}


def package_of(module: str, layers: dict[str, int]) -> str | None:
    """The longest entry of ``layers`` that ``module`` is, or is inside (the top
    package itself only for its own ``__init__``)."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        name = ".".join(parts[:n])
        if name in layers and (n > 1 or module == name):
            return name
    return None


def module_name(root: Path, path: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(path: Path, module: str) -> list[tuple[int, str]]:
    """Every derive module ``path`` imports, with its line (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                if path.name != "__init__.py":
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            top = module.split(".")[0]
            for alias in node.names:
                found.append((node.lineno, f"{base}.{alias.name}" if base == top else base))
    top = module.split(".")[0]
    return [(line, name) for line, name in found if name.split(".")[0] == top]


def violations(root: Path, layers: dict[str, int]) -> list[str]:
    """Each import that points up (or sideways into another package of the same
    layer), and each package without a layer, as one line."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(root, path)
        if module in ENTRY_POINTS:
            continue
        own = package_of(module, layers)
        if own is None:
            problems.append(f"{path.relative_to(root.parent)}: package has no layer")
            continue
        for line, target in imported(path, module):
            theirs = package_of(target, layers) or package_of(target.rsplit(".", 1)[0], layers)
            if theirs is None or theirs == own or layers[theirs] == 0:
                continue
            if layers[theirs] >= layers[own]:
                problems.append(f"{path.relative_to(root.parent)}:{line}: {own} "
                                f"(layer {layers[own]}) imports {target} (layer {layers[theirs]})")
    return list(dict.fromkeys(problems))


def test_imports_point_down() -> None:
    assert violations(ROOT, LAYERS) == []


def test_every_package_has_a_layer() -> None:
    packages = {module_name(ROOT, p.parent) for p in ROOT.rglob("__init__.py")}
    missing = [p for p in sorted(packages) if package_of(p, LAYERS) is None]
    assert missing == []


def test_command_line_calls_only_the_api() -> None:
    """Front ends reach the library through derive.api only."""
    allowed = ("derive.api", "derive.cli", "derive.errors", "derive")
    bad = []
    for path in sorted((ROOT / "cli").rglob("*.py")):
        for line, target in imported(path, module_name(ROOT, path)):
            if package_of(target, LAYERS) not in allowed and target != "derive.__version__":
                bad.append(f"{path.name}:{line}: {target}")
    assert bad == []


UPWARD = {
    "low/__init__.py": "",
    "low/store.py": "from pkg.high import thing\n",
    "high/__init__.py": "thing = 1\n",
    "high/view.py": "from pkg.low import store\n",
    "side/__init__.py": "def f():\n    from pkg.high import view\n",
}


@pytest.mark.parametrize("case", ["module-level", "inside-a-function", "no-layer"])
def test_the_check_catches_a_planted_violation(tmp_path: Path, case: str) -> None:
    root = tmp_path / "pkg"
    for name, text in UPWARD.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "__init__.py").write_text("")
    layers = {"pkg": 0, "pkg.low": 1, "pkg.high": 2, "pkg.side": 1}
    expected = {
        "module-level": "pkg/low/store.py:1: pkg.low (layer 1) imports pkg.high (layer 2)",
        "inside-a-function":
            "pkg/side/__init__.py:2: pkg.side (layer 1) imports pkg.high (layer 2)",
        "no-layer": "pkg/extra/__init__.py: package has no layer",
    }[case]
    if case == "no-layer":
        (root / "extra").mkdir()
        (root / "extra" / "__init__.py").write_text("")

    assert expected in violations(root, layers)



def test_readme_layout_matches_the_tree() -> None:
    """The README's Layout table names each package with its layer, and only those."""
    readme = (ROOT.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 3 and cells[0].isdigit():
            rows["derive." + cells[1].strip("`/").removeprefix("derive/").removesuffix(".py")
                 .replace("/", ".")] = int(cells[0])
    packages = {name: layer for name, layer in LAYERS.items() if name != "derive"}
    assert rows == packages
