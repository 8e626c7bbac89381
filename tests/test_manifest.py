"""manifest: milestones from koans/manifest.toml and the sort key that orders koans."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kernel_koans import manifest
from kernel_koans.manifest import Milestone


def test_load(kk) -> None:
    kk.write("koans/manifest.toml", """
        [m01]
        title = "Second"
        files = ["test_b.py", "test_a.py"]

        [m00]
        files = []
    """)
    assert manifest.load() == [Milestone("m00", "m00", ()), Milestone("m01", "Second", ("test_b.py", "test_a.py"))]
    (kk.root / "koans/manifest.toml").unlink()
    assert manifest.load() == []


def test_milestone_of() -> None:
    assert manifest.milestone_of("koans/m04/test_pid_ns.py::test_x") == "m04"
    assert manifest.milestone_of("koans/m10/sub/test_y.py::test_y[1]") == "m10"
    assert manifest.milestone_of("tests/test_z.py::test_z") == ""
    assert manifest.milestone_of("koans/mxx/test_a.py::t") == ""


MILESTONES = [Milestone("m00", "a", ("test_z.py", "test_a.py")), Milestone("m01", "b", ("test_q.py",)),
              Milestone("m02", "c", ())]
FILES = ["test_z.py", "test_a.py", "test_q.py", "test_other.py", "test_b.py"]

nodes = st.builds(
    lambda m, f, name, line: (f"koans/{m}/{f}::{name}", line),
    st.sampled_from(["m00", "m01", "m02", "m07"]), st.sampled_from(FILES),
    st.sampled_from(["test_a", "test_b"]), st.integers(min_value=1, max_value=500))


def _key(node: tuple[str, int]):
    return manifest.sort_key(MILESTONES, *node)


@given(nodes, nodes)
def test_milestone_order_comes_first(a, b) -> None:
    ma, mb = manifest.milestone_of(a[0]), manifest.milestone_of(b[0])
    if ma != mb:
        known = [m.key for m in MILESTONES]
        rank = lambda m: known.index(m) if m in known else len(known)  # noqa: E731
        if rank(ma) != rank(mb):
            assert (_key(a) < _key(b)) == (rank(ma) < rank(mb))


@given(nodes, nodes)
def test_within_a_milestone_listed_files_in_manifest_order_then_unlisted(a, b) -> None:
    if manifest.milestone_of(a[0]) != manifest.milestone_of(b[0]):
        return
    files = next((m.files for m in MILESTONES if m.key == manifest.milestone_of(a[0])), ())
    fa, fb = (n[0].split("::")[0].rsplit("/", 1)[1] for n in (a, b))
    if fa in files and fb in files and fa != fb:
        assert (_key(a) < _key(b)) == (files.index(fa) < files.index(fb))
    elif fa in files and fb not in files:
        assert _key(a) < _key(b)
    elif fa == fb:
        if a[1] != b[1]:
            assert (_key(a) < _key(b)) == (a[1] < b[1])  # definition order: the line


def test_concrete_order() -> None:
    ids = ["koans/m01/test_q.py::t", "koans/m00/test_b.py::t", "koans/m00/test_a.py::t",
           "koans/m00/test_z.py::t", "koans/m07/test_a.py::t"]
    got = sorted(ids, key=lambda n: manifest.sort_key(MILESTONES, n, 1))
    assert got == ["koans/m00/test_z.py::t", "koans/m00/test_a.py::t", "koans/m00/test_b.py::t",
                   "koans/m01/test_q.py::t", "koans/m07/test_a.py::t"]
