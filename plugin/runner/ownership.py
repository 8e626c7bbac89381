"""Hand files a `sudo` run created in the repo back to the invoking user.

Only the run's own artefacts (report, progress, pytest cache, bytecode,
hypothesis database) and only those root owns: nothing else is chowned.
"""
from __future__ import annotations

import os
from pathlib import Path

ARTEFACTS = (".koans", ".pytest_cache", ".hypothesis")
BYTECODE_DIRS = ("koans", "solutions", "projects", "plugin", "tests", "bench")


def invoking_user() -> tuple[int, int] | None:
    """(uid, gid) of the user behind sudo, or None when not running under sudo as root."""
    if os.geteuid() != 0:
        return None
    try:
        uid, gid = int(os.environ["SUDO_UID"]), int(os.environ["SUDO_GID"])
    except (KeyError, ValueError):
        return None
    return None if uid == 0 else (uid, gid)


def artefacts(root: Path) -> list[Path]:
    """Every path the run may have created in the repo."""
    out: list[Path] = []
    for name in ARTEFACTS:
        top = root / name
        if top.exists():
            out.append(top)
            out.extend(top.rglob("*"))
    for name in BYTECODE_DIRS:
        base = root / name
        if base.is_dir():
            for cache in base.rglob("__pycache__"):
                out.append(cache)
                out.extend(cache.iterdir())
    return out


def hand_back(root: Path, user: tuple[int, int] | None = None) -> int:
    """chown root-owned artefacts to the invoking user; return how many changed."""
    user = user or invoking_user()
    if user is None:
        return 0
    changed = 0
    for path in artefacts(root):
        try:
            st = path.lstat()
            if st.st_uid == 0:
                os.chown(path, *user, follow_symlinks=False)
                changed += 1
        except OSError:
            pass
    return changed
