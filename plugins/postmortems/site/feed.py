"""An Atom 1.0 feed of postmortems, as one standalone XML document.

Everything is escaped text: entry HTML goes into ``<content type="html">`` as
escaped markup (no CDATA, so ``]]>`` or ``</script>`` in a postmortem is harmless),
links are kept only when relative or http(s), relative links are joined to the
site URL, and timestamps are UTC via :func:`postmortems.timeparse.iso`. The same
input always gives the same bytes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import quote, urljoin

from ..incidents.links import has_scheme, safe_url
from .escaping import attr, text
from ..incidents.timeparse import iso

ATOM_NS = "http://www.w3.org/2005/Atom"
GENERATOR = "mkdocs-postmortems"

_text, _attr = text, attr


def absolute(url: object, site_url: str) -> str | None:
    """A safe ``url`` joined to ``site_url`` (when given and ``url`` is relative)."""
    safe = safe_url(url)
    base = safe_url(site_url)
    if safe is None or not base or has_scheme(safe):
        return safe
    return urljoin(base if base.endswith("/") else base + "/", safe)


def _when(value: object, field: str) -> str:
    """An aware datetime as ISO UTC; naive ones would depend on the build machine's zone."""
    if not isinstance(value, datetime):
        raise ValueError(f"feed {field} should be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"feed {field} {value.isoformat()} has no time zone")
    return iso(value)


def entry_id(entry: dict, link: str | None) -> str:
    """A stable id: ``urn:postmortems:incident:ID``, else the link, else a hash of title and date."""
    ident = str(entry.get("id") or "").strip()
    if ident:
        return "urn:postmortems:incident:" + quote(ident, safe="-._~")
    if link and has_scheme(link):
        return link
    published = entry.get("published")
    seed = f"{entry.get('title', '')}|{published.isoformat() if isinstance(published, datetime) else ''}"
    return "urn:postmortems:incident:sha1-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()


def _entry(entry: dict, site_url: str, fallback: str) -> list[str]:
    link = absolute(entry.get("url"), site_url)
    updated_at = entry.get("updated") or entry.get("published")
    lines = [
        "  <entry>",
        f"    <id>{_text(entry_id(entry, link))}</id>",
        f'    <title type="text">{_text(entry.get("title") or "Untitled incident")}</title>',
        f"    <updated>{_when(updated_at, 'entry updated') if updated_at else fallback}</updated>",
    ]
    if entry.get("published"):
        lines.append(f"    <published>{_when(entry['published'], 'entry published')}</published>")
    if link:
        lines.append(f'    <link rel="alternate" type="text/html" href="{_attr(link)}"/>')
    for name in entry.get("authors") or []:
        if str(name).strip():
            lines.append(f"    <author><name>{_text(str(name).strip())}</name></author>")
    for term in entry.get("categories") or []:
        if str(term).strip():
            lines.append(f'    <category term="{_attr(str(term).strip())}"/>')
    summary = str(entry.get("summary") or "").strip()
    if summary:
        lines.append(f'    <summary type="text">{_text(summary)}</summary>')
    content = str(entry.get("content_html") or "")
    if content.strip() or not link:
        lines.append(f'    <content type="html">{_text(content)}</content>')
    lines.append("  </entry>")
    return lines


def atom_feed(entries: list[dict], *, title: str, site_url: str, feed_url: str, updated: datetime) -> str:
    """An Atom 1.0 document with one ``<entry>`` per dict, in the given order.

    Entry dicts have ``id``, ``title``, ``url``, ``published``, ``updated`` (aware
    datetimes), ``summary``, ``content_html``, ``authors`` and ``categories``. The
    feed id is ``site_url`` when given, else a ``urn:postmortems:feed:`` id. The feed
    carries an ``<author>`` named after ``title`` for entries that list none.
    Raises ValueError for a naive or missing datetime.
    """
    site = safe_url(site_url) or ""
    self_link = absolute(feed_url, site)
    feed_id = absolute(site, site) if site else "urn:postmortems:feed:" + quote(str(feed_url or title), safe="-._~/")
    stamp = _when(updated, "updated")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}">',
        f"  <id>{_text(feed_id)}</id>",
        f'  <title type="text">{_text(title)}</title>',
        f"  <updated>{stamp}</updated>",
        f"  <author><name>{_text(title or GENERATOR)}</name></author>",
        f"  <generator>{GENERATOR}</generator>",
    ]
    if site:
        lines.append(f'  <link rel="alternate" type="text/html" href="{_attr(absolute(site, site))}"/>')
    if self_link:
        lines.append(f'  <link rel="self" type="application/atom+xml" href="{_attr(self_link)}"/>')
    for entry in entries:
        lines.extend(_entry(entry, site, stamp))
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
