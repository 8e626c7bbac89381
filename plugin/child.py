"""Run a function in a forked child, so that namespaces it enters stay out of pytest.

A learner function that unshares, mounts or sethostnames must not do it to the
test runner itself. `in_child(fn, *args)` forks, runs fn, ships back its
return value (or its exception) through a pipe, and kills the child when it
overruns `timeout`.
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable


class ChildTimeout(Exception):
    """The function did not finish in time; the child was killed."""


@dataclass
class ChildFailure(Exception):
    """The function raised in the child; `kind` and `text` describe it."""

    kind: str
    message: str
    text: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass
class Outcome:
    value: Any
    exit_status: int


def in_child(fn: Callable[..., Any], *args: Any, timeout: float = 10.0, **kwargs: Any) -> Any:
    """Return fn(*args, **kwargs) computed in a forked child.

    The return value must pickle. Exceptions come back as the same type when they
    pickle, otherwise as ChildFailure.
    """
    return run(fn, *args, timeout=timeout, **kwargs).value


def run(fn: Callable[..., Any], *args: Any, timeout: float = 10.0, **kwargs: Any) -> Outcome:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        code = 0
        try:
            payload = ("ok", fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - everything must go back to the parent
            payload = ("err", _portable(err))
            code = 1
        try:
            data = pickle.dumps(payload)
        except Exception as err:  # noqa: BLE001
            data = pickle.dumps(("err", ChildFailure(type(err).__name__,
                                                     f"result could not be sent back: {err}", "")))
            code = 1
        with os.fdopen(write_fd, "wb") as out:
            out.write(data)
        os._exit(code)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChildTimeout(f"gave up after {timeout:g}s: the code was still running, "
                                   "so it was killed (SIGKILL). Look for a wait or loop that never ends.")
            ready, _, _ = select.select([read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    except BaseException:
        _kill(pid)
        raise
    finally:
        os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        raise ChildFailure("ChildDied", f"the child ended without a result ({describe_status(status)})", "")
    tag, value = pickle.loads(b"".join(chunks))
    if tag == "err":
        raise value
    return Outcome(value, status)


def _portable(err: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a ChildFailure carrying its text."""
    text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    try:
        clone = pickle.loads(pickle.dumps(err))
        clone.child_traceback = text  # type: ignore[attr-defined]
        pickle.dumps(clone)
        return clone
    except Exception:  # noqa: BLE001
        return ChildFailure(type(err).__name__, str(err), text)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def describe_status(status: int) -> str:
    """'exit 3' or 'killed by SIGKILL': how a wait status reads to a person."""
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    if os.WIFEXITED(status):
        return f"exit {os.WEXITSTATUS(status)}"
    return f"wait status {status}"
