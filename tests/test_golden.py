"""The site a fixed wiki builds, byte for byte, against golden files in tests/data/golden/.

The golden files were first written by the code that still had two ways to build (a worker
process, and incident sections placed after Markdown); each of those modes was tested to make
exactly these pages. Now there is one way, and these files hold it to them. After a change that
is meant to alter the pages, write them again and read the diff:

    POSTMORTEMS_GOLDEN=write python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from sitebuilder import write_site
from wikis import awkward_incidents, many_incidents, with_links

GOLDEN = Path(__file__).parent / "data" / "golden"
WRITE = os.environ.get("POSTMORTEMS_GOLDEN") == "write"
_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.DOTALL)
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def _outputs(site: Path) -> dict[str, str]:
    """What the golden files hold: each page's title and article (the theme's frame aside), the
    machine-readable files, the feed, a badge and the search index."""
    found = {}
    for path in sorted(site.rglob("index.html")) + [site / "action-items" / "index.html"]:
        relative = path.relative_to(site).as_posix()
        if relative in found or relative.startswith(("assets/", "search/")) or relative == "404.html":
            continue
        html = path.read_text(encoding="utf-8")
        article = _ARTICLE.search(html)
        assert article, relative
        found[relative] = f"<title>{_TITLE.search(html).group(1)}</title>\n{article.group(1).strip()}\n"
    for name in ("uptime.json", "incidents.json", "feed.xml", "badges/uptime-30d.svg"):
        found[name] = (site / name).read_text(encoding="utf-8")
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    found["search/search_index.json"] = json.dumps(index["docs"], indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("golden")
    incidents = with_links(many_incidents(12)) | awkward_incidents()
    config = {"markdown_extensions": [{"toc": {"permalink": True}}, "attr_list", "admonition"],
              "validation": {"anchors": "warn"}}
    config_file = write_site(root, incidents, config=config,
                             docs={"index.md": "# Home\n\nUp {{ uptime('30d') }} of the time.\n"})
    build(load_config(str(config_file), strict=True))  # no warning either
    return _outputs(root / "site")


def test_the_site_is_the_golden_one_byte_for_byte(built):
    if WRITE:
        for path in GOLDEN.rglob("*"):
            if path.is_file():
                path.unlink()
        for name, text in built.items():
            target = GOLDEN / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    golden = {path.relative_to(GOLDEN).as_posix(): path.read_text(encoding="utf-8")
              for path in sorted(GOLDEN.rglob("*")) if path.is_file()}
    assert sorted(built) == sorted(golden)
    assert [name for name in built if built[name] != golden[name]] == []


def test_the_golden_files_are_a_real_wiki(built):
    """What the golden files are made of: a guard against writing them from a broken build."""
    assert len([name for name in built if name.startswith("incidents/2013-")]) == 18
    page = built["incidents/2013-02-x01/index.html"]
    assert '<a href="../2013-01-x06/#summary">before</a>' in page and '<a href="../../">home</a>' in page
    assert 'id="notes"' in page and "<code>code</code> &amp; <b>bold</b>" in page
    assert "data-pm-island" not in "".join(built.values())
    own = built["incidents/2013-06-02-own-timeline/index.html"]
    assert own.index('id="timeline"') < own.index("Our own notes") < own.index('id="timeline_1"')
    assert own.index('<div class="pm-card">') < own.index('id="summary"')  # the card right below the title
    shown = json.loads(built["uptime.json"])["site"]["windows"]["30d"]["display"]
    assert f"<p>Up {shown.replace('>', '&gt;')} of the time.</p>" in built["index.html"]
