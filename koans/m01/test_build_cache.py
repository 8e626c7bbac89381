"""M1 · Layers and the build cache: which change to a Dockerfile or its context rebuilds what."""
from __future__ import annotations

import re
import time
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel_koans import build_context, exercise, koan

build_cache = exercise("m01/build_cache")

BASE = "FROM kernel-koans/busybox"
LINES = [BASE, "COPY a.txt /a.txt", "RUN cat /a.txt > /copy", "COPY b.txt /b.txt", "RUN date > /built-at"]
CONTEXT = {"a.txt": b"A\n", "b.txt": b"B\n", "notes.md": b"never copied\n"}

# name -> (new lines, new context, touch: give every file a new mtime)
SCENARIOS = {
    "b.txt content changed": (LINES, {**CONTEXT, "b.txt": b"B2\n"}, False),
    "every file touched, no content changed": (LINES, CONTEXT, True),
    "second RUN line edited": (LINES[:2] + ["RUN cat /a.txt >/copy"] + LINES[3:], CONTEXT, False),
    "a file no COPY reads changed": (LINES, {**CONTEXT, "notes.md": b"edited\n"}, False),
    "a.txt content changed": (LINES, {**CONTEXT, "a.txt": b"A2\n"}, False),
}


def _cache_hits(client, lines: list[str], context: dict[str, bytes], nonce: str,
           labels: dict[str, str], mtime: int) -> list[bool]:
    """Build through the engine's API; return, per instruction after FROM, "Using cache"?"""
    # A LABEL with a fresh nonce right after FROM keeps this run's cache apart from any other.
    dockerfile = "\n".join([lines[0], f"LABEL kk.nonce={nonce}", *lines[1:]]) + "\n"
    stream = client.api.build(fileobj=build_context.tar({**context, "Dockerfile": dockerfile.encode()}, mtime=mtime),
                              custom_context=True, decode=True, rm=True, forcerm=True,
                              pull=False, labels=labels)
    text = ""
    for chunk in stream:
        if "error" in chunk:
            raise AssertionError(f"the build failed: {chunk['error']}")
        text += chunk.get("stream", "")
    # Output reads: "Step N/M : INSTRUCTION" then " ---> Using cache" when the step was reused.
    steps = re.split(r"^Step \d+/\d+ : ", text, flags=re.M)[1:]
    cached = ["---> Using cache" in step for step in steps]
    return cached[2:2 + len(lines) - 1]  # drop FROM and the nonce LABEL, and the trailing LABEL


@pytest.mark.timeout(120)
@koan(man="https://docs.docker.com/build/cache/",
      hints=["A step's cache key is its parent layer plus its instruction. What else goes into "
             "the key of a COPY?",
             "Text of the line differs -> miss; COPY/ADD: contents of the copied files differ -> miss "
             "(mtimes do not count); after the first miss, every later step misses too."],
      needs=["docker"])
def test_cache_misses_where_you_predict(docker_client, busybox_image, docker_cleanup):
    """Order a Dockerfile well and a code change rebuilds one layer, not all of them; the
    cache keys on instruction text and copied contents, never on what a RUN would do today."""
    predictions = {name: build_cache.cached_steps(LINES, CONTEXT, lines, context)
                   for name, (lines, context, _) in SCENARIOS.items()}
    nonce = uuid.uuid4().hex[:12]
    first = _cache_hits(docker_client, LINES, CONTEXT, nonce, docker_cleanup, mtime=1_700_000_000)
    assert not any(first), f"the first build of this Dockerfile cannot use a cache: {first}"
    for name, (lines, context, touch) in SCENARIOS.items():
        predicted = predictions[name]
        seen = _cache_hits(docker_client, lines, context, nonce, docker_cleanup,
                      mtime=int(time.time()) if touch else 1_700_000_000)
        assert predicted == seen, (
            f"{name}: the engine reused {seen} for the steps {lines[1:]}; cached_steps predicted "
            f"{predicted}")


_line = st.sampled_from(LINES[1:] + ["RUN echo hi", "COPY . /app", "ENV A=1"])
_ctx = st.dictionaries(st.sampled_from(["a.txt", "b.txt", "notes.md", "src/x.py"]),
                       st.sampled_from([b"1", b"2"]), min_size=1)


@koan(man="https://docs.docker.com/build/cache/invalidation/",
      hints=["Each step's parent is the previous step's layer.",
             "Once a step misses, its layer is new, so no later step can find a cached child of it."])
@settings(max_examples=120, deadline=None)
@given(old=st.lists(_line, max_size=5), new=st.lists(_line, max_size=5), old_ctx=_ctx, new_ctx=_ctx)
def test_one_miss_invalidates_every_later_step(old, new, old_ctx, new_ctx):
    """Layers form a chain: a step's cache entry is a child of its parent layer, so after the
    first miss nothing below can hit. Put what changes often last."""
    old_lines, new_lines = [BASE, *old], [BASE, *new]
    same = build_cache.cached_steps(old_lines, old_ctx, old_lines, old_ctx)
    assert same == [True] * len(old), f"an unchanged Dockerfile and context is all cache hits: {same}"
    got = build_cache.cached_steps(old_lines, old_ctx, new_lines, new_ctx)
    assert len(got) == len(new), f"one answer per instruction after FROM: {got} for {new}"
    if False in got:
        first_miss = got.index(False)
        assert not any(got[first_miss:]), f"after the first miss (step {first_miss + 1}) all miss: {got}"
    for i, line in enumerate(new):
        if got[i] and (i >= len(old) or old[i] != line):
            raise AssertionError(f"step {line!r} differs from the old step there, so it cannot hit: {got}")
    # With the context unchanged, nothing but the text decides: the common prefix hits.
    prefix = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    kept = build_cache.cached_steps(old_lines, old_ctx, new_lines, old_ctx)
    assert kept == [i < prefix for i in range(len(new))], (
        f"same context, so the first {prefix} steps (identical text on the same parents) hit "
        f"and the rest miss: expected {[i < prefix for i in range(len(new))]}, got {kept} for {new}")
