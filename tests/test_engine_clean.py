"""A run killed while a koan had the engine run another runtime leaves the engine changed:
the audit sees it, and `koans clean` (audit.remove) puts daemon.json and the engine's
runtime table back as they were."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kernel_koans import docker_objects, engine_runtime, host
from kernel_koans.runner import audit

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not host.probe().docker,
                                reason="needs root and a running Docker engine")


def test_a_killed_koans_runtime_is_found_and_undone() -> None:
    client = docker_objects.client()
    try:
        config = engine_runtime.find_engine().config_file
    except engine_runtime.EngineError as err:
        pytest.skip(str(err))
    bytes_before = config.read_bytes() if config.exists() else None
    table_before = engine_runtime.runtimes(client)
    change = engine_runtime.engine_with_runtime(client, "kk-clean-test", Path("/bin/true"))
    change.__enter__()  # and no __exit__: the run was killed inside the koan
    try:
        found = audit.leftovers(client).get("engine", [])
        assert "runtime kk-clean-test" in found
        assert f"saved copy {engine_runtime.backup_of(config)}" in found

        undone = audit.remove({"engine": found}, client)

        assert "engine runtime kk-clean-test" in undone
        assert engine_runtime.runtimes(client) == table_before
        assert (config.read_bytes() if config.exists() else None) == bytes_before
        assert not engine_runtime.backup_of(config).exists()
        assert "engine" not in audit.leftovers(client)
    finally:
        change.__exit__(None, None, None)  # a no-op once restored; the way back otherwise
