"""A koan's limit is pytest-timeout's own answer, read through the one private name we use."""
from __future__ import annotations

import pytest

from kernel_koans.runner import timelimits


def test_the_private_name_still_answers(pytester: pytest.Pytester) -> None:
    """Fails loudly (not a silent 'no limit') the day pytest-timeout moves _get_item_settings."""
    pytester.makeini("[pytest]\ntimeout = 30\ntimeout_func_only = true\n")
    marked, plain = pytester.getitems(
        "import pytest\n@pytest.mark.timeout(7)\ndef test_marked():\n    pass\n"
        "def test_plain():\n    pass\n")
    assert timelimits.koan_timeout(marked) == 7.0
    assert timelimits.koan_timeout(plain) == 30.0
    assert timelimits.resolved(plain).func_only is True
