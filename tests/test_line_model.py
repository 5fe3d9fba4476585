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
    Trees,
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
    assert data["features"] == list(FEATURES[: len(data["features"])])
    model = default_model()
    assert model is not None and 0 < model.threshold < 1
    assert len(model.line.weights) == len(data["features"]) and model.smooth is not None


def test_the_rule_version_moves_with_the_shipped_models_features() -> None:
    # v1 read the first 38 features; v2 (the shipped model) reads the block features too, and
    # a model that reads them removes other lines than v1 did, so the rule's version says so
    model = default_model()
    assert model is not None and model.reads_blocks
    assert len(model.line.weights) == len(FEATURES) and LineModelRule.version == 2
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["trained"]["halves"] == "tune" and data["trained"]["cv"]["objective"] == "min-gain"


def test_a_model_with_other_features_is_refused() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1] + ["something_else"]
    with pytest.raises(ValueError, match="retrain"):
        LineModel.from_dict(data)
    data["features"] = list(FEATURES) + ["one_too_many"]
    with pytest.raises(ValueError, match="retrain"):
        LineModel.from_dict(data)


def test_a_model_on_the_first_features_scores_as_on_those_alone() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    n = 38
    data["features"] = list(FEATURES[:n])
    data["line"] = {k: v[:n] if isinstance(v, list) else v for k, v in data["line"].items()}
    model = LineModel.from_dict(data)
    rows = list(line_features(DocView(page())).values())
    assert model.probabilities(rows) == model.probabilities([r[:n] for r in rows])
    assert not model.reads_blocks  # so the rule computes the shorter vectors only
    assert [r[:n] for r in rows] == list(line_features(DocView(page()), blocks=False).values())


def test_every_content_line_has_one_feature_vector() -> None:
    doc = DocView(page())
    features = line_features(doc)
    assert sorted(features) == [i for i, line in enumerate(doc.raw_lines) if line.strip()]
    assert all(len(f) == len(FEATURES) for f in features.values())
    assert line_features(DocView("\n\n  \n")) == {}
    probabilities = [0.9, 0.1, 0.8]
    assert [len(f) for f in smooth_features(probabilities)] == [6, 6, 6]


def test_block_features_describe_the_run_of_lines_between_blank_lines() -> None:
    doc = DocView("one two three four five six seven eight nine ten.\nHome\n\nAbout us\n")
    features = line_features(doc)
    first, second, third = (features[i] for i in (0, 1, 3))
    size = FEATURES.index("block_log_lines")
    opens = FEATURES.index("block_first")
    mean = FEATURES.index("block_log_words_mean")
    assert first[size] == second[size] > third[size] == 0.6931471805599453  # log1p(1)
    assert (first[opens], second[opens], third[opens]) == (1.0, 0.0, 1.0)
    assert first[mean] == second[mean] == (first[0] + second[0]) / 2
    assert third[FEATURES.index("log_words_vs_block")] == 0.0


def test_trees_walk_left_on_at_most_the_threshold_and_add_their_leaves() -> None:
    # depth 2: the root splits feature 0 at 1.0, its children feature 1 at 0.0 and (no split)
    trees = Trees.from_dict({"depth": 2, "feature": [[0, 1, 0], [1, 0, 0]],
                             "threshold": [[1.0, 0.0, 1e300], [5.0, 1e300, 1e300]],
                             "leaf": [[1.0, 2.0, 3.0, 4.0], [0.5, 0.0, 0.0, 0.0]]})  # fmt: skip
    assert trees.score([1.0, 0.0]) == 1.0 + 0.5
    assert trees.score([1.0, 0.1]) == 2.0 + 0.5
    assert trees.score([1.5, 9.0]) == 3.0 + 0.0
    assert trees.score([0.0, 6.0]) == 2.0 + 0.0
    with pytest.raises(ValueError, match="full binary tree"):
        Trees.from_dict({"depth": 2, "feature": [[0]], "threshold": [[1.0]], "leaf": [[1.0, 2.0]]})


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
