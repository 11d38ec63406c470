"""Inline SVG charts: the 90-day status bar, monthly downtime, and small bar charts.

Pure functions from plain data to an ``<svg>`` string, and to the HTML that goes with
a chart: the status bar's date axis, its legend and its days with downtime as text,
and the monthly chart's figures as a table, so that what a pointer finds in a tooltip
a keyboard, a touch screen and a screen reader find too. The output is meant to be
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
#: The size of all chart text, in the SVG's own units. The stylesheet never shows a chart smaller than its
#: viewBox (a narrow screen scrolls it), so the text is never smaller than this many CSS pixels.
FONT_SIZE = 11

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


#: The legend of the status bars, in the order of ``day_class``'s thresholds.
DAY_LEGEND = (
    ("pm-ok", "No downtime"),
    ("pm-minor", "Up to 5 min"),
    ("pm-major", "Up to 1 h"),
    ("pm-critical", "Over 1 h"),
    ("pm-none", "Not tracked"),
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
    parts = [_svg_open(title, width, height, "pm-chart pm-monthly", f' font-family="{FONT}" font-size="{FONT_SIZE}"', role="group")]
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
        label = _amount(value)
        if value > 0 and len(label) * 0.62 * FONT_SIZE <= slot:  # a value too wide for its slot is in the table
            group.append(
                f'<text class="pm-value" fill="currentColor" x="{_num(x + slot / 2)}" y="{_num(base - bar_h - 3)}" '
                f'text-anchor="middle">{_text(label)}</text>'
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
    parts = [_svg_open(title, width, height, "pm-chart pm-bars", f' font-family="{FONT}" font-size="{FONT_SIZE}"')]
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


# HTML beside the charts ---------------------------------------------------------

AXIS_MARGIN = 0.25  # month ticks stay this share of the bar away from its ends, clear of the end dates


def status_axis(days: list[dict]) -> str:
    """The date axis under a status bar: its first and last day, and the first day of each month
    between them, each placed where that day's rect starts (as a share of the bar's width)."""
    if not days:
        return ""
    step, gap = 10.0, 2.0
    width = max(len(days) * step - gap, 1.0)
    parts = [f'<div class="pm-statusbar-axis"><span class="pm-axis-start">{_text(str(days[0].get("date", "")))}</span>']
    for index, day in enumerate(days):
        match = re.fullmatch(r"\d{4}-(\d{2})-01", str(day.get("date", "")))
        share = index * step / width
        if match and 1 <= int(match.group(1)) <= 12 and AXIS_MARGIN <= share <= 1 - AXIS_MARGIN:
            parts.append(f'<span class="pm-axis-month" style="left: {_num(share * 100)}%">'
                         f'{MONTHS[int(match.group(1)) - 1]} 1</span>')
    parts.append(f'<span class="pm-axis-end">{_text(str(days[-1].get("date", "")))}</span></div>')
    return "".join(parts)


def status_legend() -> str:
    """What each colour of the status bars means (``DAY_LEGEND``), with a swatch of each."""
    items = "".join(
        f'<li><svg class="pm-swatch" width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" focusable="false">'
        f'<rect width="10" height="10" fill="{DAY_FILLS[css]}"/></svg>{_text(label)}</li>'
        for css, label in DAY_LEGEND
    )
    return f'<ul class="pm-legend" aria-label="Legend of the status bars">{items}</ul>'


def status_days(days: list[dict]) -> str:
    """The days of a status bar that had downtime, as text: what each rect's tooltip says, with a link
    to every incident of the day (relative or http(s) URLs only). A disclosure, closed."""
    listed = []
    for day in days:
        display = str(day.get("display", ""))
        if day_class(day.get("downtime_minutes"), display) in ("pm-none", "pm-ok"):
            continue
        minutes = _amount(_minutes(day.get("downtime_minutes")) or 0.0)
        date = str(day.get("date", ""))
        uptime = f" ({_text(display)} uptime)" if display.strip() else ""
        links = []
        for incident in (i for i in day.get("incidents") or [] if isinstance(i, dict)):
            title, href = _text(str(incident.get("title", ""))), safe_url(incident.get("url"))
            links.append(f'<a href="{_attr(href)}">{title}</a>' if href else title)
        tail = f": {', '.join(links)}" if links else ""
        listed.append(f'<li><time datetime="{_attr(date)}">{_text(date)}</time>: {minutes} min downtime{uptime}{tail}</li>')
    if not listed:
        return '<p class="pm-days-none">No downtime on any of these days.</p>'
    count = f"{len(listed)} day{'s' if len(listed) != 1 else ''} with downtime"
    return f'<details class="pm-days"><summary>{count}</summary><ul>{"".join(listed)}</ul></details>'


def status_block(days: list[dict], *, title: str) -> str:
    """A status bar with its date axis and its days with downtime."""
    return status_bar(days, title=title) + status_axis(days) + status_days(days)


def monthly_table(months: list[dict], *, title: str) -> str:
    """The figures of ``monthly_downtime`` as a table in a closed disclosure: month, downtime, uptime
    (linked like the month's bar)."""
    rows = []
    for month in months:
        name = str(month.get("month", ""))
        minutes = _amount(_minutes(month.get("downtime_minutes")) or 0.0)
        display = _text(str(month.get("display", "") or "").strip() or "n/a")
        href = safe_url(month.get("url"))
        uptime = f'<a href="{_attr(href)}">{display}</a>' if href else display
        rows.append(f"<tr><td>{_text(name)}</td><td>{minutes} min</td><td>{uptime}</td></tr>")
    return (
        f'<details class="pm-chart-data"><summary>{_text(title)}, as a table</summary>'
        '<table class="pm-data-table"><thead><tr><th>Month</th><th>Downtime</th><th>Uptime</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></details>'
    )
