"""M6 · Dockerfile tuning: the order of the layers decides what a code change rebuilds.

The koan builds your Dockerfile for a small app, changes one source file (random
content), builds again with a new GIT_SHA as CI would, and compares the ids of the
images each step committed in the two builds: a step whose id is the same came
from the cache, a new id means it ran again. The build times are shown, never judged.
"""
from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_html

from kernel_koans import exercise, koan

layer_order = exercise("m06/layer_order")

INSTALL = """\
#!/bin/sh
# Installs what deps.txt lists into /opt/deps. Slow, like a real download and build.
set -e
cd "$(dirname "$0")"
mkdir -p /opt/deps
while read -r dep; do
  [ -n "$dep" ] && echo "$dep" > "/opt/deps/${dep%%==*}"
done < deps.txt
sleep 1
"""


def write_app(root: Path, greeting: str) -> list[str]:
    """Write the app's context; return its dependencies."""
    deps = [f"kk{secrets.token_hex(3)}=={i}.{secrets.randbelow(9)}" for i in range(1, 4)]
    (root / "deps.txt").write_text("\n".join(deps) + "\n")
    (root / "install-deps.sh").write_text(INSTALL)
    (root / "src").mkdir()
    (root / "src" / "app.sh").write_text(
        '. /app/src/greet.sh\necho "version $(cat /app/VERSION)"\necho "deps $(ls /opt/deps | tr \'\\n\' \' \')"\n')
    (root / "src" / "greet.sh").write_text(f'echo "{greeting}"\n')
    (root / "README.md").write_text("# the app\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_app.sh").write_text("sh /app/src/app.sh | grep -q version\n")
    return deps


def build_timed(client: Any, root: Path, sha: str, labels: dict[str, str]) -> tuple[Any, float]:
    """Write dockerfile() into the context, build it with GIT_SHA=sha; return (image, seconds)."""
    (root / "Dockerfile").write_text(layer_order.dockerfile())
    start = time.monotonic()
    image, _ = client.images.build(path=str(root), buildargs={"GIT_SHA": sha}, labels=labels,
                                   pull=False, rm=True, forcerm=True)
    return image, time.monotonic() - start


def steps(image: Any, base_steps: int) -> list[tuple[str, str]]:
    """(image id, instruction) of each step the build committed, first step first.

    The classic builder commits an image per instruction; docker history lists them."""
    history = list(reversed(image.history()))[base_steps:]
    return [(h["Id"], h["CreatedBy"].replace("/bin/sh -c #(nop) ", "").strip()) for h in history]


@pytest.mark.timeout(180)
@koan(man="https://docs.docker.com/build/cache/",
      hints=["Which files does each step depend on, and how often does each of them change? What "
             "else, besides files, goes into a RUN step's cache key?",
             "Copy deps.txt and install-deps.sh alone, RUN the install, then COPY src/. A build "
             "argument in scope is part of every later RUN's cache key: declare ARG GIT_SHA after "
             "the install, just before the step that writes VERSION."],
      needs=["docker"])
def test_a_source_change_rebuilds_only_the_steps_after_the_source_copy(docker_client, busybox_image,
                                                                       docker_cleanup, scratch, extras):
    """A build rebuilds from the first step whose inputs changed: order the Dockerfile from
    rarely to often changed and a commit costs seconds, not a reinstall of every dependency."""
    deps = write_app(scratch, "hello " + secrets.token_hex(4))
    base = len(docker_client.images.get(busybox_image).history())
    first, t1 = build_timed(docker_client, scratch, secrets.token_hex(8), docker_cleanup)
    new_greeting, sha = "hello " + secrets.token_hex(4), secrets.token_hex(8)
    (scratch / "src" / "greet.sh").write_text(f'echo "{new_greeting}"\n')
    second, t2 = build_timed(docker_client, scratch, sha, docker_cleanup)
    out = docker_client.containers.run(second.id, remove=True, labels=docker_cleanup).decode()
    for want in (new_greeting, f"version {sha}", *(d.split("==")[0] for d in deps)):
        assert want in out, (f"the rebuilt image's default command printed {out!r}: no {want!r} (the new "
                             "source, /app/VERSION from GIT_SHA and the installed dependencies)")
    old, new = steps(first, base), steps(second, base)
    cached = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a[0] != b[0]),
                  min(len(old), len(new)))
    table = "\n".join(f"{'cached ' if i < cached else 'REBUILT'}  {text}" for i, (_, text) in enumerate(new))
    shared = len(set(first.attrs["RootFS"]["Layers"]) & set(second.attrs["RootFS"]["Layers"]))
    report = (f"first build {t1:.1f} s, rebuild after the source change {t2:.1f} s; "
              f"{len(new) - cached} of {len(new)} steps rebuilt, {shared} layers shared:\n{table}")
    print(report)
    extras.append(pytest_html.extras.text(report, name="build steps"))
    install = [i for i, (_, text) in enumerate(new) if "install-deps" in text and not text.startswith("COPY")]
    assert install, f"no step of the rebuild runs install-deps.sh:\n{table}"
    assert install[-1] < cached, (
        f"the image ids of the two builds differ from step {cached + 1} on, so the dependency "
        f"install ran again though deps.txt did not change:\n{table}")
    first_rebuilt = new[cached][1] if cached < len(new) else ""
    assert first_rebuilt.split(" ")[0] in ("COPY", "ADD"), (
        f"the first step with a new image id is {first_rebuilt!r}: only the copy of the changed "
        f"source should miss the cache, and every step after it:\n{table}")
