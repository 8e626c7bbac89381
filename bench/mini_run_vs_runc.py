"""Start + exit of busybox `true`, mini-run against runc, the same bundle. Figures, not
pass/fail: the goal is mini-run within 1.5x of runc.

    sudo .venv/bin/python bench/mini_run_vs_runc.py [ROUNDS] [--solutions]

Each round is `RUNTIME --root R run --bundle B ID` in the foreground (create, start, wait,
delete). It takes the host-wide koans lock, so it never runs beside a koan run, and it
removes everything it made (state roots, bundles, cgroups) before it exits.
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

from kernel_koans import cgroups, host, names, rootfs, runlock
from kernel_koans.exercise import Sides
from kernel_koans.fixtures.runtime import cgroup_mounts

ROOT = Path(__file__).resolve().parent.parent


def wrapper(home: Path, solutions: bool) -> Path:
    """An executable that runs mini-run as the fixture's does (no tracking cgroup)."""
    env = Sides(solutions=solutions).env()
    path = home / "mini-run"
    exports = "".join(f"export {k}={v}\n" for k, v in env.items())
    path.write_text(f"#!/bin/sh\n{exports}export KERNEL_KOANS_ROOT={ROOT}\n"
                    f"exec {sys.executable} -m kernel_koans.launch projects/mini_run/cli \"$@\"\n")
    path.chmod(0o755)
    return path


def rounds(argv0: str, state: Path, bundle: Path, count: int) -> list[float]:
    times = []
    for _ in range(count):
        cid = names.unique("bench", limit=30)
        began = time.perf_counter()
        done = subprocess.run([argv0, "--root", str(state), "run", "--bundle", str(bundle), cid],
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - began)
        if done.returncode != 0:
            raise SystemExit(f"{argv0} failed: {done.stderr.strip()[-300:]}")
    return times


def describe(name: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return (f"{name:9} min {min(ms):7.1f} ms   median {statistics.median(ms):7.1f} ms   "
            f"max {max(ms):7.1f} ms   ({len(ms)} runs)")


def main() -> int:
    count = int(next((a for a in sys.argv[1:] if a.isdigit()), "20"))
    solutions = "--solutions" in sys.argv
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
        mini = wrapper(home, solutions)
        rounds(runc, home / "state-runc", bundles["runc"], 2)  # warm the caches
        rounds(str(mini), home / "state-mini-run", bundles["mini-run"], 2)
        theirs = rounds(runc, home / "state-runc", bundles["runc"], count)
        ours = rounds(str(mini), home / "state-mini-run", bundles["mini-run"], count)
        print(f"busybox `true`, start to exit, {'reference twin' if solutions else 'your mini-run'}:")
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
