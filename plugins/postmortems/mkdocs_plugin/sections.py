"""Blocks put into a page after its Markdown is converted (adapter side).

Markdown reads only an incident page's title and body. The card goes in right below the
title, and each section (timeline, contributing factors, follow-up actions, related
incidents) after the body, under a heading made as the site's Markdown makes it: the same
HTML and permalink, an id unique on the page, an entry in the table of contents. Headings
and raw HTML blocks are the costly part of converting a page: Markdown now parses about a
quarter less.
"""

from __future__ import annotations

import re

from markdown import Markdown
from markdown.extensions.toc import unique
from mkdocs.structure.toc import AnchorLink

from ..site.formatting import markdown_text
from ..site.templating import LEAD, Island

_ID = re.compile(r'<h[1-6][^>]*? id="([^"]*)"')


class Headings:
    """Headings as this site's Markdown makes them: each text and level converted once per build."""

    def __init__(self, config):
        self._extensions, self._configs = list(config.markdown_extensions), dict(config.mdx_configs or {})
        self._made: dict[tuple[str, int], tuple[str, str | None, list]] = {}

    def make(self, text: str, level: int, taken: set[str]) -> tuple[str, AnchorLink | None]:
        """The heading's HTML with an id not in ``taken`` (then added to it), and its table of contents entry."""
        key = (text, level)
        if key not in self._made:
            md = Markdown(extensions=self._extensions, extension_configs=self._configs)
            html = md.convert(f"{'#' * level} {markdown_text(text)}")
            found = _ID.match(html)
            self._made[key] = (html, found.group(1) if found else None, getattr(md, "toc_tokens", []))
        html, made, tokens = self._made[key]
        if made is None:
            return html, None
        new = unique(made, taken)  # as Markdown's toc would: `timeline_1` below a heading of the body's own
        if new != made:
            html = html.replace(f'id="{made}"', f'id="{new}"', 1).replace(f'href="#{made}"', f'href="#{new}"')
        return html, (AnchorLink(tokens[0]["name"], new, tokens[0]["level"]) if tokens else None)


def place(page, html: str, islands: list[Island], headings: Headings) -> str:
    """``html``, the page's converted Markdown, with each island's placeholder put in: a lead right
    below the title, sections at the end under their headings. Updates the page's table of contents
    and anchors."""
    leads = "".join(f"\n{island.token}" for island in islands if island.place == LEAD)
    if leads:
        head, found, rest = html.partition("</h1>")
        html = f"{head}</h1>{leads}{rest}" if found else f"{leads.lstrip()}\n{html}"
    taken = page.present_anchor_ids if page.present_anchor_ids is not None else set()
    parts = [html]
    for island in islands:
        if island.place != LEAD:
            heading, entry = headings.make(island.heading, island.level, taken)
            parts.append(f"{heading}\n{island.token}")
            if entry is not None:
                _append(page.toc.items, entry)
    page.present_anchor_ids = taken
    return "\n".join(parts)


def _append(items: list[AnchorLink], entry: AnchorLink) -> None:
    """Add a heading that comes after all others, nested as Markdown's toc would nest it."""
    if not items:
        entry.active = True  # like MkDocs' get_toc, for the first entry
    while items and items[-1].level < entry.level:
        items = items[-1].children
    items.append(entry)
