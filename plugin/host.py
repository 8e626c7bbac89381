"""The capability probe: what this host offers the koans, and how to fix what it lacks.

Probed once per session (see kernel_koans.runner.plugin); the framework's own tests replace it
through the `pytest_koans_probe_host` hook to fake any host.
"""
from __future__ import annotations

import os
import shutil
import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from _pytest.outcomes import Skipped  # pytest.skip.Exception, importable for a subclass

from kernel_koans import cgroups, child

FIXES: dict[str, str] = {
    "root": "run as root: sudo .venv/bin/pytest koans",
    "cgroup2": "boot with the unified hierarchy: add systemd.unified_cgroup_hierarchy=1 to the kernel command line",
    "cgroup": "mount the controller: cgroup v2 (systemd.unified_cgroup_hierarchy=1) or its v1 hierarchy",
    "docker": "install and start an engine: sudo apt-get install -y docker.io && sudo systemctl start docker",
    "userns": "allow user namespaces: sudo sysctl -w user.max_user_namespaces=15000 kernel.unprivileged_userns_clone=1",
    "overlay": "load overlayfs: sudo modprobe overlay",
    "seccomp": "use a kernel with CONFIG_SECCOMP_FILTER and install libseccomp: sudo apt-get install -y libseccomp2",
    "netns": "install iproute2 and use a kernel with network namespaces: sudo apt-get install -y iproute2",
    "busybox": "install a static busybox: sudo apt-get install -y busybox-static",
    "loop": "load the loop driver: sudo modprobe loop",
    "ptrace": "Yama forbids ptrace until reboot (ptrace_scope 3): set kernel.yama.ptrace_scope=1 in /etc/sysctl.d",
    "runc": "install the OCI runtime: sudo apt-get install -y runc",
    "cni": "install the CNI reference plugins: sudo apt-get install -y containernetworking-plugins",
    "realtime": "run it where the CPU is not emulated (on the host, or koans vm where KVM works): "
                "it measures load against the wall clock, which software emulation cannot keep up with",
    "kubernetes": "start a local cluster (kind create cluster, or minikube start) and install its "
                  "Python client: .venv/bin/pip install -e '.[kube]'",
    "skopeo": "install the image copier: sudo apt-get install -y skopeo",
    "umoci": "install the OCI image tool: sudo apt-get install -y umoci",
    "dpkg": "use a Debian or Ubuntu host (the curriculum's VM): these koans read the dpkg database",
    "apparmor": "boot a kernel with AppArmor enabled (Debian/Ubuntu default; apparmor=1 security=apparmor) "
                "and install its tools: sudo apt-get install -y apparmor",
    "privileged": "the Docker engine here lacks some capabilities in its bounding set (a confined or "
                  "nested host), so runc cannot start --privileged containers: run these koans in a VM "
                  "whose engine has them all, sudo .venv/bin/koans vm --engine koans/m05 (after "
                  "sudo bin/setup --vm), or run the engine on a host that has every capability",
}
"""Each requirement a koan may declare, and the command that provides it."""

DPKG_STATUS = "/var/lib/dpkg/status"

BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox", "/usr/local/bin/busybox")


@dataclass
class Host:
    """What the probe found. `offers` answers a koan's `needs` entries."""

    root: bool
    cgroup: cgroups.Layout
    docker: str | None  # engine version, or None when no engine answers
    userns: bool
    overlay: bool
    seccomp: bool
    netns: bool
    busybox: str | None  # path of a static busybox
    loop: bool
    ptrace: bool = True  # root may ptrace its children (Yama's ptrace_scope is not 3)
    dpkg: bool = False  # a dpkg database and dpkg-query (Debian, Ubuntu)
    runc: bool = False  # the OCI runtime runc on PATH
    cni: bool = False  # the CNI reference plugins (bridge, host-local) in CNI_PLUGIN_DIR
    kubernetes: bool = False  # a kubeconfig and the kubernetes Python client (the API is asked late)
    skopeo: bool = False  # skopeo on PATH (copies OCI layouts into the engine)
    umoci: bool = False  # umoci on PATH (unpacks OCI layouts into bundles)
    apparmor: bool = False  # the AppArmor LSM is enabled and apparmor_parser is installed
    privileged: bool = False  # the engine holds every capability, so --privileged containers start
    realtime: bool = True  # not under software emulation (no slowness factor): load keeps up with the clock
    notes: dict[str, str] = field(default_factory=dict)

    def offers(self, need: str) -> bool:
        if need.startswith("cgroup:"):
            return self.cgroup.version_for(need.split(":", 1)[1]) is not None
        if need == "cgroup2":
            return self.cgroup.mode == "unified"
        value = getattr(self, need, None)
        if value is None and need not in FIXES:
            raise KeyError(f"unknown host requirement {need!r}; known: {', '.join(sorted(FIXES))}")
        return bool(value)

    def missing(self, needs: tuple[str, ...] | list[str]) -> list[str]:
        return [need for need in needs if not self.offers(need)]

    def summary(self) -> dict[str, str]:
        """One line per capability, for the report header and `koans doctor`."""
        yes = lambda ok: "yes" if ok else "no"  # noqa: E731
        return {
            "root": yes(self.root),
            "cgroups": self.cgroup.describe(),
            "docker": self.docker or "no engine answers",
            "user namespaces": yes(self.userns),
            "overlayfs": yes(self.overlay),
            "seccomp": yes(self.seccomp),
            "network namespaces": yes(self.netns),
            "static busybox": self.busybox or "not found",
            "loop devices": yes(self.loop),
            "ptrace": yes(self.ptrace),
            "dpkg database": yes(self.dpkg),
            "runc": yes(self.runc),
            "CNI plugins": yes(self.cni),
            "kubernetes": yes(self.kubernetes),
            "skopeo": yes(self.skopeo),
            "umoci": yes(self.umoci),
            "AppArmor": yes(self.apparmor),
            "privileged containers": yes(self.privileged),
            "real-time CPU (not emulated)": yes(self.realtime),
        }


def fix_for(need: str) -> str:
    """The command (or step) that provides `need` on this host."""
    return FIXES.get("cgroup" if need.startswith("cgroup:") else need, "see koans doctor")


def describe_need(need: str) -> str:
    return f"the cgroup controller '{need.split(':', 1)[1]}'" if need.startswith("cgroup:") else need


def skip_reason(missing: list[str]) -> str:
    """One sentence for a learner naming each missing piece and its fix. For display only:
    code that needs the missing pieces reads them as data (LastRun.missing)."""
    return "host lacks " + "; ".join(f"{describe_need(need)} — {fix_for(need)}" for need in missing)


class HostLacks(Skipped):
    """A skip because the host lacks `needs` (raised by `skip_lacking`); the plugin
    records the needs as data in the run's record."""

    def __init__(self, needs: list[str]) -> None:
        super().__init__(skip_reason(needs), _use_item_location=True)
        self.needs = list(needs)


def skip_lacking(*needs: str) -> NoReturn:
    """Skip the koan because the host lacks `needs` (for fixtures that find out late)."""
    raise HostLacks(list(needs))


def probe() -> Host:
    """Look at the real host. Cheap: no namespace or container is created."""
    root = os.geteuid() == 0
    return Host(
        root=root,
        cgroup=cgroups.read_layout(),
        docker=docker_version(),
        userns=_userns(),
        overlay=_filesystem("overlay"),
        seccomp=_seccomp(),
        netns=Path("/proc/self/ns/net").exists() and root,
        busybox=find_static_busybox(),
        loop=_loop_driver_loaded(),
        ptrace=_ptrace_allowed(),
        dpkg=Path(DPKG_STATUS).is_file() and shutil.which("dpkg-query") is not None,
        runc=shutil.which("runc") is not None,
        cni=all(os.access(Path(CNI_PLUGIN_DIR) / p, os.X_OK) for p in ("bridge", "host-local")),
        kubernetes=_kubernetes_configured(),
        skopeo=shutil.which("skopeo") is not None,
        umoci=shutil.which("umoci") is not None,
        apparmor=_apparmor(),
        privileged=_engine_has_every_capability(),
        realtime=child.slowness() == 1,
    )


CNI_PLUGIN_DIR = "/usr/lib/cni"
"""Where Debian's containernetworking-plugins puts the CNI reference plugins."""


def kubeconfig_path() -> Path:
    """The kubeconfig a client would read: $KUBECONFIG's first entry, else ~/.kube/config
    (the invoking user's under sudo, where kind and minikube write it)."""
    env = os.environ.get("KUBECONFIG", "").split(os.pathsep)[0]
    if env:
        return Path(env)
    home = Path.home()
    user = os.environ.get("SUDO_USER")
    if user:
        import pwd

        try:
            home = Path(pwd.getpwnam(user).pw_dir)
        except KeyError:
            pass
    return home / ".kube" / "config"


def _kubernetes_configured() -> bool:
    """Cheap: a kubeconfig and the client package; whether the API answers is asked by the
    koan's fixture (a cluster that is configured but down skips there, with the same fix)."""
    import importlib.util

    return kubeconfig_path().is_file() and importlib.util.find_spec("kubernetes") is not None


def _apparmor() -> bool:
    """The LSM is enabled (securityfs may be unmounted, e.g. in `koans vm`) and its loader is here."""
    try:
        enabled = Path("/sys/module/apparmor/parameters/enabled").read_text().strip() == "Y"
    except OSError:
        enabled = Path("/sys/kernel/security/apparmor").is_dir()
    return enabled and shutil.which("apparmor_parser") is not None


def _engine_has_every_capability() -> bool:
    """runc gives a --privileged container every capability the kernel knows; an engine whose
    own bounding set lacks one (a confined or nested host) fails to start it ("unable to apply caps")."""
    try:
        pid = int(Path("/run/docker.pid").read_text())
        status = Path(f"/proc/{pid}/status").read_text()
        last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        return False
    bounding = next((int(line.split()[1], 16) for line in status.splitlines() if line.startswith("CapBnd:")), 0)
    return bounding & (1 << last + 1) - 1 == (1 << last + 1) - 1


def docker_version() -> str | None:
    """The engine's version once it answers on the usual socket, else None."""
    try:
        from kernel_koans import docker_objects

        client = docker_objects.client(docker_objects.PROBE_TIMEOUT)
        try:
            return str(client.version().get("Version"))
        finally:
            client.close()
    except Exception:
        return None


def _ptrace_allowed() -> bool:
    """Koans that force a race open stop a child inside its fork with ptrace (kernel_koans.trace);
    Yama's ptrace_scope 3 forbids ptrace to everyone, root included."""
    try:
        return Path("/proc/sys/kernel/yama/ptrace_scope").read_text().strip() != "3"
    except OSError:
        return True  # no Yama: ptrace follows the classic rules


def _loop_driver_loaded() -> bool:
    """losetup --find asks /dev/loop-control for a free device; without it (driver not
    loaded, only present as a module) every attach fails, so a module on disk is not enough."""
    try:
        return stat.S_ISCHR(os.stat("/dev/loop-control").st_mode)
    except OSError:
        return False


def _userns() -> bool:
    try:
        return int(Path("/proc/sys/user/max_user_namespaces").read_text()) > 0
    except (OSError, ValueError):
        return False


def _filesystem(name: str) -> bool:
    try:
        known = Path("/proc/filesystems").read_text().split()
    except OSError:
        return False
    return name in known or _module_present(name)


def _module_present(name: str) -> bool:
    release = os.uname().release
    base = Path("/lib/modules") / release
    if not base.is_dir():
        return False
    return any(base.rglob(f"{name}.ko*"))


def _seccomp() -> bool:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return False
    if "Seccomp:" not in status:
        return False
    try:
        import pyseccomp  # noqa: F401  (libseccomp through its ctypes binding)
    except Exception:
        return False
    return True


def find_static_busybox() -> str | None:
    for candidate in (*BUSYBOX_CANDIDATES, shutil.which("busybox") or ""):
        if candidate and Path(candidate).is_file() and is_static_elf(Path(candidate)):
            return candidate
    return None


def is_static_elf(path: Path) -> bool:
    """True when the ELF file has no PT_INTERP header, i.e. needs no dynamic loader.

    Hand-written: the stdlib has no ELF reader and this is twenty lines.
    """
    with path.open("rb") as f:
        ident = f.read(64)
        if ident[:4] != b"\x7fELF" or ident[4] != 2:  # 64-bit only
            return False
        endian = "<" if ident[5] == 1 else ">"
        phoff, = struct.unpack_from(endian + "Q", ident, 32)
        phentsize, phnum = struct.unpack_from(endian + "HH", ident, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        p_type, = struct.unpack_from(endian + "I", table, i * phentsize)
        if p_type == 3:  # PT_INTERP
            return False
    return True
