"""Language: declared codes normalized to BCP-47 primary subtags (region apart), the declared
language wins over the detector (py3langid), whose answer is kept as evidence."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from helpers import run_without_prefect
from hypothesis import given, settings
from hypothesis import strategies as st

from scrubline.clean import CleanContext
from scrubline.language import decide_language, guess_language, identify, normalize_tag
from scrubline.resources import seeds_dir

DATA = Path(__file__).parent / "data" / "trafilatura-dev"


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


def _library_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_the_automaton_depth_is_the_models() -> None:
    import numpy as np

    from scrubline.language import AUTOMATON_DEPTH, _identifier

    ident = _identifier()
    moves = ident._moves.reshape(-1, 256)
    rows = np.asarray(ident.tk_row)
    depth = np.full(len(rows), -1)
    depth[0], frontier, level = 0, np.array([0]), 0
    while frontier.size:  # breadth first from the start state over every byte
        level += 1
        reached = np.unique(moves[rows[frontier]])
        frontier = reached[depth[reached] < 0]
        depth[frontier] = level
    assert depth.max() == AUTOMATON_DEPTH and (depth >= 0).all()


def _same_counts(text: str) -> None:
    from py3langid.langid import visit_counts

    from scrubline.language import _feature_counts, _identifier

    ident = _identifier()
    data = ident._encode(text)
    expected = visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, data)
    got = _feature_counts(ident._moves, ident._rows, ident._output, data)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert (got[0].tolist(), got[1].tolist()) == (list(expected), list(expected.values()))


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_the_numpy_feature_count_is_the_librarys_on_any_text(text: str) -> None:
    _same_counts(text)


def test_the_fast_identifier_answers_exactly_as_py3langid_on_real_pages() -> None:
    from scrubline.language import SAMPLE_CHARS, _identifier

    library, fast = _library_identifier(), _identifier()
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir().glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(DATA.glob("*.html"))]
    texts += ["a", "ab", "Hi!", "日本語のテキストです。", "Ünïcödé ✓ 🚀 " * 40]
    assert len(texts) > 8
    for text in texts:
        sample = text[:SAMPLE_CHARS]
        _same_counts(sample)
        assert fast.classify(sample) == library.classify(sample)  # the same float, not nearly
