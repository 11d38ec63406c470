"""Escaping for XML and SVG output, and the one rule for which URLs may become links.

Shared by the charts, badges and the Atom feed. Characters XML forbids are dropped;
a URL becomes a link only when it is relative or http(s): browsers ignore
whitespace and control characters inside a scheme, so ``java\\tscript:`` is refused too.
"""

from __future__ import annotations

import re
from html import escape

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_BLANKS = re.compile(r"[\x00-\x20\x7f]+")


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
    match = _SCHEME.match(_BLANKS.sub("", url))
    if match and match.group(1).lower() not in schemes:
        return None
    return url.strip()
