"""M5 · Image scanning: an image's package database against advisories, ordered as dpkg orders.

Your code (m05/scan.py) compares versions (checked against `dpkg --compare-versions` with
generated versions), reads the dpkg database out of a kk- image the koan built, and matches
it against koans/m05/advisories.json (OSV-shaped).
"""
from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel_koans import docker_objects, dpkg, exercise, koan

scan = exercise("m05/scan")

ADVISORIES = Path(__file__).with_name("advisories.json")


PIECE = st.one_of(st.integers(0, 120).map(str), st.integers(0, 9).map(lambda n: "0" * n + "1"),
                  st.sampled_from(["a", "b", "rc", "z", "A", "dfsg", "deb12u", "bpo"]),
                  st.sampled_from([".", "+", "~", "~~", "."]))


@st.composite
def versions(draw: st.DrawFn) -> str:
    """Valid Debian versions: [epoch:]upstream[-revision], upstream starting with a digit."""
    epoch = draw(st.sampled_from(["", "", "", "0:", "1:", "2:", "10:"]))
    upstream = str(draw(st.integers(0, 12))) + "".join(draw(st.lists(PIECE, max_size=5)))
    revision = draw(st.one_of(st.just(""), st.lists(PIECE, min_size=1, max_size=4).map(
        lambda parts: "-" + str(random.Random(len(parts)).randint(0, 9)) + "".join(parts))))
    return epoch + upstream + revision


def near(version: str) -> st.SearchStrategy[str]:
    """Versions just around `version`: the ones a naive compare gets wrong."""
    return st.sampled_from([version, version + "~1", version + "+1", version + "0", version + "~",
                            version.replace("1", "01", 1)])


@koan(man="deb-version(7), dpkg(1) (--compare-versions)",
      hints=["Compare epoch, then upstream, then revision. Strings of digits compare as numbers; "
             "what sorts before the end of a string?",
             "dpkg's verrevcmp: alternate non-digit runs (letters before other symbols, '~' before "
             "everything, even the empty end) and digit runs (numerically, leading zeros ignored)."],
      needs=["dpkg"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_versions_compare_the_way_dpkg_compares(data: st.DataObject) -> None:
    """A scanner must order versions as the package manager does: 1.10 is after 1.9 and
    3.0~rc1 before 3.0; a plain string compare misses fixed-vs-vulnerable by exactly these."""
    a = data.draw(versions(), label="a")
    b = data.draw(st.one_of(versions(), near(a)), label="b")
    said = dpkg.without_tools(scan.compare_versions, a, b)  # dpkg, the oracle, is not there to ask
    assert said == dpkg.order(a, b), (
        f"dpkg orders {a!r} {'<=>'[dpkg.order(a, b) + 1]} {b!r}; compare_versions said {said}")


def boundaries(advisories: list[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for advisory in advisories:
        for affected in advisory["affected"]:
            for rng in affected["ranges"]:
                for event in rng["events"]:
                    out.setdefault(affected["package"]["name"], []).extend(
                        v for v in event.values() if v != "0")
    return out


def candidates(edge: str) -> list[str]:
    epoch, sep, rest = edge.rpartition(":")
    return [edge, edge + "~1", edge + "+kk1", edge + ".1", f"{epoch}{sep}{rest}~", "0.1-1", "99:0.1"]


def oracle_findings(packages: dict[str, str], advisories: list[dict[str, Any]]) -> set[tuple[str, str]]:
    out = set()
    for advisory in advisories:
        for affected in advisory["affected"]:
            name = affected["package"]["name"]
            for rng in affected["ranges"]:
                if name not in packages:
                    continue
                inside = False
                for event in rng["events"]:
                    if "introduced" in event:
                        inside = event["introduced"] == "0" or dpkg.order(packages[name], event["introduced"]) >= 0
                    elif inside:
                        bound = event.get("fixed") or event["last_affected"]
                        limit = -1 if "fixed" in event else 0
                        if dpkg.order(packages[name], bound) <= limit:
                            out.add((advisory["id"], name))
                        inside = False
                if inside:
                    out.add((advisory["id"], name))
    return out


@koan(man="dpkg(1) (FILES: status), https://ossf.github.io/osv-schema/, deb-version(7)",
      hints=["Three steps: get the database out of the image, keep what is really installed, "
             "test each package's version against each advisory's ranges.",
             "containers.create + get_archive('/var/lib/dpkg/status') (a tar stream); stanzas split "
             "by blank lines, Status must end in 'installed'; introduced <= v < fixed, or "
             "<= last_affected, with compare_versions."],
      needs=["docker", "busybox", "dpkg"])
def test_the_scanner_finds_what_the_advisories_name(docker_client: Any, busybox_image: str,
                                                      docker_cleanup: dict[str, str], scratch: Path) -> None:
    """A scanner reads the image's own package database, not the Dockerfile, and compares every
    installed version with the advisories' ranges; removed packages are not vulnerable."""
    advisories = json.loads(ADVISORIES.read_text())
    edges = boundaries(advisories)
    chosen = {name: random.choice(candidates(random.choice(found))) for name, found in edges.items()}
    gone = random.choice(sorted(chosen))
    removed = {gone: chosen.pop(gone)}
    status = dpkg.status_file({**chosen, "kk-unrelated": "1.0-1"}, config_only=removed)
    dockerfile = f"FROM {busybox_image}\nCOPY status /var/lib/dpkg/status\n".encode()
    context = docker_objects.tar_directory(scratch, {"Dockerfile": dockerfile, "status": status.encode()})
    image, _ = docker_client.images.build(fileobj=io.BytesIO(context), custom_context=True,
                                          labels=docker_cleanup, rm=True, forcerm=True, pull=False)
    text = scan.package_database(docker_client, image.id, docker_cleanup)
    assert text == status, "package_database did not return the image's /var/lib/dpkg/status"
    packages = scan.installed(text)
    assert packages == {**chosen, "kk-unrelated": "1.0-1"}, (
        f"installed() gave {packages}; installed are {chosen} and kk-unrelated ({gone} was removed)")
    # every version near every range edge, one at a time, after the image's own set
    singles = [{name: version} for name, found in edges.items()
               for version in sorted({v for edge in found for v in candidates(edge)})]
    # in one child where dpkg, the oracle, is not there to ask
    got_all = dpkg.without_tools(lambda: [scan.findings(p, advisories) for p in [packages, *singles]])
    wanted = oracle_findings(packages, advisories)
    assert got_all[0] == wanted, (
        f"for the versions {chosen} the advisories name {sorted(wanted)} (dpkg's order); "
        f"findings gave {sorted(got_all[0])}")
    for single, got in zip(singles, got_all[1:], strict=True):
        wanted = oracle_findings(single, advisories)
        assert got == wanted, (
            f"{single}: the advisories name {sorted(wanted)} (dpkg's order); findings gave {sorted(got)}")
