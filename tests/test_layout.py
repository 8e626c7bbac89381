"""The package's layout holds: the toolbox (the top level, which every exercise module and
twin imports by name) never imports the framework's subpackages, and the framework's layers
point one way only (cli on runner and infra; runner and infra not on cli; infra not on runner).

Read from the source (ast): an import inside a function counts, one under `if TYPE_CHECKING:`
does not (it never runs)."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import kernel_koans

PACKAGE = Path(kernel_koans.__file__).parent
FRAMEWORK = ("runner", "cli", "infra")
# Each layer and the subpackages it must not import.
# fixtures/ wires the toolbox to the run (its fixtures register with the run's state and
# the leak audit, and build the infra's images), so it may use all but the command line.
FORBIDDEN = {"toolbox": set(FRAMEWORK), "fixtures": {"cli"}, "runner": {"cli"}, "infra": {"runner", "cli"},
             "cli": set()}


def _layer(path: Path, package: Path) -> str:
    parts = path.relative_to(package).parts
    return "toolbox" if len(parts) == 1 else parts[0]


def _runtime_imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, imported module) for each import that runs, skipping `if TYPE_CHECKING:` bodies."""
    def walk(node: ast.AST) -> Iterator[ast.AST]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                yield from (n for branch in child.orelse for n in [branch, *walk(branch)])
                continue
            yield child
            yield from walk(child)

    for node in walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "kernel_koans":
                yield from ((node.lineno, f"kernel_koans.{a.name}") for a in node.names)
            else:
                yield node.lineno, node.module


def _subpackage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "kernel_koans" and len(parts) > 1 and parts[1] in FRAMEWORK else None


def violations(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        layer = _layer(path, package)
        forbidden = FORBIDDEN[layer]  # a new subpackage must say where it stands
        for line, module in _runtime_imports(ast.parse(path.read_text(), str(path))):
            if _subpackage(module) in forbidden:
                found.append(f"{path.relative_to(package)}:{line} ({layer}) imports {module}")
    return found


def test_the_toolbox_never_imports_the_framework() -> None:
    assert violations() == [], "imports against the layout:\n" + "\n".join(violations())


def test_the_check_sees_an_import_inside_a_function_but_not_one_for_the_type_checker(tmp_path: Path) -> None:
    (tmp_path / "lazy.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from kernel_koans.runner import audit\n"
        "def f():\n    from kernel_koans import cli\n    return cli\n")
    (tmp_path / "eager.py").write_text("import kernel_koans.infra.vm\n")
    assert violations(tmp_path) == ["eager.py:1 (toolbox) imports kernel_koans.infra.vm",
                                    "lazy.py:5 (toolbox) imports kernel_koans.cli"]
