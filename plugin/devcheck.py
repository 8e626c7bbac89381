"""`koans dev check`: the maintainers' proof that the curriculum is honest.

Like rustlings' `dev check`: every exercise has its twin and its place in the
manifest, every koan fails on the pristine stubs, every koan passes on the
twins (on a capable host), and neither run leaves a kernel object behind.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_koans import manifest, paths, progress

LEARNER_TOPS = ("koans", "projects")
NOT_EXERCISES = ("conftest.py", "__init__.py")


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    checked: int = 0

    def fail(self, text: str) -> None:
        self.problems.append(text)


def structure(root: Path, f: Findings) -> None:
    """Twin rule and manifest: files, not kernels."""
    listed = {(m.key, name) for m in manifest.load(root) for name in m.files}
    for test in sorted((root / "koans").glob("m[0-9][0-9]/test_*.py")):
        f.checked += 1
        if (test.parent.name, test.name) not in listed:
            f.fail(f"{test.relative_to(root)} is not listed in koans/manifest.toml")
    for key, name in sorted(listed):
        if not (root / "koans" / key / name).exists():
            f.fail(f"koans/manifest.toml lists koans/{key}/{name}, which does not exist")
    for top in LEARNER_TOPS:
        for path in sorted((root / top).rglob("*")):
            if not path.is_file() or path.name.startswith("test_") or path.name in NOT_EXERCISES:
                continue
            if "__pycache__" in path.parts or path.suffix == ".md" or path.name == "manifest.toml":
                continue
            twin = paths.twin_of(path, root)
            f.checked += 1
            if not twin.exists():
                f.fail(f"{path.relative_to(root)} has no reference twin at {twin.relative_to(root)}")


def run_pytest(root: Path, state: Path, solutions: bool, extra: list[str]) -> dict[str, Any]:
    """Run every koan once, with its state in a throwaway folder; return last-run.json."""
    side = "solutions" if solutions else "stubs"
    args = [sys.executable, "-m", "pytest", "koans", "-p", "no:cacheprovider",
            f"--html={state / (side + '.html')}", "-q", "--no-header"]
    args += ["--solutions", "-rfEs"] if solutions else ["--tb=no", "-rN"]
    env = dict(os.environ, KERNEL_KOANS_STATE=str(state / side))
    print(f"\n== dev check: koans against the {side} ==", flush=True)
    subprocess.run(args + extra, cwd=root, env=env, check=False)
    return progress.load_last_run_at(state / side)


def judge(stubs: dict[str, Any], twins: dict[str, Any], allow_skips: bool, f: Findings,
          allow_missing: tuple[str, ...] = ()) -> None:
    """Stubs must not pass; twins must pass (a skip counts as a failure unless skips are
    allowed, or the host lacks only what `allow_missing` names); no run may leak."""
    s_out = dict(stubs.get("outcomes", {}))
    t_out = dict(twins.get("outcomes", {}))
    if not s_out or not t_out:
        f.fail("a pytest run produced no outcomes (collection error?)")
    for nodeid, outcome in sorted(s_out.items()):
        f.checked += 1
        if outcome == "passed":
            f.fail(f"passes on its untouched stub: {nodeid}")
    reasons = dict(twins.get("reasons", {}))
    for nodeid, outcome in sorted(t_out.items()):
        f.checked += 1
        if outcome == "failed":
            f.fail(f"fails on its reference twin: {nodeid}")
        elif outcome == "skipped" and not allow_skips and not _only_missing(
                reasons.get(nodeid, ""), allow_missing):
            f.fail(f"skipped on the twins ({reasons.get(nodeid, '')}): {nodeid}")
    for name, run in (("stubs", stubs), ("solutions", twins)):
        for nodeid, leak in dict(run.get("koan_leaks", {})).items():
            f.fail(f"left kernel objects behind on the {name}: {nodeid}: {leak}")
        if run.get("session_leaks"):
            f.fail(f"the {name} run left kernel objects behind: {run['session_leaks']}")


def _only_missing(reason: str, allowed: tuple[str, ...]) -> bool:
    """True when a skip reason (host.skip_reason) names nothing but allowed needs."""
    if not reason.startswith("host lacks ") or not allowed:
        return False
    parts = reason.removeprefix("host lacks ").split("; ")
    return all(any(part.startswith(f"{need} —") for need in allowed) for part in parts)


def main(allow_skips: bool, extra: list[str], allow_missing: tuple[str, ...] = ()) -> int:
    root = paths.repo_root()
    f = Findings()
    structure(root, f)
    with tempfile.TemporaryDirectory(prefix="kk-devcheck-") as tmp:
        state = Path(tmp)
        stubs = run_pytest(root, state, False, extra)
        twins = run_pytest(root, state, True, extra)
        judge(stubs, twins, allow_skips, f, allow_missing)
    print("\n== dev check ==")
    for problem in f.problems:
        print(f"FAIL {problem}")
    koans = set(dict(stubs.get("outcomes", {}))) | set(dict(twins.get("outcomes", {})))
    bad = {k for k in koans if any(k in problem for problem in f.problems)}
    other = [p for p in f.problems if not any(k in p for k in koans)]
    print(f"{len(koans)} koans: each must fail on its stub, pass on its twin and leave nothing behind; "
          f"{f.checked} checks in all, {len(other)} problem(s) outside a koan.")
    # One koan, one verdict: the closing line counts koans (and problems outside any koan).
    print(f"dev-check: {len(koans) - len(bad)} passed, {len(bad) + len(other)} failed")
    return 1 if f.problems else 0
