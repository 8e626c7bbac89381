"""`python -m kernel_koans.launch EXERCISE ARGS…`: run an exercise's `main(argv)` as a program.

A learner's project can be a command line tool that other programs call (mini-run is
called by its koans, and by dockerd through the containerd shim). This loads the
exercise on the sides the environment names (`Sides.env()`: the learner's file, the
twin under `--solutions`, a swapped file in the wrong-solution runner), calls its
`main(argv) -> int` and exits with that status. Whatever the learner's code raises
becomes one sentence on stderr and a non-zero status, never a traceback wall: a stub
exits STUB_EXIT, a module that does not load LOAD_EXIT, so a fixture calling the
program can tell these apart from a mistake (`kernel_koans.fixtures.mini_run`).
"""
from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from kernel_koans import paths
from kernel_koans.exercise import ExerciseError, Sides, load_path

STUB_EXIT = 70
"""A function the program needed is still a stub (NotImplementedError)."""
LOAD_EXIT = 71
"""The exercise module could not be loaded (syntax error, import error, missing `main`)."""
CRASH_EXIT = 1
"""The learner's code raised something else."""

STUB_PREFIX = "not written yet: "
LOAD_PREFIX = "cannot load: "


def _where(err: BaseException) -> str:
    """`module.function` (path:line) of the innermost frame inside the repository."""
    import traceback  # here: a program that ends well never needs it

    root = paths.repo_root()
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        try:
            rel = Path(frame.filename).resolve().relative_to(root)
        except ValueError:
            continue
        if rel.parts and rel.parts[0] == "plugin":
            continue
        return f"`{rel.stem}.{frame.name}` ({rel.as_posix()}:{frame.lineno})"
    return "your code"


def describe(err: BaseException) -> tuple[int, str]:
    """(exit status, one sentence) for an exception the learner's main raised."""
    if isinstance(err, NotImplementedError):
        return STUB_EXIT, f"{STUB_PREFIX}{_where(err)} {str(err).strip() or 'is a stub'}"
    if isinstance(err, ExerciseError):
        return LOAD_EXIT, f"{LOAD_PREFIX}{err}"
    message = str(err).strip() or "(no message)"
    return CRASH_EXIT, f"{type(err).__name__} in {_where(err)}: {message}"


def run(rel: str, argv: list[str], sides: Sides) -> int:
    """Load `rel` on `sides`, call its main(argv); the exit status."""
    name = Path(rel).name
    try:
        module = load_path(paths.exercise_rel(rel), sides.path(rel))
        main = getattr(module, "main", None)
        if not callable(main):
            raise ExerciseError(f"{rel} has no `main(argv)`: the program starts there")
        status = main(argv)
    except SystemExit as done:  # argparse's --help and usage errors, or an explicit exit
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except KeyboardInterrupt:
        return 130
    except BaseException as err:  # noqa: BLE001 - the point: one sentence, not a traceback
        status, sentence = describe(err)
        print(f"{name}: {sentence}", file=sys.stderr, flush=True)
        return status
    return int(status or 0)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m kernel_koans.launch EXERCISE [ARGS...]", file=sys.stderr)
        return 2
    return run(args[0], args[1:], Sides.from_env(os.environ))


if __name__ == "__main__":
    sys.stdout.flush()
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The interpreter's exit collects garbage more than once; none of what the program made
    # needs it now. Frozen, those objects are skipped (atexit, flushes and module teardown
    # still run): some milliseconds of every call an engine makes.
    gc.freeze()
    sys.exit(code)
