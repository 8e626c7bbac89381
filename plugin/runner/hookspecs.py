"""Hooks kernel-koans offers to conftest files and the framework's own tests."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kernel_koans.host import Host


@pytest.hookspec(firstresult=True)
def pytest_koans_probe_host(config: pytest.Config) -> Host | None:
    """Return the Host this session runs on. The plugin's own implementation
    probes the real machine; a conftest may return a fake one."""
