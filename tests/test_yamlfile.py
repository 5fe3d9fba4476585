from __future__ import annotations

from pathlib import Path

import pytest

from scrubline.yamlfile import TooManyAliases, YamlError, load_yaml, parse_yaml


def test_a_bad_yaml_file_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "xx.yaml"
    path.write_text("months: [a, b\n", encoding="utf-8")
    with pytest.raises(YamlError, match=r"xx\.yaml: not valid YAML"):
        load_yaml(path)


def test_aliases_are_capped_only_when_asked() -> None:
    text = "a: &x [1]\nb: [*x, *x, *x]\n"
    assert parse_yaml(text) == {"a": [1], "b": [[1], [1], [1]]}
    assert parse_yaml(text, max_aliases=3)["b"] == [[1], [1], [1]]
    with pytest.raises(TooManyAliases, match="more than 2 YAML aliases"):
        parse_yaml(text, max_aliases=2)
