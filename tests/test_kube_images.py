"""kube_images: which route puts images onto a node, and the names a CRI runtime gives them."""
from __future__ import annotations

import shutil

import pytest

from kernel_koans.infra import kube_images


def test_a_short_docker_name_is_docker_io_library_on_the_node() -> None:
    assert kube_images.node_name("kk-three-abc-api:latest") == "docker.io/library/kk-three-abc-api:latest"
    assert kube_images.node_name("kernel-koans/python:latest") == "docker.io/kernel-koans/python:latest"
    assert kube_images.node_name("localhost:5000/x:1") == "localhost:5000/x:1"
    assert kube_images.node_name("registry.k8s.io/pause:3.2") == "registry.k8s.io/pause:3.2"


def test_the_containerd_socket_wins_and_no_route_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(kube_images.CONTAINERD_ENV, "/run/some/containerd.sock")
    assert kube_images.route() == "containerd"
    monkeypatch.delenv(kube_images.CONTAINERD_ENV)
    monkeypatch.setattr(shutil, "which", lambda tool: "/usr/bin/minikube" if tool == "minikube" else None)
    assert kube_images.route() == "minikube"
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    with pytest.raises(kube_images.NoRoute, match=kube_images.CONTAINERD_ENV):
        kube_images.route()
