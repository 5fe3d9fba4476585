"""The learned line model of the fullpage profile (``scrubline/boilerplate/linemodel.py``):
the shipped weights load, the features are the code's, a page's menu and footer go while its
body stays, the removed spans restore the text exactly, and the threshold decides."""

from __future__ import annotations

import json

import pytest

from scrubline.boilerplate import Engine, restore
from scrubline.boilerplate.document import DocView
from scrubline.boilerplate.linemodel import (
    FEATURES,
    MODEL_PATH,
    LineModel,
    LineModelRule,
    default_model,
    line_features,
    smooth_features,
)

BODY = [
    "The council voted on Tuesday to extend the housing programme for another two years, citing "
    "strong demand from families across the district.",
    "Officials said the budget would be reviewed in the spring once the final figures for this year "
    "had been published by the auditors.",
    "The mayor told reporters that the waiting list had grown by a third since the programme began, "
    "and that new flats would be built on two former industrial sites.",
    "Opposition members welcomed the decision but asked for a yearly report on how the money is spent "
    "and how many families have been housed.",
]
MENU = ["Home", "News", "Politics", "Business", "Sport", "Culture", "Weather", "Podcasts", "Log in"]
FOOTER = ["About us", "Contact", "Careers", "Advertise", "Privacy", "Terms of use", "Cookie settings"]


def page() -> str:
    head = "\n".join(MENU) + "\n\nCouncil extends housing programme\n\n"
    return head + "\n\n".join(BODY) + "\n\n" + "\n".join(FOOTER) + "\n"


def test_the_shipped_model_loads_with_this_codes_features() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES)
    model = default_model()
    assert model is not None and 0 < model.threshold < 1
    assert len(model.line.weights) == len(FEATURES) and model.smooth is not None


def test_a_model_with_other_features_is_refused() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1] + ["something_else"]
    with pytest.raises(ValueError, match="retrain"):
        LineModel.from_dict(data)


def test_every_content_line_has_one_feature_vector() -> None:
    doc = DocView(page())
    features = line_features(doc)
    assert sorted(features) == [i for i, line in enumerate(doc.raw_lines) if line.strip()]
    assert all(len(f) == len(FEATURES) for f in features.values())
    assert line_features(DocView("\n\n  \n")) == {}
    probabilities = [0.9, 0.1, 0.8]
    assert [len(f) for f in smooth_features(probabilities)] == [6, 6, 6]


def test_menu_and_footer_go_body_stays_and_the_ledger_restores_the_page() -> None:
    text = page()
    clean, removed = Engine(profile="fullpage").run(text)
    for paragraph in BODY:
        assert paragraph in clean
    assert "Politics" not in clean and "Cookie settings" not in clean
    mine = [r for r in removed if r.rule_id == "line_model"]
    assert mine and {r.category for r in mine} <= {"navigation", "footer"}
    assert all(r.evidence.startswith("line model: p(main) <=") for r in mine)
    assert restore(clean, removed) == text


def test_the_threshold_decides_and_zero_removes_nothing() -> None:
    doc = DocView(page())
    model = default_model()
    assert model is not None
    assert list(LineModelRule(model, threshold=0.0).detect(doc)) == []
    everything = list(LineModelRule(model, threshold=1.01).detect(doc))
    assert everything == []  # all of the text would go: MAX_REMOVED keeps it
    assert list(LineModelRule(model).detect(doc))


def test_same_text_same_spans() -> None:
    text = page()
    assert Engine(profile="fullpage").run(text) == Engine(profile="fullpage").run(text)
