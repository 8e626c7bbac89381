"""`koans vm`: run koans inside a disposable VM that boots a kernel of this machine.

virtme-ng (`vng`) boots a kernel image from /boot under qemu with the host's own
root filesystem shared read-only and the checkout shared read-write, and runs
one command as root inside. Its kernel objects (namespaces, cgroups, links,
mounts) live and die with the VM, and the kernel brings its own cgroup mode:
Debian's and Ubuntu's kernels boot cgroup v2 (unified) there, whatever the host
runs. So a learner can practise without touching the host's kernel objects, and
the maintainers' cgroup v2 lane runs on a hybrid CI machine.

Host side: `run()` finds vng, qemu and a kernel, decides KVM or software
emulation, and boots. Guest side: `python -m kernel_koans.infra.vm --inside -- CMD…`
says where it runs, loads the loop driver, with `--engine` starts a Docker engine
(kernel_koans.infra.vm_engine), then runs CMD.
"""
from __future__ import annotations

import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from kernel_koans import cgroups, child, linux, paths

KVM_TRIAL_SECONDS = 60
"""A KVM guest that cannot run either fails at once or hangs at boot: bound the trial."""

BOOTED = "kernel-koans-vm-booted"


@dataclass(frozen=True)
class Missing:
    """Something `koans vm` needs and this machine lacks, and how to get it."""

    what: str
    fix: str


@dataclass(frozen=True)
class Machine:
    """What a boot needs: the vng launcher, qemu, and a kernel image with its modules."""

    vng: str
    kernel: Path
    kvm: bool


def _venv_bin() -> Path:
    return Path(sys.executable).parent


def find_vng() -> str | None:
    beside = _venv_bin() / "vng"
    if beside.exists():
        return str(beside)
    return shutil.which("vng")


def qemu_binary() -> str:
    return f"qemu-system-{platform.machine()}"


def _release(image: Path) -> str:
    return image.name.removeprefix("vmlinuz-")


def _version_key(release: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", release)]


def find_kernel(boot: Path = Path("/boot"), modules: Path = Path("/lib/modules")) -> Path | None:
    """The kernel image to boot: the running one if /boot has it, else the newest one
    whose modules are installed (the guest loads 9p, virtio and loop from them)."""
    images = [p for p in boot.glob("vmlinuz-*") if (modules / _release(p)).is_dir()]
    running = boot / f"vmlinuz-{os.uname().release}"
    if running in images:
        return running
    return max(images, key=lambda p: _version_key(_release(p)), default=None)


def _distro_kernel_package() -> str:
    try:
        ident = Path("/etc/os-release").read_text()
    except OSError:
        ident = ""
    return "linux-image-generic" if "ID=ubuntu" in ident else "linux-image-amd64"


def missing() -> list[Missing]:
    """What is lacking to boot a VM here, each with the command that provides it."""
    gaps = []
    if os.geteuid() != 0:
        gaps.append(Missing("root", "run it as root: sudo .venv/bin/koans vm …"))
    if find_vng() is None:
        gaps.append(Missing("virtme-ng (vng)", "sudo bin/setup --vm  (or: sudo .venv/bin/pip install virtme-ng)"))
    if shutil.which(qemu_binary()) is None:
        gaps.append(Missing(qemu_binary(), "sudo apt-get install -y qemu-system-x86"))
    if find_kernel() is None:
        gaps.append(Missing("a kernel image in /boot with its modules",
                            f"sudo apt-get install -y {_distro_kernel_package()}"))
    spaced = spaced_venv(_venv_bin().parent)
    if spaced is not None:
        gaps.append(spaced)
    return gaps


def spaced_venv(venv: Path) -> Missing | None:
    """virtme-ng boots the guest with its init from this venv, named on the kernel's command
    line (`init=`), where a space ends the path: the kernel finds no init and panics, with
    nothing on the console to say why. Said before the boot instead."""
    if not any(c.isspace() for c in str(venv)):
        return None
    return Missing(f"a checkout path without spaces ({venv} has one, and virtme-ng's guest init "
                   "lives in it)", "clone the repo again to a path without spaces, and run bin/setup there")


def _vng_env() -> dict[str, str]:
    """vng runs its helpers (virtme-run) from PATH: put the venv's bin first."""
    return dict(os.environ, PATH=f"{_venv_bin()}{os.pathsep}{os.environ.get('PATH', '')}")


def _argv(machine: Machine, checkout: Path | None, inner: str, memory: str, cpus: int) -> list[str]:
    """vng's command line; `checkout` is shared read-write and is the command's cwd."""
    argv = [machine.vng, "--run", str(machine.kernel), "--memory", memory, "--cpus", str(cpus)]
    if checkout is not None:
        # vng joins its options into one string and shlex-splits it for virtme-run: a path
        # passed as is splits at its spaces, so it goes quoted (unchanged where it has none).
        shared = shlex.quote(str(checkout))
        argv += ["--rwdir", shared, "--cwd", shared]
    if not machine.kvm:
        argv.append("--disable-kvm")
    return [*argv, "--", inner]


def kvm_usable(vng: str, kernel: Path) -> bool:
    """Whether a KVM guest boots here: /dev/kvm may exist and still not run one
    (nested virtualisation that fails or hangs), so boot a guest that only says so."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    trial = Machine(vng, kernel, kvm=True)
    try:
        done = subprocess.run(_argv(trial, None, f"echo {BOOTED}", "512M", 1),  # nothing shared read-write
                              env=_vng_env(), capture_output=True, text=True,
                              timeout=KVM_TRIAL_SECONDS, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0 and BOOTED in done.stdout


def prepare(kvm: bool | None = None) -> Machine:
    """The machine to boot, or RuntimeError naming each missing piece and its fix."""
    gaps = missing()
    if gaps:
        lines = "\n".join(f"  - {g.what}: {g.fix}" for g in gaps)
        raise RuntimeError(f"koans vm needs:\n{lines}")
    vng, kernel = find_vng(), find_kernel()
    assert vng is not None and kernel is not None
    if kvm is None:
        kvm = kvm_usable(vng, kernel)
    return Machine(vng, kernel, kvm)


def inner_command(command: list[str], *, emulated: bool, engine: bool) -> str:
    """The guest side's command line, as vng runs it through a shell."""
    flags = ["--emulated"] * emulated + ["--engine"] * engine
    return shlex.join([sys.executable, "-m", "kernel_koans.infra.vm", "--inside", *flags, "--", *command])


def run(command: list[str], *, memory: str = "3G", cpus: int | None = None,
        kvm: bool | None = None, engine: bool = False) -> int:
    """Boot a VM, run `command` (argv, run in the checkout) inside as root; its exit status.
    With `engine`, a Docker engine of its own runs inside for the command's duration."""
    machine = prepare(kvm)
    cpus = cpus or min(os.cpu_count() or 1, 4)
    checkout = paths.repo_root()
    how = "KVM" if machine.kvm else "software emulation (no usable KVM here: slow, boot ≈ 30 s)"
    print(f"koans vm: booting {machine.kernel.name} under {qemu_binary()} with {how}; "
          f"{cpus} CPUs, {memory} memory; {checkout} shared read-write. "
          + ("A Docker engine of its own starts inside." if engine else
             "The VM has no Docker engine (add --engine for one): koans that need one are skipped "
             "inside."), flush=True)
    inner = inner_command(command, emulated=not machine.kvm, engine=engine)
    started = time.monotonic()
    code = _relay(_argv(machine, checkout, inner, memory, cpus))
    print(f"koans vm: the VM ran for {time.monotonic() - started:.0f} s and the command exited {code}",
          flush=True)
    return code


EMULATED_SLOWNESS = 5
"""How much slower software emulation runs than the host: the factor (child.SLOWNESS_ENV)
for the child toolkit's waits and for every koan's time limit (timelimits.stretch), its
own limit included: the limit guards against code that hangs and is no speed test."""


def _relay(argv: list[str]) -> int:
    """Run vng with its console relayed through a pipe; its exit status.

    qemu opens the console's output afresh (through /proc/self/fd/1), truncating a file
    there and writing from its start: a log that `bin/test-all > log` writes would lose
    everything before the VM. Through a pipe there is no offset to lose."""
    with subprocess.Popen(argv, env=_vng_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as proc:
        assert proc.stdout is not None
        console, out = proc.stdout.fileno(), sys.stdout.buffer
        for chunk in iter(lambda: os.read(console, 65536), b""):
            out.write(chunk)
            out.flush()
    return proc.returncode


def kept_under(checkout: Path, tmp: Path = Path("/tmp")) -> Path | None:
    """The checkout's place below `tmp`, if it lies there (a clone under /tmp): the guest's
    fresh /tmp would hide it."""
    try:
        return checkout.resolve().relative_to(tmp)
    except ValueError:
        return None


def private_tmp(checkout: Path, tmp: Path = Path("/tmp")) -> None:
    """Give the guest a /tmp of its own, keeping a checkout that lies under it in sight.

    The checkout stays reachable through a descriptor opened before the tmpfs hides it;
    once the tmpfs is mounted, the checkout's path is made again inside it and the
    checkout bind-mounted back there (mount(2) follows /proc/self/fd/N to the directory)."""
    below = kept_under(checkout, tmp)
    held = os.open(checkout, os.O_PATH | os.O_DIRECTORY) if below is not None else None
    linux.mount("tmpfs", str(tmp), "tmpfs", 0, "mode=1777")
    if held is None or below is None:
        return
    try:
        place = tmp / below
        place.mkdir(parents=True, exist_ok=True)
        linux.mount(f"/proc/self/fd/{held}", str(place), None, linux.MS_BIND | linux.MS_REC)
    finally:
        os.close(held)


def _inside(command: list[str], emulated: bool, engine: bool = False) -> int:
    """In the guest: say which kernel and cgroup mode this is, give it a /tmp of its own
    (virtme-ng layers the guest's /tmp over the host's, where a host run's kk- directories
    would show up in the guest's leak audit), load the loop driver, start an engine if
    asked, run the command."""
    layout = cgroups.read_layout()
    print(f"koans vm: inside the VM: kernel {os.uname().release}; {layout.describe()}", flush=True)
    private_tmp(paths.repo_root())
    subprocess.run(["modprobe", "loop"], capture_output=True, check=False)
    env = dict(os.environ)
    if emulated:
        env.setdefault(child.SLOWNESS_ENV, str(EMULATED_SLOWNESS))
    if not engine:
        return subprocess.run(command, env=env, check=False).returncode
    from kernel_koans.infra import vm_engine

    started = time.monotonic()
    try:
        with vm_engine.running(EMULATED_SLOWNESS if emulated else 1.0) as version:
            print(f"koans vm: Docker engine {version} answers inside the VM "
                  f"(started in {time.monotonic() - started:.0f} s)", flush=True)
            code = subprocess.run(command, env=env, check=False).returncode
            started = time.monotonic()
        print(f"koans vm: Docker engine stopped in {time.monotonic() - started:.0f} s", flush=True)
        return code
    except RuntimeError as err:
        print(err, file=sys.stderr, flush=True)
        return 1


def parse_inside(args: list[str]) -> tuple[list[str], bool, bool] | None:
    """(command, emulated, engine) from `--inside [--emulated] [--engine] -- COMMAND…`."""
    if not args or args[0] != "--inside" or "--" not in args:
        return None
    flags = args[1:args.index("--")]
    if set(flags) - {"--emulated", "--engine"}:
        return None
    return args[args.index("--") + 1:], "--emulated" in flags, "--engine" in flags


if __name__ == "__main__":
    parsed = parse_inside(sys.argv[1:])
    if parsed is None:
        sys.exit("usage: python -m kernel_koans.infra.vm --inside [--emulated] [--engine] -- COMMAND…  (in the guest)")
    sys.exit(_inside(*parsed))
