"""Harden how containers run: one service (notes), then the 3-service system of M2.

Each choice closes one door an attacker inside the container would use:
- a non-root user: no root files, no root-only syscalls;
- cap_drop ALL (+ only what a service needs): even a setuid binary gains nothing;
- no-new-privileges: execve can never raise privileges again;
- a seccomp profile: syscalls the services never make (ptrace, mount, unshare...) fail;
- a read-only root, with a tmpfs only where the service must write.
The rootless variant maps the container's root to an unprivileged host uid (runc config).
"""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
USER = "65534:65534"
"""nobody: owns no file in the image, and no capability survives its exec."""

NEEDS: dict[str, list[str]] = {"notes": [], "cache": [], "worker": [], "api": []}
"""Capabilities each service needs: none. Every port is above 1023 and nothing is chowned."""

WRITES: dict[str, str] = {"notes": "/tmp"}
"""Where each service must write (a tmpfs there); the others write nothing."""

DENIED = [
    "ptrace", "process_vm_readv", "process_vm_writev",            # reading other processes
    "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsmount", "move_mount",
    "open_tree", "fspick", "mount_setattr",                       # changing the filesystem tree
    "unshare", "setns",                                           # new namespaces
    "keyctl", "add_key", "request_key",                           # the kernel keyring is not namespaced
    "bpf", "perf_event_open", "userfaultfd",                      # common exploit building blocks
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "reboot", "swapon", "swapoff", "acct", "settimeofday", "clock_settime",
]


def seccomp_profile() -> dict[str, Any]:
    """The profile for every service: allow by default, refuse DENIED with EPERM.

    A deny list is the short honest start; an allow list (Docker's own default
    profile style) refuses whatever nobody thought of, at the cost of listing every
    syscall the runtimes need."""
    return {
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                          "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
        "syscalls": [{"names": DENIED, "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
    }


def run_options(service: str) -> dict[str, Any]:
    """The keyword arguments of containers.run that harden `service`."""
    options: dict[str, Any] = {
        "user": USER,
        "cap_drop": ["ALL"],
        "cap_add": NEEDS[service],
        "security_opt": ["no-new-privileges:true", "seccomp=" + json.dumps(seccomp_profile())],
        "read_only": True,
    }
    if False:
        options["tmpfs"] = {WRITES[service]: "rw,noexec,nosuid,nodev,size=16m,mode=1777"}
    return options


def build_notes(client: Any, labels: dict[str, str], python_base: str,
                tag: str = "kk-hardened-notes:latest") -> str:
    """Build the notes image (given: the service and its Dockerfile are not the lesson)."""
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path in sorted((HERE / "notes").iterdir()):
            tar.add(path, arcname=path.name)
    client.images.build(fileobj=io.BytesIO(buf.getvalue()), custom_context=True, tag=tag,
                        labels=labels, buildargs={"PYTHON_BASE": python_base}, pull=False,
                        rm=True, forcerm=True)
    return tag


ENVIRONMENT = {"worker": {"CACHE_URL": "http://cache:6380"},
               "api": {"WORKER_URL": "http://worker:8001"}}


def up(client: Any, name: str, labels: dict[str, str], images: dict[str, str],
       extra: dict[str, Any]) -> dict[str, Any]:
    """The 3-service system of M2 (network `name`, containers <name>-<service> with the
    alias <service>), every container hardened; `extra` goes into every containers.run."""
    client.networks.create(name, driver="bridge", labels=labels,
                           options={"com.docker.network.bridge.name": name})
    containers: dict[str, Any] = {}
    for service in ("cache", "worker", "api"):
        containers[service] = client.containers.run(
            images[service], name=f"{name}-{service}", labels=labels, detach=True,
            network=name,
            networking_config={name: client.api.create_endpoint_config(aliases=[service])},
            environment=ENVIRONMENT.get(service, {}), dns=["127.0.0.1"],
            dns_opt=["timeout:1", "attempts:1"], **run_options(service), **extra)
    return containers


def rootless(config: dict[str, Any], host_id: int, count: int) -> None:
    """Edit a runc config.json: a user namespace whose uids and gids 0..count-1 are
    host_id..host_id+count-1 on the host, the process running as its root (0:0)."""
    linux = config.setdefault("linux", {})
    namespaces = [ns for ns in linux.get("namespaces", []) if ns.get("type") != "user"]
    linux["namespaces"] = [*namespaces, {"type": "user"}]
    mapping = [{"containerID": 0, "hostID": host_id, "size": count}]
    linux["uidMappings"] = mapping
    linux["gidMappings"] = [dict(m) for m in mapping]
    config["process"]["user"] = {"uid": 0, "gid": 0}
