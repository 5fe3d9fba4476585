"""Golden cases for the boilerplate rules (tests/golden/boilerplate_cases.json), and the
version guard: a rule's output on the golden cases may change only with a version bump.

Regenerate the recorded hashes after a deliberate change (and a version bump)::

    uv run python tests/test_boilerplate_golden.py --update
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from scrubline.boilerplate import Engine, default_rules
from scrubline.boilerplate.rules import PROFILES

GOLDEN = Path(__file__).parent / "golden"
CASES = json.loads((GOLDEN / "boilerplate_cases.json").read_text(encoding="utf-8"))
VERSIONS_FILE = GOLDEN / "rule_versions.json"
ENGINES = {profile: Engine(profile=profile) for profile in PROFILES}


def build(case: dict) -> str:
    """The document of a case: body, the case's lines (or its target), body."""
    lines = case.get("lines") or [case["target"]]
    if case.get("bare"):
        parts = lines
    elif case.get("at_end"):
        parts = [CASES["body"], CASES["body_after"], *lines]
    else:
        parts = [CASES["body"], *lines, CASES["body_after"]]
    return "\n\n".join(parts) + "\n"


def removed_by(case: dict) -> tuple[bool, set[str]]:
    """(target gone from the clean text, ids of the rules whose spans cover it)."""
    text = build(case)
    clean, removed = ENGINES[case.get("profile", "article")].run(text)
    start = text.index(case["target"])
    end = start + len(case["target"])
    rules = {r.rule_id for r in removed if r.start < end and r.end > start}
    return case["target"] not in clean, rules


def _id(case: dict) -> str:
    return f"{case['lang']}-{case['rule']}-{case['target'][:30]}"


@pytest.mark.parametrize("case", CASES["positive"], ids=_id)
def test_positive_removed_by_its_rule(case: dict) -> None:
    gone, rules = removed_by(case)
    assert gone, f"{case['target']!r} was kept"
    assert case["rule"] in rules, f"removed by {rules}, expected {case['rule']}"


@pytest.mark.parametrize("case", CASES["negative"], ids=_id)
def test_negative_kept(case: dict) -> None:
    gone, rules = removed_by(case)
    assert not gone, f"{case['target']!r} removed by {rules}"


@pytest.mark.parametrize("case", CASES["known_failures"], ids=_id)
def test_known_failures_still_fail(case: dict) -> None:
    """A known failure that starts passing should move to its group (xfail is not strict
    about it: the report says XPASS)."""
    gone, _ = removed_by(case)
    right = gone if case["kind"] == "positive" else not gone
    if not right:
        pytest.xfail(case["why"])


def test_every_rule_has_cases() -> None:
    covered = {c["rule"] for c in CASES["positive"]}
    for profile in PROFILES:
        for rule in default_rules(profile):
            assert rule.rule_id in covered, f"no positive golden case for {rule.rule_id}"


# --------------------------------------------------------------------------- version guard

def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:12]


def _key(rule_id: str, profile: str) -> str:
    return rule_id if profile == "article" else f"{rule_id}@{profile}"


def rule_outputs() -> dict[str, dict]:
    """Per rule id and profile (``rule_id`` for the article profile, ``rule_id@fullpage`` for
    the other): its version and, per golden document, a hash of the spans it owns there. A
    rule's output in a profile also depends on the profile's other rules (stage-2 rules see
    what stage 1 removed), so each profile is recorded on its own. Documents are keyed by
    content, so adding a case does not disturb the others."""
    out: dict[str, dict] = {}
    for profile, engine in ENGINES.items():
        for rule in engine.rules:
            out.setdefault(_key(rule.rule_id, profile), {"version": rule.version, "cases": {}})
        for group in ("positive", "negative", "known_failures"):
            for case in CASES[group]:
                text = build(case)
                key = _digest([profile, text])
                _, removed = engine.run(text)
                for rule in engine.rules:
                    spans = [[r.start, r.end, r.category] for r in removed if r.rule_id == rule.rule_id]
                    out[_key(rule.rule_id, profile)]["cases"][key] = _digest(spans)
    return dict(sorted(out.items()))


def _changed_without_bump(before: dict, now: dict) -> list[str]:
    if before["version"] != now["version"]:
        return []
    return [k for k, h in now["cases"].items() if k in before["cases"] and before["cases"][k] != h]


def test_rule_output_changes_only_with_a_version_bump() -> None:
    recorded = json.loads(VERSIONS_FILE.read_text(encoding="utf-8"))
    problems = []
    for rule_id, now in rule_outputs().items():
        before = recorded.get(rule_id)
        if before is None:
            problems.append(f"{rule_id}: not recorded (run this file with --update)")
            continue
        changed = _changed_without_bump(before, now)
        if changed:
            problems.append(
                f"{rule_id}: output changed on {len(changed)} golden documents but the version "
                f"is still {now['version']}: bump it, then run this file with --update"
            )
        elif before["version"] != now["version"]:
            problems.append(f"{rule_id}: version bumped, record it (run this file with --update)")
    assert not problems, "\n".join(problems)


def update() -> None:
    """Record the current outputs; refuses where an output changed without a version bump."""
    recorded = json.loads(VERSIONS_FILE.read_text(encoding="utf-8")) if VERSIONS_FILE.exists() else {}
    current = rule_outputs()
    for rule_id, now in current.items():
        if rule_id in recorded and _changed_without_bump(recorded[rule_id], now):
            raise SystemExit(f"{rule_id}: output changed without a version bump; bump it first")
    VERSIONS_FILE.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"recorded {len(current)} rules in {VERSIONS_FILE}")


if __name__ == "__main__":
    if "--update" in sys.argv:
        update()
