"""A wait that is no fault of the learner's is said on the terminal as it happens."""
from __future__ import annotations


def test_a_kept_image_build_is_said_live_past_the_capture(kk) -> None:
    """The framework's INFO record, logged inside a koan (output captured), shows as its own
    line before the koan's result; a library's record does not."""
    kk.manifest(m00=["test_wait.py"])
    kk.write("koans/m00/test_wait.py", '''
        import logging

        from kernel_koans import docker_objects
        from kernel_koans.koan import koan


        @koan(man="proc(5)", hints=["h"])
        def test_waits():
            """Builds a kept image first."""
            docker_objects.announce_kept_build("kernel-koans/sample:latest")
            logging.getLogger("somelibrary").info("a library's chatter")
            print("captured, not shown")
    ''')
    result = kk.run("--no-audit", "koans")
    result.assert_outcomes(passed=1)
    out = result.stdout.str()
    assert "kernel-koans: building kernel-koans/sample:latest, once: later runs reuse it" in out, out
    assert "a library's chatter" not in out
    assert "captured, not shown" not in out
