"""Escaping for XML and SVG output, and the one rule for which URLs may become links.

Shared by the charts, badges and the Atom feed. Characters XML forbids are dropped;
a URL becomes a link only when it is relative or http(s): browsers ignore
whitespace and control characters inside a scheme, so ``java\\tscript:`` is refused too.
"""

from __future__ import annotations

import posixpath
import re
from html import escape

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_BLANKS = re.compile(r"[\x00-\x20\x7f]+")
_OTHER_HOST = re.compile(r"^[/\\]{2}")


def clean(value: object) -> str:
    """``value`` as text without the characters XML forbids."""
    return _NOT_XML.sub("", str(value))


def text(value: object) -> str:
    """``value`` as escaped XML element text."""
    return escape(clean(value), quote=False)


def attr(value: object) -> str:
    """``value`` escaped for a quoted XML attribute (quotes and line breaks included)."""
    return escape(clean(value), quote=True).replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def has_scheme(url: str) -> bool:
    return bool(_SCHEME.match(url))


def safe_url(url: object, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """``url`` stripped when it is relative or uses one of ``schemes``; None otherwise (``javascript:``, ``data:``...)."""
    if not isinstance(url, str) or not url.strip():
        return None
    compact = _BLANKS.sub("", url)
    if _OTHER_HOST.match(compact):
        return None  # //host/x (and \\host\x, which browsers read alike) leaves the site without a scheme
    match = _SCHEME.match(compact)
    if match and match.group(1).lower() not in schemes:
        return None
    return url.strip()


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
