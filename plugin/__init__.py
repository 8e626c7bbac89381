"""kernel-koans: the learner's toolbox, the pytest plugin, the CLI and the infrastructure.

The koan author's API, importable from here:

    from kernel_koans import koan, exercise, in_child, held, start, serve
    from kernel_koans import Host, KoanCgroup, NetFactory, Spawner   # fixtures' types

Module map, by audience. The toolbox is the package's top level, where koans, exercise
modules and twins import it by name; the framework lives in subpackages by who it serves,
and no toolbox module imports them (tests/test_layout.py holds both).

The learner's toolbox -- what exercise modules, their twins and koans import:
    linux          syscalls the stdlib lacks (unshare, setns, enter, mount, pivot_root, ...)
    capabilities   capget(2)/capset(2): the stdlib has neither
    child          run a function in a forked child: in_child, held, start (a Child handle,
                   custom fork, gate), serve (a probe inside namespaces); DEFAULT_TIMEOUT
    trace          force a fork race open (ptrace: stop a child inside its first fork)
    guard          a seccomp filter that lets a process signal one pid only
    procfs         what /proc says of a process: status, NSpid, alive, parent, comm, ids, mounts
    uts            the hostname a process's UTS namespace holds; a guard for the machine's own
    inotify        what the kernel saw happen to the names in one directory (inotify(7))
    unix_http      a stand-in HTTP server on a unix socket (who connected, what was asked)
    probe          talk from inside kk- network namespaces (a probe a koan serves and calls)
    throughput     bounded TCP throughput between two kk- netns; the root qdisc read back
    loadgen        bounded load for the resource koans: workers a koan puts in a cgroup
    cgroups        the host's cgroup layout (v1/v2) and kk- cgroup paths
    apparmor       AppArmor profiles: load, list, run under, remove
    decoy          stand-in host namespaces for code that could damage the real one
    names          kk- names that fit the kernel's length limits
    rootfs         the busybox root filesystem the container koans use
    docker_objects the docker objects the koans create, found by label
    build_context  a build context as an in-memory tar
    saved_image    the layers of a `docker save` archive, by its manifest
    ocilayout      a small OCI image layout on disk: blobs by sha256, an index
    dpkg           dpkg as the version oracle; a dpkg status database as a fixture
    hardening      attack a container from inside; its init's status and exact cgroup
    services       a service image from one exercise module (+ host packages); http helpers
    readiness      when a service in a container is ready: the moment it first answers
    engine_watch   the containers the engine made while a block ran, read back from it
    engine_runtime point the running engine at another OCI runtime, then put it back exactly
    cni            run a CNI plugin the way a runtime does, to observe a learner's plugin
    pipeline_runner run a CI pipeline file (TOML) against the engine: build, test, scan
    launch         `python -m kernel_koans.launch EXERCISE ARGS…`: an exercise's main as a program
    waiting        look again until the kernel or the engine caught up (settle, until)
    oracles        answers the koans compute themselves (the primes the worker counts)
    benchchart     benchmark figures as an inline SVG (min, median, max per image); the palette
    host           the capability probe, each need's fix, skips for missing needs
    koan           the @koan marker: lesson, hints, man page, needs
    exercise       exercise("mNN/x"): the learner's module, its twin, or a swapped file
    fixtures/      net, cgroup, spawn, rootfs, scratch, docker_client, ... (pytest fixtures;
                   the one toolbox part that may use runner/ and infra/)

The state -- what lives between runs (toolbox and framework both read it):
    progress       the one owner of .koans/: catalog, progress, last run, hints, backups
    paths          where things live: the repo, learner files and their twins
    manifest       the curriculum order (koans/manifest.toml)

runner/ -- the pytest plugin: what runs a koan and explains it:
    runner/plugin        the hooks (thin: each calls one of the modules below)
    runner/leaks         the leak audit's hooks, as a registered plugin object
    runner/audit         the leak audit's finders: kk- kernel objects, engine objects, runtimes
    runner/report        the journey and the HTML report's hooks, as a registered plugin object
    runner/journeypage   the report as a journey page: next koan, map, unlocked solutions, chart
    runner/unlock        an exercise's functions beside the twin's, for a passed koan
    runner/chart         passes per day as an inline SVG
    runner/journey       the journey as text (terminal summary, `koans status`/`next`)
    runner/runstate      one run's state: options, host probe, sides, audit snapshots, record
    runner/failures      a failed koan as a few sentences (stub, load, timeout, assertion, raised)
    runner/timelimits    a koan's time limit: pytest-timeout's own answer, times the host's slowness
    runner/hookspecs     pytest_koans_probe_host, for tests that fake a host
    runner/announce      say, as it happens, why a run waits (a base image built once)
    runner/quietrun      the next koan's failure in full, the others one line each
    runner/runlock       one run at a time on a host
    runner/ownership     files made under sudo handed back to the invoking user
    runner/wrongsession  many wrong cases in one pytest session (a registered plugin object)

cli/ -- `koans`, the command line (entry point kernel_koans.cli:main):
    cli/commands         status, next, hint, watch, compare, reset, doctor, clean, vm, dev
    cli/watch            `koans watch`: re-run the current koan on every save
    cli/lookup           find a koan by what a learner types
    cli/twins            compare with the reference, restore a stub
    cli/dev/devcheck     `koans dev check`: structure, authoring rules, stubs fail, twins pass
    cli/dev/parity       a stub and its twin: one API, and the code a stub gives is the twin's
    cli/dev/shape        no stray files, lint-clean twins, no helper two koan files write
    cli/dev/flakecheck   `koans dev check --repeat N --busy`: twins N times, the koans not always green
    cli/dev/wrongcheck   `koans dev check --wrong DIR`: wrong solutions fail their koans
    cli/dev/wrongcases   a wrong-solution case on disk: case.toml, mistake.patch, the patched copy

infra/ -- machines and images the koans run on:
    infra/vm               `koans vm`: boot a kernel of this machine in a disposable VM
    infra/vm_engine        a Docker engine inside `koans vm --engine`, from the host's own binaries
    infra/toolchain_images the four languages' toolchain and runtime base images, from this host's files
    infra/reference_images the M3 project's language images as the twins build them (M6's benchmark)
    infra/kube_images      put locally built images onto a cluster's node, and take them off again

The folder is plugin/, imported as kernel_koans (pyproject's package-dir), and stays so:
every learner's editable install maps the name to that folder, so a rename would break
`koans` in each existing checkout until its setup ran again.

The re-exports other than koan and exercise load lazily (PEP 562): importing
`kernel_koans.paths` must not import pytest, pyroute2 or the child toolkit.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# `koan` and `exercise` share their names with their modules: bound here, eagerly, they
# stay the decorator and the function (`from kernel_koans import koan` is never the
# module). Code that wants the modules imports from them: `from kernel_koans.exercise import ...`.
from kernel_koans.exercise import Exercise, ExerciseError, exercise
from kernel_koans.koan import koan

if TYPE_CHECKING:
    from kernel_koans.child import (
        DEFAULT_TIMEOUT,
        Child,
        ChildDied,
        ChildFailure,
        ChildTimeout,
        held,
        in_child,
        serve,
        start,
    )
    from kernel_koans.fixtures.cgroup import CgroupFactory, KoanCgroup
    from kernel_koans.fixtures.network import NetFactory
    from kernel_koans.fixtures.processes import Spawner
    from kernel_koans.host import Host

_EXPORTS = {
    "in_child": "kernel_koans.child",
    "held": "kernel_koans.child",
    "ChildFailure": "kernel_koans.child",
    "ChildTimeout": "kernel_koans.child",
    "ChildDied": "kernel_koans.child",
    "Child": "kernel_koans.child",
    "start": "kernel_koans.child",
    "serve": "kernel_koans.child",
    "DEFAULT_TIMEOUT": "kernel_koans.child",
    "Host": "kernel_koans.host",
    "KoanCgroup": "kernel_koans.fixtures.cgroup",
    "CgroupFactory": "kernel_koans.fixtures.cgroup",
    "NetFactory": "kernel_koans.fixtures.network",
    "Spawner": "kernel_koans.fixtures.processes",
}

__all__ = [
    "DEFAULT_TIMEOUT", "CgroupFactory", "Child", "ChildDied", "ChildFailure", "ChildTimeout", "Exercise",
    "ExerciseError", "Host", "KoanCgroup", "NetFactory", "Spawner", "exercise", "held", "in_child", "koan",
    "serve", "start",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kernel_koans' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
