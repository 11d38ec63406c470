"""The public site as a status page: current status, and Statuspage's public API v2 (no MkDocs).

``StatusPage`` reads the incidents as the public site shows them (their public forms, see
``incidents.visibility``) and the uptime report, which counts every incident whatever its
visibility. It gives each service's current status, the page's status indicator, and the
documents ``api/v2/summary.json`` and ``api/v2/incidents.json`` in the shape of Statuspage's
public API v2 (page, components with a status, incidents with their updates), so that widgets and
monitors written for Statuspage read them.

- A service's status is that of the worst impact active at the as-of instant among the open
  incidents (``resolved`` not given) that list it: an ``outage`` is ``major_outage``, ``partial``
  ``partial_outage``, ``degraded`` ``degraded_performance``, planned maintenance
  ``under_maintenance``; without ``impact``, an open incident is an outage on each of its services
  for its ``downtime_minutes`` (or until it is resolved, when it gives none). Else ``operational``.
- An incident's ``impact`` is its severity spread over Statuspage's ``critical``, ``major``,
  ``minor`` and ``none``, first to last (the inverse of ``postmortems import statuspage``);
  ``maintenance`` for planned maintenance. The page's indicator is the worst impact among its open
  incidents (``none`` without any; ``maintenance`` when only maintenance is under way).
- Its updates are its milestones (started: investigating, mitigated: monitoring, resolved) and the
  timeline entries it publishes, newest first. Planned maintenance speaks as Statuspage's scheduled
  maintenance does: in_progress, verifying, completed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime, timedelta

from ..incidents.model import Incident
from ..incidents.settings import Settings
from ..incidents.timeparse import iso
from ..incidents.visibility import Publication
from ..uptime.metrics import UNCATEGORIZED
from ..uptime.report import Report
from .feed import absolute
from .layout import Layout

NOT_PUBLIC = "not public"  # the cause category of an incident whose cause the public site withholds
IMPACTS = ("critical", "major", "minor", "none")  # Statuspage's incident impact, most severe first
LEVEL_STATUS = {"outage": "major_outage", "partial": "partial_outage", "degraded": "degraded_performance"}
COMPONENT_ORDER = ("operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage")
DESCRIPTIONS = {"none": "All Systems Operational", "minor": "Minor Service Outage", "major": "Partial System Outage",
                "critical": "Major Service Outage", "maintenance": "Service Under Maintenance"}
MAINTENANCE = {"investigating": "in_progress", "identified": "in_progress", "monitoring": "verifying",
               "resolved": "completed"}  # an incident's statuses, as a scheduled maintenance's
INCIDENTS_LISTED = 50  # api/v2/incidents.json lists the newest ones, as Statuspage does


def impact_of(severity: str, severities: tuple[str, ...]) -> str:
    """A severity as Statuspage's impact: the configured severities spread over critical..none, first to last."""
    if severity not in severities or len(severities) == 1:
        return IMPACTS[0] if severity in severities else "none"
    rank = severities.index(severity)
    return IMPACTS[round(rank * (len(IMPACTS) - 1) / (len(severities) - 1))]


def active_levels(incident: Incident, as_of: datetime) -> dict[str, str]:
    """Each service's component status that ``incident`` sets at ``as_of`` (nothing once it is resolved)."""
    if incident.resolved is not None or incident.started > as_of:
        return {}
    found: dict[str, str] = {}
    if incident.impact:
        spans = [(entry.service, entry.start or incident.started, entry.end, entry.level) for entry in incident.impact]
    else:
        end = None if incident.downtime_minutes is None else incident.started + timedelta(minutes=incident.downtime_minutes)
        spans = [(service, incident.started, end, "outage") for service in incident.services]
    for service, start, end, level in spans:
        if start <= as_of and (end is None or end > as_of):
            status = "under_maintenance" if incident.maintenance else LEVEL_STATUS[level]
            if COMPONENT_ORDER.index(status) > COMPONENT_ORDER.index(found.get(service, "operational")):
                found[service] = status
    return found


class StatusPage:
    """The public site's current status and its Statuspage-shaped documents."""

    def __init__(self, incidents: list[Incident], report: Report, settings: Settings, layout: Layout,
                 site_url: str = "", site_name: str = "Postmortems"):
        self.incidents = incidents  # as the public site shows them, newest first
        self.report, self.settings, self.layout = report, settings, layout
        self.site_url, self.site_name = site_url, site_name
        self.as_of = report.as_of
        self.page_id = hashlib.sha256((site_url or site_name).encode("utf-8")).hexdigest()[:12]

    @property
    def open(self) -> list[Incident]:
        """The incidents not yet resolved, the newest first: the status page's banner."""
        return [incident for incident in self.incidents if incident.resolved is None]

    def statuses(self) -> dict[str, str]:
        """Each service's component status now (see the module's docstring)."""
        statuses = {name: "operational" for name in self.report.services}
        for incident in self.open:
            for service, status in active_levels(incident, self.as_of).items():
                if COMPONENT_ORDER.index(status) > COMPONENT_ORDER.index(statuses.get(service, "operational")):
                    statuses[service] = status
        return statuses

    def impact(self, incident: Incident) -> str:
        return "maintenance" if incident.maintenance else impact_of(incident.severity, self.settings.severities)

    def indicator(self) -> tuple[str, str]:
        """Statuspage's ``status``: the worst impact of the open incidents, and its description."""
        impacts = [self.impact(incident) for incident in self.open]
        worst = next((impact for impact in IMPACTS if impact in impacts and impact != "none"), None)
        if worst is None:
            worst = "maintenance" if "maintenance" in impacts else "none"
        return worst, DESCRIPTIONS[worst]

    # Statuspage's public API v2 ------------------------------------------------------
    def page(self) -> dict:
        return {"id": self.page_id, "name": self.site_name, "url": self.site_url,
                "time_zone": self.settings.timezone, "updated_at": iso(self.as_of)}

    def components(self, statuses: dict[str, str] | None = None) -> list[dict]:
        """Statuspage's components: one per service, with its status now."""
        since, start = iso(self.report.since), self.report.since.astimezone(self.settings.tz).date().isoformat()
        return [{"id": self.component_id(name), "name": name, "status": status, "created_at": since,
                 "updated_at": iso(self.as_of), "position": position, "description": None, "showcase": True,
                 "start_date": start, "group_id": None, "page_id": self.page_id, "group": False,
                 "only_show_if_degraded": False}
                for position, (name, status) in enumerate((statuses or self.statuses()).items(), start=1)]

    def component_id(self, name: str) -> str:
        return self.layout.slug("service", name)

    def incident(self, incident: Incident, components: dict[str, dict]) -> dict:
        """One incident as Statuspage writes it; ``components`` by name (see ``components``)."""
        updates = self.updates(incident)
        moments = [moment for moment in (incident.started, incident.detected, incident.mitigated, incident.resolved) if moment]
        status = MAINTENANCE[incident.status] if incident.maintenance else incident.status
        return {
            "id": incident.id, "name": incident.title, "status": status, "impact": self.impact(incident),
            "created_at": iso(incident.started), "updated_at": iso(max([*moments, *(at for at, _, _ in self._events(incident))])),
            "started_at": iso(incident.started),
            "monitoring_at": iso(incident.mitigated) if incident.mitigated else None,
            "resolved_at": iso(incident.resolved) if incident.resolved else None,
            "shortlink": absolute(self.layout.address(self.layout.incident(incident.id)), self.site_url),
            "page_id": self.page_id,
            "incident_updates": updates,
            "components": [components[name] for name in incident.services if name in components],
            **({"scheduled_for": iso(incident.started), "scheduled_until": iso(incident.resolved) if incident.resolved else None}
               if incident.maintenance else {}),
        }

    def _events(self, incident: Incident) -> list[tuple[datetime, str, str]]:
        """``(at, status, body)`` of each update, oldest first."""
        def status_at(moment: datetime) -> str:
            if incident.resolved is not None and moment >= incident.resolved:
                return "resolved"
            if incident.mitigated is not None and moment >= incident.mitigated:
                return "monitoring"
            return "investigating"

        first = incident.public_summary or f"Impact started on {', '.join(incident.services)}."
        events = [(incident.started, "investigating", first)]
        events += [(entry.at, status_at(entry.at), entry.event) for entry in incident.timeline]
        if incident.mitigated is not None:
            events.append((incident.mitigated, "monitoring", "Mitigated; we are monitoring."))
        if incident.resolved is not None:
            events.append((incident.resolved, "resolved", "Resolved."))
        if incident.maintenance:
            events = [(at, MAINTENANCE[status], body) for at, status, body in events]
        return sorted(events, key=lambda event: event[0])

    def updates(self, incident: Incident) -> list[dict]:
        updates = []
        for number, (at, status, body) in enumerate(self._events(incident), start=1):
            moment = iso(at)
            updates.append({"id": f"{incident.id}-{number}", "status": status, "body": body, "incident_id": incident.id,
                            "created_at": moment, "updated_at": moment, "display_at": moment,
                            "affected_components": None, "deliver_notifications": False, "custom_tweet": None,
                            "tweet_id": None})
        return updates[::-1]

    def summary(self) -> dict:
        """``api/v2/summary.json``: the page, its components, the open incidents and maintenance, its status."""
        components = self.components()
        by_name = {component["name"]: component for component in components}
        indicator, description = self.indicator()
        open_incidents = [self.incident(incident, by_name) for incident in self.open if not incident.maintenance]
        maintenance = [self.incident(incident, by_name) for incident in self.open if incident.maintenance]
        return {"page": self.page(), "components": components, "incidents": open_incidents,
                "scheduled_maintenances": maintenance, "status": {"indicator": indicator, "description": description}}

    def incidents_document(self) -> dict:
        """``api/v2/incidents.json``: the page and its newest incidents, open or resolved."""
        by_name = {component["name"]: component for component in self.components()}
        return {"page": self.page(),
                "incidents": [self.incident(incident, by_name) for incident in self.incidents[:INCIDENTS_LISTED]]}


def relabel_causes(document: dict, report: Report, publications: dict[str, Publication]) -> dict:
    """``uptime.json`` (``report.to_json()``) as the public site publishes it: every figure the same, but
    ``by_cause`` counts each incident whose cause the public site withholds under ``not public``, so the
    counts add up as on the internal site and no withheld cause is named."""
    def category(incident_id: str) -> str:
        publication = publications.get(incident_id)
        if publication is None or publication.incident.cause is None and publication.source.cause is not None:
            return NOT_PUBLIC
        return publication.incident.cause_category or UNCATEGORIZED

    def relabel(scope_document: dict, scope) -> None:
        for group in ("windows", "months"):
            for key, window in getattr(scope, group).items():
                scope_document[group][key]["by_cause"] = dict(sorted(Counter(map(category, window.incident_ids)).items()))

    relabel(document["site"], report.site)
    for name, scope in report.services.items():
        relabel(document["services"][name], scope)
    return document
