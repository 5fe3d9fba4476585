"""The library never imports Prefect: the CLI calls flows only inside the commands that run
them, and no scrubline module imports prefect or flows at module level."""

from __future__ import annotations

import subprocess
import sys

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
