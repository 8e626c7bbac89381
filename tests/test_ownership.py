"""Under sudo, the run's own files go back to the invoking user, and nothing else does."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kernel_koans.runner import ownership

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")

UID = GID = 4242  # unused on the test host: nothing else in the tree can own it by chance


def _owners(paths: list[Path]) -> dict[Path, tuple[int, int]]:
    return {p: (p.lstat().st_uid, p.lstat().st_gid) for p in paths}


@needs_root
def test_sudo_run_hands_back_its_artefacts_only(kk, monkeypatch) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    learner = kk.root / "koans/m00/x.py"
    elsewhere = kk.write("notes/mine.txt", "the learner's own file\n")
    monkeypatch.setenv("SUDO_UID", str(UID))
    monkeypatch.setenv("SUDO_GID", str(GID))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # whatever PYTHONDONTWRITEBYTECODE says
    monkeypatch.setattr(sys, "pycache_prefix", None)  # and beside the sources, whatever PYTHONPYCACHEPREFIX says
    kk.run("koans", "--html", str(kk.state / "report.html")).assert_outcomes(failed=1)

    artefacts = [kk.state, kk.state / "progress.json", kk.state / "catalog.json",
                 kk.state / "report.html", kk.root / ".pytest_cache"]
    artefacts += list((kk.root / ".pytest_cache").rglob("*"))
    pycaches = list((kk.root / "koans").rglob("__pycache__"))
    assert pycaches, "the run should have written bytecode under koans/"
    artefacts += pycaches + [f for c in pycaches for f in c.iterdir()]
    for path, owner in _owners(artefacts).items():
        assert owner == (UID, GID), f"{path.relative_to(kk.root)} still owned by {owner}"

    for path in (learner, elsewhere, kk.root / "koans", kk.root / "koans/manifest.toml",
                 kk.root / "conftest.py", kk.root / "solutions/m00/x.py"):
        assert path.lstat().st_uid == 0, f"{path.relative_to(kk.root)} was not the run's to chown"


def test_no_sudo_no_chown(kk) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    kk.run("--no-audit", "koans").assert_outcomes(failed=1)
    assert kk.state.lstat().st_uid == os.geteuid()


@needs_root
def test_hand_back_directly(tmp_path: Path) -> None:
    (tmp_path / ".koans" / "backup").mkdir(parents=True)
    (tmp_path / ".koans" / "progress.json").write_text("{}")
    (tmp_path / ".hypothesis").mkdir()
    (tmp_path / "koans" / "m00" / "__pycache__").mkdir(parents=True)
    (tmp_path / "koans" / "m00" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"")
    (tmp_path / "koans" / "m00" / "x.py").write_text("")
    (tmp_path / "README.md").write_text("")
    already = tmp_path / ".koans" / "theirs.json"
    already.write_text("{}")
    os.chown(already, 1234, 1234)
    link = tmp_path / ".koans" / "link"
    link.symlink_to(tmp_path / "README.md")

    changed = ownership.hand_back(tmp_path, (UID, GID))

    mine = [tmp_path / ".koans", tmp_path / ".koans" / "backup", tmp_path / ".koans" / "progress.json",
            tmp_path / ".hypothesis", tmp_path / "koans" / "m00" / "__pycache__",
            tmp_path / "koans" / "m00" / "__pycache__" / "x.cpython-311.pyc", link]
    assert changed == len(mine)
    for path in mine:
        assert path.lstat().st_uid == UID and path.lstat().st_gid == GID, path
    # not artefacts, or not root's: untouched (the symlink's target included)
    for path in (tmp_path / "koans" / "m00" / "x.py", tmp_path / "README.md", tmp_path / "koans"):
        assert path.lstat().st_uid == 0, path
    assert already.lstat().st_uid == 1234


def test_invoking_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUDO_UID", "4242")
    monkeypatch.setenv("SUDO_GID", "4343")
    expected = (4242, 4343) if os.geteuid() == 0 else None
    assert ownership.invoking_user() == expected
    monkeypatch.setenv("SUDO_UID", "0")  # sudo from root: nobody to hand back to
    assert ownership.invoking_user() is None
    monkeypatch.setenv("SUDO_UID", "nope")
    assert ownership.invoking_user() is None
    monkeypatch.delenv("SUDO_UID")
    assert ownership.invoking_user() is None
    assert ownership.hand_back(Path("/nonexistent-kk")) == 0
