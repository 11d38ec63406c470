"""The Jinja2 environment: a wiki's ``templates/`` folder first, then the packaged templates."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import TEMPLATES
from .formatting import markdown_text

# Templates that produce YAML/Markdown for people to edit, not HTML: no HTML escaping.
PLAIN = {"new-incident.md"}
ISLAND = '<div data-pm-island="{}:{}"></div>'  # the build's secret and the island's number


@lru_cache(maxsize=8)
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

    def searchable(self) -> str:
        """The placeholder holding the block's words as one paragraph: what the search indexer reads."""
        text = " ".join(_TAG.sub(" ", self.html).split()) if self.search else ""
        return self.token.replace("></", f"><p>{text}</p></", 1) if text else self.token


@dataclass(frozen=True)
class Rendered:
    """What rendering a page returns: its text (Markdown, or a file's JSON, XML or SVG) and the
    islands of finished HTML set aside from it, by placeholder. The islands travel with their page."""

    text: str
    islands: Mapping[str, Island] = field(default_factory=dict)
    secret: str = ""  # the build's, in every placeholder

    def fingerprint(self) -> str:
        """What the page shows, whatever the build's secret: equal for two renders of the same page."""
        digest = hashlib.sha256(self.text.replace(self.secret, "").encode())
        for island in self.islands.values():
            digest.update(b"\0" + island.html.encode() + (b"1" if island.search else b"0"))
        return digest.hexdigest()

    def searchable(self, html: str) -> str:
        """The page's converted ``html`` as the search indexer should read it: each island as its words."""
        if not self.islands:
            return html
        islands = self.islands
        return placeholders(self.secret).sub(
            lambda match: islands[match.group(0)].searchable() if match.group(0) in islands else match.group(0), html)

    def filled(self, html: str) -> str:
        """The page's converted ``html`` (searchable or not) with each island's HTML in its placeholder's place."""
        if not self.islands:
            return html
        islands, secret = self.islands, self.secret

        def put(match: re.Match) -> str:
            token = ISLAND.format(secret, match.group(1))
            return islands[token].html if token in islands else match.group(0)

        return placeholders(secret).sub(put, html)


@jinja2.pass_context
def island(context, html: str, search: bool = True) -> Markup:
    """Set a block of finished HTML aside, leaving an empty ``div`` in the Markdown.

    Markdown then parses one tag instead of hundreds, and the search indexer reads
    the block's words as one paragraph (``Rendered.searchable``); the builder puts the
    HTML back after the page is indexed (``Rendered.filled``). Use at block level:
    ``{% filter island %}<table>...</table>{% endfilter %}``, and
    ``island(search=False)`` on pages left out of search, or for charts.
    """
    return Markup(f"\n\n{_aside(context, html, search)}\n\n")


@jinja2.pass_context
def lead(context, html: str, search: bool = True) -> Markup:
    """An ``island`` (the name templates written for earlier versions use for the block below a title)."""
    return island(context, html, search)


@jinja2.pass_context
def section(context, html: str, heading: str, level: int = 2, search: bool = True) -> Markup:
    """A heading, in Markdown, and a block of finished HTML under it
    (``{% filter section("Timeline") %}...{% endfilter %}``): the builder's Markdown makes the
    heading as it makes every other (an id unique on the page, a permalink, an entry in the
    table of contents)."""
    return Markup(f"\n\n{'#' * max(1, min(int(level), 6))} {markdown_text(str(heading))}\n\n{_aside(context, html, search)}\n\n")


def _aside(context, html: str, search: bool) -> str:
    store = context["islands"]
    token = ISLAND.format(context["island_secret"], len(store))
    store[token] = Island(token, str(html), search)
    return token


def environment(override_dir: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override_dir is not None and override_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(override_dir)))
    packaged = jinja2.FileSystemLoader(TEMPLATES)
    # The packaged templates also answer as "postmortems/NAME": an override can include or extend the
    # template it replaces ({% include "postmortems/dashboard.md" %}) instead of copying it.
    loaders += [packaged, jinja2.PrefixLoader({"postmortems": packaged})]
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
