"""The user's project folder: where scrubline reads its settings and writes its warehouse.

A project is a folder holding ``scrubline.toml`` (settings), usually with ``sources.yaml``
(what scheduled runs read), ``outlets.csv`` (the outlet registry) and optional overrides:
``views/*.sql`` (extra analyst views), ``expectations/*.json`` (suites replacing the
packaged ones by name), ``packs/<outlet_id>.yaml`` (rule packs). Everything else comes from
the defaults packaged with scrubline (migrations, views, suites, lexicons, reference data).

Which folder is the project, first match wins:

1. ``--project DIR`` on the command line (the CLI sets ``SCRUBLINE_HOME`` for its children);
2. ``$SCRUBLINE_HOME``;
3. the current directory or its nearest ancestor holding ``scrubline.toml``;
4. the current directory itself, with default settings (so ``scrubline clean`` works anywhere).

The project is where the user is, never where the code is installed. Relative paths in
``scrubline.toml`` are relative to the project folder.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SETTINGS_FILE = "scrubline.toml"
ENV_HOME = "SCRUBLINE_HOME"


class ProjectError(ValueError):
    """The project's settings cannot be used (unknown key, wrong type, unreadable file)."""


@dataclass(frozen=True)
class Settings:
    """``scrubline.toml``'s ``[scrubline]`` table, with the defaults a new project gets."""

    #: the working warehouse (the writer's file)
    database: str = "warehouse/scrubline.duckdb"
    #: what ``scrubline run`` reads when given no paths: files, folders, sources manifests
    inputs: tuple[str, ...] = ("sources.yaml",)
    #: the outlet registry
    outlets: str = "outlets.csv"
    #: processes that clean documents
    workers: int = 2
    #: documents per clean/load batch
    batch_size: int = 500
    #: seconds a run waits for another run's write lock
    lock_timeout: int = 600
    #: seconds Prefect's temporary local API may take to start
    prefect_startup_timeout: int = 120
    #: languages the data-quality check accepts (primary subtags); empty = the suite's list
    allowed_languages: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, values: dict[str, Any], source: str) -> Settings:
        known = {f: getattr(cls, f) for f in cls.__dataclass_fields__}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ProjectError(
                f"{source}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(known)}"
            )
        clean: dict[str, Any] = {}
        for key, value in values.items():
            default = known[key]
            if isinstance(default, tuple):
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ProjectError(f"{source}: {key} must be a list of strings")
                value = tuple(value)
            elif isinstance(value, bool) or not isinstance(value, type(default)):
                raise ProjectError(f"{source}: {key} must be a {type(default).__name__}, not {value!r}")
            elif isinstance(default, int) and value <= 0:
                raise ProjectError(f"{source}: {key} must be positive, not {value}")
            clean[key] = value
        return cls(**clean)


@dataclass(frozen=True)
class Project:
    """A project folder and its settings; paths are absolute."""

    root: Path
    settings: Settings = field(default_factory=Settings)
    #: whether ``scrubline.toml`` exists (an implicit project has defaults only)
    configured: bool = False

    def path(self, relative: str | Path) -> Path:
        """A path from the settings, resolved against the project folder."""
        given = Path(relative).expanduser()
        return given if given.is_absolute() else self.root / given

    @property
    def database(self) -> Path:
        return self.path(self.settings.database)

    @property
    def outlets_csv(self) -> Path:
        return self.path(self.settings.outlets)

    @property
    def inputs(self) -> list[str]:
        return [s if "://" in s else str(self.path(s)) for s in self.settings.inputs]

    @property
    def views_dir(self) -> Path:
        return self.root / "views"

    @property
    def expectations_dir(self) -> Path:
        return self.root / "expectations"

    @property
    def packs_dir(self) -> Path:
        return self.root / "packs"


def load(root: Path) -> Project:
    """The project at ``root`` (its ``scrubline.toml`` if present, else default settings)."""
    root = root.resolve()
    settings_path = root / SETTINGS_FILE
    if not settings_path.is_file():
        return Project(root)
    try:
        data = tomllib.loads(settings_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProjectError(f"{settings_path}: {exc}") from exc
    extra = sorted(set(data) - {"scrubline"})
    if extra:
        raise ProjectError(
            f"{settings_path}: unknown table(s) {', '.join(extra)}; settings go under [scrubline]"
        )
    table = data.get("scrubline", {})
    if not isinstance(table, dict):
        raise ProjectError(f"{settings_path}: [scrubline] must be a table")
    return Project(root, Settings.from_mapping(table, str(settings_path)), configured=True)


def find(start: Path | None = None) -> Path:
    """The project folder for a command started in ``start`` (default: the current directory)."""
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser().resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return here


def current() -> Project:
    """The project of this process (see the module docstring)."""
    return load(find())


SETTINGS_TEMPLATE = """\
# scrubline project settings. Relative paths are relative to this folder.
[scrubline]
# the working warehouse (analysts read the published copy: <folder>/published/<name>)
database = "warehouse/scrubline.duckdb"
# what `scrubline run` reads when given no paths: files, folders, sources manifests, URLs
inputs = ["sources.yaml"]
# the outlet registry (id, name, domains, country, kind, language)
outlets = "outlets.csv"
# processes that clean documents, documents per batch
workers = 2
batch_size = 500
# seconds a run waits for another run's write lock
lock_timeout = 600
# seconds Prefect's temporary local API may take to start (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)
prefect_startup_timeout = 120
# languages the data-quality check accepts (primary subtags); empty: the packaged suite's list
allowed_languages = []
"""

SOURCES_TEMPLATE = """\
# What scheduled runs read (`scrubline serve`, prefect.yaml); `scrubline run` reads all groups.
# Paths are relative to this file and must stay inside the project folder.
sources:
  - kind: dir
    path: seeds
    id: sample-corpus
    language: en
    schedule: daily
  # - kind: feed
  #   url: https://example.org/news/rss.xml
  #   schedule: hourly
"""


def init(folder: Path, *, samples: bool = True) -> list[Path]:
    """Make ``folder`` a project: settings, sources, the outlet registry and (``samples``) the
    five bundled sample articles. Existing files are kept; returns the files written."""
    from .resources import seeds_dir

    folder.mkdir(parents=True, exist_ok=True)
    packaged_seeds = seeds_dir()
    wanted: dict[Path, bytes] = {
        folder / SETTINGS_FILE: SETTINGS_TEMPLATE.encode(),
        folder / "sources.yaml": SOURCES_TEMPLATE.encode(),
        folder / "outlets.csv": (packaged_seeds / "outlets.csv").read_bytes(),
    }
    if samples:
        for path in sorted(packaged_seeds.iterdir()):
            if path.suffix in {".txt", ".jsonl"}:
                wanted[folder / "seeds" / path.name] = path.read_bytes()
    written = []
    for path, data in wanted.items():
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written
