"""Where things are: the user's project folder, and the defaults packaged with scrubline.

Two kinds of place, never mixed:

- **the project** (:mod:`scrubline.project`): where the user is. Its ``scrubline.toml``
  names the warehouse, the inputs and the outlet registry; what scrubline writes (the
  warehouse, raw store, published copy, reports, Data Docs, lineage events) goes there.
- **packaged defaults**: read-only files that ship inside the wheel (SQL migrations, views and
  reports, suites, lexicons: package data next to the code that reads them; the outlet
  registry and the sample corpus: this repository's ``seeds/``, shipped as
  ``scrubline/_defaults/seeds``). In a source checkout or an editable install they are read
  from the checkout.
"""

from __future__ import annotations

from pathlib import Path

from . import project

_PACKAGE = Path(__file__).resolve().parent


def project_root() -> Path:
    """The current project folder (see :mod:`scrubline.project`)."""
    return project.find()


def packaged(name: str) -> Path:
    """A packaged default folder or file (``seeds``, ``schemas/clean_record.schema.json``)."""
    for base in (_PACKAGE / "_defaults", _PACKAGE.parent):
        candidate = base / name
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"packaged resource {name!r} is missing from this installation of scrubline")


def schemas_dir() -> Path:
    """Packaged JSON Schemas (``clean_record.schema.json``)."""
    return packaged("schemas")


def seeds_dir() -> Path:
    """The bundled sample corpus (five articles, their manifest, sources.yaml, outlets.csv)."""
    return packaged("seeds")


def default_outlets_csv() -> Path:
    """The project's outlet registry when it has one, else the packaged registry."""
    here = project.current().outlets_csv
    return here if here.is_file() else seeds_dir() / "outlets.csv"


def database_path() -> Path:
    """The project's working warehouse file."""
    return project.current().database


def project_views_dir() -> Path:
    """The project's own analyst views (``views/*.sql``), created after the packaged ones."""
    return project.current().views_dir


def warehouse_dir() -> Path:
    """The folder of the project's working warehouse (reports and Data Docs go beside it)."""
    return database_path().parent


def project_packs_dir() -> Path:
    """The project's own rule packs (``packs/<outlet_id>.yaml``), replacing packaged ones."""
    return project.current().packs_dir
