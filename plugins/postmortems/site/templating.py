"""The Jinja2 environment: a wiki's ``templates/`` folder first, then the packaged templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import TEMPLATES
from markupsafe import Markup

# Templates that produce YAML/Markdown for people to edit, not HTML: no HTML escaping.
PLAIN = {"new-incident.md"}
ISLAND = '<div data-pm-island="{}:{}"></div>'  # the build's secret and the island's number
INLINE = "inline"  # an island's placeholder stands in the Markdown
LEAD, SECTION = "lead", "section"  # islands put in after Markdown: below the page's title, and at its end


def placeholders(secret: str) -> re.Pattern:
    """The placeholders of one build, empty or as search reads them. ``secret`` is random per build,
    so a writer cannot address them: an incident body's own copy of the markup stays as it is."""
    return re.compile(r'<div data-pm-island="' + re.escape(secret) + r':(\d+)">(?:<p>[^<]*</p>)?</div>')


_TAG = re.compile(r"<[^>]*>")  # our own HTML: every value in it is escaped, so no '>' inside a tag


@dataclass(frozen=True)
class Island:
    """A block of finished HTML waiting outside the Markdown, under its placeholder ``token``."""

    token: str
    html: str
    search: bool  # the search index gets its words
    place: str = INLINE  # where the placeholder is: in the Markdown, or put in after it (LEAD, SECTION)
    heading: str = ""  # a SECTION's heading, as plain text
    level: int = 2  # and its level

    def searchable(self) -> str:
        """The placeholder holding the block's words as one paragraph: what the search indexer reads."""
        text = " ".join(_TAG.sub(" ", self.html).split()) if self.search else ""
        return self.token.replace("></", f"><p>{text}</p></", 1) if text else self.token


@jinja2.pass_context
def island(context, html: str, search: bool = True) -> Markup:
    """Set a block of finished HTML aside, leaving an empty ``div`` in the Markdown.

    Markdown then parses one tag instead of hundreds, and the search indexer reads
    the block's words as one paragraph (``Island.searchable``); the builder puts the
    HTML back after the page is indexed (``Wiki.fill``). Use at block level:
    ``{% filter island %}<table>...</table>{% endfilter %}``, and
    ``island(search=False)`` on pages left out of search, or for charts.
    """
    return Markup(f"\n\n{_aside(context, html, search)}\n\n")


@jinja2.pass_context
def lead(context, html: str, search: bool = True) -> Markup:
    """Like ``island``, but the block goes right below the page's title once the Markdown is
    converted, so Markdown never sees it (``{% filter lead %}...{% endfilter %}``)."""
    _aside(context, html, search, LEAD)
    return Markup("")


@jinja2.pass_context
def section(context, html: str, heading: str, level: int = 2, search: bool = True) -> Markup:
    """A heading and a block of finished HTML that go after the page's converted Markdown, in the
    order they are written (``{% filter section("Timeline") %}...{% endfilter %}``). The builder
    makes the heading as Markdown would: an id unique on the page, a permalink, an entry in the
    table of contents."""
    _aside(context, html, search, SECTION, heading, level)
    return Markup("")


def _aside(context, html: str, search: bool, place: str = INLINE, heading: str = "", level: int = 2) -> str:
    store = context["islands"]
    token = ISLAND.format(context["island_secret"], len(store))
    store[token] = Island(token, str(html), search, place, str(heading), level)
    return token


def environment(override_dir: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override_dir is not None and override_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(override_dir)))
    loaders.append(jinja2.FileSystemLoader(TEMPLATES))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=lambda name: name not in PLAIN,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment per build: each template is read once
    )
    env.filters.update(island=island, lead=lead, section=section)
    return env
