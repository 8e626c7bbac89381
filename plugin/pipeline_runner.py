"""Run a CI pipeline file (TOML) locally against the Docker engine: build, test, scan.

Hand-written on purpose: the maintained runners for pipeline files (GitLab's
`gitlab-runner`, `act` for GitHub workflows, Woodpecker, Drone) are services or
binaries that pull their job images from a registry, and none runs offline on
the koans' local bases. The format here is deliberately small, enough to show
what a CI file declares and what a runner does with it:

    [[stage]]                      # stages run in the order they are written
    name = "build"
    steps = [                      # every step of a stage runs; a failed step fails the
                                   # stage, and a failed stage stops the pipeline
      {shell = "go build -o worker .", dir = "worker"},   # on this machine, in the project
      {build = "api", tag = "kk-ci-api:$RUN"},            # an image from a directory
      {image = "kk-ci-api:$RUN", copy = "api", run = "python3 -m unittest"},  # in a container
      {scan = "kk-ci-api:$RUN"},   # the image's dpkg database against the advisories
    ]

`$RUN` is this pipeline run's id (CI systems call it CI_PIPELINE_ID, GITHUB_RUN_ID).
A `run` step runs `sh -c RUN` in a container of `image`, offline (no network), with
the directory `copy` copied to /src (its working directory). A `scan` step reads the
image's package database with the scanner it is given (the M5 exercise) and fails on
any advisory it matches. Every image the runner builds must be named kk-…; everything
it makes carries the koans' labels and is removed when the pipeline ends.
"""
from __future__ import annotations

import io
import os
import string
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from kernel_koans.paths import PREFIX

KINDS = ("shell", "build", "run", "scan")
STEP_TIMEOUT = 180
SRC = "/src"


class PipelineError(ValueError):
    """The pipeline file cannot be run as written (its message says which part)."""


@dataclass
class Step:
    kind: str
    spec: dict[str, Any]


@dataclass
class Stage:
    name: str
    steps: list[Step]


@dataclass
class Built:
    directory: str
    tags: list[str]
    image_id: str


@dataclass
class Result:
    """What happened, in order: the runner's record, read by the koans."""

    run_id: str
    stages_run: list[str] = field(default_factory=list)
    failed_stage: str | None = None
    failures: list[str] = field(default_factory=list)
    built: list[Built] = field(default_factory=list)
    tested: list[str] = field(default_factory=list)  # image ids test containers ran from
    scanned: dict[str, str] = field(default_factory=dict)  # image ref -> image id it named
    findings: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # image id -> found
    containers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed_stage is None

    def summary(self) -> str:
        said = f"stages run: {' -> '.join(self.stages_run) or 'none'}"
        if self.ok:
            return said + "; passed"
        return said + f"; failed in {self.failed_stage!r}: " + "; ".join(self.failures)[-1500:]


def load(path: Path) -> list[Stage]:
    """The stages of a pipeline file, checked for shape (not for sense: that is the koans')."""
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise PipelineError(f"{path.name} is not valid TOML: {err}") from None
    raw = data.get("stage", [])
    if not raw:
        raise NotImplementedError(f"{path.name} should declare the pipeline's stages "
                                  "([[stage]] tables with a name and steps)")
    stages = []
    for i, table in enumerate(raw):
        name = table.get("name") if isinstance(table, dict) else None
        steps = table.get("steps") if isinstance(table, dict) else None
        if not isinstance(name, str) or not name or not isinstance(steps, list) or not steps:
            raise PipelineError(f"{path.name}: stage {i + 1} needs a name and a list of steps")
        stages.append(Stage(name, [_step(name, s) for s in steps]))
    return stages


def _step(stage: str, spec: Any) -> Step:
    kinds = [k for k in KINDS if isinstance(spec, dict) and k in spec]
    if len(kinds) != 1:
        raise PipelineError(f"stage {stage!r}: each step is a table with exactly one of "
                            f"{', '.join(KINDS)}: {spec!r}")
    if kinds[0] == "run" and "image" not in spec:
        raise PipelineError(f"stage {stage!r}: a run step names the image it runs in: {spec!r}")
    return Step(kinds[0], spec)


def run(pipeline: Path, project: Path, client: Any, labels: dict[str, str], scanner: Any,
        advisories: list[dict[str, Any]], run_id: str,
        after_stage: Callable[[str, Result], None] | None = None) -> Result:
    """Run `pipeline` on the project directory `project`; remove what it made; the record.

    `scanner` has the M5 scan exercise's package_database, installed and findings.
    `after_stage(name, result)` is called after each stage that passed (the koans use it
    to play the other pipelines that share this engine)."""
    stages = load(pipeline)
    result = Result(run_id)
    runner = _Runner(project, client, labels, scanner, advisories, result)
    try:
        for stage in stages:
            result.stages_run.append(stage.name)
            failures = [f for step in stage.steps if (f := runner.step(step)) is not None]
            if failures:
                result.failed_stage = stage.name
                result.failures = failures
                break
            if after_stage is not None:
                after_stage(stage.name, result)
    finally:
        runner.clean()
    return result


class _Runner:
    def __init__(self, project: Path, client: Any, labels: dict[str, str], scanner: Any,
                 advisories: list[dict[str, Any]], result: Result) -> None:
        self.project, self.client, self.labels = project, client, labels
        self.scanner, self.advisories, self.result = scanner, advisories, result

    def text(self, value: Any) -> str:
        return string.Template(str(value)).safe_substitute(RUN=self.result.run_id)

    def directory(self, value: Any) -> Path:
        where = (self.project / self.text(value)).resolve()
        if where != self.project.resolve() and self.project.resolve() not in where.parents:
            raise PipelineError(f"{value!r} is outside the project")
        return where

    def step(self, step: Step) -> str | None:
        """None when the step passed, else what went wrong (one line)."""
        try:
            return getattr(self, "do_" + step.kind)(step.spec)
        except PipelineError as err:
            return f"{step.kind} step: {err}"

    def do_shell(self, spec: dict[str, Any]) -> str | None:
        command = self.text(spec["shell"])
        done = subprocess.run(["sh", "-c", command], cwd=self.directory(spec.get("dir", ".")),
                              capture_output=True, text=True, timeout=STEP_TIMEOUT,
                              env={**os.environ, "RUN": self.result.run_id})
        if done.returncode != 0:
            return f"`{command}` exited {done.returncode}: {(done.stdout + done.stderr)[-600:]}"
        return None

    def do_build(self, spec: dict[str, Any]) -> str | None:
        import docker.errors

        raw = spec.get("tag", spec.get("tags"))
        tags = [self.text(t) for t in (raw if isinstance(raw, list) else [raw])]
        if raw is None or not all(t.startswith(PREFIX) for t in tags):
            raise PipelineError(f"images this runner builds are tagged {PREFIX}…: {raw!r}")
        context = self.directory(spec["build"])
        args = {k: self.text(v) for k, v in dict(spec.get("args", {})).items()}
        try:
            image, _ = self.client.images.build(path=str(context), tag=tags[0], labels=self.labels,
                                                buildargs=args, pull=False, rm=True, forcerm=True)
        except (docker.errors.BuildError, docker.errors.APIError) as err:
            return f"building {spec['build']!r} failed: {str(err)[-600:]}"
        for extra in tags[1:]:
            repo, _, tag = extra.rpartition(":") if ":" in extra.split("/")[-1] else (extra, "", "latest")
            image.tag(repo, tag)
        self.result.built.append(Built(str(spec["build"]), tags, image.id))
        return None

    def do_run(self, spec: dict[str, Any]) -> str | None:
        import docker.errors

        ref, command = self.text(spec["image"]), self.text(spec["run"])
        try:
            box = self.client.containers.create(
                ref, entrypoint=["/bin/sh", "-c"], command=[command], labels=self.labels,
                network_mode="none", working_dir=SRC if "copy" in spec else None)
        except docker.errors.DockerException as err:
            return f"no container from {ref!r}: {str(err)[-300:]}"
        self.result.containers.append(box.id)
        self.result.tested.append(str(box.attrs["Image"]))
        if "copy" in spec:
            box.put_archive("/", _tar(self.directory(spec["copy"]), SRC.strip("/")))
        box.start()
        try:
            code = int(box.wait(timeout=STEP_TIMEOUT)["StatusCode"])
        except Exception:  # noqa: BLE001 - the engine's read timed out: the step hung
            box.kill()
            return f"`{command}` in {ref} ran past {STEP_TIMEOUT} s"
        if code != 0:
            out = box.logs().decode(errors="replace")
            return f"`{command}` in {ref} exited {code}: {out[-800:]}"
        return None

    def do_scan(self, spec: dict[str, Any]) -> str | None:
        import docker.errors

        ref = self.text(spec["scan"])
        try:
            image_id = str(self.client.images.get(ref).id)
        except docker.errors.ImageNotFound:
            return f"there is no image {ref!r} to scan"
        self.result.scanned[ref] = image_id
        try:
            status = self.scanner.package_database(self.client, image_id, self.labels)
        except docker.errors.NotFound:  # no /var/lib/dpkg/status: no packages to match
            status = ""
        found = set(self.scanner.findings(self.scanner.installed(status), self.advisories))
        self.result.findings[image_id] = found
        if found:
            return f"{ref} ({image_id[:19]}) has known-vulnerable packages: {sorted(found)}"
        return None

    def clean(self) -> None:
        """Every container and image this run made: the engine is left as it was."""
        import docker.errors

        for cid in self.result.containers:
            try:
                self.client.containers.get(cid).remove(force=True)
            except docker.errors.NotFound:
                pass
        for built in self.result.built:
            try:
                self.client.images.remove(built.image_id, force=True)
            except docker.errors.ImageNotFound:
                pass


def _tar(directory: Path, arcname: str) -> bytes:
    """`directory` as a tar stream under `arcname`, readable by any user in the container."""
    def public(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o755 if info.isdir() or info.mode & 0o111 else 0o644
        return info

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(directory, arcname=arcname, filter=public)
    return buf.getvalue()
