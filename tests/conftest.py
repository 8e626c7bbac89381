"""Shared kit for the framework's own tests: a tiny fake curriculum in pytester.path.

Each test builds a miniature repo (koans/manifest.toml, koans/mNN/test_*.py, the
learner's stubs, their twins under solutions/) with `Curriculum`, points
KERNEL_KOANS_ROOT at it and runs an inner pytest session in-process with the
plugin. The host is faked through the `pytest_koans_probe_host` hook: the inner
conftest.py reads fakehost.json, so each test says which host it wants.
"""
from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

pytest_plugins = ["pytester"]

settings.register_profile("kernel-koans-tests", database=None, deadline=None, max_examples=60)
settings.load_profile("kernel-koans-tests")

PYPROJECT = """\
[tool.pytest.ini_options]
"""

# The inner sessions' conftest: loads the plugin (as the real root conftest does, so
# the CLI's own collection subprocess finds it too) and fakes the host.
FAKE_HOST_CONFTEST = '''
import json
from pathlib import Path

from kernel_koans import cgroups, host

pytest_plugins = ["kernel_koans.runner.plugin"]


def pytest_koans_probe_host(config):
    spec = json.loads((Path(__file__).parent / "fakehost.json").read_text())
    real = cgroups.read_layout()
    drop = set(spec.get("drop_controllers", ()))
    layout = cgroups.Layout(
        mode=spec.get("cgroup_mode", real.mode),
        v2_mount=real.v2_mount,
        v2_controllers=tuple(c for c in real.v2_controllers if c not in drop),
        v1_mounts={c: p for c, p in real.v1_mounts.items() if c not in drop},
    )
    return host.Host(root=spec.get("root", True), cgroup=layout, docker=spec.get("docker", "27.0.0"),
                     userns=True, overlay=True, seccomp=True, netns=spec.get("netns", True),
                     busybox="/bin/busybox", loop=True)
'''


class Curriculum:
    """A miniature kernel-koans checkout under pytester.path."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.root = pytester.path
        (self.root / "pyproject.toml").write_text(PYPROJECT)
        (self.root / "conftest.py").write_text(FAKE_HOST_CONFTEST)
        self.host()

    def host(self, **spec: Any) -> None:
        """Fake host for the next runs: root, docker (version or None), drop_controllers, ..."""
        (self.root / "fakehost.json").write_text(json.dumps(spec))

    def manifest(self, **milestones: list[str]) -> None:
        """m00=["test_b.py", "test_a.py"] -> [m00] title/files, in the order given."""
        text = "".join(f'[{key}]\ntitle = "Milestone {key}"\nfiles = {json.dumps(files)}\n\n'
                       for key, files in milestones.items())
        self.write("koans/manifest.toml", text)

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        before = path.stat().st_mtime_ns if path.exists() else None
        path.write_text(textwrap.dedent(text).lstrip())
        if before is not None:  # a rewrite within the second, same size, would look like the cached bytecode's source
            later = max(path.stat().st_mtime_ns, before + 1_000_000_000)
            os.utime(path, ns=(later, later))
        return path

    def run(self, *args: str) -> pytest.RunResult:
        return self.pytester.runpytest("-p", "kernel_koans.runner.plugin", "--import-mode=importlib",
                                       "-p", "no:randomly", *args)

    @staticmethod
    def reports(result: pytest.RunResult) -> list[pytest.TestReport]:
        """The inner run's test reports (setup, call, teardown), in the order they came."""
        return list(vars(result)["reprec"].getreports("pytest_runtest_logreport"))  # runpytest_inprocess sets it

    @property
    def state(self) -> Path:
        return self.root / ".koans"

    def progress(self) -> dict[str, Any]:
        path = self.state / "progress.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def last_run(self) -> dict[str, Any]:
        return json.loads((self.state / "last-run.json").read_text())

    def adder(self, milestone: str = "m00", test_file: str = "test_add.py") -> None:
        """One exercise (x.add) with its stub, its twin and a koan file that uses it."""
        self.write(f"koans/{milestone}/x.py", '''
            def add(a, b):
                raise NotImplementedError("return the sum of a and b")
        ''')
        self.write(f"solutions/{milestone}/x.py", '''
            def add(a, b):
                return a + b
        ''')
        self.write(f"koans/{milestone}/{test_file}", f'''
            from kernel_koans.exercise import exercise
            from kernel_koans.koan import koan

            x = exercise("{milestone}/x")


            @koan(man="add(1)", hints=["A nudge: plus.", "The mechanism: return a + b."])
            def test_{milestone}_adds():
                """Addition is what the kernel would do, if it added.
                Two lines of why."""
                assert x.add(2, 3) == 5, "2 + 3 is not 5"
        ''')


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No state dir override, no solutions mode, no sudo user leaks in from outside, and
    none leaks out: an inner --solutions run leaves KERNEL_KOANS_SOLUTIONS=1 in os.environ.
    Nor CI/BUILD_NUMBER: under them pytest prints whole failure texts in its short summary."""
    for name in ("KERNEL_KOANS_STATE", "KERNEL_KOANS_SOLUTIONS", "SUDO_UID", "SUDO_GID",
                 "SUDO_USER", "PYTEST_ADDOPTS", "CI", "BUILD_NUMBER"):
        monkeypatch.setenv(name, "")  # records the outer value, restored (or removed) afterwards
        monkeypatch.delenv(name)


@pytest.fixture
def kk(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Curriculum:
    monkeypatch.setenv("KERNEL_KOANS_ROOT", str(pytester.path))
    return Curriculum(pytester)
