"""M1 · RUN vs CMD vs ENTRYPOINT: what the container's first process is actually given."""
from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel_koans import exercise, koan

entrypoint = exercise("m01/entrypoint")

SH = ["/bin/sh", "-c"]

_word = st.text(alphabet="abcxyz-_./ $", min_size=1, max_size=8)
_exec_form = st.lists(_word, min_size=1, max_size=3)
_instruction = st.one_of(st.none(), _word, _exec_form)


@koan(man="https://docs.docker.com/reference/dockerfile/#understand-how-cmd-and-entrypoint-interact",
      hints=["Work through the docs' table row by row: what does the shell form turn into?",
             "Shell form X becomes ['/bin/sh', '-c', X]. Run arguments replace CMD; "
             "whatever is left is appended to ENTRYPOINT."])
@settings(max_examples=150, deadline=None)
@given(ep=_instruction, cmd=_instruction, run_args=st.lists(_word, max_size=3))
def test_final_argv_follows_the_documented_rules(ep, cmd, run_args):
    """CMD is a default that `docker run` arguments replace; ENTRYPOINT is the program they are
    passed to. The shell form hides your program behind /bin/sh -c."""
    if ep is None and cmd is None and not run_args:
        with pytest.raises(ValueError):
            entrypoint.final_argv(ep, cmd, run_args)
        return
    argv = entrypoint.final_argv(ep, cmd, run_args)
    tail = list(run_args) or (SH + [cmd] if isinstance(cmd, str) else list(cmd or []))
    if ep is None:
        assert argv == tail, (f"without ENTRYPOINT the argv is the run args, else CMD "
                              f"(shell form via /bin/sh -c): expected {tail}, got {argv}")
    elif isinstance(ep, str):
        assert argv[:3] == SH + [ep], (f"a shell-form ENTRYPOINT {ep!r} runs as /bin/sh -c {ep!r}; "
                                       f"got {argv}")
        assert argv[3:] == tail, ("sh -c SCRIPT ignores CMD only because the extra words become "
                                  f"$0, $1 ... of the script: they are still in argv; expected {tail}, got {argv[3:]}")
    else:
        assert argv == list(ep) + tail, (f"an exec-form ENTRYPOINT {ep} is followed by the run args, "
                                         f"else CMD: expected {list(ep) + tail}, got {argv}")


# (ENTRYPOINT, CMD, run args): each line of the docs' table, as the engine builds it.
ENGINE_CASES = [
    (None, "echo $HOME", []),
    (None, ["echo", "exec form"], ["printf", "%s|", "replaced"]),
    (["echo", "ep"], ["from", "cmd"], []),
    (["echo", "ep"], "shell cmd", []),
    ("echo shell entrypoint", ["ignored?"], ["also", "ignored?"]),
]


def _dockerfile_line(keyword: str, value) -> str:  # type: ignore[no-untyped-def]
    if value is None:
        return ""
    return f"{keyword} {json.dumps(value) if isinstance(value, list) else value}\n"


@pytest.mark.timeout(90)
@koan(man="https://docs.docker.com/reference/dockerfile/#entrypoint",
      hints=["The engine stores both instructions as lists in the image config; `docker inspect` "
             "of a container shows Path and Args.",
             "A shell-form ENTRYPOINT does not drop CMD: the engine still appends it, and `sh -c` "
             "makes it $0, $1 ... of the script."],
      needs=["docker"])
def test_the_engine_builds_the_same_argv(docker_client, busybox_image, docker_cleanup):
    """The rules are not folklore: build images with these Dockerfiles and the engine's
    container Path + Args are exactly your final_argv."""
    for ep, cmd, run_args in ENGINE_CASES:
        dockerfile = (f"FROM {busybox_image}\n" + _dockerfile_line("ENTRYPOINT", ep)
                      + _dockerfile_line("CMD", cmd))
        image, _ = docker_client.images.build(fileobj=io.BytesIO(dockerfile.encode()), labels=docker_cleanup,
                                              pull=False, rm=True, forcerm=True)
        container = docker_client.containers.create(image.id, command=run_args or None,
                                                    labels=docker_cleanup)
        engine = [container.attrs["Path"], *container.attrs["Args"]]
        mine = entrypoint.final_argv(ep, cmd, run_args)
        assert mine == engine, (
            f"for ENTRYPOINT {ep!r}, CMD {cmd!r}, docker run args {run_args!r} the engine starts "
            f"{engine}; final_argv gave {mine}")
