"""Make a Great Expectations Data Docs site readable offline.

GE's pages load jQuery, Bootstrap, bootstrap-table, Font Awesome and Vega from CDNs; without a
network an analyst sees an empty page. :func:`make_offline` copies the bundled copies
(``datadocs_assets/``, see its README) into ``<site>/static/offline/`` and rewrites every
page's CDN references to relative paths, so the site works from disk, zipped, or mailed as a
folder. Remote images (GE's logo) are dropped; plain links (newsletter) are left alone.
"""

from __future__ import annotations

import os
import re
import shutil
from importlib import resources
from pathlib import Path

#: CDN URL prefix (up to the file) -> bundled file, relative to ``datadocs_assets/``.
ASSETS: tuple[tuple[str, str], ...] = (
    ("https://code.jquery.com/jquery-3.7.1.min.js", "jquery.min.js"),
    ("https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js", "bootstrap.min.js"),
    ("https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css", "bootstrap.min.css"),
    ("https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js", "bootstrap-table.min.js"),
    ("https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css", "bootstrap-table.min.css"),
    (
        "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
        "bootstrap-table-filter-control.min.js",
        "bootstrap-table-filter-control.min.js",
    ),
    (
        "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
        "bootstrap-table-filter-control.css",
        "bootstrap-table-filter-control.css",
    ),
    (
        "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
        "bootstrap-table-filter-control.min.css",
        "bootstrap-table-filter-control.css",
    ),
    ("https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js", "popper.min.js"),
    ("https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css", "css/all.min.css"),
    (
        "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js",
        "bootstrap-datepicker.min.js",
    ),
    (
        "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css",
        "bootstrap-datepicker.min.css",
    ),
    ("https://cdn.jsdelivr.net/npm/vega@5", "vega.min.js"),
    ("https://cdn.jsdelivr.net/npm/vega-lite@5", "vega-lite.min.js"),
    ("https://cdn.jsdelivr.net/npm/vega-embed@6", "vega-embed.min.js"),
)
#: A stylesheet that is only a dark theme: dropped rather than bundled (0.9 MB).
_DROPPED_LINK = re.compile(r'<link[^>]+href="https://cdn\.jsdelivr\.net/npm/@forevolve/[^"]*"[^>]*>')
_REMOTE_IMAGE = re.compile(r'(<img[^>]*\ssrc=")https://great-expectations-web-assets[^"]*(")')
_REMOTE_REF = re.compile(r'(?:src|href)="(https?://[^"]+\.(?:js|css)|https://cdn\.jsdelivr\.net/npm/[^"]+)"')

OFFLINE_DIR = Path("static") / "offline"


def _asset_root() -> Path:
    return Path(str(resources.files("scrubline.quality") / "datadocs_assets"))


def make_offline(site: Path) -> int:
    """Bundle the assets into ``site`` and rewrite its pages; returns the pages rewritten."""
    target = site / OFFLINE_DIR
    shutil.copytree(_asset_root(), target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    rewritten = 0
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        new = rewrite(html, Path(os.path.relpath(target, page.parent)).as_posix())
        if new != html:
            page.write_text(new, encoding="utf-8")
            rewritten += 1
    return rewritten


def rewrite(html: str, prefix: str) -> str:
    """``html`` with every known CDN reference pointing at ``prefix/<bundled file>``.

    >>> rewrite('<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>', "../offline")
    '<script src="../offline/vega.min.js"></script>'
    """
    for url, local in ASSETS:
        html = html.replace(f'"{url}"', f'"{prefix}/{local}"')
    html = _DROPPED_LINK.sub("", html)
    return _REMOTE_IMAGE.sub(r'\1data:,\2', html)


def remote_references(html: str) -> list[str]:
    """Scripts and stylesheets ``html`` still loads from the network (none after :func:`rewrite`)."""
    return _REMOTE_REF.findall(html)
