"""Every page and file of the wiki, rendered from Jinja2 templates (no MkDocs here).

``Wiki`` takes loaded incidents and an uptime report and yields ``Output`` values:
Markdown pages (for the site builder to render), and ready files (JSON, Atom, SVG).
Incident pages are rendered on demand, so a builder can render only the ones it needs.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from functools import cached_property, partial
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import jinja2

from . import TEMPLATES, badges

from . import charts
from .escaping import site_path
from .feed import atom_feed, head_links
from ..incidents.slugs import name_slug
from .figures import body_problems, substitute
from .status import status_html, zoned
from .formatting import duration, markdown_text, meta_title, number
from ..incidents.model import MILESTONES, Incident
from ..incidents.problems import Problem
from ..incidents.settings import Settings
from .templating import Rendered, environment
from ..incidents.timeparse import iso, local_text
from ..incidents.settings import exact
from ..uptime.impact import incident_downtime, intervals, uncounted_reason
from ..incidents import practice
from ..uptime.report import Report
from .layout import Layout
from .scaffold import outline
from . import leaks as leak_check
from .public import StatusPage, relabel_causes
from ..incidents.visibility import Publication, marker_problems, publications

FEED_SIZE = 50
CLOSED_SHOWN = 50  # done and dropped action items listed on the action items page
STATUS_DAYS = 90
RECENT = 10  # incidents the public dashboard lists as its history
PACKAGED_TEMPLATES = sorted(path.name for path in TEMPLATES.iterdir() if path.is_file())

@dataclass(frozen=True)
class Planned:
    """A generated page or file: where it goes in the site's sources (``incidents/index.md``,
    ``uptime.json``), how to render it, and whether the navigation lists it."""

    uri: str
    make: Callable[[], Rendered]
    nav: bool = False


class Wiki:
    def __init__(self, incidents: list[Incident], report: Report, settings: Settings, layout: Layout,
                 templates_dir: Path | None = None, site_url: str = "", site_name: str = "Postmortems",
                 secret: str | None = None):
        self.sources = incidents  # as written, newest first: the problems and the backlog read these
        # The public site shows each incident's public form (incidents.visibility); the figures count them all.
        self.publications: dict[str, Publication] = (
            {item.source.id: item for item in publications(incidents, settings.internal_fields)} if settings.public else {})
        self.incidents = [item.incident for item in self.publications.values()] if settings.public else incidents
        self.report = report
        self.settings = settings
        self.layout = layout
        self.site_url = site_url
        self.site_name = site_name
        self.env = environment(templates_dir)
        self.secret = secret or secrets.token_hex(16)  # in every island's placeholder (see templating.placeholders)
        self._groups: dict[str, list] = {}
        self._ledger_index: dict[str | None, dict] = {}
        self._texts: dict[datetime, str] = {}
        self._downtimes: dict[tuple, tuple[Fraction, str]] = {}
        self._isos: dict[datetime, str] = {}
        self.tz = settings.tz
        self.by_id = {incident.id: incident for incident in self.incidents}
        self.today = report.as_of.astimezone(self.tz).date()
        self.referenced_by: dict[str, list[str]] = defaultdict(list)
        for incident in reversed(self.incidents):
            for other in incident.related:
                self.referenced_by[other].append(incident.id)
        self.unverified = {item.id: item for item in report.unverified}
        self.downtime = {incident.id: incident_downtime(incident, settings, report.as_of) for incident in incidents}

    def downtime_of(self, incident: Incident, service: str | None = None) -> tuple[Fraction, str]:
        """The incident's own downtime (on ``service`` alone when given), and why the figures
        count less of it ('' when they count all of it)."""
        key = (incident.id, service)
        found = self._downtimes.get(key)
        if found is None:
            as_of, since = self.report.as_of, self.report.since_of(service)
            own = self.downtime[incident.id] if service is None else incident_downtime(incident, self.settings, as_of, service)
            counted = incident_downtime(incident, self.settings, as_of, service, since) if own else own
            found = self._downtimes[key] = (own, uncounted_reason(incident, self.settings, since, as_of, own, counted))
        return found

    # Rendering ---------------------------------------------------------
    def render(self, template: str, page: str, **context) -> Rendered:
        """``page`` rendered: its Markdown, and the islands of HTML set aside from it."""
        layout = self.layout
        islands: dict = {}

        def link(target: str, anchor: str = "") -> str:
            return layout.href(page, target, anchor)

        def source(target: str) -> str:
            return layout.source_href(page, target)

        # Every incident link from one page shares its start: compute it once (thousands of rows).
        incident_base = layout.href(page, layout.incident("\0"))

        def incident_link(incident_id: str) -> str:
            return incident_base.replace("%00", incident_id if incident_id.isascii() else quote(incident_id, safe="-_.~"))

        try:
            text = self.env.get_template(template).render(
                wiki=self, report=self.report, settings=self.settings, layout=layout, page=page, link=link, source=source, incident_link=incident_link,
                islands=islands, island_secret=self.secret,
                when=self.when, zoned=self.zoned, iso=self.iso, duration=duration, md=markdown_text, number=number, today=self.today,
                meta_title=meta_title,
                **context,
            )
            return Rendered(text, islands, self.secret)
        except jinja2.TemplateError as error:
            raise _problem(error, template) from None
        except TemplateProblem:
            raise
        except RecursionError:
            raise TemplateProblem(f"template {template}: includes or calls itself without end") from None
        except Exception as error:  # a template of the wiki's may fail in any way while rendering: never a traceback
            raise TemplateProblem(f"template {template}{_template_line(error)}: {type(error).__name__}: {error}") from None

    def check_templates(self) -> None:
        """Compile every template now (the wiki's own first): a syntax error stops the build before any page."""
        for name in PACKAGED_TEMPLATES:
            try:
                self.env.get_template(name)
            except jinja2.TemplateError as error:
                raise _problem(error, name) from None
            except (UnicodeDecodeError, OSError) as error:
                reason = "is not UTF-8 text" if isinstance(error, UnicodeDecodeError) else f"cannot be read ({error})"
                raise TemplateProblem(f"template {name} {reason}{_origin(self.env, name)}") from None

    def when(self, moment: datetime | None) -> str:
        """``moment`` in the site's time zone; each instant is converted once (it appears on many pages)."""
        if not moment:
            return ""
        text = self._texts.get(moment)
        if text is None:
            text = self._texts[moment] = local_text(moment, self.tz)
        return text

    def zoned(self, moment: datetime | None) -> str:
        """``moment`` in the site's time zone with the zone's abbreviation: ``2012-08-14 22:09 EDT``."""
        return zoned(moment, self.tz) if moment else ""

    def iso(self, moment: datetime) -> str:
        text = self._isos.get(moment)
        if text is None:
            text = self._isos[moment] = iso(moment)
        return text

    # Pages -------------------------------------------------------------
    def incident_uri(self, incident: Incident) -> str:
        return self.layout.incident(incident.id)

    def incident_page(self, incident: Incident) -> Rendered:
        incident = self.by_id.get(incident.id, incident)  # its public form, on the public site
        page = self.incident_uri(incident)
        related = [self.by_id[i] for i in incident.related if i in self.by_id]
        backlinks = [self.by_id[i] for i in self.referenced_by.get(incident.id, []) if i not in incident.related]
        body = substitute(incident.body, self.report, layout=self.layout, page=page)[0]
        return self.render("incident.md", page, incident=incident, body=body, related=related, backlinks=backlinks,
                           milestones=self.milestones(incident), downtime=self.downtime[incident.id],
                           overdue=self.overdue, pending=None if self.public else self.backlog_entry(incident))

    def figure_problems(self) -> list[Problem]:
        """Live figures in incident bodies that cannot be shown (unknown window or service, unreadable)."""
        return body_problems(self.sources, self.report) + self.practice_problems() + marker_problems(self.sources)

    def practice_problems(self) -> list[Problem]:
        """Published postmortems' text: required sections, placeholders left in, blaming phrases (warnings)."""
        return practice.body_problems(self.sources, self.settings, self.downtime, outline(self.env, self.settings))

    @cached_property
    def backlog(self) -> practice.Backlog:
        """Postmortems to write or review, late ones first, and published ones with action items past due."""
        return practice.backlog(self.sources, self.settings, self.today, self.downtime)

    def backlog_entry(self, incident: Incident) -> practice.Entry | None:
        """The incident's line on the backlog, if it has one (for its page's banner)."""
        for entry in self.backlog.required + self.backlog.drafts:
            if entry.incident.id == incident.id:
                return entry
        return None

    def plan(self) -> list[Planned]:
        """Every generated page and file but the incidents' own, each rendered when asked."""
        layout, render, internal = self.layout, self.render, not self.public
        recent, older = self.index_split()
        planned = [
            Planned(layout.index, lambda: render("index.md", layout.index, rows=recent, years=self.years(recent),
                                                 older=[(year, len(rows)) for year, rows in older]), True),
            Planned(layout.dashboard, self.dashboard, True),
            Planned(layout.services, lambda: render("services.md", layout.services, services=self.services()), True),
            # The public site has no action items, backlog or tag pages (README, "One source, two sites").
            *([Planned(layout.action_items, self.action_items_page, True),
               Planned(layout.backlog, lambda: render("backlog.md", layout.backlog, backlog=self.backlog), True)]
              if internal else []),
            Planned(layout.causes, lambda: render("causes.md", layout.causes, groups=self.groups("cause")), True),
            *([Planned(layout.tags, lambda: render("tags.md", layout.tags, groups=self.groups("tag")), True)]
              if internal else []),
            Planned(layout.ledger(None), lambda: self.ledger_page(None)),
        ]
        for year, rows in older:
            planned.append(Planned(layout.year(year), partial(render, "year.md", layout.year(year), year=year, rows=rows,
                                                              years=[year], older=[])))
        for name in self.report.services:
            planned.append(Planned(layout.service(name), partial(self.service_page, name)))
            planned.append(Planned(layout.ledger(name), partial(self.ledger_page, name)))
            planned.append(Planned(layout.service_feed(name), partial(self._feed_file, name)))
        for kind in ("cause", "tag") if internal else ("cause",):
            for name, members in self.groups(kind):
                uri = layout.cause(name) if kind == "cause" else layout.tag(name)
                planned.append(Planned(uri, partial(render, f"{kind}.md", uri, name=name, rows=members)))
        planned += [
            Planned(layout.uptime_json, lambda: Rendered(_json(self.uptime_document))),
            Planned(layout.incidents_json, lambda: Rendered(_json(self.incidents_json()))),
            Planned(layout.feed, self._feed_file),
        ]
        if self.public:  # Statuspage's public API v2, for the widgets and monitors that read it
            planned += [Planned(layout.status_summary, lambda: Rendered(_json(self.status_page.summary()))),
                        Planned(layout.status_incidents, lambda: Rendered(_json(self.status_page.incidents_document())))]
        for service, scope in [(None, self.report.site), *self.report.services.items()]:
            for key, window in scope.windows.items():
                planned.append(Planned(layout.badge(key, service), partial(self._badge_file, service, key, window)))
        return planned

    def _badge_file(self, service: str | None, key: str, window) -> Rendered:
        return Rendered(self.badge(service, key, window))

    def badge(self, service: str | None, key: str, window) -> str:
        label = "uptime" if service is None else f"{service} uptime"
        color = badges.color_for(float(window.uptime) if window.uptime is not None else None, self.settings.slo)
        return badges.badge(f"{label} {key}", self.report.marked(window.display), color)

    def dashboard(self) -> Rendered:
        page = self.layout.dashboard
        site = self.report.site
        by_cause = self.uptime_document["site"]["windows"]["all"]["by_cause"] if self.public else site.windows["all"].by_cause
        return self.render(
            "dashboard.md", page, site=site, services=self.services(),
            status_bars=[(name, self.status_bar(scope, page, name)) for name, scope in self.scopes()],
            status_legend=charts.status_legend(),
            monthly=self.monthly_chart(site, page, None), monthly_table=self.monthly_chart(site, page, None, table=True),
            severity_chart=charts.bars(list(site.windows["all"].by_severity.items()), title="Incidents by severity"),
            cause_chart=charts.bars(sorted(by_cause.items(), key=lambda kv: (-kv[1], kv[0])), title="Incidents by cause"),
            status=self.status_page if self.public else None, recent=self.incidents[:RECENT],
        )

    def service_page(self, name: str) -> Rendered:
        page = self.layout.service(name)
        scope = self.report.services[name]
        rows = [incident for incident in self.incidents if name in incident.services]
        return self.render("service.md", page, name=name, scope=scope, rows=rows,
                           status_bar=self.status_bar(scope, page, name), status_legend=charts.status_legend(),
                           monthly=self.monthly_chart(scope, page, name),
                           monthly_table=self.monthly_chart(scope, page, name, table=True))

    def ledger_page(self, service: str | None) -> Rendered:
        scope = self.report.site if service is None else self.report.services[service]
        return self.render("ledger.md", self.layout.ledger(service), service=service, scope=scope)

    def action_items_page(self) -> Rendered:
        items = []
        for incident in self.incidents:
            for item in incident.action_items:
                items.append((incident, item))
        open_items = [pair for pair in items if pair[1].status == "open"]
        # Overdue first (oldest due date first), then dated ones, then undated, oldest incident first.
        open_items.sort(key=lambda pair: (pair[1].due is None, pair[1].due or date.max, pair[0].started, pair[0].id))
        closed = [pair for pair in items if pair[1].status != "open"]  # newest incident first
        return self.render("action-items.md", self.layout.action_items, open_items=open_items,
                           closed=closed[:CLOSED_SHOWN], closed_count=len(closed), overdue=self.overdue)

    # Pieces --------------------------------------------------------------
    @staticmethod
    def row_anchor(section: str, start: datetime) -> str:
        """The id of a ledger row: its window's or month's id and the row's start in UTC, so a link to it
        holds as long as the row starts there (``month-2012-08-at-20120815T020900Z``)."""
        moment = start.astimezone(timezone.utc)
        return f"{section}-at-{moment:%Y%m%dT%H%M%S}{f'.{moment.microsecond:06d}' if moment.microsecond else ''}Z"

    def impact_rows(self, incident: Incident, page: str) -> list[dict]:
        """The incident's impact on each service, as its page shows it: each entry (or the outage its
        ``downtime_minutes`` make on each service) with its level, span, weight, weighted minutes, and
        links to the rows of that service's monthly ledgers it lies in."""
        as_of, weights = self.report.as_of, self.settings.level_weights()
        end_of_incident = incident.resolved if incident.resolved is not None else max(as_of, incident.started)
        entries = []
        if incident.impact:
            for entry in incident.impact:
                weight = weights[entry.level] if entry.fraction is None else exact(entry.fraction)
                entries.append((entry.service, entry.level, entry.start or incident.started,
                                entry.end or end_of_incident, entry.end is None and incident.is_open, weight,
                                entry.fraction is not None))
        else:
            for service, start, end, weight in intervals(incident, weights, as_of):
                open_end = incident.is_open and incident.downtime_minutes is None
                entries.append((service, "outage", start, end, open_end, weight, False))
        rows = []
        for service, level, start, end, ongoing, weight, typed in entries:
            span = Fraction(int((end - start) / timedelta(microseconds=1)), 60_000_000) if end > start else Fraction(0)
            rows.append({"service": service, "level": level, "start": start, "end": end, "ongoing": ongoing,
                         "weight": weight, "typed": typed, "minutes": span, "weighted": span * weight,
                         "ledger": self.ledger_links(incident, page, service, start, end)})
        return rows

    def ledger_links(self, incident: Incident, page: str, service: str | None, start: datetime | None = None,
                     end: datetime | None = None) -> list[tuple[str, str]]:
        """``(month, href)`` of the first row in each monthly ledger of the site (or ``service``) that
        counts the incident, between ``start`` and ``end`` when given."""
        rows = self._ledger_rows(service).get(incident.id)
        if not rows:
            return []
        first = start or incident.started
        last = end or (incident.resolved if incident.resolved is not None else self.report.as_of)
        last = max(last, first + timedelta(microseconds=1))
        links, seen = [], set()
        for key, segment_start, segment_end in rows:  # in time order
            if key not in seen and segment_start < last and segment_end > first:
                seen.add(key)
                anchor = self.row_anchor(f"month-{key}", segment_start)
                links.append((key, self.layout.href(page, self.layout.ledger(service), anchor)))
        return links

    def _ledger_rows(self, service: str | None) -> dict[str, list[tuple[str, datetime, datetime]]]:
        """Every row of the site's (or ``service``'s) monthly ledgers, by the incidents it names:
        ``(month, start, end)`` in time order. Made once per scope: each incident page looks up its own."""
        if service not in self._ledger_index:
            scope = self.report.site if service is None else self.report.services.get(service)
            rows: dict[str, list] = defaultdict(list)
            for key, window in (scope.months.items() if scope is not None else ()):
                for segment in window.ledger.segments:
                    for ident in segment.incidents:
                        rows[ident].append((key, segment.start, segment.end))
            self._ledger_index[service] = rows
        return self._ledger_index[service]

    def overdue(self, item) -> bool:
        return item.status == "open" and item.due is not None and item.due < self.today

    def milestones(self, incident: Incident) -> list[tuple[datetime, str, str]]:
        """Milestones and timeline entries in time order: ``(at, kind, text)``."""
        entries = [(getattr(incident, name), "milestone", name.capitalize())
                   for name in MILESTONES
                   if getattr(incident, name) is not None]
        entries += [(entry.at, "event", entry.event) for entry in incident.timeline]
        return sorted(entries, key=lambda entry: (entry[0], entry[1] == "event"))

    def years(self, incidents: list[Incident] | None = None) -> list[int]:
        incidents = self.incidents if incidents is None else incidents
        return sorted({incident.started.astimezone(self.tz).year for incident in incidents}, reverse=True)

    def index_split(self) -> tuple[list[Incident], list[tuple[int, list[Incident]]]]:
        """The incidents the index lists (the newest whole years, at most ``index_limit`` of them,
        and always the newest year), and each older year's incidents for a page of its own."""
        by_year: dict[int, list[Incident]] = defaultdict(list)
        for incident in self.incidents:  # newest first
            by_year[incident.started.astimezone(self.tz).year].append(incident)
        recent: list[Incident] = []
        older: list[tuple[int, list[Incident]]] = []
        for year, rows in by_year.items():
            if not older and (not recent or len(recent) + len(rows) <= self.settings.index_limit):
                recent.extend(rows)
            else:
                older.append((year, rows))
        return recent, older

    def scopes(self):
        yield "All services", self.report.site
        yield from self.report.services.items()

    def services(self) -> list[tuple[str, object, int]]:
        """Each service's scope and its counted incidents (those its all-time figure counts)."""
        return [(name, scope, scope.windows["all"].incidents) for name, scope in self.report.services.items()]

    def item_href(self, link: str, page: str) -> str:
        """An action item's link from ``page``: a relative one is read from the site's root."""
        return site_path(link, self.layout.origin(page))

    @property
    def badge_window(self) -> str:
        """The window the pages show a badge of: 30 days when the wiki has that window, else its first."""
        return "30d" if "30d" in self.report.site.windows else next(iter(self.report.site.windows))

    @cached_property
    def counted_ids(self) -> frozenset[str]:
        """The incidents the site's all-time statistics count: the one definition every count uses."""
        return frozenset(self.report.site.windows["all"].incident_ids)

    def counted(self, incidents: list[Incident]) -> int:
        return sum(incident.id in self.counted_ids for incident in incidents)

    def groups(self, kind: str) -> list[tuple[str, list[Incident]]]:
        """Incidents by cause category or by tag, the largest group first (computed once per kind)."""
        if kind not in self._groups:
            self._groups[kind] = self._group(kind)
        return self._groups[kind]

    def _group(self, kind: str) -> list[tuple[str, list[Incident]]]:
        grouped: dict[str, list[Incident]] = defaultdict(list)
        for incident in self.incidents:
            names = [incident.cause_category] if kind == "cause" else incident.tags
            for name in dict.fromkeys(names):
                if name:
                    grouped[name].append(incident)
        return sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0].lower()))

    def status_bar(self, scope, page: str, name: str) -> str:
        """The last 90 days of ``scope`` as a bar, with its date axis and its days with downtime as text."""
        days = []
        for day in scope.days(STATUS_DAYS):
            days.append({
                "date": day.date.isoformat(), "downtime_minutes": float(day.downtime_minutes), "display": day.display,
                "incidents": [{"title": self.by_id[i].title, "url": self.layout.href(page, self.layout.incident(i))}
                              for i in day.incidents if i in self.by_id],
            })
        return charts.status_block(days, title=f"{name}: the last {STATUS_DAYS} days")

    def monthly_chart(self, scope, page: str, service: str | None, table: bool = False) -> str:
        """Downtime per month of ``scope`` (the last 24 months) as a chart, or with ``table`` as a table."""
        months = [{"month": key, "downtime_minutes": float(window.downtime_minutes), "display": window.display,
                   "url": self.layout.href(page, self.layout.ledger(service), f"month-{key}")}
                  for key, window in scope.months.items()]
        draw = charts.monthly_table if table else charts.monthly_downtime
        return draw(months[-24:], title="Downtime per month")

    # The audience ------------------------------------------------------
    @property
    def public(self) -> bool:
        """This is the public site: incidents show their public forms (see ``incidents.visibility``)."""
        return self.settings.public

    @cached_property
    def status_page(self) -> StatusPage:
        """The public site's current status and its Statuspage-shaped documents."""
        return StatusPage(self.incidents, self.report, self.settings, self.layout, self.site_url, self.site_name)

    @cached_property
    def canaries(self) -> leak_check.Canaries:
        """What the public site withholds, as the leak check looks for it (nothing on the internal site)."""
        return leak_check.canaries(list(self.publications.values()), self.site_name, self.settings.sections_required)

    def leaks(self, folder: Path) -> list[leak_check.Leak]:
        """The withheld values found in the site written to ``folder`` (always none on the internal site)."""
        return leak_check.scan_site(folder, self.canaries) if self.public else []

    def leaks_in(self, files) -> list[leak_check.Leak]:
        """The withheld values found in ``files`` (``(name, text)``: pages and files about to be written)."""
        return leak_check.scan(files, self.canaries) if self.public else []

    @cached_property
    def uptime_document(self) -> dict:
        """``uptime.json``: the same figures on both sites; on the public one, the incidents whose cause is
        withheld are counted under ``not public`` in ``by_cause``."""
        document = self.report.to_json()
        return relabel_causes(document, self.report, self.publications) if self.public else document

    # Machine-readable ----------------------------------------------------
    def incident_json(self, incident: Incident) -> dict:
        if self.public:  # what the public form shows: an internal incident's status facts, and no bookkeeping
            shown = set(self.publications[incident.id].published_fields) | {"id", "visibility", "public_title"}
            data = incident.model_dump(mode="json", include=shown - {"body"})
        else:
            data = incident.model_dump(mode="json", exclude={"body", "body_line"})
        if data.get("source"):
            data["source"].pop("fields", None)  # the import's bookkeeping, not a fact about the incident
        for name in MILESTONES:
            if self.public and name not in data:
                continue
            value = getattr(incident, name)
            data[name] = iso(value) if value else None
        if "timeline" in data:
            data["timeline"] = [{"at": iso(entry.at), "event": entry.event} for entry in incident.timeline]
        for entry, raw in zip(data.get("impact", []), incident.impact):
            entry["start"] = iso(raw.start) if raw.start else None
            entry["end"] = iso(raw.end) if raw.end else None
        data["url"] = self.layout.address(self.layout.incident(incident.id))
        data["counted_downtime_minutes"] = round(float(self.downtime[incident.id]), 6)
        return data

    def incidents_json(self) -> dict:
        return {"as_of": iso(self.report.as_of), "count": len(self.incidents),
                "incidents": [self.incident_json(incident) for incident in self.incidents]}

    def _feed_file(self, service: str | None = None) -> Rendered:
        return Rendered(self.feed(service))

    def feed(self, service: str | None = None) -> str:
        """The Atom feed of the latest incidents (of those that name ``service``, when given)."""
        incidents = self.incidents if service is None else self.incidents_of(service)
        entries = []
        for incident in incidents[:FEED_SIZE]:
            summary = incident.cause_summary or incident.public_summary or incident.title
            entries.append({
                "id": incident.id, "title": incident.title,
                "url": self.layout.address(self.layout.incident(incident.id)),
                "published": incident.started, "updated": incident.resolved or incident.started,
                "summary": summary,
                "content_html": self.render("feed-entry.html", self.layout.incident(incident.id), incident=incident,
                                            downtime=self.downtime[incident.id]).text,
                "authors": list(incident.authors), "categories": [incident.severity, *incident.services, *incident.tags],
            })
        uri = self.layout.feed if service is None else self.layout.service_feed(service)
        page = "" if service is None else self.layout.address(self.layout.service(service))
        return atom_feed(entries, title=self.feed_title(service), site_url=self.site_url,
                         feed_url=self.layout.address(uri), updated=self.report.as_of,
                         namespace=name_slug(self.site_name), page_url=page)

    def feed_title(self, service: str | None = None) -> str:
        return f"{self.site_name}: incidents" + (f" on {service}" if service is not None else "")

    def incidents_of(self, service: str) -> list[Incident]:
        """The incidents that name ``service`` (in ``services`` or ``impact``), newest first."""
        return [incident for incident in self.incidents
                if service in incident.services or any(entry.service == service for entry in incident.impact)]

    @cached_property
    def _service_pages(self) -> dict[str, str]:
        return {self.layout.service(name): name for name in self.report.services}

    def feed_links(self, page: str) -> list[tuple[str, str]]:
        """``(title, href)`` of the feeds a page announces in its head: the wiki's, and on a service's
        page that service's own."""
        links = [(self.feed_title(), self.layout.href(page, self.layout.feed))]
        service = self._service_pages.get(page)
        if service is not None:
            links.append((self.feed_title(service), self.layout.href(page, self.layout.service_feed(service))))
        return links

    def with_feed_links(self, html: str, page: str) -> str:
        """A finished page (``page`` is its source path) with its feeds announced in its head."""
        return head_links(html, self.feed_links(page))

    def figure(self, window: str, service: str | None = None) -> str:
        return self.report.figure(window, service)

    def status(self, page: str | None = None, service: str | None = None) -> str:
        """The current status block (open incidents at as-of) as it stands in ``page``."""
        return status_html(self.report, self.layout, page, service)


class TemplateProblem(Exception):
    """A template (packaged or the wiki's own) failed to render."""


def _problem(error: jinja2.TemplateError, template: str) -> TemplateProblem:
    name = getattr(error, "name", None) or template
    line = f":{error.lineno}" if getattr(error, "lineno", None) else ""
    filename = getattr(error, "filename", None)
    origin = f" (in {filename})" if filename else ""
    return TemplateProblem(f"template {name}{line}: {error.message or error}{origin}")


def _template_line(error: BaseException) -> str:
    """``:LINE`` of the template frame a rendering error came from, when Jinja2 names it."""
    trace = error.__traceback__
    line = ""
    while trace is not None:
        if trace.tb_frame.f_code.co_filename.endswith((".md", ".html")):
            line = f":{trace.tb_lineno}"
        trace = trace.tb_next
    return line


def _origin(env: jinja2.Environment, name: str) -> str:
    """`` (in FILE)``: the file a template comes from (the wiki's own, else the packaged one)."""
    for loader in getattr(env.loader, "loaders", []):
        if isinstance(loader, jinja2.FileSystemLoader):
            for folder in loader.searchpath:
                if (Path(folder) / name).is_file():
                    return f" (in {Path(folder) / name})"
    return ""


def _json(data: object) -> str:
    """JSON with ``<``, ``>`` and ``&`` as escapes, so it stays inert even inside an HTML page."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"
