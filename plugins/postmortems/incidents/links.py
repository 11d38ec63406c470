"""The one rule for which URLs may become links (incident links, action items, feeds, charts).

A URL becomes a link only when it is relative or uses an allowed scheme (http and https unless
told otherwise): browsers ignore whitespace and control characters inside a scheme, so
``java\\tscript:`` is refused too, and ``//host`` or ``\\\\host`` (another host without a
scheme) is refused as well.
"""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_BLANKS = re.compile(r"[\x00-\x20\x7f]+")
_OTHER_HOST = re.compile(r"^[/\\]{2}")


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
