"""The library never imports Prefect (the CLI calls flows only inside the commands that run
them), and each heavy third-party library is imported by one module."""

from __future__ import annotations

import re
import subprocess
import sys
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
