"""docs/AUTHORING.md's examples are real code: its koan and stub exist in the curriculum,
its imports are the package's API, its fixtures and their methods exist."""
from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import kernel_koans
from kernel_koans import paths
from kernel_koans.exercise import Exercise, exercise, load_path
from kernel_koans.fixtures.cgroup import CgroupFactory, KoanCgroup
from kernel_koans.fixtures.mini_run import MiniRun
from kernel_koans.fixtures.network import NetFactory
from kernel_koans.fixtures.processes import Spawner
from kernel_koans.probe import NsProbe
from kernel_koans.runner.runstate import RunState

DOC = Path(__file__).resolve().parent.parent / "docs" / "AUTHORING.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


def test_the_anatomy_example_is_a_koan_of_the_curriculum() -> None:
    koan_block = next(b for b in _blocks() if "@koan(" in b)
    cited = re.search(r"From `(koans/m\d\d/test_\w+\.py)`", DOC.read_text())
    assert cited, "the anatomy example names the koan file it comes from"
    real = ast.parse((paths.repo_root() / cited.group(1)).read_text())
    real_functions = {n.name for n in real.body if isinstance(n, ast.FunctionDef)}
    scope: dict[str, object] = {"__name__": "authoring_example"}
    exec(compile(koan_block, str(DOC), "exec"), scope)  # imports, exercise(), @koan: all must work
    koans = [name for name in scope if name.startswith("test_")]
    assert koans and set(koans) <= real_functions, (koans, cited.group(1))
    handles = [v for v in scope.values() if isinstance(v, Exercise)]
    assert handles
    for handle in handles:
        for side in (paths.learner_path(handle.rel), paths.twin_path(handle.rel)):
            defined = {n.name for n in ast.parse(side.read_text()).body if isinstance(n, ast.FunctionDef)}
            used = set(re.findall(rf"\b{re.escape(handle.rel.split('/')[-1])}\.(\w+)", koan_block))
            assert used and used <= defined, (side, used - defined)


def test_the_stub_example_is_the_stub_in_the_curriculum() -> None:
    stub_block = next(b for b in _blocks() if "raise NotImplementedError" in b)
    name = re.search(r"def (\w+)", stub_block).group(1)  # type: ignore[union-attr]
    module = load_path("m04/net_ns", paths.learner_path("m04/net_ns"))
    try:
        getattr(module, name)()
    except NotImplementedError as err:
        assert str(err) in stub_block and str(err).startswith("should "), str(err)
    else:
        raise AssertionError(f"{name} in koans/m04/net_ns.py is not a stub any more")


def test_the_package_top_exports_the_authors_api() -> None:
    for name in ("koan", "exercise", "in_child", "held", "Host", "KoanCgroup", "NetFactory", "Spawner"):
        assert name in kernel_koans.__all__ and getattr(kernel_koans, name) is not None, name
    from kernel_koans.child import held, in_child
    from kernel_koans.koan import koan

    assert (kernel_koans.koan, kernel_koans.in_child, kernel_koans.held) == (koan, in_child, held)
    assert kernel_koans.exercise is exercise


def test_the_fixture_table_names_real_methods() -> None:
    types: dict[str, tuple[type, ...]] = {"net": (NetFactory,), "cgroup": (CgroupFactory, KoanCgroup),
                                          "spawn": (Spawner,), "kk_run": (RunState,), "nsprobe": (NsProbe,),
                                          "mini_run": (MiniRun,)}
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| `")]
    checked = 0
    for row in rows:
        fixture = row.split("`")[1]
        for attr in re.findall(rf"`(?:{fixture})?\.(\w+)", row):
            assert any(hasattr(t, attr) or attr in {f.name for f in dataclasses.fields(t)}
                       if dataclasses.is_dataclass(t) else hasattr(t, attr)
                       for t in types.get(fixture, (object,))), (fixture, attr)
            checked += 1
    assert checked >= 8


def test_every_export_is_listed_and_loads() -> None:
    assert sorted(kernel_koans.__all__) == sorted({*kernel_koans._EXPORTS, "koan", "exercise", "Exercise",
                                                   "ExerciseError"})
    for name in kernel_koans.__all__:
        assert getattr(kernel_koans, name) is not None
