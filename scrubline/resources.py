"""Locate project resource directories so the CLI works from any working directory.

The project root is ``$SCRUBLINE_HOME`` when set, else the nearest ancestor of this package
that holds ``pyproject.toml`` and ``schemas/`` (a source checkout or an editable install).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


@cache
def project_root() -> Path:
    """The scrubline project root (see module docstring)."""
    env = os.environ.get("SCRUBLINE_HOME")
    if env:
        return Path(env).resolve()
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file() and (parent / "schemas").is_dir():
            return parent
    raise FileNotFoundError("scrubline project root not found; set SCRUBLINE_HOME")


def schemas_dir() -> Path:
    return project_root() / "schemas"


def seeds_dir() -> Path:
    return project_root() / "seeds"


def warehouse_dir() -> Path:
    return project_root() / "warehouse"
