"""Language: declared codes normalized to BCP-47 primary subtags (region apart), the declared
language wins over the detector (py3langid), whose answer is kept as evidence."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from helpers import run_without_prefect

from scrubline.clean import CleanContext
from scrubline.language import decide_language, guess_language, identify, normalize_tag


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("de-DE", ("de", "DE")), ("de_de", ("de", "DE")), ("DE", ("de", None)), ("de", ("de", None)),
        ("en_US", ("en", "US")), ("pt-br", ("pt", "BR")), ("de-DE-formal", ("de", "DE")),
        ("zh-Hant-TW", ("zh", "TW")), ("es-419", ("es", "419")), (" fr-FR ", ("fr", "FR")),
        ("de-ere", ("de", None)), ("", (None, None)), (None, (None, None)), ("German", (None, None)),
        ("x-pig-latin", (None, None)), ("en-", (None, None)),
    ],
)  # fmt: skip
def test_tags_normalize_to_primary_subtag_and_region(tag, expected) -> None:
    assert normalize_tag(tag) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Die Bundesregierung hat am Mittwoch neue Regeln für den Ausbau der Windkraft beschlossen.", "de"),
        ("Le gouvernement a présenté mercredi un nouveau plan pour les transports publics en France.", "fr"),
        ("Правительство в среду одобрило новый план развития общественного транспорта в регионах.", "ru"),
        ("Rząd przyjął w środę nowy plan rozwoju transportu publicznego w całym kraju.", "pl"),
        ("Hökumət çərşənbə günü ictimai nəqliyyatın inkişafı üçün yeni plan təqdim edib.", "az"),
    ],
)
def test_the_detector_identifies_the_corpus_languages(text: str, code: str) -> None:
    assert guess_language(text) == code
    assert identify(text)[1] > 0.9


def test_no_letters_no_language() -> None:
    assert identify("1234 5678 — 90") is None and guess_language("") is None
    assert decide_language("12:30 — 14:00").language is None


def test_the_declared_language_wins_and_the_detector_is_evidence() -> None:
    german = "Die Bundesregierung hat am Mittwoch neue Regeln für den Ausbau der Windkraft beschlossen."
    page = decide_language(german, declared="en-GB")  # a CMS default: kept, but the evidence shows it
    assert (page.language, page.region) == ("en", "GB")
    assert [(e.signal, e.value.split()[0]) for e in page.evidence] == [
        ("language:declared", "en-GB"), ("language:py3langid", "de")
    ]  # fmt: skip
    manifest = decide_language(german, hint="de_CH", declared="en-GB")
    assert (manifest.language, manifest.region) == ("de", "CH")
    assert decide_language(german, declared="klingon").language == "de"  # not a tag: detect
    assert decide_language(german).region is None


def test_language_and_region_are_loaded_into_the_warehouse(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    body = "".join(f"<p>Absatz {i}: Die Regierung hat heute neue Regeln für die Städte beschlossen.</p>"
                   for i in range(6))  # fmt: skip
    (pages / "a.html").write_text(f'<html lang="de_CH"><body><article>{body}</article></body></html>')
    (pages / "b.txt").write_text("The government approved new rules for the cities today, officials said.\n")
    db = tmp_path / "w.duckdb"
    run_without_prefect(db, tmp_path, "run-1", [pages], CleanContext.default())
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT source_uri, language, language_region FROM documents ORDER BY 1"
        ).fetchall()
    assert rows == [("local:pages/a.html", "de", "CH"), ("local:pages/b.txt", "en", None)]
    with duckdb.connect(str(db), read_only=True) as con:  # analysts see it in v_documents
        assert con.execute("SELECT count(*) FROM v_documents WHERE language_region = 'CH'").fetchone() == (1,)
