"""names.unique: kk- names that fit IFNAMSIZ and never repeat within a run."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kernel_koans import names
from kernel_koans.paths import PREFIX

hints = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", max_size=30)


@given(hints)
def test_fits_an_interface_name_and_starts_with_kk(hint: str) -> None:
    name = names.unique(hint)
    assert name.startswith(PREFIX)
    assert len(name) <= 15  # IFNAMSIZ is 16 bytes with the NUL


@given(hints, st.integers(min_value=10, max_value=64))
def test_respects_any_limit(hint: str, limit: int) -> None:
    name = names.unique(hint, limit=limit)
    assert name.startswith(PREFIX) and len(name) <= limit
    assert hint[:3] in name or len(name) == limit  # the hint shows, unless it had to be cut


@given(st.lists(hints, min_size=2, max_size=50))
def test_unique_within_a_run(hs: list[str]) -> None:
    made = [names.unique(h) for h in hs]
    assert len(set(made)) == len(made)
