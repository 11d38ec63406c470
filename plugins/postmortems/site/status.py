"""The current status as HTML: the open incidents at the as-of instant (see ``uptime.status``).

One block for every place that shows it: the dashboard, each service page and ``{{ status() }}``
in any page. It is finished HTML on one line, every value escaped, so Markdown passes it through
as a raw block; braces are entities too, so a page that mkdocs-macros renders as a template after
the figures are in place never reads a title's ``{{`` as its own. Links to incident pages are relative to the page it stands in (from the site's
root when the page is not known).
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from ..incidents.timeparse import iso, local_text
from ..uptime.status import LEVEL_WORDS
from .formatting import duration
from .layout import Layout

# Material's admonition kinds, by the worst level now.
KINDS = {"outage": "danger", "partial": "warning", "degraded": "warning", "": "info"}


def _esc(value: object) -> str:
    """``value`` as HTML text or attribute, its braces as entities (no template syntax survives)."""
    return escape(str(value), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def zoned(moment: datetime, tz) -> str:
    """``2013-06-30 20:12 EDT``: local time with the zone's abbreviation (or offset) at that instant."""
    local = moment.astimezone(tz)
    return f"{local_text(moment, tz)} {local.tzname() or local.strftime('%z')}"


def status_html(report, layout: Layout | None = None, page: str | None = None, service: str | None = None) -> str:
    """The status block of the site (or of ``service``); KeyError for a service the report does not know."""
    if service is not None and service not in report.services:
        raise KeyError(f"unknown service {service!r} (services: {', '.join(report.services) or 'none'})")
    layout = layout or Layout()
    tz, zone_name = report.settings.tz, report.settings.timezone
    items = report.ongoing_on(service)
    as_of = (f'<time datetime="{iso(report.as_of)}">{_esc(zoned(report.as_of, tz))}</time>'
             f" ({_esc(zone_name)})")
    scope = f" on {_esc(service)}" if service is not None else ""
    caveat = ""
    if report.uncounted:
        count = len(report.uncounted)
        caveat = (f' <span class="pm-status-caveat">{count} invalid incident file{"s" if count != 1 else ""} cannot be '
                  f'read, so this may be incomplete.</span>')
    if not items:
        return (f'<div class="admonition success pm-current pm-current-ok" role="status">'
                f'<p class="admonition-title">No open incidents{scope}</p>'
                f'<p class="pm-asof">As of {as_of}.{caveat}</p></div>')
    worst = next((level for level in ("outage", "partial", "degraded") if any(item.level == level for item in items)), "")
    heading = f"{len(items)} open incident{'s' if len(items) != 1 else ''}{scope}"
    rows = "".join(_item(item, report, layout, page, tz) for item in items)
    return (f'<div class="admonition {KINDS[worst]} pm-current pm-current-open" role="status">'
            f'<p class="admonition-title">{heading}</p><ul class="pm-ongoing">{rows}</ul>'
            f'<p class="pm-asof">As of {as_of}.{caveat}</p></div>')


def _item(item, report, layout: Layout, page: str | None, tz) -> str:
    if item.unverified:
        title = (f'<code>{_esc(item.file)}</code> <small>(an invalid file, counted as its worst case until '
                 f'fixed)</small>')
    else:
        href = layout.href(page or "index.md", layout.incident(item.id))
        title = f'<a href="{_esc(href)}">{_esc(item.title)}</a>'
    badges = ""
    if item.severity and item.severity in report.settings.severities:
        rank = report.settings.severities.index(item.severity) + 1
        badges += f' <span class="pm-sev pm-sev-{rank}">{_esc(item.severity)}</span>'
    badges += f' <span class="pm-status pm-status-{_esc(item.status)}">{_esc(item.status)}</span>'
    if item.maintenance:
        badges += ' <span class="pm-maintenance">planned maintenance</span>'
    levels = ", ".join(f'<span class="pm-level pm-level-{level or "none"}">{_esc(name)}: {LEVEL_WORDS[level]}</span>'
                       for name, level in item.levels)
    since = (f'since <time datetime="{iso(item.started)}">{_esc(zoned(item.started, tz))}</time>'
             f" ({duration((report.as_of - item.started).total_seconds() / 60) or '0 min'})")
    return f'<li data-pm-incident="{_esc(item.id)}">{title}{badges}<br>{levels} · {since}</li>'
