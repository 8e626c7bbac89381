"""Put locally built docker images onto a cluster's node, and take them off again.

A node never pulls in the koans (no registry answers): the images the engine built are
copied into the node's own image store, and pods name them with imagePullPolicy: Never.

Routes, first that applies wins:
  - KERNEL_KOANS_KUBE_CONTAINERD=<socket>: the node's containerd on this host; each image
    is streamed from the engine (`docker save`) into `ctr -a <socket> -n k8s.io images
    import -`. The only route the project's own checks have run (a kubelet on this host).
  - `kind` on PATH: `kind load docker-image` (its nodes are containers of this engine).
  - `minikube` on PATH: `minikube image load`.
The kind and minikube routes follow those tools' documented commands but have not been
run by the project's checks: no such cluster could be made where they were written.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from typing import Any

CONTAINERD_ENV = "KERNEL_KOANS_KUBE_CONTAINERD"
"""The env var naming a node's containerd socket on this host."""

LOAD_TIMEOUT = 180.0

FIX = (f"run kind (kind on PATH) or minikube (minikube on PATH), or name your node's "
       f"containerd socket: export {CONTAINERD_ENV}=/run/containerd/containerd.sock")


class NoRoute(LookupError):
    """No way onto this cluster's node is known: the koan skips, naming FIX."""


def route() -> str:
    """Which route `load` takes: "containerd", "kind" or "minikube" (NoRoute if none)."""
    if os.environ.get(CONTAINERD_ENV):
        return "containerd"
    for tool in ("kind", "minikube"):
        if shutil.which(tool):
            return tool
    raise NoRoute(FIX)


def node_name(tag: str) -> str:
    """The name a CRI runtime gives `tag` (a short docker name is docker.io/library/...)."""
    first = tag.split("/", 1)[0]
    if "/" not in tag:
        return f"docker.io/library/{tag}"
    if "." in first or ":" in first or first == "localhost":
        return tag
    return f"docker.io/{tag}"


def _ctr(*args: str) -> list[str]:
    return ["ctr", "-a", os.environ[CONTAINERD_ENV], "-n", "k8s.io", *args]


def _import_streamed(client: Any, tag: str) -> None:
    """`docker save tag | ctr images import -`, without a file in between."""
    proc = subprocess.Popen(_ctr("images", "import", "-"), stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stdin, stderr = proc.stdin, proc.stderr
    assert stdin is not None and stderr is not None
    errors: list[bytes] = []
    reader = threading.Thread(target=lambda: errors.append(stderr.read()), daemon=True)
    reader.start()
    try:
        for chunk in client.images.get(tag).save(named=True):
            stdin.write(chunk)
    finally:
        stdin.close()
        rc = proc.wait(LOAD_TIMEOUT)
        reader.join(5)
    if rc != 0:
        raise RuntimeError(f"ctr images import of {tag} failed: {b''.join(errors).decode(errors='replace')}")


def node_refs(client: Any, tags: list[str]) -> list[str]:
    """Every name a CRI runtime's containerd keeps for `tags`: the full name and the image id
    (`sha256:<config digest>`, the engine's id too). Removing the name alone leaves the id,
    an untagged image on the node, one more each run, until the kubelet's status (its 50
    largest images) no longer lists the sandbox image."""
    return [*(node_name(t) for t in tags), *(str(client.images.get(t).id) for t in tags)]


def load(client: Any, tags: list[str]) -> Callable[[], None]:
    """Copy the engine's images `tags` onto the node; returns the undo (removes them there)."""
    how = route()
    refs = node_refs(client, tags)
    if how == "containerd":
        for tag in tags:
            _import_streamed(client, tag)
        return lambda: _run(_ctr("images", "rm", *refs))
    if how == "kind":
        _run(["kind", "load", "docker-image", *tags])
        return lambda: _kind_rmi(refs)
    _run(["minikube", "image", "load", "--overwrite=true", *tags])
    return lambda: _run(["minikube", "image", "rm", *tags])


def _kind_rmi(refs: list[str]) -> None:
    """kind has no unload: remove the images from each node's containerd (nodes: containers)."""
    nodes = subprocess.run(["kind", "get", "nodes"], capture_output=True, text=True,
                           timeout=LOAD_TIMEOUT, check=True).stdout.split()
    for node in nodes:
        _run(["docker", "exec", node, "ctr", "-n", "k8s.io", "images", "rm", *refs])


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=LOAD_TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} … failed: {done.stderr.strip()[-400:]}")
