"""YAML data and settings files: the only PyYAML import.

Always PyYAML's safe loader (plain data: no Python objects). ``load_yaml`` reads a packaged
or project file (lexicons, calendars, rule packs) and names the file when it cannot;
``parse_yaml`` parses untrusted text (a sources manifest) with a cap on aliases, against
alias bombs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["TooManyAliases", "YamlError", "load_yaml", "parse_yaml"]


class YamlError(ValueError):
    """Text that is not YAML (the parser's message, with the file when there is one)."""


class TooManyAliases(YamlError):
    """More aliases than the caller allows: an alias bomb, or a file that is not ours."""


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses more than ``max_aliases`` aliases."""

    max_aliases = 0
    aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > self.max_aliases:
                raise TooManyAliases(f"more than {self.max_aliases} YAML aliases (an alias bomb?)")
        return super().compose_node(parent, index)


def parse_yaml(text: str, *, max_aliases: int | None = None) -> Any:
    """The data of the YAML document ``text`` (None when empty). Raises ``TooManyAliases``
    past ``max_aliases`` aliases, ``YamlError`` with the parser's message for bad YAML.

    >>> parse_yaml("a: [1, 2]")
    {'a': [1, 2]}
    """
    if max_aliases is None:
        loader = yaml.SafeLoader(text)
    else:
        loader = _LimitedLoader(text)
        loader.max_aliases = max_aliases
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise YamlError(str(exc)) from None
    finally:
        loader.dispose()


def load_yaml(path: Path) -> Any:
    """The data of the YAML file ``path`` (UTF-8; None when empty). Raises ``YamlError``
    naming the file when it is not YAML (``OSError`` when it cannot be read)."""
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except YamlError as exc:
        raise YamlError(f"{path}: not valid YAML: {exc}") from None
