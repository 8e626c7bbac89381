"""Project: one small HTTP service in each of four languages, each in an image built to ship
only what runs it: a Go image under 10 MB, a Java image under 100 MB, multi-stage Python
and TypeScript/Node images, with no build tool left in any layer.

You edit projects/images/<lang>/Dockerfile; the `language_image` fixture builds it (the
twin's with --solutions), with the contexts projects/images/images.py names."""
from __future__ import annotations

import json
import os
import secrets
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kernel_koans import koan, names, waiting
from kernel_koans.docker_objects import LABELS
from kernel_koans.infra import toolchain_images

NEEDS = ["root", "docker", "busybox"]
LANGS = ("go", "java", "python", "node")
MB = 1_000_000
BUILD_TIMEOUT = 420
"""Seconds: the first koan of a language builds its toolchain base and its image."""

BUILD_TOOLS = {
    "go": {"go", "gofmt", "compile", "link", "cgo"},
    "java": {"javac", "jlink", "jar", "jmod", "jdeps", "javadoc", "jshell", "ct.sym"},
    "python": {"pip", "pip3", "setuptools", "wheel", "ensurepip", "_distutils_hack"},
    "node": {"tsc", "tsserver", "npm", "npx", "corepack", "typescript"},
}
"""Names (of a file or of any directory above it) that only a build needs."""
COMPILERS = {"gcc", "cc", "g++", "c++", "make", "ld", "ld.bfd", "ld.gold"}
TOOL_DIRS = {"go": ("pkg/tool/",), "java": ("jmods/",), "python": (), "node": ("node_modules/",)}


def size_of(client, tag: str) -> int:
    return int(client.images.get(tag).attrs["Size"])


def build_tools_in(lang: str, layers: list[list[str]]) -> list[tuple[int, str]]:
    """(layer number, path) of every build tool any layer ships, whiteouts aside."""
    found = []
    for number, paths in enumerate(layers, 1):
        for path in paths:
            parts = path.strip("/").split("/")
            if parts[-1].startswith(".wh."):
                continue
            named = set(parts) & (BUILD_TOOLS[lang] | COMPILERS)
            if named or parts[-1].endswith(".jmod") or any(d in f"/{path}" for d in TOOL_DIRS[lang]):
                found.append((number, path))
    return found


def ask(url: str, seconds: float) -> dict:
    """GET url until it answers (the runtime may still be starting), as JSON."""
    def once() -> dict:
        try:
            with urllib.request.urlopen(url, timeout=3) as r:
                return {"status": r.status, "body": json.loads(r.read())}
        except (OSError, ValueError) as err:
            return {"status": 0, "error": str(err)}

    return waiting.settle(once, lambda answer: answer["status"] != 0, seconds, 0.3)


HINTS_GO = ["A Go program built with CGO_ENABLED=0 is one static file: what else must the image hold?",
            "Two stages: FROM ${TOOLCHAIN} AS build runs `go build` (-ldflags='-s -w' drops "
            "symbols); FROM scratch copies only the binary (COPY --from=build)."]


@koan(man="https://docs.docker.com/build/building/multi-stage/, go help build", hints=HINTS_GO,
      needs=NEEDS)
@pytest.mark.timeout(BUILD_TIMEOUT)
def test_go_image_is_under_10_mb(language_image, docker_client):
    """A static binary needs no distribution under it: the smallest honest image is the
    program alone, and every megabyte you do not ship is one nobody pulls or patches."""
    size = size_of(docker_client, language_image("go"))
    assert size < 10 * MB, (
        f"the engine reports the Go image at {size / MB:.1f} MB: the budget is 10 MB "
        "(the toolchain belongs to a build stage, the binary alone on scratch)")


HINTS_JAVA = ["A full JDK is ~300 MB; the app needs a runtime with two modules. Which JDK tool "
              "builds a runtime image of only the modules you name?",
              "Build stage: javac + jar, then `jlink --add-modules $(jdeps --print-module-deps "
              "app.jar) --strip-java-debug-attributes --no-header-files --no-man-pages --compress=2 --output "
              "/opt/jre`; final stage FROM ${RUNTIME} copies /opt/jre and the jar."]


@koan(man="jlink(1), jdeps(1)", hints=HINTS_JAVA, needs=NEEDS)
@pytest.mark.timeout(BUILD_TIMEOUT)
def test_java_image_is_under_100_mb(language_image, docker_client):
    """The JVM is big only when you ship all of it: jlink assembles a runtime of just the
    modules the app uses, without the compiler, the jmods or the debug symbols."""
    size = size_of(docker_client, language_image("java"))
    assert size < 100 * MB, (
        f"the engine reports the Java image at {size / MB:.1f} MB: the budget is 100 MB "
        "(a jlinked runtime of the app's modules, not the JDK)")


APP_ALLOWANCE = 1 * MB
"""What the Python and Node images may add beyond their runtime (base, and node itself)."""


@koan(man="https://docs.docker.com/build/building/multi-stage/, pip install --target", hints=[
    "The final stage starts FROM ${RUNTIME}: what does it need from the build stage?",
    "Python: pip installs into a folder (--target /install) in the build stage; the final stage "
    "copies that folder. Node: tsc writes dist/ in the build stage; the final stage copies "
    "node (/usr/bin/node) and dist/ only."], needs=NEEDS)
@pytest.mark.parametrize("lang", ["python", "node"])
@pytest.mark.timeout(BUILD_TIMEOUT)
def test_multi_stage_final_image_adds_only_the_app(lang, language_image, docker_client,
                                                    python_image, pristine_rootfs):
    """A multi-stage build copies results, not the machinery that made them: the final image
    is its runtime base plus the app, however heavy the build stage was."""
    tag = language_image(lang)
    if lang == "python":
        base, extra, what = python_image, 0, "the Python base"
    else:
        base = toolchain_images.ensure_cc_image(docker_client, pristine_rootfs)
        extra, what = os.path.getsize(os.path.realpath(toolchain_images.NODE)), "the cc base and node"
    added = size_of(docker_client, tag) - size_of(docker_client, base) - extra
    assert added <= APP_ALLOWANCE, (
        f"the {lang} image holds {added / MB:.1f} MB more than {what}: a final stage that "
        f"copies only the app adds under {APP_ALLOWANCE / MB:.0f} MB")


@koan(man="docker run, HTTP", hints=[
    "Build it, run it, ask it: `docker run -d IMAGE`, then GET http://<its address>:8080/hello?name=x.",
    "A final image that starts but cannot answer misses a library, a module (jlink's "
    "--add-modules) or a file the build stage made: `docker run --rm IMAGE` shows its error."],
    needs=NEEDS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.timeout(BUILD_TIMEOUT)
def test_image_answers_a_request(lang, language_image, docker_client):
    """A small image is worth nothing if it does not run: the runtime, its libraries and the
    app must all have made it into the final stage."""
    tag = language_image(lang)
    name = f"kk {secrets.token_hex(4)}"  # drawn now: no answer can be written in beforehand
    box = docker_client.containers.run(tag, detach=True, labels=dict(LABELS), name=names.unique("img"))
    try:
        box.reload()
        address = box.attrs["NetworkSettings"]["IPAddress"]
        got = ask(f"http://{address}:8080/hello?" + urllib.parse.urlencode({"name": name}), 20)
        box.reload()
        logs = box.logs(tail=8).decode(errors="replace").strip()
        assert got.get("status") == 200, (
            f"the {lang} container ({box.status}) did not answer GET /hello on {address}:8080 "
            f"within 20 s: {got.get('error', got)}; its last output: {logs or '(none)'}")
        body = got["body"]
        assert body.get("lang") == lang and body.get("hello") == name, (
            f"GET /hello?name={name!r} must answer {{'lang': {lang!r}, 'hello': {name!r}}}: {body}")
    finally:
        box.remove(force=True)


@koan(man="https://github.com/opencontainers/image-spec/blob/main/layer.md, docker save", hints=[
    "Every layer is shipped, even one whose files a later layer deletes: `docker save IMAGE` "
    "and list each layer.tar.",
    "Build tools (go, javac/jlink/jmods, tsc/npm, pip/setuptools, gcc) belong to the build "
    "stage; the final stage starts FROM scratch or the runtime base and COPY --from=build "
    "only what runs."], needs=NEEDS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.timeout(BUILD_TIMEOUT)
def test_no_build_tool_in_any_layer(lang, language_image, docker_client, scratch: Path):
    """A compiler in a production image is attack surface and dead weight; deleting it in a
    later RUN does not help, because the layer that added it still ships."""
    layers = toolchain_images.layer_files(docker_client, language_image(lang), scratch)
    found = build_tools_in(lang, layers)
    shown = ", ".join(f"{path} (layer {n})" for n, path in found[:6])
    assert not found, (
        f"docker save of the {lang} image has {len(found)} build-tool files in its "
        f"{len(layers)} layers: {shown}")
