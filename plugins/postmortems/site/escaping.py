"""Escaping for XML and SVG output, and links between the site's pages.

Shared by the charts, badges and the Atom feed. Characters XML forbids are dropped;
which URLs may become links is ``incidents.links``' one rule.
"""

from __future__ import annotations

import posixpath
import re
from html import escape

from ..incidents.links import has_scheme

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(value: object) -> str:
    """``value`` as text without the characters XML forbids."""
    return _NOT_XML.sub("", str(value))


def text(value: object) -> str:
    """``value`` as escaped XML element text."""
    return escape(clean(value), quote=False)


def attr(value: object) -> str:
    """``value`` escaped for a quoted XML attribute (quotes and line breaks included)."""
    return escape(clean(value), quote=True).replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def site_path(url: str, from_url: str) -> str:
    """A safe ``url`` as a link from the page at the site-relative URL ``from_url``: relative ones
    are read from the site's root (``runbooks/db/``), so every page links to the same place."""
    if has_scheme(url) or url.startswith(("/", "#", "?")):
        return url
    base = from_url.rsplit("/", 1)[0] if "/" in from_url else ""
    target = posixpath.normpath("/" + url.split("#")[0].split("?")[0])
    tail = url[len(url.split("#")[0].split("?")[0]):]
    relative = posixpath.relpath(target, "/" + base)
    if url.split("#")[0].split("?")[0].endswith("/") and relative != ".":
        relative += "/"
    return ("./" if relative == "." else relative) + tail
