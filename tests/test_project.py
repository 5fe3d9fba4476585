"""The project folder: found where the user is, settings read and checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrubline import project


@pytest.fixture(autouse=True)
def _no_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(project.ENV_HOME, raising=False)


def test_nearest_folder_with_settings_is_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "scrubline.toml").write_text('[scrubline]\ndatabase = "db/w.duckdb"\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    found = project.current()
    assert found.root == tmp_path.resolve()
    assert found.configured
    assert found.database == tmp_path.resolve() / "db" / "w.duckdb"


def test_without_settings_the_current_folder_is_an_implicit_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    found = project.current()
    assert found.root == tmp_path.resolve()
    assert not found.configured
    assert found.database == tmp_path.resolve() / "warehouse" / "scrubline.duckdb"


def test_home_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "scrubline.toml").write_text("[scrubline]\n")
    monkeypatch.chdir(tmp_path / "here")
    monkeypatch.setenv(project.ENV_HOME, str(tmp_path / "there"))
    assert project.current().root == (tmp_path / "there").resolve()


def test_lists_and_absolute_paths(tmp_path: Path) -> None:
    (tmp_path / "scrubline.toml").write_text(
        '[scrubline]\ninputs = ["corpus", "https://example.org/feed.xml"]\nallowed_languages = "de"\n'
        f'outlets = "{tmp_path / "ref" / "o.csv"}"\n'
    )
    found = project.load(tmp_path)
    assert found.inputs == [str(tmp_path.resolve() / "corpus"), "https://example.org/feed.xml"]
    assert found.settings.allowed_languages == ("de",)
    assert found.outlets_csv == tmp_path / "ref" / "o.csv"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[scrubline]\ndatbase = 'x'\n", "unknown setting(s) datbase"),
        ("[scrubline]\nworkers = 'two'\n", "workers must be a int"),
        ("[scrubline]\nworkers = 0\n", "workers must be positive"),
        ("[scrubline]\nworkers = true\n", "workers must be a int"),
        ("[scrubline]\ninputs = [1]\n", "inputs must be a list of strings"),
        ("[prefect]\nx = 1\n", "unknown table(s) prefect"),
        ("[scrubline\n", "scrubline.toml"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "scrubline.toml").write_text(body)
    with pytest.raises(project.ProjectError, match=message.replace("(", r"\(").replace(")", r"\)")):
        project.load(tmp_path)


def test_a_projects_rule_pack_builds_that_outlets_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrubline.clean import CleanContext

    (tmp_path / "scrubline.toml").write_text("[scrubline]\n")
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "desk_outlet.yaml").write_text(
        "outlet_id: desk_outlet\nversion: 1\nphrases:\n  promo:\n    - ^our desk says\n"
        "disable: [tail_block]\n"
    )
    monkeypatch.chdir(tmp_path)
    engine = CleanContext.default().outlet_engines["desk_outlet"]
    assert "tail_block" not in {r.rule_id for r in engine.rules}
    assert engine.version != CleanContext.default().engine.version
