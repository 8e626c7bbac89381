"""Run a function in a forked child, so that namespaces it enters stay out of pytest.

A learner function that unshares, mounts or sethostnames must not do it to the
test runner itself. Every koan forks through this module, with one framing and
one default timeout:

- `in_child(fn, *args)`: fn's value (or its exception) computed in a child;
- `held(fn, *args)`: the child stays alive inside a `with` block, to be looked at;
- `start(fn, *args)`: a `Child` the koan watches while it runs (its pid, its
  wait status, its report), optionally forked by a custom fork function
  (`fork=`) or held back until the koan says `go()`;
- `serve(setup, loop, *args)`: a server child that reports once it is ready.

Reports travel framed (length first) through a pipe, so a grandchild that keeps
the pipe open can neither hold a report back nor hide a child that died.
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

SLOWNESS_ENV = "KERNEL_KOANS_SLOWNESS"
"""A factor (at least 1) for the waits of a host known to be slow: `koans vm` sets it
under software emulation, where everything takes several times longer."""


def slowness() -> float:
    try:
        return max(1.0, float(os.environ.get(SLOWNESS_ENV, "1")))
    except ValueError:
        return 1.0


DEFAULT_TIMEOUT = 10.0 * slowness()
"""Seconds a child may take to report before it is killed (every function here). Koans
that wait for something of their own wait in multiples of it, never a bare number."""

_POLL = 0.05
"""How often a reader waiting on a pipe also checks whether the child is still alive."""


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


class ChildDied(ChildFailure):
    """The child ended without a report (it called os._exit, exec'd, or was killed)."""

    def __init__(self, status: int | None) -> None:
        how = "it was still running" if status is None else describe_status(status)
        super().__init__("ChildDied", f"the child ended without a result ({how})", "")
        self.status = status


@dataclass
class Outcome:
    value: Any
    exit_status: int


def describe_status(status: int) -> str:
    """'exit 3' or 'killed by SIGKILL': how a wait status reads to a person."""
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    if os.WIFEXITED(status):
        return f"exit {os.WEXITSTATUS(status)}"
    return f"wait status {status}"


@dataclass(eq=False)
class Child:
    """A forked child of the caller: its pid, the pipe its report comes on, its wait status."""

    pid: int
    fd: int
    timeout: float = DEFAULT_TIMEOUT
    status: int | None = None
    gate: int = -1

    def go(self) -> None:
        """Let a child started with gated=True run its function."""
        if self.gate >= 0:
            os.write(self.gate, b"g")
            os.close(self.gate)
            self.gate = -1

    def poll(self) -> int | None:
        """The wait status once the child has ended (it is reaped then), else None."""
        if self.status is None:
            try:
                done, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere (a tracer's wait)
                return self.status
            if done:
                self.status = status
        return self.status

    def wait(self, timeout: float | None = None) -> int | None:
        """The wait status, waiting up to `timeout` seconds; None if it still runs then."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.status

    def report(self, timeout: float | None = None) -> Any:
        """The value fn returned in the child, or fn's exception raised here.

        ChildDied when the child ended without reporting; ChildTimeout (the child is
        killed) when no report came within `timeout` (default: the child's)."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        buf = b""
        need = 8
        while True:
            while len(buf) < need:
                if select.select([self.fd], [], [], 0)[0]:
                    chunk = os.read(self.fd, 65536)
                    if not chunk:
                        raise ChildDied(self.wait(max(deadline - time.monotonic(), 1.0)))
                    buf += chunk
                    continue
                if self.poll() is not None:  # whatever it wrote is in the pipe already
                    if select.select([self.fd], [], [], 0)[0]:
                        continue
                    raise ChildDied(self.status)  # a grandchild may hold the pipe: no EOF to wait for
                left = deadline - time.monotonic()
                if left <= 0:
                    self.kill()
                    raise ChildTimeout(f"gave up after {limit:g}s: the code was still running, so it "
                                       "was killed (SIGKILL). Look for a wait or loop that never ends.",
                                       seconds=limit)
                select.select([self.fd], [], [], min(left, _POLL))
            if need == 8:
                need = 8 + int.from_bytes(buf[:8], "big")
                continue
            tag, value = pickle.loads(buf[8:need])
            if tag == "err":
                raise value
            return value

    def kill(self) -> int | None:
        """SIGKILL the child (if it still runs) and reap it; its wait status."""
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                self.status = os.waitpid(self.pid, 0)[1]
            except (ProcessLookupError, ChildProcessError):
                pass
        return self.status

    def close(self) -> None:
        """Kill and reap the child, close the pipes."""
        self.kill()
        for fd in (self.fd, self.gate):
            if fd >= 0:
                os.close(fd)
        self.fd = self.gate = -1

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start(fn: Callable[..., Any], *args: Any, fork: Callable[[], int] = os.fork,
          then: Callable[[Any], object] | None = None, gated: bool = False,
          timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> Child:
    """Fork (with `fork`, e.g. a learner's fork into a new namespace) a child that runs
    fn(*args, **kwargs), reports its value or exception, then runs then(value) if fn
    returned, and exits. The child dies with its parent (PR_SET_PDEATHSIG).

    gated: the child waits for `Child.go()` before running fn (to be traced or watched
    from its very first step)."""
    read_fd, write_fd = os.pipe()
    gate_r, gate_w = os.pipe() if gated else (-1, -1)
    try:
        pid = fork()
    except BaseException:
        for fd in (read_fd, write_fd, gate_r, gate_w):
            if fd >= 0:
                os.close(fd)
        raise
    if pid == 0:  # the child: never returns into the caller's code, whatever happens
        code = 1
        try:
            os.close(read_fd)
            linux.set_parent_death_signal(signal.SIGKILL)
            if gated:
                os.close(gate_w)
                os.read(gate_r, 1)
                os.close(gate_r)
            try:
                payload: tuple[str, Any] = ("ok", fn(*args, **kwargs))
            except BaseException as err:  # noqa: BLE001 - everything must go back to the parent
                payload = ("err", _portable(err))
            send(write_fd, payload)
            os.close(write_fd)
            if payload[0] == "ok":
                if then is not None:
                    then(payload[1])
                code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    if gated:
        os.close(gate_r)
    return Child(pid, read_fd, timeout, gate=gate_w)


def run(fn: Callable[..., Any], *args: Any, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> Outcome:
    """fn's value and the child's wait status (fn's exception is raised here)."""
    with start(fn, *args, timeout=timeout, **kwargs) as child:
        value = child.report()
        status = child.wait(timeout)
    assert status is not None, "the child reported, then did not exit"
    return Outcome(value, status)


def in_child(fn: Callable[..., Any], *args: Any, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> Any:
    """Return fn(*args, **kwargs) computed in a forked child.

    The return value must pickle. Exceptions come back as the same type when they
    pickle, otherwise as ChildFailure; a child that dies without a result is ChildDied.
    """
    return run(fn, *args, timeout=timeout, **kwargs).value


def _pause_forever(_value: object) -> None:
    while True:
        signal.pause()


@dataclass
class Held:
    """A forked child that ran a function and is still alive: look at it from outside."""

    pid: int
    value: Any


@contextmanager
def held(fn: Callable[..., Any], *args: Any, fork: Callable[[], int] = os.fork,
         timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> Iterator[Held]:
    """Run fn(*args) in a forked child that stays alive until the block ends.

    Inside the block the koan inspects the child from outside (/proc/<pid>/ns,
    /proc/<pid>/status, its mounts); afterwards the child is killed and reaped.
    fn's exception is re-raised here, like in_child.
    """
    with start(fn, *args, fork=fork, then=_pause_forever, timeout=timeout, **kwargs) as child:
        yield Held(child.pid, child.report())


def spawn_held(fn: Callable[..., Any], *args: Any, fork: Callable[[], int] = os.fork,
               timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> tuple[int, Any]:
    """Fork a child that runs fn, reports, then waits to be killed; return (pid, fn's value).

    For code that is itself in a held child: the child dies with its parent, so it
    needs no cleanup (held() is the form with cleanup)."""
    child = start(fn, *args, fork=fork, then=_pause_forever, timeout=timeout, **kwargs)
    try:
        value = child.report()
    except BaseException:
        child.close()
        raise
    os.close(child.fd)
    return child.pid, value


def serve(setup: Callable[..., Any], loop: Callable[[Any], object], *args: Any,
          timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> Child:
    """Fork a server: setup(*args) runs in the child and makes what loop needs (a bound
    socket, say); this returns once setup is done (its exception raised here), while the
    child goes on with loop(what setup made) until loop returns. close() the Child to stop it."""
    made: list[Any] = []

    def ready() -> None:  # in the child: keeps what setup made (it need not pickle)
        made.append(setup(*args, **kwargs))

    child = start(ready, then=lambda _: loop(made[0]), timeout=timeout)
    try:
        child.report()
    except BaseException:
        child.close()
        raise
    return child


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


def send(fd: int, payload: Any) -> None:
    """Write one framed (length first), pickled payload to a pipe; Child.report reads it."""
    try:
        data = pickle.dumps(payload)
    except Exception as err:  # noqa: BLE001
        data = pickle.dumps(("err", ChildFailure(type(err).__name__,
                                                 f"result could not be sent back: {err}", "")))
    view = memoryview(len(data).to_bytes(8, "big") + data)
    while view:
        view = view[os.write(fd, view):]
