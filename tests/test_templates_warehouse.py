"""Self-learning per outlet: templates mined from the warehouse are applied on later runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from helpers import run_without_prefect

from flows.pipeline import learn_templates
from scrubline import warehouse
from scrubline.clean import CleanContext, process
from scrubline.records import Capture

FOOTER = "Caucasus Watch monitors the region from Tbilisi"
STORIES = [
    "Shelling was reported near the border village on Monday, local officials said in a statement.",
    "The foreign ministers met in Geneva for a second round of talks on the peace treaty draft.",
    "A new railway link between the two capitals is expected to open before the end of the year.",
    "Protesters gathered outside parliament for the third day, demanding early elections soon.",
    "The central bank left its key rate unchanged, citing persistent inflation in food prices.",
]


def article(n: int) -> str:
    body = "\n\n".join([STORIES[n], STORIES[(n + 1) % 5].replace("the", "a")])
    return f"Story {n}\n\n{body}\n\n{FOOTER}\n"


def test_recurring_footer_is_learned_and_removed_next_time(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    lines = []
    for n in range(4):
        (inputs / f"a{n}.txt").write_text(article(n), encoding="utf-8")
        lines.append(json.dumps({"id": f"a{n}", "file": f"a{n}.txt", "outlet": "caucasus_watch"}))
    (inputs / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    db = tmp_path / "w.duckdb"
    run_without_prefect(db, tmp_path, "run-1", [inputs], CleanContext.default())
    before = warehouse.query(db, "SELECT count(*) FROM documents WHERE text LIKE '%' || ? || '%'", [FOOTER])
    assert before == [(4,)]  # no generic rule knows this line

    learned = learn_templates.fn(str(db), "run-1")
    assert learned == {"outlets": 1, "templates": 1}
    rows = warehouse.template_rows(db)
    assert rows[0]["text"] == FOOTER and rows[0]["support"] == 4

    ctx = CleanContext.default(templates=rows)
    capture = Capture("local:in/a4.txt", article(4).encode(), datetime.now(UTC), "text/plain",
                      outlet_hint="caucasus_watch")  # fmt: skip
    result = process(capture, ctx)
    assert FOOTER not in result.document.text
    assert [s.rule_id for s in result.removed] == ["template"]
    assert result.document.ruleset_version != CleanContext.default().ruleset_version
    # other outlets keep the default engine
    other = process(Capture("local:in/b.txt", article(4).encode(), datetime.now(UTC), "text/plain"), ctx)
    assert FOOTER in other.document.text
