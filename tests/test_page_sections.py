"""An incident's card and sections go into the page after Markdown: the same page as Markdown would make."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitebuilder import build_and_capture, incident, write_site

TEMPLATE = Path(__file__).resolve().parent.parent / "plugins" / "postmortems" / "site" / "templates" / "incident.md"

BODIES = {
    "plain": "## Summary\n\nToo many app servers.\n",
    "own timeline": "## Summary\n\nSee [the timeline](#timeline) and [ours](#timeline_1).\n\n## Timeline\n\nOur own notes.\n",
    "deep end": "## Summary\n\nText.\n\n### Details\n\n#### Even deeper\n\nMore.\n",
    "h1 inside": "Intro.\n\n# Appendix\n\n### Loose\n\nText.\n",
    "taken ids": "## Follow-up actions\n\n## Follow-up actions\n\nTwice.\n\n## Timeline_1\n",
    "no headings": "Just a paragraph & <b>bold</b>.\n",
}


def _incidents() -> dict[str, str]:
    extra = """
    contributing_factors: [One, "Two & <three>"]
    action_items:
      - title: Fix it
    related: [2013-06-01-plain]
    """
    return {f"2013-06-{n + 1:02d}-{name.replace(' ', '-')}.md":
            incident(title=f'"Case {name}"', started=f"2013-06-{n + 1:02d} 10:00", resolved=f"2013-06-{n + 1:02d} 11:00",
                     extra=extra if n else "", body=body)
            for n, (name, body) in enumerate(BODIES.items())}


def _markdown_headings_template() -> str:
    """The packaged template as it was written before: headings in the Markdown, islands in place."""
    text = TEMPLATE.read_text()
    text = text.replace("{% filter lead %}", "{% filter island %}")
    text = re.sub(r'\{% filter section\("([^"]+)"(, search=False)?\) %\}',
                  lambda m: f"\n## {m.group(1)}\n\n{{% filter island{'(search=False)' if m.group(2) else ''} %}}", text)
    assert "filter section(" not in text and "filter lead" not in text
    return text


def _pages(site: Path) -> dict[str, str]:
    return {path.parent.name: path.read_text() for path in sorted((site / "incidents").glob("2013-*/index.html"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, tuple[dict[str, str], list[str]]]:
    root = tmp_path_factory.mktemp("sections")
    config = {"markdown_extensions": [{"toc": {"permalink": True}}, "attr_list"], "validation": {"anchors": "warn"}}
    sites = {}
    for kind in ("after", "markdown"):
        config_file = write_site(root / kind, _incidents(), config=config)
        if kind == "markdown":
            (root / kind / "templates").mkdir()
            (root / kind / "templates" / "incident.md").write_text(_markdown_headings_template())
        site, warnings = build_and_capture(config_file, strict=False)
        sites[kind] = (_pages(site), warnings)
    return sites


def test_pages_match_what_markdown_makes_of_the_headings(built):
    after, markdown = built["after"][0], built["markdown"][0]
    assert after.keys() == markdown.keys() and len(after) == len(BODIES)
    for name in after:  # the same page, but for the blank lines the Markdown left around each block
        assert re.sub(r"\n\n+", "\n", after[name]) == re.sub(r"\n\n+", "\n", markdown[name]), name
    assert built["after"][1] == built["markdown"][1] == []  # every anchor link resolves, as before


def test_a_heading_of_the_body_keeps_its_id_and_the_section_gets_the_next(built):
    page = built["after"][0]["2013-06-02-own-timeline"]
    assert '<h2 id="timeline">Timeline<a class="headerlink" href="#timeline"' in page
    assert '<h2 id="timeline_1">Timeline<a class="headerlink" href="#timeline_1"' in page
    assert page.index('id="timeline"') < page.index("Our own notes.") < page.index('id="timeline_1"')
    toc = re.findall(r'<a href="#([^"]+)" class="md-nav__link">', page)
    assert toc[:7] == ["summary", "timeline", "timeline_1", "downtime-by-service", "contributing-factors",
                       "follow-up-actions", "related-incidents"][:len(toc[:7])] and "timeline_1" in toc


def test_taken_ids_are_skipped_as_markdown_skips_them(built):
    page = built["after"][0]["2013-06-05-taken-ids"]
    ids = re.findall(r'<h2 id="([^"]+)"', page)
    assert ids == ["follow-up-actions", "follow-up-actions_1", "timeline_1", "timeline", "downtime-by-service",
                   "contributing-factors", "follow-up-actions_2", "related-incidents"]


def test_the_card_sits_right_below_the_title_even_without_headings(built):
    page = built["after"][0]["2013-06-06-no-headings"]
    title, card, body = page.index('<h1 id="case-no-headings">'), page.index('class="pm-card"'), page.index("Just a paragraph")
    assert title < card < body < page.index('<h2 id="timeline">')
    assert "&lt;three&gt;" in page and "<b>bold</b>" in page
