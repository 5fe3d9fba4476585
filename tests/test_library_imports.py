"""The library never imports Prefect (the CLI calls flows only inside the commands that run
them), and each third-party library is imported by one module of the package (``scrubline/``
and ``flows/``); the others call that module's functions. Stdlib and first-party imports are
free; imports inside functions and ``TYPE_CHECKING`` blocks count too."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CODE = """
import importlib, pkgutil, sys
import scrubline
names = sorted(m.name for m in pkgutil.walk_packages(scrubline.__path__, "scrubline."))
for name in names:
    importlib.import_module(name)
print(len(names), "prefect" in sys.modules, "flows" in sys.modules,
      "great_expectations" in sys.modules)
"""


def test_importing_every_scrubline_module_imports_neither_prefect_nor_flows() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    count, prefect, flows, gx = out.stdout.split()
    assert int(count) > 30  # the walk found the modules (cli included)
    assert (prefect, flows, gx) == ("False", "False", "False")


@pytest.mark.parametrize(
    ("library", "module"),
    [
        ("duckdb", "scrubline/warehouse/db.py"),
        ("great_expectations", "scrubline/quality/ge.py"),
        ("trafilatura", "scrubline/extract/text.py"),
        ("lxml", "scrubline/markup.py"),
        ("pyarrow", "scrubline/arrow.py"),
        ("yaml", "scrubline/yamlfile.py"),
        ("hyperscan", "scrubline/patternset.py"),
        ("ahocorasick", "scrubline/literalset.py"),
    ],
)
def test_a_library_is_imported_by_one_module(library: str, module: str) -> None:
    statement = re.compile(rf"^\s*(import|from) {library}\b", re.M)
    importers = [
        p.relative_to(ROOT).as_posix()
        for p in sorted((ROOT / "scrubline").rglob("*.py"))
        if statement.search(p.read_text(encoding="utf-8"))
    ]
    assert importers == [module]


PACKAGES = ("scrubline", "flows")
FIRST_PARTY = {"scrubline", "flows", "__future__"}


def third_party_imports(source: str) -> set[str]:
    """Top-level names of the third-party modules ``source`` imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in FIRST_PARTY}


def importers() -> dict[str, list[str]]:
    """Library -> the package modules that import it."""
    found: dict[str, list[str]] = defaultdict(list)
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in third_party_imports(path.read_text(encoding="utf-8")):
                found[name].append(path.relative_to(ROOT).as_posix())
    return found


def test_the_scan_sees_imports_of_every_form() -> None:
    source = (
        "import os\nimport lxml.etree\nfrom yaml import safe_load\nfrom . import x\n"
        "def f():\n    import hyperscan\n"
        "if TYPE_CHECKING:\n    from pyarrow import Table\n"
    )
    assert third_party_imports(source) == {"lxml", "yaml", "hyperscan", "pyarrow"}


#: The one library two modules import, and why: numpy is not a service behind an API but the
#: array type two kernels are written in (the MinHash signatures, and the feature count over
#: py3langid's model tables, which are numpy arrays); a wrapper would only re-export it.
ARRAY_KERNELS = {"numpy": ["scrubline/language.py", "scrubline/syndication.py"]}


def test_each_third_party_library_is_imported_in_one_module() -> None:
    found = importers()
    assert found["prefect"] == ["flows/pipeline.py"]  # the scan reads both folders
    for name, modules in ARRAY_KERNELS.items():
        assert found.pop(name) == modules  # exactly these, no third
    shared = {name: modules for name, modules in found.items() if len(modules) > 1}
    assert not shared, f"import each library in one module, call it from the others: {shared}"
