"""Koans run in curriculum order: milestone, manifest file order, definition order."""
from __future__ import annotations

KOAN = '''
@koan(man="x(1)", hints=["h"])
def test_{name}():
    """Lesson {name}."""
'''

HEADER = "from kernel_koans.koan import koan\n"


def _file(*names: str) -> str:
    return HEADER + "".join(KOAN.format(name=n) for n in names)


def _call_order(result) -> list[str]:
    return [r.nodeid.split("::")[1] for r in vars(result)["reprec"].getreports("pytest_runtest_logreport")
            if r.when == "call"]


def test_manifest_then_definition_then_unlisted(kk) -> None:
    # alphabetical order would be: alpha, beta, zeta and a, b, c: the manifest says otherwise
    kk.manifest(m00=["test_zeta.py", "test_alpha.py"], m01=["test_one.py"])
    kk.write("koans/m00/test_zeta.py", _file("zeta_c", "zeta_a", "zeta_b"))
    kk.write("koans/m00/test_alpha.py", _file("alpha_2", "alpha_1"))
    kk.write("koans/m00/test_beta.py", _file("beta_unlisted"))  # not in the manifest
    kk.write("koans/m01/test_one.py", _file("one_b", "one_a"))
    # give the milestones in reverse on the command line: the order must not follow argv
    result = kk.run("koans/m01", "koans/m00")
    result.assert_outcomes(passed=8)
    assert _call_order(result) == [
        "test_zeta_c", "test_zeta_a", "test_zeta_b",  # m00, first file listed, definition order
        "test_alpha_2", "test_alpha_1",               # m00, second file listed
        "test_beta_unlisted",                         # m00, unlisted: after the listed ones
        "test_one_b", "test_one_a",                   # m01 after m00
    ]


def test_catalog_keeps_curriculum_order(kk) -> None:
    """The catalog (used by `koans next` and the report) records the same order."""
    import json

    kk.manifest(m00=["test_b.py", "test_a.py"])
    kk.write("koans/m00/test_a.py", _file("first_in_a"))
    kk.write("koans/m00/test_b.py", _file("first_in_b"))
    kk.run("--collect-only", "koans").assert_outcomes()
    catalog = json.loads((kk.state / "catalog.json").read_text())
    ordered = sorted(catalog.values(), key=lambda e: e["order"])
    assert [e["name"] for e in ordered] == ["test_first_in_b", "test_first_in_a"]
    assert {e["milestone"] for e in ordered} == {"m00"}
