"""M1 · The build context: what .dockerignore keeps out of what the client sends the engine."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel_koans import exercise, koan

dockerignore = exercise("m01/dockerignore")

_name = st.text(alphabet="abcxy_.-", min_size=1, max_size=5).filter(lambda s: s not in (".", ".."))
_path = st.lists(_name, min_size=1, max_size=4).map("/".join)


@koan(man="https://docs.docker.com/build/concepts/context/#dockerignore-files",
      hints=["Each line is a pattern; `!` marks an exception; a matching directory takes its "
             "contents with it. Which line decides when several match?",
             "Translate a pattern to a regex: `**/` -> (.*/)?, `*` -> [^/]*, `?` -> [^/]; test the path "
             "and each parent directory; walk the lines in order and let the last match win."])
@settings(max_examples=150, deadline=None)
@given(path=_path, name=_name, dirs=st.lists(_name, max_size=3))
def test_dockerignore_patterns_follow_the_documented_rules(path, name, dirs):
    """.dockerignore decides what leaves your machine: secrets, .git and build output stay out
    only if the patterns mean what you think they mean."""
    rules = [
        ([], False, "no pattern excludes nothing"),
        ([path], True, "a pattern equal to the path excludes it"),
        ([path, "!" + path], False, "a later `!` exception puts it back: the last match wins"),
        (["!" + path, path], True, "the last match wins, even over an earlier exception"),
        (["/" + path], True, "a leading / means the context root"),
        (["# " + path, ""], False, "comments and blank lines match nothing"),
    ]
    for lines, want, rule in rules:
        got = dockerignore.is_excluded(path, lines)
        assert got is want, f"{rule}: is_excluded({path!r}, {lines!r}) should be {want}, got {got}"
    nested = "/".join([*dirs, name])
    assert dockerignore.is_excluded(nested, ["**/" + name]), (
        f"`**/{name}` matches {name} in any directory, the root too: {nested!r} is excluded")
    below = f"{path}/{name}"
    assert dockerignore.is_excluded(below, [path]), (
        f"excluding the directory {path!r} excludes {below!r} below it")
    two = f"{dirs[0] if dirs else 'd'}/{name}"
    want = two.split("/")[0].endswith(name)
    assert dockerignore.is_excluded(two, ["*" + name]) is want, (
        f"`*` never crosses '/': `*{name}` can match the directory {two.split('/')[0]!r} "
        f"but not {two!r} itself (expected {want})")


FILES = ["app.py", "README.md", "docs/guide.md", "docs/keep.md", "build/out.o", "build/keep.txt",
         "src/main.py", "src/a/b/test_x.py", ".git/HEAD", "secret.env", "config/prod.env"]
IGNORE = ["# what the engine never needs to see", ".git", "**/*.md", "!docs/keep.md", "build",
          "!build/keep.txt", "**/test_*.py", "*.env"]
DOCKERFILE = "FROM kernel-koans/busybox\nCOPY . /ctx\n"


@pytest.mark.timeout(60)
@koan(man="https://docs.docker.com/build/concepts/context/",
      hints=["Careful with `*.env`: does `*` reach into config/?",
             "`*.env` only matches names in the context root; `**/*.md` matches at any depth; "
             "`!build/keep.txt` re-includes one file of the excluded build/ directory."],
      needs=["docker"])
def test_only_files_not_ignored_reach_the_image(docker_client, busybox_image, docker_cleanup, scratch):
    """The client tars the context, minus what .dockerignore excludes, and sends it to the
    engine; `COPY . /ctx` can only copy what was sent."""
    for rel in FILES:
        (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
        (scratch / rel).write_text(rel + "\n")
    (scratch / ".dockerignore").write_text("\n".join(IGNORE) + "\n")
    (scratch / "Dockerfile").write_text(DOCKERFILE)
    predicted = {f for f in [*FILES, ".dockerignore", "Dockerfile"]
                 if not dockerignore.is_excluded(f, IGNORE)}
    image, _ = docker_client.images.build(path=str(scratch), labels=docker_cleanup, pull=False,
                                          rm=True, forcerm=True)
    out = docker_client.containers.run(image.id, ["find", "/ctx", "-type", "f"], remove=True,
                                       labels=docker_cleanup)
    landed = {str(Path(p).relative_to("/ctx")) for p in out.decode().split()}
    assert predicted == landed, (
        f"the image received {sorted(landed)}; is_excluded predicted {sorted(predicted)} "
        f"(missing: {sorted(landed - predicted)}, extra: {sorted(predicted - landed)})")
