"""Start + exit of busybox `true`, mini-run against runc, the same bundle. Figures, not
pass/fail: the goal is mini-run within 1.5x of runc.

    sudo .venv/bin/python bench/mini_run_vs_runc.py [ROUNDS] [--solutions] [--no-bytecode-cache]

Each round is `RUNTIME --root R run --bundle B ID` in the foreground (create, start, wait,
delete); the two runtimes take turns, so a busy host slows both alike. It takes the
host-wide koans lock, so it never runs beside a koan run, and it removes everything it
made (state roots, bundles, cgroups) before it exits.

mini-run's modules are compiled once, into a bytecode cache of the bench's own (as a
learner's Python caches them in __pycache__), even where PYTHONDONTWRITEBYTECODE is set;
`--no-bytecode-cache` times a mini-run that compiles every module on every call instead.

The reference twin on a 2-core VM (2026-12, medians of 20 rounds): runc 25-45 ms,
mini-run 80-110 ms, 2.5-3x (3.5-4x before its start-up was trimmed). Some 60 ms of
mini-run's are Python itself: the interpreter and `site` starting, then the imports; a
runtime in Python does not come near 1.5x of one in Go. `python -X importtime` and a
cProfile of one `run` show where the rest goes.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kernel_koans import cgroups, host, names, rootfs
from kernel_koans.exercise import Sides
from kernel_koans.fixtures.runtime import cgroup_mounts
from kernel_koans.runner import runlock

ROOT = Path(__file__).resolve().parent.parent


def wrapper(home: Path, solutions: bool, bytecode_cache: bool) -> Path:
    """An executable that runs mini-run as the fixture's does (no tracking cgroup)."""
    env = Sides(solutions=solutions).env()
    if bytecode_cache:
        env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    path = home / "mini-run"
    exports = "".join(f"export {k}={v}\n" for k, v in env.items())
    unset = "unset PYTHONDONTWRITEBYTECODE\n" if bytecode_cache else ""
    path.write_text(f"#!/bin/sh\n{exports}{unset}export KERNEL_KOANS_ROOT={ROOT}\n"
                    f"exec {sys.executable} -m kernel_koans.launch projects/mini_run/cli \"$@\"\n")
    path.chmod(0o755)
    return path


def one(argv0: str, state: Path, bundle: Path) -> float:
    """Seconds of one `run` to its end."""
    cid = names.unique("bench", limit=30)
    began = time.perf_counter()
    done = subprocess.run([argv0, "--root", str(state), "run", "--bundle", str(bundle), cid],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{argv0} failed: {done.stderr.strip()[-300:]}")
    return took


def rounds(runtimes: dict[str, tuple[str, Path, Path]], count: int) -> dict[str, list[float]]:
    """`count` runs of each runtime (argv0, state root, bundle), taking turns."""
    times: dict[str, list[float]] = {name: [] for name in runtimes}
    for _ in range(count):
        for name, (argv0, state, bundle) in runtimes.items():
            times[name].append(one(argv0, state, bundle))
    return times


def describe(name: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return (f"{name:9} min {min(ms):7.1f} ms   median {statistics.median(ms):7.1f} ms   "
            f"max {max(ms):7.1f} ms   ({len(ms)} runs)")


def main() -> int:
    count = int(next((a for a in sys.argv[1:] if a.isdigit()), "20"))
    solutions = "--solutions" in sys.argv
    bytecode_cache = "--no-bytecode-cache" not in sys.argv
    runc = shutil.which("runc")
    busybox = host.find_static_busybox()
    if os.geteuid() != 0 or not runc or not busybox:
        print("needs root, runc and a static busybox")
        return 2
    runlock.acquire()
    home = Path(tempfile.mkdtemp(prefix="kk-bench-"))
    parents_before = {m for m in cgroup_mounts() if (m / cgroups.PARENT).is_dir()}
    try:
        tree = rootfs.build(home / "rootfs", busybox)
        subprocess.run([runc, "spec", "--bundle", str(home)], check=True)
        config = json.loads((home / "config.json").read_text())
        config["root"] = {"path": str(tree), "readonly": False}
        config["process"].update(terminal=False, args=["true"])
        bundles = {}
        for side in ("runc", "mini-run"):
            where = home / f"bundle-{side}"
            where.mkdir()
            config["linux"]["cgroupsPath"] = f"/{cgroups.PARENT}/kk-bench-{side}"
            (where / "config.json").write_text(json.dumps(config))
            bundles[side] = where
            (home / f"state-{side}").mkdir()
        mini = wrapper(home, solutions, bytecode_cache)
        runtimes = {"runc": (runc, home / "state-runc", bundles["runc"]),
                    "mini-run": (str(mini), home / "state-mini-run", bundles["mini-run"])}
        rounds(runtimes, 2)  # warm the caches (and fill mini-run's bytecode cache)
        times = rounds(runtimes, count)
        theirs, ours = times["runc"], times["mini-run"]
        print(f"busybox `true`, start to exit, {'reference twin' if solutions else 'your mini-run'}"
              f"{'' if bytecode_cache else ', compiling its modules on every call'}:")
        print(describe("runc", theirs))
        print(describe("mini-run", ours))
        ratio = statistics.median(ours) / statistics.median(theirs)
        print(f"ratio (median mini-run / median runc): {ratio:.2f}x   (goal: <= 1.5x)")
    finally:
        for mount in cgroup_mounts():
            for side in ("runc", "mini-run"):
                cgroups.remove(mount / cgroups.PARENT / f"kk-bench-{side}")
            parent = mount / cgroups.PARENT
            if mount not in parents_before and parent.is_dir():
                try:
                    parent.rmdir()
                except OSError:
                    pass
        shutil.rmtree(home, ignore_errors=True)
        runlock.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
