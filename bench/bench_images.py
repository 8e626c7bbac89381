"""Print startup time and RSS of images under the same limits (min/median/max); never pass/fail.

    sudo .venv/bin/python bench/bench_images.py [--repeats N] [--cpus C] [--memory-mib M] [--solutions] [TAG=LANG ...]

Without tags: the four language images of the M3 project, as the reference twins build them
(kernel-koans/m3-go, -java, -python, -node; one run of koans/m06/test_bench_suite.py builds and
keeps them). An image of your own must serve GET /hello?name=NAME on :8080 with JSON
{"lang": LANG, "hello": NAME}: startup is the time until its first right answer. Uses the
learner's projects/bench_suite/bench.py, or the twin with --solutions.
"""
from __future__ import annotations

import argparse
import importlib.util
import secrets
import sys
from pathlib import Path

import docker

from kernel_koans import docker_objects
from kernel_koans.infra import reference_images
from kernel_koans.runner import runlock

ROOT = Path(__file__).resolve().parent.parent
RUN_LABEL = "kernel-koans.bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory-mib", type=int, default=256)
    parser.add_argument("--cpus", type=float, default=1.0)
    parser.add_argument("--solutions", action="store_true")
    parser.add_argument("images", nargs="*", help="TAG=LANG (its service answers GET /hello with that lang)")
    args = parser.parse_args()
    where = ROOT / ("solutions/projects" if args.solutions else "projects") / "bench_suite" / "bench.py"
    spec = importlib.util.spec_from_file_location("bench", where)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = bench  # dataclasses look their module up there
    spec.loader.exec_module(bench)
    images = dict(item.split("=", 1) for item in args.images) or {
        tag: lang for lang, tag in reference_images.TAGS.items()}
    client = docker.from_env()
    missing = [tag for tag in images if not client.images.list(name=tag)]
    if missing:
        sys.exit(f"no image {', '.join(missing)} here: `sudo .venv/bin/pytest koans/m06/test_bench_suite.py` "
                 "builds the four M3 images (and keeps them)")
    labels = {**docker_objects.LABELS, RUN_LABEL: secrets.token_hex(4)}
    runlock.acquire()  # its containers are labelled like a run's: not during another run
    try:
        results = bench.run_suite(client, images, args.repeats, args.memory_mib << 20,
                                  int(args.cpus * 1e9), labels)
    finally:
        for box in client.containers.list(all=True, filters={"label": f"{RUN_LABEL}={labels[RUN_LABEL]}"}):
            box.remove(force=True)
        runlock.release()
    print(f"{args.repeats} runs each, memory {args.memory_mib} MiB, {args.cpus} CPUs")
    print(f"{'image':32} {'lang':7} {'startup ms min/med/max':>26} {'RSS MiB min/med/max':>24}")
    for tag, r in results.items():
        s, m = r["startup_s"], r["rss_bytes"]
        print(f"{tag:32} {images[tag]:7} {s.min * 1e3:8.1f}/{s.median * 1e3:7.1f}/{s.max * 1e3:7.1f}"
              f" {m.min / 2**20:7.2f}/{m.median / 2**20:6.2f}/{m.max / 2**20:6.2f}")


if __name__ == "__main__":
    main()
