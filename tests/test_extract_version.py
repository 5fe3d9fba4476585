"""Version guard for the HTML extractor: ``extract_html``'s output on the test pages may
change only together with ``scrubline.extract.EXTRACT_VERSION`` (provenance stores that
version; ``scrubline verify`` re-extracts stored pages only under the same one).

Record the outputs after a deliberate change (and a version bump)::

    uv run python tests/test_extract_version.py --update
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from scrubline.decode import decode
from scrubline.extract import EXTRACT_VERSION, ExtractConfig, extract_html

DATA = Path(__file__).parent / "data"
RECORD = DATA / "extract_version.json"
PAGES = sorted([DATA / "article_en.html", *(DATA / "trafilatura-dev").glob("*.html")])
URL = "https://courier.example.com/news/harbour-reopens"


def outputs() -> dict[str, str]:
    """Per test page and metadata mode, a hash of everything ``extract_html`` returns
    (flags aside: "date in the future" depends on the day the test runs)."""
    found = {}
    for page in PAGES:
        html, _ = decode(page.read_bytes(), content_type="text/html")
        for mode in ("page", "trafilatura"):
            ex = extract_html(html, URL, config=ExtractConfig(metadata=mode))
            fields = {k: getattr(ex, k) for k in ex.__dataclass_fields__ if k != "flags"}
            found[f"{page.name}:{mode}"] = hashlib.sha256(repr(fields).encode()).hexdigest()[:16]
    return found


def libraries() -> dict[str, str]:
    """Versions that also shape the output; provenance records them beside EXTRACT_VERSION."""
    import lxml
    import trafilatura

    return {"trafilatura": trafilatura.__version__, "lxml": lxml.__version__}


def test_output_changes_only_with_a_version_bump() -> None:
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    now = outputs()
    assert set(now) == set(recorded["pages"]), "test pages changed: run this file with --update"
    assert recorded["libraries"] == libraries(), "trafilatura or lxml changed: run this file with --update"
    assert recorded["version"] == EXTRACT_VERSION, (
        f"EXTRACT_VERSION is {EXTRACT_VERSION}, recorded {recorded['version']}: run this file with --update"
    )
    changed = sorted(k for k, digest in now.items() if recorded["pages"][k] != digest)
    assert not changed, (
        f"extract_html output changed on {changed} but EXTRACT_VERSION is still {EXTRACT_VERSION}: "
        "bump it, then run this file with --update"
    )


def update() -> None:
    """Record the current outputs; refuses when they changed under the same EXTRACT_VERSION
    and the same library versions."""
    now = outputs()
    if RECORD.exists():
        recorded = json.loads(RECORD.read_text(encoding="utf-8"))
        same = recorded["version"] == EXTRACT_VERSION and recorded.get("libraries") == libraries()
        if same and any(recorded["pages"].get(k, d) != d for k, d in now.items()):
            raise SystemExit("extract_html output changed without a version bump; bump EXTRACT_VERSION first")
    record = {"version": EXTRACT_VERSION, "libraries": libraries(), "pages": now}
    RECORD.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"recorded {len(now)} outputs under EXTRACT_VERSION {EXTRACT_VERSION} in {RECORD}")


if __name__ == "__main__":
    if "--update" in sys.argv:
        update()
