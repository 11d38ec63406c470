"""Standalone shields.io-style "flat" SVG badges, e.g. ``uptime | >99.98%``.

The badge is a complete SVG file (with ``xmlns``) that loads nothing from another
host. Text widths are estimated from Verdana's advance widths at 11px (DejaVu Sans
is close), and ``textLength`` pins each text to that width, so the badge looks the
same whichever of the two fonts the viewer has. Output is deterministic.
"""

from __future__ import annotations

import math
import re
import unicodedata

from .escaping import attr as _attr
from .escaping import clean as _clean
from .escaping import text

SVG_NS = "http://www.w3.org/2000/svg"
GREEN, YELLOW, RED, GREY = "#4c1", "#dfb317", "#e05d44", "#9f9f9f"
LABEL_FILL = "#555"
FONT = "Verdana,Geneva,DejaVu Sans,sans-serif"
PADDING = 5  # px each side of each text, as shields.io does

#: Verdana advance widths in font units (2048 per em), grouped by width.
_WIDTH_GROUPS = {
    551: "'", 561: "il", 703: "j", 719: "f", 720: " ", 745: ".,", 806: "!", 807: "t",
    862: "I", 874: "r", 909: "()-/:;[]\\|", 917: "J", 940: '"', 1053: "z", 1061: "s",
    1065: "c", 1117: "?", 1145: "L", 1178: "F", 1208: "kvxy", 1217: "e", 1229: "a",
    1237: "o", 1245: "PTY", 1270: "bdgpq", 1292: "hnuE", 1302: "0123456789$*_`{}",
    1401: "AV", 1405: "BSXZ", 1413: "R", 1425: "K", 1430: "C", 1484: "&", 1503: "U",
    1532: "N", 1540: "H", 1577: "D", 1589: "G", 1610: "OQ", 1676: "w", 1716: "#+<=>^~",
    1751: "M", 1985: "m", 2027: "W", 2134: "@", 2200: "%",
}
_UNITS = {char: units for units, chars in _WIDTH_GROUPS.items() for char in chars}
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})|[a-zA-Z]{3,20}")


def _num(value: float) -> str:
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def text_width(text: str, size: float = 11.0) -> float:
    """Estimated width in px of ``text`` set in Verdana at ``size`` px."""
    units = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        if char in _UNITS:
            units += _UNITS[char]
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            units += 2048
        else:
            units += 1400  # an average capital; errs on the wide side
    return units * size / 2048


def color_for(uptime_percent: float | None, slo: float) -> str:
    """Badge colour: green at/above ``slo``, yellow within 0.5 points below, red lower, grey unknown."""
    if uptime_percent is None or not math.isfinite(uptime_percent):
        return GREY
    if uptime_percent >= slo:
        return GREEN
    if uptime_percent >= slo - 0.5:
        return YELLOW
    return RED


def _texts(content: str, width: int, offset: int) -> str:
    """Shadow and foreground ``<text>`` for one half, in the 10x coordinate space."""
    if not content:
        return ""
    x = _num((offset + width / 2) * 10)
    length = _num((width - 2 * PADDING) * 10)
    body = text(content)
    return (
        f'<text aria-hidden="true" x="{x}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" '
        f'textLength="{length}">{body}</text>'
        f'<text x="{x}" y="140" transform="scale(.1)" fill="#fff" textLength="{length}">{body}</text>'
    )


def badge(label: str, message: str, color: str) -> str:
    """A flat badge SVG: grey ``label`` on the left, ``message`` on ``color`` on the right.

    ``color`` must be ``#rgb``, ``#rrggbb`` or a colour name; anything else is grey.
    An empty ``label`` gives a message-only badge.
    """
    label, message = _clean(label).strip(), _clean(message).strip()
    fill = color.strip() if isinstance(color, str) and _COLOR.fullmatch(color.strip()) else GREY
    label_w = math.ceil(text_width(label)) + 2 * PADDING if label else 0
    message_w = math.ceil(text_width(message)) + 2 * PADDING
    total = label_w + message_w
    name = f"{label}: {message}" if label else message
    return (
        f'<svg xmlns="{SVG_NS}" width="{total}" height="20" role="img" aria-label="{_attr(name)}">'
        f"<title>{text(name)}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{label_w}" height="20" fill="{LABEL_FILL}"/>'
        f'<rect x="{label_w}" width="{message_w}" height="20" fill="{_attr(fill)}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        f'<g fill="#fff" text-anchor="middle" font-family="{FONT}" text-rendering="geometricPrecision" font-size="110">'
        f"{_texts(label, label_w, 0)}{_texts(message, message_w, label_w)}</g></svg>\n"
    )
