"""--solutions runs the very same koans against the reference twins under solutions/."""
from __future__ import annotations

from kernel_koans.exercise import using_solutions


def test_stub_fails_and_twin_passes(kk) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    mine = kk.run("koans")
    mine.assert_outcomes(failed=1)
    mine.stdout.fnmatch_lines(["*Not written yet*koans/m00/x.py*"])

    twins = kk.run("--solutions", "koans")
    twins.assert_outcomes(passed=1)
    twins.stdout.fnmatch_lines(["*reference solutions (your progress is unchanged)*"])
    assert kk.reports(twins)[0].nodeid == \
        kk.reports(mine)[0].nodeid, "not the same koan"


def test_plain_run_after_a_solutions_run_uses_your_code_again(kk) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    kk.run("--solutions", "koans").assert_outcomes(passed=1)
    kk.run("koans").assert_outcomes(failed=1)
    assert not using_solutions()


def test_twin_of_a_project_file(kk) -> None:
    """A project's module has its twin under solutions/projects/."""
    kk.manifest(m00=["test_proj.py"])
    kk.write("projects/sim/sim.py", "def answer():\n    raise NotImplementedError('should return the answer')\n")
    kk.write("solutions/projects/sim/sim.py", "def answer():\n    return 42\n")
    kk.write("koans/m00/test_proj.py", '''
        from kernel_koans.exercise import exercise
        from kernel_koans.koan import koan

        sim = exercise("projects/sim/sim")


        @koan(man="sim(1)", hints=["h"])
        def test_answer():
            assert sim.answer() == 42
    ''')
    kk.run("koans").stdout.fnmatch_lines(["*Not written yet: `sim.answer` (projects/sim/sim.py:*"])
    kk.run("--solutions", "koans").assert_outcomes(passed=1)


def test_a_subprocess_gets_the_sides_only_through_their_env(kk) -> None:
    """Forked children share the run's memory; a new interpreter learns the sides from
    Sides.env(), passed to it explicitly (nothing is left in the run's own environment)."""
    import os
    import subprocess
    import sys

    from kernel_koans.exercise import Sides

    kk.adder()
    show = "from kernel_koans.exercise import exercise; print(exercise('m00/x').path)"
    plain = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True, check=True)
    assert plain.stdout.strip() == str(kk.root / "koans/m00/x.py")
    env = {**os.environ, **Sides(solutions=True).env()}
    twins = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True, check=True, env=env)
    assert twins.stdout.strip() == str(kk.root / "solutions/m00/x.py")
    kk.run("--solutions", "koans").assert_outcomes(passed=1)
    assert "KERNEL_KOANS_SOLUTIONS" not in os.environ
