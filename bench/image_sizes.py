"""Print the size and build time of each language's image of the M3 project
(projects/images), built offline from the reference twins (or your own Dockerfiles).
Figures, not a pass/fail: run it, read it.

    sudo .venv/bin/python bench/image_sizes.py [--mine]

The build runs inside a pytest run (bench/image_sizes_probe.py, the `language_image`
fixture), so the images are labelled, audited and removed like any koan's. The first
run also builds the cached toolchain bases: their time is shown apart.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_ENV = "KK_IMAGE_SIZES_OUT"


def main() -> int:
    mine = "--mine" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as state:
        out = Path(state) / "sizes.json"
        env = dict(os.environ, KERNEL_KOANS_STATE=state, **{OUT_ENV: str(out)})
        args = [sys.executable, "-m", "pytest", "bench/image_sizes_probe.py", "-q", "-p",
                "no:cacheprovider", f"--html={state}/r.html"] + ([] if mine else ["--solutions"])
        run = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if not out.exists():
            print(run.stdout[-3000:] + run.stderr[-2000:])
            return 1
        figures = json.loads(out.read_text())
    print(f"{'image':<8} {'size MB':>9} {'bases s':>8} {'build s':>8}   ({'your' if mine else 'reference'} Dockerfiles)")
    for lang, fig in figures.items():
        print(f"{lang:<8} {fig['bytes'] / 1e6:>9.1f} {fig['bases_s']:>8.1f} {fig['build_s']:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
