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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from kernel_koans import linux


class ChildTimeout(Exception):
    """The function did not finish in `seconds`; the child was killed."""

    def __init__(self, message: str, seconds: float | None = None) -> None:
        super().__init__(message)
        self.seconds = seconds

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.seconds))


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
    if pid == 0:  # child: never returns into the caller's code, whatever happens
        code = 1
        try:
            os.close(read_fd)
            code = 0 if send_outcome(write_fd, fn, *args, **kwargs) else 1
        finally:
            os._exit(code)
    os.close(write_fd)
    # Framed (length first): a grandchild fn left running with the pipe open cannot
    # hold the result back until the timeout.
    try:
        tag, value = receive(read_fd, timeout)
    except ChildFailure:  # end of file before a whole result: the child died
        _, status = os.waitpid(pid, 0)
        raise ChildFailure("ChildDied", f"the child ended without a result ({describe_status(status)})",
                           "") from None
    except BaseException:
        _kill(pid)
        raise
    finally:
        os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    if tag == "err":
        raise value
    return Outcome(value, status)


def _portable(err: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a ChildFailure carrying its text."""
    text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    text = getattr(err, "child_traceback", "") + text  # it came from a grandchild: keep its frames
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


@dataclass
class Held:
    """A forked child that ran a function and is still alive: look at it from outside."""

    pid: int
    value: Any


@contextmanager
def held(fn: Callable[..., Any], *args: Any, timeout: float = 10.0, **kwargs: Any) -> Iterator[Held]:
    """Run fn(*args) in a forked child that stays alive until the block ends.

    Inside the block the koan inspects the child from outside (/proc/<pid>/ns,
    /proc/<pid>/status, its mounts); afterwards the child is killed and reaped.
    fn's exception is re-raised here, like in_child.
    """
    pid, value = spawn_held(fn, *args, timeout=timeout, **kwargs)
    try:
        yield Held(pid, value)
    finally:
        _kill(pid)


def spawn_held(fn: Callable[..., Any], *args: Any, timeout: float = 10.0,
               **kwargs: Any) -> tuple[int, Any]:
    """Fork a child that runs fn, reports, then waits to be killed; return (pid, fn's value).

    The child also dies with its parent (PR_SET_PDEATHSIG), so a held child may
    hold children of its own. The result travels framed (length first), so
    grandchildren holding the pipe open cannot hang the caller.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: run fn, report, then wait to be killed
        try:
            os.close(read_fd)
            linux.set_parent_death_signal(signal.SIGKILL)
            if send_outcome(write_fd, fn, *args, **kwargs):
                while True:
                    signal.pause()
        finally:
            os._exit(0)
    os.close(write_fd)
    try:
        try:
            return pid, receive_outcome(read_fd, timeout)
        finally:
            os.close(read_fd)
    except BaseException:
        _kill(pid)
        raise


def send_outcome(fd: int, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Run fn and send its value, or its exception, framed on fd; True when it returned."""
    try:
        payload: tuple[str, Any] = ("ok", fn(*args, **kwargs))
    except BaseException as err:  # noqa: BLE001 - everything must go back to the parent
        payload = ("err", _portable(err))
    send(fd, payload)
    return payload[0] == "ok"


def receive_outcome(fd: int, timeout: float) -> Any:
    """The value send_outcome sent, or its exception raised here."""
    tag, value = receive(fd, timeout)
    if tag == "err":
        raise value
    return value


def send(fd: int, payload: Any) -> None:
    """Write one framed, pickled payload to a pipe (the other end uses receive)."""
    try:
        data = pickle.dumps(payload)
    except Exception as err:  # noqa: BLE001
        data = pickle.dumps(("err", ChildFailure(type(err).__name__,
                                                 f"result could not be sent back: {err}", "")))
    view = memoryview(len(data).to_bytes(8, "big") + data)
    while view:
        view = view[os.write(fd, view):]


def receive(fd: int, timeout: float) -> Any:
    """Read one framed payload written by send(); ChildTimeout when none comes in time."""
    deadline = time.monotonic() + timeout
    buf = b""
    need = 8
    while True:
        while len(buf) < need:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChildTimeout(f"gave up after {timeout:g}s: the code was still running, "
                                   "so it was killed (SIGKILL). Look for a wait or loop that never ends.",
                                   seconds=timeout)
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise ChildFailure("ChildDied", "the child ended without a result", "")
            buf += chunk
        if need == 8:
            need = 8 + int.from_bytes(buf[:8], "big")
            continue
        return pickle.loads(buf[8:need])
