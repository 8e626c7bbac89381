"""The repo's own map stays true: every document it cites exists, and the package's module
map in kernel_koans/__init__.py names every module, no more, no fewer."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from kernel_koans import paths

TOP_DIRS = ("docs", "koans", "projects", "plugin", "solutions", "tests", "bin", "bench")
# A path in quotes in code is data (a file a koan makes), not a citation.
REPO_PATH = re.compile(r"(?<![\w/.'\"-])((?:" + "|".join(TOP_DIRS) + r")/[\w./-]+\.md)\b(?!['\"])")
BARE_DOC = re.compile(r"(?<![\w/.-])([A-Z][A-Z_]+\.md)\b")
EXTERNAL = {"SPEC.md": "the CNI spec's, named with its repository where cited"}


def _tracked(root: Path) -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True,
                           check=True).stdout.split()
    return [root / n for n in names if n.endswith((".py", ".md", ".toml")) or n.startswith("bin/")]


def test_no_document_cites_a_file_the_repo_lacks() -> None:
    root = paths.repo_root()
    tracked = _tracked(root)
    names = {p.name for p in tracked}
    missing = []
    for path in tracked:
        text = path.read_text(errors="replace")
        for cited in REPO_PATH.findall(text):
            if not list(root.glob(cited.replace("mNN", "m[0-9][0-9]"))):
                missing.append(f"{path.relative_to(root)}: {cited}")
        for cited in BARE_DOC.findall(text):
            if cited not in names and cited not in EXTERNAL:
                missing.append(f"{path.relative_to(root)}: {cited}")
    assert not missing, "cited but not in the repo:\n" + "\n".join(missing)


def test_the_module_map_names_every_module() -> None:
    """Top-level modules by name, the framework's by path (runner/plugin), fixtures/ as one."""
    import kernel_koans

    doc = kernel_koans.__doc__ or ""
    start = doc.index("Module map")
    listed = set(re.findall(r"^    ([\w/]+) ", doc[start:], re.M))
    package = Path(kernel_koans.__file__).parent
    modules = {"fixtures/"}
    for path in package.rglob("*.py"):
        rel = path.relative_to(package).with_suffix("")
        if rel.name != "__init__" and rel.parts[0] != "fixtures":
            modules.add(rel.as_posix())
    assert not modules - listed, f"modules the map leaves out: {sorted(modules - listed)}"
    assert not listed - modules, f"the map names modules that do not exist: {sorted(listed - modules)}"
