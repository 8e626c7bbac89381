"""M10 · CI: a pipeline file for the three-service system, run locally: build -> test -> scan.

Your file is projects/three_services/ci.toml. The koans copy the three-service project
(yours from M2, or the twin with --solutions) into a scratch folder, put your pipeline
file in it, change the copy the way a bad commit would (a broken test, a vulnerable
package), and run it with kernel_koans.pipeline_runner on this machine's engine. What
they check is the runner's record of what really ran and the engine's own image ids.
"""
from __future__ import annotations

import io
import json
import random
import secrets
import shutil
from pathlib import Path
from typing import Any

import docker.errors
import pytest

from kernel_koans import docker_objects, dpkg, exercise, koan, pipeline_runner

ci = exercise("projects/three_services/ci.toml")
stack = exercise("projects/three_services/stack")
scan = exercise("m05/scan")

ADVISORIES = Path(__file__).resolve().parent.parent / "m05" / "advisories.json"
SERVICES = ("cache", "worker", "api")
STATUS = "kk-dpkg-status"
NEEDS = ["root", "docker", "busybox", "dpkg"]
HINTS_ORDER = ["Three [[stage]] tables in the order they must run: build, test, scan. Every "
               "image is tagged with $RUN, and later stages name it by that tag.",
               "build: the worker's `go build` (a shell step in worker/), then one build step "
               "per service; test: a run step per Python service (copy its folder, run "
               "unittest); scan: one scan step per image built."]


def affected(version: str, events: list[dict[str, str]]) -> bool:
    inside = False
    for event in events:
        if "introduced" in event:
            inside = event["introduced"] == "0" or dpkg.order(version, event["introduced"]) >= 0
        elif inside:
            bound = event.get("fixed") or event["last_affected"]
            if dpkg.order(version, bound) < (0 if "fixed" in event else 1):
                return True
            inside = False
    return inside


def packages_to_plant(vulnerable: bool) -> dict[str, tuple[str, str, str]]:
    """service -> (advisory id, package, version): a different advisory's package for each
    image, just below its fix (vulnerable) or exactly at it (clean), checked with dpkg."""
    advisories = json.loads(ADVISORIES.read_text())
    edges = [(adv["id"], aff["package"]["name"], event["fixed"], rng["events"])
             for adv in advisories for aff in adv["affected"] for rng in aff["ranges"]
             for event in rng["events"] if "fixed" in event]
    random.shuffle(edges)
    chosen: dict[str, tuple[str, str, str]] = {}
    for adv, name, fixed, events in edges:
        version = f"{fixed}~kk{random.randint(1, 9)}" if vulnerable else fixed
        if affected(version, events) != vulnerable or name in {c[1] for c in chosen.values()}:
            continue
        chosen[SERVICES[len(chosen)]] = (adv, name, version)
        if len(chosen) == len(SERVICES):
            return chosen
    raise AssertionError("koans/m05/advisories.json has too few fixed ranges for this koan")


class Project:
    """A scratch copy of the three-service project with your pipeline file in it; every image
    it builds ships a dpkg database (as a Debian base would) with the koan's packages."""

    def __init__(self, scratch: Path, vulnerable: bool) -> None:
        self.dir = scratch / "three_services"
        shutil.copytree(stack.path.parent, self.dir,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "ci.toml"))
        shutil.copyfile(ci.path, self.dir / "ci.toml")
        self.planted = packages_to_plant(vulnerable)
        for service, (_, name, version) in self.planted.items():
            (self.dir / service / STATUS).write_text(dpkg.status_file({name: version, "kk-base-files": "12.4"}))
            with (self.dir / service / "Dockerfile").open("a") as dockerfile:
                dockerfile.write(f"\nCOPY {STATUS} /var/lib/dpkg/status\n")

    def break_a_test(self) -> str:
        """Append a failing test to one of the services' test files; its name."""
        target = random.choice(sorted(self.dir.glob("*/test_*.py")))
        name = f"test_kk_injected_{secrets.token_hex(4)}"
        with target.open("a") as tests:
            tests.write(f"\n\nimport unittest as _kk_unittest\n\n\n"
                        f"class KkInjected(_kk_unittest.TestCase):\n"
                        f"    def {name}(self) -> None:\n"
                        f"        self.assertEqual({random.randint(1, 99)}, 100, "
                        f"'a broken commit: this test fails')\n")
        return name


def decoy_image(client: Any, busybox_image: str, labels: dict[str, str], scratch: Path) -> str:
    """A clean image that 'another pipeline' pushed: the koan moves mutable tags onto it."""
    context = scratch / "decoy"
    context.mkdir()
    clean = packages_to_plant(False)["api"]
    files = {"Dockerfile": f"FROM {busybox_image}\nCOPY {STATUS} /var/lib/dpkg/status\n".encode(),
             STATUS: dpkg.status_file({clean[1]: clean[2], "kk-base-files": "12.4"}).encode()}
    image, _ = client.images.build(fileobj=io.BytesIO(docker_objects.tar_directory(context, files)),
                                   custom_context=True, labels=labels, pull=False, rm=True,
                                   forcerm=True, tag=f"kk-decoy-{secrets.token_hex(4)}:latest")
    return str(image.id)


def run_pipeline(project: Project, client: Any, labels: dict[str, str],
                 decoy: str) -> pipeline_runner.Result:
    """Run the copy's ci.toml. The engine is shared: after each stage another pipeline
    retags every tag this run made that does not carry this run's id (a `latest`, say)."""
    run_id = f"r{secrets.token_hex(5)}"

    def other_pipelines(stage: str, result: pipeline_runner.Result) -> None:
        for built in result.built:
            for tag in built.tags:
                if run_id not in tag:
                    repo, _, name = tag.rpartition(":") if ":" in tag else (tag, "", "latest")
                    client.api.tag(decoy, repo, name, force=True)

    advisories = json.loads(ADVISORIES.read_text())
    return pipeline_runner.run(project.dir / "ci.toml", project.dir, client, labels, scan,
                               advisories, run_id, after_stage=other_pipelines)


@pytest.fixture
def pipeline(docker_client: Any, busybox_image: str, python_image: str,
             docker_cleanup: dict[str, str], scratch: Path) -> Any:
    """pipeline(vulnerable=False, broken_test=False) -> (project copy, runner's record)."""
    if shutil.which("go") is None:
        pytest.skip("host lacks a Go toolchain for the worker — sudo apt-get install -y golang-go")
    decoy = decoy_image(docker_client, busybox_image, docker_cleanup, scratch)

    def run(vulnerable: bool = False, broken_test: bool = False) -> tuple[Project, Any, str]:
        project = Project(scratch, vulnerable)
        injected = project.break_a_test() if broken_test else ""
        return project, run_pipeline(project, docker_client, docker_cleanup, decoy), injected
    return run


def built_ids(result: pipeline_runner.Result) -> dict[str, str]:
    return {b.directory.strip("/"): b.image_id for b in result.built}


@koan(man="GitLab CI `stages:`, GitHub Actions `jobs.<id>.needs`, docker build --tag",
      hints=HINTS_ORDER, needs=NEEDS)
@pytest.mark.timeout(150)
def test_a_clean_commit_goes_build_test_scan_and_passes(pipeline: Any, docker_client: Any) -> None:
    """A pipeline is an order: build the images, test what was built, scan what was built.
    Every later stage must use the very images this run built, and leave none behind."""
    project, result, _ = pipeline()
    assert result.ok, f"the pipeline failed on a clean project: {result.summary()}"
    assert result.stages_run == ["build", "test", "scan"], (
        f"the stages ran as {result.stages_run}: build, then test, then scan")
    built = built_ids(result)
    assert set(built) == set(SERVICES), f"the build stage built images of {sorted(built)}, not of {SERVICES}"
    python_services = {built["cache"], built["api"]}
    assert python_services <= set(result.tested), (
        f"the test stage ran containers of {sorted(set(result.tested))}, not of the cache and "
        f"api images this run built ({sorted(python_services)})")
    scanned = set(result.scanned.values())
    assert scanned == set(built.values()), (
        f"the scan stage scanned images {sorted(i[:19] for i in scanned)} "
        f"({result.scanned}); this run built {sorted(i[:19] for i in built.values())}: "
        "a tag another pipeline can move is not what you built")
    for image_id in built.values():
        with pytest.raises(docker.errors.ImageNotFound):
            docker_client.images.get(image_id)
    for cid in result.containers:
        with pytest.raises(docker.errors.NotFound):
            docker_client.containers.get(cid)


@koan(man="sh(1) (exit status, ||), GitLab CI `allow_failure`, python -m unittest",
      hints=["A step fails when its command exits non-zero; nothing after a failed stage runs.",
             "Run the tests as they are (python3 -m unittest discover …) and let their exit "
             "status through: no `|| true`, no `; exit 0`. And test before you scan."],
      needs=NEEDS)
@pytest.mark.timeout(150)
def test_a_broken_test_stops_the_pipeline_before_scan(pipeline: Any) -> None:
    """A failing test must stop the line: a pipeline that goes on to scan and 'passes' ships
    a broken build. The koan adds one failing test to a copy of the project."""
    _, result, injected = pipeline(broken_test=True)
    assert not result.ok, f"the koan broke a test ({injected}) and the pipeline passed: {result.summary()}"
    assert (result.failed_stage, result.stages_run) == ("test", ["build", "test"]), (
        f"the pipeline ran {result.stages_run} and failed in {result.failed_stage!r}: a broken "
        "test fails the test stage, and no stage runs after it")
    assert injected in " ".join(result.failures), (
        f"the test stage failed, but not on the koan's broken test {injected}: {result.summary()}")
    assert not result.scanned, f"the pipeline scanned {sorted(result.scanned)} after a failed test"


@koan(man="https://ossf.github.io/osv-schema/, dpkg(1), docker image inspect (Id)", hints=[
    "Scan every image this run built, by the tag that carries $RUN: the scan must see the "
    "packages that are really in it.",
    "One scan step per service's image (kk-ci-<service>:$RUN). A `latest` tag is moved by "
    "other pipelines between your stages: the koan does exactly that."], needs=NEEDS)
@pytest.mark.timeout(150)
def test_a_vulnerable_package_fails_the_scan_of_the_built_images(pipeline: Any) -> None:
    """Scanning is a gate on the artifact, not on the Dockerfile or on a tag: every image
    this run built is read, and one known-vulnerable package fails the pipeline."""
    project, result, _ = pipeline(vulnerable=True)
    assert result.stages_run == ["build", "test", "scan"] and result.failed_stage == "scan", (
        f"with a vulnerable package in every image the scan stage must fail: {result.summary()}")
    built = built_ids(result)
    for service, (advisory, package, version) in project.planted.items():
        found = result.findings.get(built.get(service, "?"), set())
        assert (advisory, package) in found, (
            f"the {service} image this run built ({built.get(service, '?')[:19]}) has {package} "
            f"{version} ({advisory}); the scan of it found {sorted(found) or 'nothing'} "
            f"(images scanned: {result.scanned})")
