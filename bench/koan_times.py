"""Print koan timings per milestone against the reference twins, and the plugin's
overhead over plain pytest. Figures, not a pass/fail: run it, read it.

    sudo .venv/bin/python bench/koan_times.py [m00 m04 ...]
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL_KOANS = 200


def koan_times(milestone: str) -> list[float]:
    """Call-phase durations of every koan of `milestone`, run against the twins."""
    with tempfile.TemporaryDirectory() as state:
        env = dict(os.environ, KERNEL_KOANS_STATE=state)
        subprocess.run([sys.executable, "-m", "pytest", f"koans/{milestone}", "--solutions", "-q",
                        "-p", "no:cacheprovider", f"--html={state}/r.html"],
                       cwd=ROOT, env=env, capture_output=True, check=False)
        try:
            last = json.loads((Path(state) / "last-run.json").read_text())
        except OSError:
            return []
    return [float(v) for v in last.get("durations", {}).values()]


def wall(args: list[str], cwd: Path, runs: int = 5) -> float:
    """Median wall time of a pytest command over `runs` runs, after one warm-up run."""
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", *args], cwd=cwd, capture_output=True,
                       check=False)
        if i:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def plugin_overhead() -> tuple[float, float, float]:
    """The same trivial koans under plain pytest, the plugin without and with the leak audit."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "koans" / "m00").mkdir(parents=True)
        (base / "koans" / "manifest.toml").write_text('[m00]\ntitle = "bench"\nfiles = []\n')
        body = "\n".join(
            f"@koan(man='proc(5)', hints=['h'])\ndef test_{i}():\n    assert {i} >= 0\n"
            for i in range(TRIVIAL_KOANS))
        (base / "koans" / "m00" / "test_bench.py").write_text(
            "from kernel_koans.koan import koan\n\n" + body)
        common = ["-q", "-p", "no:cacheprovider", "koans", "--import-mode=importlib"]
        os.environ["KERNEL_KOANS_ROOT"] = str(base)
        os.environ["KERNEL_KOANS_STATE"] = str(base / ".koans")
        # Plain pytest does not know the koan marker: silence that warning so that
        # printing 200 of them is not counted as the plugin's gain.
        plain = wall([*common, "-p", "no:html", "-W", "ignore::pytest.PytestUnknownMarkWarning"], base)
        quiet = wall([*common, "-p", "kernel_koans.runner.plugin", "--no-audit", "-p", "no:html"], base)
        full = wall([*common, "-p", "kernel_koans.runner.plugin", f"--html={base}/r.html"], base)
    return plain, quiet, full


def main(milestones: list[str]) -> None:
    print("koan time against the twins (call phase, seconds)")
    for ms in milestones:
        times = koan_times(ms)
        if not times:
            print(f"  {ms}: no koans ran")
            continue
        print(f"  {ms}: {len(times)} koans, median {statistics.median(times):.3f}, "
              f"max {max(times):.3f}, total {sum(times):.1f}")
    plain, quiet, full = plugin_overhead()
    print(f"\nplugin overhead on {TRIVIAL_KOANS} trivial koans (median wall time of 5 runs)")
    print(f"  plain pytest:                     {plain:.2f} s")
    print(f"  + kernel-koans, no audit/report:  {quiet:.2f} s  (+{quiet - plain:.2f} s)")
    print(f"  + kernel-koans, audit and report: {full:.2f} s  (+{full - plain:.2f} s, "
          f"{(full - plain) / TRIVIAL_KOANS * 1000:.1f} ms per koan)")


if __name__ == "__main__":
    main(sys.argv[1:] or ["m00", "m04"])
