"""Small text helpers for pages: durations, Markdown-safe text."""

from __future__ import annotations

import html
import json
import re
from fractions import Fraction

from markupsafe import Markup

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def duration(minutes: Fraction | float | int | None) -> str:
    """``28 min``, ``8.6 min``, ``2 h 05 min``, ``3 d 4 h``; an empty string for None."""
    if minutes is None:
        return ""
    value = float(minutes)
    if value < 0:
        return "-" + duration(-value)
    if value < 60:
        rounded = round(value, 1)
        return f"{rounded:g} min"
    whole = int(round(value))
    if whole < 24 * 60:
        return f"{whole // 60} h {whole % 60:02d} min"
    days, rest = divmod(whole, 24 * 60)
    return f"{days} d {rest // 60} h"


def markdown_text(text: str) -> str:
    """Text that Markdown shows as written: HTML escaped, Markdown syntax backslash-escaped."""
    # Markup: escaped once here; the templates' HTML autoescaping must not escape it again.
    return Markup(_MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False)).replace("\n", " "))


def number(value: Fraction | float | int | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    rounded = round(float(value), digits)
    return f"{rounded:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{rounded:,.0f}"


def meta_title(text: str) -> Markup:
    """A page's ``title:`` for its YAML meta block: HTML-escaped, as MkDocs keeps page titles (themes put
    them into the page unescaped, and Material's ``<title>`` unescapes entities), quoted for YAML."""
    return Markup(json.dumps(html.escape(" ".join(str(text).split()), quote=False), ensure_ascii=True))
