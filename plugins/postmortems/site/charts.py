"""Inline SVG charts: the 90-day status bar, monthly downtime, and small bar charts.

Pure functions from plain data to an ``<svg>`` string. The output is meant to be
pasted into an HTML page: it loads nothing from another host (no fonts, images or
stylesheets), needs no JavaScript, uses ``currentColor`` for text and axes so it
reads on light and dark backgrounds and in print, and is byte-for-byte stable for
the same input. Every text value is escaped for the place it lands in.
"""

from __future__ import annotations

import math
import re

from ..incidents.links import safe_url
from .escaping import attr, text

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, sans-serif"

#: Status classes with the fill used when the site stylesheet is absent.
DAY_FILLS = {
    "pm-none": "#b0b6bf",
    "pm-ok": "#2da44e",
    "pm-minor": "#d4a72c",
    "pm-major": "#e8710a",
    "pm-critical": "#cf222e",
}
BAR_FILL = "#e8710a"
COUNT_FILL = "#4c78a8"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_text, _attr = text, attr


def _num(value: float) -> str:
    """A coordinate rounded to 2 decimals without trailing zeros (``12``, ``3.5``)."""
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _amount(value: float) -> str:
    """A quantity for people: ``42``, ``42.5``, ``0.25``."""
    return _num(value)


def _minutes(value: object) -> float | None:
    """Downtime minutes as a finite, non-negative float, or None when unknown."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    return max(number, 0.0)


def _svg_open(title: str, view_w: float, view_h: float, css: str, extra: str = "", role: str = "img") -> str:
    """The opening tag; charts with links are a ``group``, so screen readers reach the links (``img`` hides them)."""
    return (
        f'<svg xmlns="{SVG_NS}" class="{css}" role="{role}" aria-label="{_attr(title)}" '
        f'viewBox="0 0 {_num(view_w)} {_num(view_h)}" width="100%"{extra}>'
    )


def day_class(downtime_minutes: float | None, display: str = "") -> str:
    """The status class for one day: ``pm-none`` (not tracked) up to ``pm-critical``."""
    minutes = _minutes(downtime_minutes)
    if minutes is None or str(display).strip().lower() == "n/a":
        return "pm-none"
    if minutes == 0:
        return "pm-ok"
    if minutes <= 5:
        return "pm-minor"
    if minutes <= 60:
        return "pm-major"
    return "pm-critical"


def status_bar(days: list[dict], *, title: str) -> str:
    """A status-page bar: one equal-width rect per day, oldest first.

    Each rect carries its class and fill, a ``<title>`` tooltip (date, uptime,
    downtime, incident titles) and, when the day has incidents, a link to the first
    one (relative or http(s) URLs only).
    """
    step, gap, height = 10.0, 2.0, 34.0
    view_w = max(len(days) * step - gap, 1.0)
    parts = [_svg_open(title, view_w, height, "pm-statusbar", f' height="{_num(height)}" preserveAspectRatio="none"', role="group")]
    for index, day in enumerate(days):
        display = str(day.get("display", ""))
        css = day_class(day.get("downtime_minutes"), display)
        incidents = [i for i in day.get("incidents") or [] if isinstance(i, dict)]
        if css == "pm-none":
            lines = [f"{day.get('date', '')}: {display or 'n/a'} (no data)"]
        else:
            minutes = _amount(_minutes(day.get("downtime_minutes")) or 0.0)
            uptime = f"{display} uptime, " if display.strip() else ""
            lines = [f"{day.get('date', '')}: {uptime}{minutes} min downtime"]
        lines += [str(i.get("title", "")) for i in incidents]
        rect = (
            f'<rect class="pm-day {css}" fill="{DAY_FILLS[css]}" x="{_num(index * step)}" y="0" '
            f'width="{_num(step - gap)}" height="{_num(height)}"><title>{_text(chr(10).join(lines))}</title></rect>'
        )
        href = safe_url(incidents[0].get("url")) if incidents else None
        parts.append(f'<a href="{_attr(href)}">{rect}</a>' if href else rect)
    parts.append("</svg>")
    return "".join(parts)


def nice_ticks(maximum: float, target: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least ``maximum`` in steps of 1, 2 or 5 x 10^n.

    Nothing to show (zero, negative, NaN) gives ``[0, 1]``.
    """
    if not (maximum > 0 and math.isfinite(maximum)):
        return [0, 1]
    raw = maximum / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    count = math.ceil(round(maximum / step, 9))
    return [round(i * step, 10) for i in range(count + 1)]


def month_label(month: str) -> str:
    """``2013-06`` as ``Jun 13``; anything else unchanged."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", str(month).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return str(month)
    return f"{MONTHS[int(match.group(2)) - 1]} {match.group(1)[2:]}"


def monthly_downtime(months: list[dict], *, title: str) -> str:
    """A vertical bar chart of downtime minutes per month with a labelled y axis.

    Every month gets a slot (zero months a 0-height bar), a ``<title>`` tooltip over
    the whole slot, and a link when its ``url`` is relative or http(s). Month labels
    are thinned to about 12 when there are more months.
    """
    width, height = 640.0, 240.0
    left, right, top, bottom = 44.0, 8.0, 28.0, 24.0
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [_minutes(m.get("downtime_minutes")) or 0.0 for m in months]
    ticks = nice_ticks(max(values, default=0.0))
    scale = plot_h / ticks[-1]
    base = top + plot_h
    parts = [_svg_open(title, width, height, "pm-chart pm-monthly", f' font-family="{FONT}" font-size="11"', role="group")]
    parts.append('<g class="pm-axis" fill="currentColor" stroke="none">')
    for tick in ticks:
        y = base - tick * scale
        parts.append(
            f'<line x1="{_num(left)}" x2="{_num(width - right)}" y1="{_num(y)}" y2="{_num(y)}" '
            f'stroke="currentColor" stroke-opacity="0.15"/>'
            f'<text x="{_num(left - 6)}" y="{_num(y + 4)}" text-anchor="end">{_num(tick)}</text>'
        )
    parts.append(
        f'<text x="{_num(left - 6)}" y="12" text-anchor="end">min</text>'
        f'<line x1="{_num(left)}" x2="{_num(width - right)}" y1="{_num(base)}" y2="{_num(base)}" stroke="currentColor"/>'
        "</g>"
    )
    slot = plot_w / max(len(months), 1)
    every = 1 if len(months) <= 12 else math.ceil(len(months) / 12)
    for index, (month, value) in enumerate(zip(months, values)):
        x = left + index * slot
        bar_h = value * scale
        name = str(month.get("month", ""))
        tip = f"{name}: {_amount(value)} min downtime"
        if str(month.get("display", "") or "").strip():
            tip += f", uptime {month['display']}"
        group = [
            f'<g class="pm-month"><title>{_text(tip)}</title>',
            f'<rect class="pm-hit" x="{_num(x)}" y="{_num(top)}" width="{_num(slot)}" height="{_num(plot_h)}" '
            f'fill="currentColor" fill-opacity="0"/>',
            f'<rect class="pm-bar" fill="{BAR_FILL}" x="{_num(x + slot * 0.15)}" y="{_num(base - bar_h)}" '
            f'width="{_num(slot * 0.7)}" height="{_num(bar_h)}"/>',
        ]
        if value > 0:
            label = _amount(value)
            size = max(6.0, min(10.0, slot / (0.62 * len(label))))
            group.append(
                f'<text class="pm-value" fill="currentColor" x="{_num(x + slot / 2)}" y="{_num(base - bar_h - 3)}" '
                f'text-anchor="middle" font-size="{_num(size)}">{_text(label)}</text>'
            )
        if index % every == 0:
            group.append(
                f'<text class="pm-label" fill="currentColor" x="{_num(x + slot / 2)}" y="{_num(base + 15)}" '
                f'text-anchor="middle">{_text(month_label(name))}</text>'
            )
        group.append("</g>")
        href = safe_url(month.get("url"))
        parts.append(f'<a href="{_attr(href)}">{"".join(group)}</a>' if href else "".join(group))
    parts.append("</svg>")
    return "".join(parts)


def bars(items: list[tuple[str, float]], *, title: str, unit: str = "") -> str:
    """A small horizontal bar chart of ``(label, value)`` rows, value printed at bar end."""
    width, row, pad = 300.0, 22.0, 4.0
    values = [_minutes(value) or 0.0 for _, value in items]
    longest = max((len(str(label)) for label, _ in items), default=0)
    label_w = min(longest * 6.6 + 10, 200.0)
    value_w = max((len(_value_text(v, unit)) for v in values), default=0) * 6.6 + 10
    bar_max = max(width - label_w - value_w, 40.0)
    peak = max(values, default=0.0) or 1.0
    height = max(len(items) * row, row)
    parts = [_svg_open(title, width, height, "pm-chart pm-bars", f' font-family="{FONT}" font-size="11"')]
    for index, ((label, _), value) in enumerate(zip(items, values)):
        y = index * row
        label = str(label)
        shown = label if len(label) * 6.6 + 10 <= label_w else label[: max(int((label_w - 10) / 6.6) - 1, 1)] + "\u2026"
        bar_w = value / peak * bar_max
        text = _value_text(value, unit)
        parts.append(
            f'<g class="pm-row"><title>{_text(f"{label}: {text}")}</title>'
            f'<text fill="currentColor" x="{_num(label_w - 8)}" y="{_num(y + row / 2 + 4)}" text-anchor="end">{_text(shown)}</text>'
            f'<rect class="pm-bar" fill="{COUNT_FILL}" x="{_num(label_w)}" y="{_num(y + pad)}" '
            f'width="{_num(bar_w)}" height="{_num(row - 2 * pad)}"/>'
            f'<text class="pm-value" fill="currentColor" x="{_num(label_w + bar_w + 4)}" y="{_num(y + row / 2 + 4)}">'
            f"{_text(text)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _value_text(value: float, unit: str) -> str:
    return f"{_amount(value)} {unit}".strip() if unit else _amount(value)
