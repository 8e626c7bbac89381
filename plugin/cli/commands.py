"""`koans`: the learner's command line around the pytest plugin."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kernel_koans import cgroups, host, paths, progress
from kernel_koans.cli import lookup, twins
from kernel_koans.cli.dev import devcheck, flakecheck, wrongcases, wrongcheck
from kernel_koans.infra import vm
from kernel_koans.koan import reference_label
from kernel_koans.runner import audit, journey, runlock


def cmd_status(args: argparse.Namespace) -> int:
    lookup.catalog()
    print("kernel-koans: your journey")
    for line in journey.status_lines():
        print(line)
    return 0


def cmd_next(args: argparse.Namespace) -> int:
    lookup.catalog()
    for line in journey.next_lines():
        print(line)
    return 0


def cmd_hint(args: argparse.Namespace) -> int:
    """Reveal hints one tier at a time: a nudge first, the mechanism on the next ask."""
    entry = lookup.koan(args.koan, lookup.catalog())
    seen = progress.load_hints_seen()
    shown = len(entry.hints) if args.all else min(seen.get(entry.nodeid, 0) + 1, len(entry.hints))
    seen[entry.nodeid] = shown
    progress.save_hints_seen(seen)
    print(entry.nodeid)
    if entry.lesson:
        print(f"  lesson: {entry.lesson}")
    for i, hint in enumerate(entry.hints[:shown], 1):
        print(f"  hint {i}/{len(entry.hints)}: {hint}")
    if shown < len(entry.hints):
        print(f"  (ask again for hint {shown + 1}, or --all)")
    print(f"  {reference_label(entry.man).lower()}: {entry.man}   ({man_commands(entry.man)})")
    return 0


def man_commands(refs: str) -> str:
    """'unshare(2), pid_namespaces(7)' -> 'man 2 unshare; man 7 pid_namespaces';
    a web reference (Docker's docs) is shown as it is, to open in a browser."""
    commands = []
    for ref in refs.replace(";", ",").split(","):
        name, _, section = ref.strip().partition("(")
        if name.startswith(("http://", "https://")):
            commands.append(f"open {ref.strip()}")
        elif name:
            commands.append(f"man {section.rstrip(')')} {name}" if section else f"man {name}")
    return "; ".join(commands)


def cmd_compare(args: argparse.Namespace) -> int:
    for rel in lookup.exercises(args.koan, lookup.catalog()):
        text = twins.diff(rel, color=sys.stdout.isatty() and not args.no_color)
        if text:
            sys.stdout.write(text)
        else:
            print(f"{rel}: yours is identical to the reference")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    for rel in lookup.exercises(args.koan, lookup.catalog()):
        target, backup = twins.reset(rel, args.ref)
        root = paths.repo_root()
        saved = f" (your version is saved in {backup.relative_to(root)})" if backup else ""
        print(f"restored the stub {target.relative_to(root)}{saved}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """What this host offers, and which koans each missing piece blocks."""
    h = host.probe()
    print("kernel-koans doctor: what this host offers")
    for name, value in h.summary().items():
        print(f"  {name:<20} {value}")
    layout = h.cgroup
    if layout.mode in ("hybrid", "legacy"):
        print("\n  cgroups: this host runs v1 controllers. The koans teach v2; the reference solutions"
              " and fixtures use v1 here, and koans that only make sense on v2 are skipped.")
        for controller in ("memory", "cpu", "pids", "blkio"):
            if controller in layout.v1_mounts:
                print(f"    kk- cgroups for {controller:<6} go under {cgroups.koans_parent(layout, controller)}")
    entries = lookup.catalog()
    blocked: dict[str, list[str]] = {}
    for entry in progress.ordered(entries):
        for need in h.missing(entry.needs):
            blocked.setdefault(need, []).append(entry.nodeid)
    if not blocked:
        print("\nEvery koan's requirements are met on this host.")
        return 0
    print("\nMissing pieces:")
    for need, nodeids in sorted(blocked.items()):
        print(f"  {need}: blocks {len(nodeids)} koan(s) — fix: {host.fix_for(need)}")
        for nodeid in nodeids[:args.limit]:
            print(f"      {nodeid}")
        if len(nodeids) > args.limit:
            print(f"      … and {len(nodeids) - args.limit} more")
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    """Remove kk- objects a killed run left behind."""
    runlock.acquire()  # never while a run is using its objects
    try:
        return _clean(args)
    finally:
        runlock.release()


def _clean(args: argparse.Namespace) -> int:
    client = None
    if host.probe().docker:
        from kernel_koans import docker_objects

        client = docker_objects.client(docker_objects.AUDIT_TIMEOUT)
    found = audit.leftovers(client)
    if not found:
        print("nothing to clean: no kk- network namespace, link, cgroup, mount, temp dir or docker object")
        return 0
    if args.dry_run:
        print(f"would remove: {audit.describe(found)}")
        return 0
    for line in audit.remove(found, client):
        print(f"removed {line}")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from kernel_koans.cli import watch

    return watch.main(args.koan)


def cmd_dev_check(args: argparse.Namespace) -> int:
    if args.vm:
        inner = [str(Path(sys.executable).parent / "koans"), "dev", "check"]
        inner += ["--allow-skips"] * args.allow_skips
        inner += [f"--allow-missing={need}" for need in args.allow_missing]
        inner += [f"--needing={args.needing}"] * bool(args.needing)
        inner += [f"--wrong={args.wrong}"] * (args.wrong is not None)
        inner += [f"--repeat={args.repeat}"] * (args.repeat is not None)
        inner += ["--busy"] * args.busy
        return vm.run([*inner, "--", *args.pytest_args], engine=args.engine)
    if args.engine:
        print("koans: --engine starts a Docker engine inside the VM: use it with --vm", file=sys.stderr)
        return 2
    extra = list(args.pytest_args)
    if args.repeat is not None and (args.wrong is not None or args.repeat < 1):
        print("koans: --repeat N (N >= 1) runs the twins N times; it does not judge --wrong cases",
              file=sys.stderr)
        return 2
    if args.busy and args.repeat is None:
        print("koans: --busy loads the CPUs for --repeat N: use them together", file=sys.stderr)
        return 2
    if args.needing and args.wrong is None:
        extra += ["--koans-needing", args.needing]
    # One run from the host's point of view: its throwaway state folder (kk-devcheck-…)
    # must not appear in the middle of another run, whose audit would take it for a leak.
    runlock.acquire()
    try:
        if args.wrong is not None:
            return wrongcheck.main(Path(args.wrong), args.allow_skips, extra, tuple(args.allow_missing),
                                   args.needing)
        if args.repeat is not None:
            return flakecheck.main(args.repeat, args.busy, extra, tuple(args.allow_missing))
        return devcheck.main(args.allow_skips, extra, tuple(args.allow_missing))
    finally:
        runlock.release()


def cmd_dev_mistake(args: argparse.Namespace) -> int:
    """Print mistake.patch for a wrong-solution case: the twin of EXERCISE (or a twin's file
    beside it, named by its path) against FILE, a copy of it with the one mistake put in."""
    named = Path(args.exercise)
    twin = named.resolve() if named.is_file() else paths.twin_path(args.exercise)
    if not twin.exists() or not twin.is_relative_to(paths.repo_root() / "solutions"):
        print(f"koans: {args.exercise} is neither an exercise with a twin nor a file under solutions/",
              file=sys.stderr)
        return 2
    sys.stdout.write(wrongcases.make_patch(twin, Path(args.file)))
    return 0


def cmd_vm(args: argparse.Namespace) -> int:
    """Run pytest with the learner's arguments inside a disposable VM of this machine."""
    pytest_args = args.pytest_args or ["koans"]
    return vm.run([str(Path(sys.executable).parent / "pytest"), *pytest_args],
                  memory=args.memory, cpus=args.cpus, kvm=False if args.no_kvm else None,
                  engine=args.engine)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="koans", description="kernel-koans: learn containers by making the kernel agree.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="progress per milestone").set_defaults(fn=cmd_status)
    sub.add_parser("next", help="the next koan to work on, with its hint").set_defaults(fn=cmd_next)
    h = sub.add_parser("hint", help="the next hint tier of a koan")
    h.add_argument("koan", help="test name, node id or part of one")
    h.add_argument("--all", action="store_true", help="show every tier now")
    h.set_defaults(fn=cmd_hint)
    c = sub.add_parser("compare", help="diff your exercise module against its reference twin")
    c.add_argument("koan", help="koan name, or an exercise such as m04/pid_ns")
    c.add_argument("--no-color", action="store_true")
    c.set_defaults(fn=cmd_compare)
    r = sub.add_parser("reset", help="restore the pristine stub (yours is backed up)")
    r.add_argument("koan", help="koan name, or an exercise such as m04/pid_ns")
    r.add_argument("--ref", help="git ref holding the stubs (default: origin/HEAD, else HEAD)")
    r.set_defaults(fn=cmd_reset)
    d = sub.add_parser("doctor", help="what this host offers and what each gap blocks")
    d.add_argument("--limit", type=int, default=5, help="koans listed per gap")
    d.set_defaults(fn=cmd_doctor)
    w = sub.add_parser("watch", help="re-run the current koan on every save (h hint, n next, l list, q quit)")
    w.add_argument("koan", nargs="?", help="start with this koan instead of the next one")
    w.set_defaults(fn=cmd_watch)
    cl = sub.add_parser("clean", help="remove kk- objects a killed run left behind")
    cl.add_argument("--dry-run", action="store_true")
    cl.set_defaults(fn=cmd_clean)
    dev = sub.add_parser("dev", help="maintainer commands")
    dev_sub = dev.add_subparsers(dest="dev_command", required=True)
    chk = dev_sub.add_parser("check", help="every koan fails on its stub and passes on its twin; no leaks")
    chk.add_argument("--allow-skips", action="store_true", help="any host gap skips instead of failing")
    chk.add_argument("--allow-missing", action="append", default=[], metavar="NEED",
                     help="a skip for this missing host piece is fine (e.g. cgroup2 on a hybrid host)")
    chk.add_argument("--needing", metavar="TOPIC[,TOPIC]",
                     help="only koans that work with one of the TOPICs (cgroup,apparmor: the VM "
                          "lane's selection); with --wrong, the cases whose koans all do")
    chk.add_argument("--vm", action="store_true",
                     help="run the check inside a disposable VM of this machine (see koans vm)")
    chk.add_argument("--engine", action="store_true",
                     help="with --vm: start a Docker engine inside the VM (koans vm --engine)")
    chk.add_argument("--wrong", metavar="DIR",
                     help="run only the wrong-solution cases under DIR (e.g. tests/wrong): each must fail "
                          "the koans its case.toml lists")
    chk.add_argument("--repeat", type=int, metavar="N",
                     help="run the twins N times and list every koan not green every time, with "
                          "its failure texts (finds flaky koans before CI does)")
    chk.add_argument("--busy", action="store_true",
                     help="with --repeat: keep every CPU busy meanwhile, as a loaded CI host is")
    chk.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    chk.set_defaults(fn=cmd_dev_check)
    mis = dev_sub.add_parser("mistake", help="print a wrong-solution case's mistake.patch: the twin "
                                             "of EXERCISE against FILE, the twin plus one mistake")
    mis.add_argument("exercise", help="e.g. m04/cgroups, or a twin's file: solutions/projects/images/go/Dockerfile")
    mis.add_argument("file", help="a copy of the twin with the mistake put in")
    mis.set_defaults(fn=cmd_dev_mistake)
    v = sub.add_parser("vm", help="run koans inside a disposable VM (cgroup v2, host untouched)",
                       description="Boot a kernel of this machine in a throwaway VM (virtme-ng + qemu) "
                                   "and run pytest inside, on this checkout: `koans vm koans/m04 -x`. "
                                   "Progress and the report land in the checkout as usual.")
    v.add_argument("--memory", default="3G", help="guest memory (default 3G)")
    v.add_argument("--cpus", type=int, default=None, help="guest CPUs (default: the host's, at most 4)")
    v.add_argument("--no-kvm", action="store_true", help="software emulation even where KVM works")
    v.add_argument("--engine", action="store_true",
                   help="start a Docker engine inside the VM (the host's dockerd, empty, data on a "
                        "tmpfs): its root holds every capability, so --privileged containers start")
    v.add_argument("pytest_args", nargs=argparse.REMAINDER, help="pytest arguments (default: koans)")
    v.set_defaults(fn=cmd_vm)
    return p


def main(argv: list[str] | None = None) -> int:
    args, unknown = parser().parse_known_args(argv)
    if unknown and args.fn is cmd_vm:  # `koans vm -x koans/m04`: pytest's options are pytest's
        args.pytest_args = [*unknown, *args.pytest_args]
    elif unknown:
        parser().error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return int(args.fn(args))
    except lookup.NotFound as err:
        print(f"koans: {err}", file=sys.stderr)
        return 2
    except (RuntimeError, OSError) as err:
        print(f"koans: {err}", file=sys.stderr)
        return 1
    finally:
        from kernel_koans.runner import ownership

        ownership.hand_back(paths.repo_root())


if __name__ == "__main__":
    sys.exit(main())
