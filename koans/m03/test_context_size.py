"""M3 · Image size: the bytes a .dockerignore keeps out of the context, and out of the image.

The koan writes a project with random sizes and names chosen to trip the rules (a
`keep.log` that an exception keeps, a `cache/` that is only junk at the root, a
`node_modules` at every depth, names that only look like the junk), asks you to
predict in bytes, then builds it and reads two figures of its own: the files that
landed under /app (their sizes, from inside a container) and the size the engine
reports for the image.
"""
from __future__ import annotations

import random
import secrets
from pathlib import Path
from typing import Any

import pytest

from kernel_koans import exercise, koan

context_size = exercise("m03/context_size")

KIB = 1024
TOLERANCE = 4 * KIB
"""The engine counts regular-file bytes exactly (directories weigh nothing); the slack
covers only what a layer might add besides the copied files. Every file is >= 16 KiB."""

IGNORE = ["# build junk and history stay on your machine", ".git", "cache", "*.log", "!keep.log",
          "", "**/node_modules"]
REMOVED_LATER = ["cache", ".git"]
KOAN_FILES = ("Dockerfile", ".dockerignore")
"""The koan's own files in the context: not part of your project, discounted from both readings."""


def make_project(root: Path) -> dict[str, bool]:
    """Write the project; return {path: kept by IGNORE} (the koan's own answer)."""
    t = secrets.token_hex(3)
    layout = {
        f"app/{t}.sh": True, f"app/lib/util-{t}.sh": True,
        f"app/cache/{t}.bin": True,            # `cache` is anchored at the context root
        "app/debug.log": True,                  # `*.log` never crosses a '/'
        "keep.log": True,                       # the `!keep.log` exception puts it back
        f"web/src/{t}.js": True, f"web/node_modules_old/{t}.js": True,
        f"cache/{t}/blob": False, "cache/keep.log": False,  # inside an excluded directory
        f"{t}.log": False, "build.log": False,
        f".git/objects/{t[:2]}/{t}": False,
        f"node_modules/{t}/index.js": False, f"web/node_modules/{t}/index.js": False,
        f"web/pkg/deep/node_modules/{t}.js": False,
    }
    for rel, kept in layout.items():
        # Every left-out file outweighs all kept ones together (7 × < 25 KiB < 200 KiB): a
        # wrong matcher that leaves out kept files and keeps left-out ones can never cancel
        # out in the total saved, whatever the draw.
        size = random.randrange(16, 24) * KIB if kept else random.randrange(200, 300) * KIB
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(random.randbytes(size + random.randrange(KIB)))
    return layout


def build_context_dir(client: Any, root: Path, dockerfile: str, ignore: list[str] | None,
          labels: dict[str, str]) -> tuple[int, dict[str, int]]:
    """Build root; return (image size the engine reports, {path under /app: bytes} found in it)."""
    (root / "Dockerfile").write_text(dockerfile)
    if ignore is not None:
        (root / ".dockerignore").write_text("\n".join(ignore) + "\n")
    image, _ = client.images.build(path=str(root), labels=labels, pull=False, rm=True, forcerm=True)
    out = client.containers.run(image.id, ["find", "/app", "-type", "f", "-exec", "stat", "-c", "%s %n",
                                           "{}", "+"], remove=True, labels=labels)
    files = {}
    for line in out.decode().splitlines():
        size, name = line.split(" ", 1)
        files[name.removeprefix("/app/")] = int(size)
    return int(image.attrs["Size"]), files


def project_bytes(files: dict[str, int]) -> int:
    """The bytes of the project's files among those found in the image."""
    return sum(n for p, n in files.items() if p not in KOAN_FILES)


def koan_bytes(files: dict[str, int]) -> int:
    return sum(n for p, n in files.items() if p in KOAN_FILES)


@pytest.mark.timeout(120)
@koan(man="https://docs.docker.com/build/concepts/context/#dockerignore-files",
      hints=["Walk the context and add up what the rules keep: bytes, file by file. Which of "
             "keep.log, app/debug.log, cache/keep.log and web/node_modules/… stay?",
             "os.walk(root); for each regular file (os.lstat, stat.S_ISREG) its '/'-separated "
             "relative path; keep it unless your M1 is_excluded(path, lines) says otherwise; sum "
             "st_size."],
      needs=["docker"])
def test_the_image_holds_the_bytes_you_predict_the_context_keeps(docker_client, busybox_image,
                                                                  docker_cleanup, scratch):
    """What .dockerignore keeps is what the client uploads and what `COPY . /app` stores:
    predicting it in bytes, before a build, is how you size a context and an image."""
    layout = make_project(scratch)
    predicted = context_size.kept_bytes(str(scratch), list(IGNORE))
    size, files = build_context_dir(docker_client, scratch, f"FROM {busybox_image}\nCOPY . /app\n", IGNORE, docker_cleanup)
    base = docker_client.images.get(busybox_image).attrs["Size"]
    landed = project_bytes(files)
    want = sorted(p for p, kept in layout.items() if kept)
    assert sorted(p for p in files if p not in KOAN_FILES) == want, (
        f"setup: the image holds {sorted(files)}, the koan expected {want} under /app")
    assert abs((size - base - koan_bytes(files)) - landed) <= TOLERANCE, (
        f"setup: the engine reports {size - base} bytes over the base, the files under /app hold "
        f"{landed} (+{koan_bytes(files)} of the koan's Dockerfile)")
    assert abs(predicted - landed) <= TOLERANCE, (
        f"the files .dockerignore kept hold {landed} bytes in the image (engine: {size - base} over "
        f"the base, {koan_bytes(files)} of them the koan's Dockerfile); kept_bytes() predicted "
        f"{predicted} ({predicted - landed:+d})")


@pytest.mark.timeout(120)
@koan(man="https://docs.docker.com/build/cache/invalidation/ and the OCI image spec, layer.md (Whiteouts)",
      hints=["The naive image copies everything and deletes cache/ and .git/ in the next step. "
             "Does a later `rm` make the layer below any smaller?",
             "No: the COPY layer keeps every byte; the rm adds whiteouts of size 0. The naive image "
             "holds the whole project, so the saving is every byte the .dockerignore excludes "
             "(all files minus kept_bytes), whatever was removed later."],
      needs=["docker"])
def test_ignoring_saves_what_a_later_rm_cannot(docker_client, busybox_image, docker_cleanup, scratch):
    """Deleting junk in a later step saves nothing: the layer that copied it still ships it.
    Keeping it out of the context is what shrinks the image, by exactly its bytes."""
    make_project(scratch)
    predicted = context_size.saved_bytes(str(scratch), list(IGNORE), list(REMOVED_LATER))
    rm = " ".join(f"/app/{d}" for d in REMOVED_LATER)
    naive, naive_files = build_context_dir(docker_client, scratch, f"FROM {busybox_image}\nCOPY . /app\nRUN rm -rf {rm}\n",
                               None, docker_cleanup)
    tuned, tuned_files = build_context_dir(docker_client, scratch, f"FROM {busybox_image}\nCOPY . /app\n", IGNORE,
                               docker_cleanup)
    seen = (naive - koan_bytes(naive_files)) - (tuned - koan_bytes(tuned_files))
    assert not any(p.split("/")[0] in REMOVED_LATER for p in naive_files), (
        f"setup: the naive image's final tree still shows {REMOVED_LATER}")
    assert abs(predicted - seen) <= TOLERANCE, (
        f"the engine reports the naive image (COPY . then RUN rm -rf {rm}) {naive} bytes and the "
        f"one built with .dockerignore {tuned}: {seen} saved, not counting the koan's Dockerfiles; "
        f"saved_bytes() predicted {predicted} ({predicted - seen:+d})")
