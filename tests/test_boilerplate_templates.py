"""Template mining and per-outlet rule packs (scrubline.boilerplate.templates / packs)."""

from __future__ import annotations

import pickle
import random

import pytest

from scrubline.boilerplate import Engine, restore
from scrubline.boilerplate.packs import RulePack, available_packs, load_pack
from scrubline.boilerplate.templates import (
    TemplateRule,
    TemplateSet,
    is_dateline,
    mine_outlet,
    mine_templates,
    never_template,
    reads_as_speech,
)

WORDS = [
    "ministry", "budget", "council", "region", "election", "court", "report", "village", "river",
    "harbour", "school", "farmers", "market", "police", "museum", "railway", "hospital", "water",
    "energy", "winter",
]  # fmt: skip


def sentence(rng: random.Random, n: int = 18) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return "The " + " ".join(words) + "."


HEAD = ["Startseite | Politik | Wirtschaft | Sport", "Menü"]
TAIL = [
    "Jetzt Abo abschließen und alle Artikel lesen",
    "© 2024 Beispiel Zeitung GmbH",
    "Impressum · Datenschutz · Kontakt",
]
QUOTE = "„Wir werden alles tun, um die Versorgung zu sichern“, sagte der Sprecher."
DATELINE = "BAKU, (BM) –"
BACKGROUND = (
    "The dispute over the region dates back to the late 1980s, when fighting broke out between "
    "the two neighbours and displaced hundreds of thousands of people."
)
HEADING = "Hintergrund"


def outlet_corpus(n: int = 10, seed: int = 1) -> list[tuple[str, str]]:
    """``n`` documents of one synthetic outlet: template head and tail, unique bodies, and
    recurring lines that are reporting (a quote, a dateline, a background paragraph, a
    section heading in three documents)."""
    rng = random.Random(seed)
    docs = []
    for k in range(n):
        body = [sentence(rng) for _ in range(4)]
        if k % 2 == 0:
            body.insert(1, QUOTE)
            body.insert(0, DATELINE)
            body.append(BACKGROUND)
        if k < 3:
            body.insert(2, HEADING)
        docs.append((f"doc{k}", "\n\n".join([*HEAD, *body, *TAIL]) + "\n"))
    return docs


def test_mines_head_and_tail_lines_with_support() -> None:
    templates = mine_outlet("beispiel", outlet_corpus())
    texts = {t.text: t for t in templates.templates}
    for line in [*HEAD, *TAIL]:
        assert line in texts, f"{line!r} not mined"
        assert texts[line].support == 10
        assert texts[line].doc_ids[:3] == ("doc0", "doc1", "doc2")
    assert texts["Startseite | Politik | Wirtschaft | Sport"].zone == "head"
    assert texts["© 2024 Beispiel Zeitung GmbH"].zone == "tail"
    assert texts["© 2024 Beispiel Zeitung GmbH"].category == "copyright"  # lexicon hit
    assert templates.documents == 10 and templates.min_support == 3


def test_recurring_reporting_is_never_a_template() -> None:
    texts = {t.text for t in mine_outlet("beispiel", outlet_corpus()).templates}
    assert QUOTE not in texts  # speech recurs in 5 of 10 documents
    assert DATELINE not in texts  # dateline
    assert BACKGROUND not in texts  # long sentence, body zone
    assert HEADING not in texts  # short, body zone, no lexicon hit, 3 of 10 documents


def test_support_threshold_and_share() -> None:
    docs = outlet_corpus(10)
    assert mine_outlet("x", docs[:2]).templates == ()  # fewer than min_support documents
    # a line in 3 of 10 documents misses a 40% share
    heading_docs = [(i, t.replace("Menü", "Menü extra") if i in ("doc0", "doc1", "doc2") else t)
                    for i, t in docs]  # fmt: skip
    texts = {t.text for t in mine_outlet("x", heading_docs, min_share=0.4).templates}
    assert "Menü extra" not in texts and "Menü" in texts


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('"We will do everything we can," the spokesman said.', "speech"),
        ("«Nous ferons tout notre possible», a déclaré le porte-parole.", "speech"),
        ("Berlin (dpa) -", "dateline"),
        ("WASHINGTON (AP) —", "dateline"),
        ("MADRID, 3 de marzo (EFE) –", "dateline"),
        ("12 345", "no letter"),
        (BACKGROUND, "sentence"),
    ],
)
def test_never_template(line: str, why: str) -> None:
    assert never_template(line) == why


@pytest.mark.parametrize(
    "line",
    [
        "Newsletter abonnieren",
        "Mehr zum Thema - Politik",
        "Síguenos en redes sociales",
        "Weitere Artikel",
        "Partager l'article",
    ],
)
def test_template_candidates_not_refused(line: str) -> None:
    assert never_template(line) is None
    assert not reads_as_speech(line) and not is_dateline(line)


def new_document(seed: int = 99) -> str:
    rng = random.Random(seed)
    body = [sentence(rng) for _ in range(3)]
    return "\n\n".join([*HEAD, body[0], HEADING, body[1], QUOTE, body[2], *TAIL]) + "\n"


def test_template_rule_removes_template_lines_in_a_new_document() -> None:
    templates = mine_outlet("beispiel", outlet_corpus())
    engine = Engine.for_outlet(templates=templates)
    text = new_document()
    clean, removed = engine.run(text)
    for line in [*HEAD, *TAIL]:
        assert line not in clean
    for line in (HEADING, QUOTE, text.split("\n\n")[2]):
        assert line in clean
    assert {r.rule_id for r in removed} >= {"template"}
    by_text = {r.text.strip(): r for r in removed}
    abo = by_text["Jetzt Abo abschließen und alle Artikel lesen"]
    assert abo.rule_id in {"template", "lexicon_subscribe"}
    assert any("template of beispiel: 10 documents" in r.evidence for r in removed)
    assert restore(clean, removed) == text


def test_template_rule_matches_whitespace_normalised() -> None:
    templates = mine_outlet("beispiel", outlet_corpus())
    text = new_document().replace("Startseite | Politik", "  Startseite |\u00a0 Politik")
    clean, _ = Engine.for_outlet(templates=templates).run(text)
    assert "Startseite" not in clean


def test_long_template_only_in_head_or_tail_zone() -> None:
    long_line = (
        "Unsere Redaktion berichtet unabhängig und überparteilich aus der Region für die Region "
        "seit vielen Jahren"
    )
    tmpl = mine_outlet("x", [(f"d{k}", f"{t}\n\n{long_line}\n") for k, (_, t) in enumerate(outlet_corpus())])
    assert long_line in {t.text for t in tmpl.templates}
    engine = Engine.for_outlet(templates=tmpl)
    rng = random.Random(5)
    in_body = "\n\n".join([sentence(rng), long_line, sentence(rng)]) + "\n"
    assert long_line in engine.run(in_body)[0]
    at_end = "\n\n".join([sentence(rng), sentence(rng), long_line]) + "\n"
    assert long_line not in engine.run(at_end)[0]


def test_templates_multilingual() -> None:
    rng = random.Random(3)
    footer_en = "Sign up for our daily briefing"
    footer_es = "Todos los derechos reservados"
    docs = mine_templates(
        [("en_outlet", f"e{k}", f"{sentence(rng)}\n\n{sentence(rng)}\n\n{footer_en}\n") for k in range(4)]
        + [("es_outlet", f"s{k}", f"{sentence(rng)}\n\n{sentence(rng)}\n\n{footer_es}\n") for k in range(4)]
    )
    assert [t.text for t in docs["en_outlet"].templates] == [footer_en]
    assert [t.text for t in docs["es_outlet"].templates] == [footer_es]
    assert docs["es_outlet"].templates[0].category == "copyright"


def test_template_rows_round_trip_and_version() -> None:
    templates = mine_outlet("beispiel", outlet_corpus())
    again = TemplateSet.from_rows("beispiel", templates.to_rows())
    assert again.templates == templates.templates and again.fingerprint == templates.fingerprint
    base = Engine().version
    engine = Engine.for_outlet(templates=templates)
    assert engine.version != base and engine.outlet_id == "beispiel"
    fewer = TemplateSet.from_rows("beispiel", templates.to_rows()[:-1])
    assert Engine.for_outlet(templates=fewer).version != engine.version
    assert Engine.for_outlet().version == base  # no pack, no templates: the default engine
    rule = next(r for r in engine.rules if isinstance(r, TemplateRule))
    assert engine.rules.index(rule) < [r.rule_id for r in engine.rules].index("tail_block")


def test_outlet_engine_pickles() -> None:
    engine = Engine.for_outlet(templates=mine_outlet("beispiel", outlet_corpus()))
    text = new_document()
    assert pickle.loads(pickle.dumps(engine)).run(text) == engine.run(text)


# --------------------------------------------------------------------------- rule packs

BODY = (
    "The ministry said on Tuesday that the new rules would apply to all regional offices "
    "from the first of January."
)


def test_pack_disables_a_rule_and_adds_a_phrase() -> None:
    pack = RulePack.from_dict(
        {
            "outlet_id": "beispiel",
            "version": 2,
            "phrases": {"promo": ["^unsere digitale ausgabe"]},
            "disable": ["lexicon_ad"],
        }
    )
    text = f"{BODY}\n\nUnsere digitale Ausgabe für unterwegs\n\nAdvertisement\n\n{BODY}\n"
    default_clean, _ = Engine().run(text)
    assert "Unsere digitale Ausgabe für unterwegs" in default_clean and "Advertisement" not in default_clean
    engine = Engine.for_outlet(pack)
    clean, removed = engine.run(text)
    assert "Unsere digitale Ausgabe für unterwegs" not in clean  # the pack's phrase
    assert "Advertisement" in clean  # lexicon_ad disabled for this outlet
    assert "lexicon_ad" not in {r.rule_id for r in engine.rules}
    assert {r.rule_id for r in removed} == {"lexicon_promo"}
    assert engine.version != Engine().version
    def pack_v(version: int) -> Engine:
        return Engine.for_outlet(
            RulePack.from_dict({"outlet_id": "beispiel", "version": version, "disable": ["lexicon_ad"]})
        )

    bumped, same = pack_v(3), pack_v(2)
    assert bumped.version != same.version


def test_pack_with_templates() -> None:
    pack = RulePack.from_dict({"outlet_id": "beispiel", "disable": ["template"]})
    engine = Engine.for_outlet(pack, mine_outlet("beispiel", outlet_corpus()))
    assert "template" not in {r.rule_id for r in engine.rules}


def test_pack_errors(tmp_path) -> None:
    with pytest.raises(ValueError, match="unknown rule ids"):
        Engine.for_outlet(RulePack.from_dict({"outlet_id": "x", "disable": ["no_such_rule"]}))
    with pytest.raises(ValueError, match="unknown keys"):
        RulePack.from_dict({"outlet_id": "x", "disabled": ["lexicon_ad"]})
    (tmp_path / "other.yaml").write_text("outlet_id: x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="does not match"):
        load_pack("other", tmp_path)


def test_pack_files(tmp_path) -> None:
    (tmp_path / "beispiel.yaml").write_text(
        "outlet_id: beispiel\nversion: 1\nphrases:\n  subscribe:\n    - '^e-paper lesen:'\n"
        "disable:\n  - lexicon_navigation\n",
        encoding="utf-8",
    )
    pack = load_pack("beispiel", tmp_path)
    assert pack is not None and pack.disable == ("lexicon_navigation",)
    assert [(p.text, p.category, p.anchored) for p in pack.phrases] == [("e-paper lesen:", "subscribe", True)]
    assert load_pack("missing", tmp_path) is None
    assert set(available_packs(tmp_path)) == {"beispiel"}
    for path in available_packs().values():  # every shipped pack loads and builds
        Engine.for_outlet(load_pack(path.stem))


# --------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_TEMPLATES = mine_outlet("beispiel", outlet_corpus())
_OUTLET_ENGINES = [
    Engine.for_outlet(templates=_TEMPLATES),
    Engine.for_outlet(
        RulePack.from_dict({"outlet_id": "beispiel", "phrases": {"promo": ["^unsere digitale ausgabe"]}}),
        _TEMPLATES,
        profile="fullpage",
    ),
]
_pieces = st.one_of(
    st.sampled_from([*HEAD, *TAIL, QUOTE, DATELINE, BACKGROUND, HEADING, "Unsere digitale Ausgabe"]),
    st.sampled_from(["\n", "\n\n", " ", "\u00a0", "\r\n", "\t"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_pieces, max_size=30).map("".join))
def test_outlet_engines_are_reversible(text: str) -> None:
    for engine in _OUTLET_ENGINES:
        clean, removed = engine.run(text)
        assert restore(clean, removed) == text
        last = 0
        for span in removed:
            assert last <= span.start < span.end <= len(text)
            last = span.end


_SPEECH_ALPHABET = st.sampled_from(list('"“”„«»‚‘’‹›「」『』') + list("ab cd.,!-\n1_éЖ"))


@given(st.text(alphabet=_SPEECH_ALPHABET, max_size=24))
@settings(max_examples=2000, deadline=None)
def test_reads_as_speech_answers_as_its_regex_does(line: str) -> None:
    # the scan replaced a regex whose lazy runs backtracked on long lines; both must agree
    from scrubline.boilerplate.templates import _SPEECH, reads_as_speech

    assert reads_as_speech(line) == (_SPEECH.search(line) is not None)


def test_reads_as_speech_on_lines_with_apostrophes_and_quotes() -> None:
    from scrubline.boilerplate.templates import reads_as_speech

    cases = {
        "It’s the minister’s plan, she said.": True,  # two marks around "s the minister"
        "„Wir schaffen das“, sagte sie.": True,
        "„Nein“": False,  # one word
        "« Oui »": False,
        "Don’t miss it": False,  # one mark
        '"a" "b"': True,  # the run between the words may cross marks
        "": False,
    }
    assert {line: reads_as_speech(line) for line in cases} == cases
