"""Print startup time and RSS of images under the same limits (min/median/max); never pass/fail.

    sudo .venv/bin/python bench/bench_images.py [--repeats N] [--solutions] [TAG=ARGV ...]

Without tags: kernel-koans/busybox and kernel-koans/python (build them with one koan run
first). Uses the learner's projects/bench_suite/bench.py, or the twin with --solutions.
"""
from __future__ import annotations

import argparse
import importlib.util
import shlex
from pathlib import Path

import docker

from kernel_koans import docker_objects

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = {"kernel-koans/busybox:latest": "sh -c 'echo ready; sleep 20'",
            "kernel-koans/python:latest": "python3 -c 'print(\"ready\", flush=True); import time; time.sleep(20)'"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory-mib", type=int, default=256)
    parser.add_argument("--cpus", type=float, default=1.0)
    parser.add_argument("--solutions", action="store_true")
    parser.add_argument("images", nargs="*", help="TAG=COMMAND (the command prints 'ready', then waits)")
    args = parser.parse_args()
    where = ROOT / ("solutions/projects" if args.solutions else "projects") / "bench_suite" / "bench.py"
    spec = importlib.util.spec_from_file_location("bench", where)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    pairs = dict(item.split("=", 1) for item in args.images) or DEFAULTS
    commands = {tag: shlex.split(cmd) for tag, cmd in pairs.items()}
    client = docker.from_env()
    try:
        results = bench.run_suite(client, commands, args.repeats, args.memory_mib << 20,
                                  int(args.cpus * 1e9), dict(docker_objects.LABELS))
    finally:
        docker_objects.remove_leftovers(client)
    print(f"{'image':40} {'startup ms min/med/max':>26} {'RSS MiB min/med/max':>24}")
    for tag, r in results.items():
        s, m = r["startup_s"], r["rss_bytes"]
        print(f"{tag:40} {s.min * 1e3:8.1f}/{s.median * 1e3:7.1f}/{s.max * 1e3:7.1f}"
              f" {m.min / 2**20:7.2f}/{m.median / 2**20:6.2f}/{m.max / 2**20:6.2f}")


if __name__ == "__main__":
    main()
