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


def head_links(html: str, links: list[tuple[str, str]]) -> str:
    """``html`` (a whole page) with a ``<link rel="alternate" type="application/atom+xml">`` for each
    ``(title, href)`` put in right before ``</head>``, so browsers and feed readers find the feeds.
    A page without ``</head>`` is left as it is."""
    if not links:
        return html
    at = html.find("</head>")
    if at < 0:
        return html
    tags = "".join(f'<link rel="alternate" type="application/atom+xml" title="{_attr(title)}" href="{_attr(href)}">'
                   for title, href in links)
    return html[:at] + tags + html[at:]


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


def _urn(namespace: str) -> str:
    """``urn:postmortems:`` and, when given, the wiki's own part (its name as a slug) and a colon."""
    return "urn:postmortems:" + (quote(namespace, safe="-._~") + ":" if namespace else "")


def entry_id(entry: dict, link: str | None, namespace: str = "") -> str:
    """A stable id, unique across wikis: the entry's absolute address (with ``site_url``), else
    ``urn:postmortems:NAMESPACE:incident:ID``, else a hash of title and date."""
    if link and has_scheme(link):
        return link
    ident = str(entry.get("id") or "").strip()
    if ident:
        return _urn(namespace) + "incident:" + quote(ident, safe="-._~")
    published = entry.get("published")
    seed = f"{entry.get('title', '')}|{published.isoformat() if isinstance(published, datetime) else ''}"
    return _urn(namespace) + "incident:sha1-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()


def _entry(entry: dict, site_url: str, fallback: str, namespace: str = "") -> list[str]:
    link = absolute(entry.get("url"), site_url)
    updated_at = entry.get("updated") or entry.get("published")
    lines = [
        "  <entry>",
        f"    <id>{_text(entry_id(entry, link, namespace))}</id>",
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


def atom_feed(entries: list[dict], *, title: str, site_url: str, feed_url: str, updated: datetime,
              namespace: str = "", page_url: str = "") -> str:
    """An Atom 1.0 document with one ``<entry>`` per dict, in the given order.

    Entry dicts have ``id``, ``title``, ``url``, ``published``, ``updated`` (aware
    datetimes), ``summary``, ``content_html``, ``authors`` and ``categories``. Ids are
    addresses when ``site_url`` is given: the feed's is its own absolute URL, each entry's
    its page's. Without it they are ``urn:postmortems:NAMESPACE:feed:FEED_URL`` and
    ``urn:postmortems:NAMESPACE:incident:ID`` (``namespace``: the wiki's name as a slug), so
    two wikis' feeds differ as long as their names do. ``page_url`` is the page the feed is
    about (default: the site). The feed carries an ``<author>`` named after ``title`` for
    entries that list none. Raises ValueError for a naive or missing datetime.
    """
    site = safe_url(site_url) or ""
    self_link = absolute(feed_url, site)
    feed_id = (self_link if site and self_link and has_scheme(self_link)
               else _urn(namespace) + "feed:" + quote(str(feed_url or title), safe="-._~/"))
    alternate = absolute(page_url, site) if page_url else absolute(site, site)
    stamp = _when(updated, "updated")
    # Without site_url, relative links are read from the site's root, wherever the feed lies in it.
    depth = str(feed_url).count("/") if not site and not has_scheme(str(feed_url)) else 0
    base = f' xml:base="{"../" * depth}"' if depth else ""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}"{base}>',
        f"  <id>{_text(feed_id)}</id>",
        f'  <title type="text">{_text(title)}</title>',
        f"  <updated>{stamp}</updated>",
        f"  <author><name>{_text(title or GENERATOR)}</name></author>",
        f"  <generator>{GENERATOR}</generator>",
    ]
    if site and alternate:
        lines.append(f'  <link rel="alternate" type="text/html" href="{_attr(alternate)}"/>')
    if self_link:
        lines.append(f'  <link rel="self" type="application/atom+xml" href="{_attr(self_link)}"/>')
    for entry in entries:
        lines.extend(_entry(entry, site, stamp, namespace))
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
