"""An incident's card and sections in pages with awkward bodies: headings as Markdown makes them, every anchor resolving."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitebuilder import build_and_capture, write_site
from wikis import BODIES, awkward_incidents

def _pages(site: Path) -> dict[str, str]:
    return {path.parent.name: path.read_text() for path in sorted((site / "incidents").glob("2013-*/index.html"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[dict[str, str], list[str]]:
    root = tmp_path_factory.mktemp("sections")
    config = {"markdown_extensions": [{"toc": {"permalink": True}}, "attr_list"], "validation": {"anchors": "warn"}}
    site, warnings = build_and_capture(write_site(root, awkward_incidents(), config=config), strict=False)
    return _pages(site), warnings


def test_every_anchor_resolves_and_every_page_is_built(built):
    pages, warnings = built
    assert len(pages) == len(BODIES) and warnings == []


def test_a_heading_of_the_body_keeps_its_id_and_the_section_gets_the_next(built):
    page = built[0]["2013-06-02-own-timeline"]
    assert '<h2 id="timeline">Timeline<a class="headerlink" href="#timeline"' in page
    assert '<h2 id="timeline_1">Timeline<a class="headerlink" href="#timeline_1"' in page
    assert page.index('id="timeline"') < page.index("Our own notes.") < page.index('id="timeline_1"')
    toc = re.findall(r'<a href="#([^"]+)" class="md-nav__link">', page)
    assert toc[:7] == ["summary", "timeline", "timeline_1", "downtime-by-service", "contributing-factors",
                       "follow-up-actions", "related-incidents"][:len(toc[:7])] and "timeline_1" in toc


def test_taken_ids_are_skipped_as_markdown_skips_them(built):
    page = built[0]["2013-06-05-taken-ids"]
    ids = re.findall(r'<h2 id="([^"]+)"', page)
    assert ids == ["follow-up-actions", "follow-up-actions_1", "timeline_1", "timeline", "downtime-by-service",
                   "contributing-factors", "follow-up-actions_2", "related-incidents"]


def test_the_card_sits_right_below_the_title_even_without_headings(built):
    page = built[0]["2013-06-06-no-headings"]
    title, card, body = page.index('<h1 id="case-no-headings">'), page.index('class="pm-card"'), page.index("Just a paragraph")
    assert title < card < body < page.index('<h2 id="timeline">')
    assert "&lt;three&gt;" in page and "<b>bold</b>" in page
