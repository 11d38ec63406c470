"""What is broken now: the incidents open at the as-of instant, and each service's level then.

An incident is *ongoing* when it has no ``resolved`` and started at or before as-of (one that
starts later is not counted yet, as in the figures). Its level on a service is that of its
impact at the as-of instant, the worst of the entries active then (``outage`` above ``partial``
above ``degraded``): an entry is active from its start (default ``started``) until its ``end``,
open-ended while it has none. Without ``impact`` the incident is an outage of each of its
services while its ``downtime_minutes`` run (for the whole time when none are given). A service
whose impact is over while the incident stays open (``monitoring``) has no level: ``''``.

Invalid files counted as their worst case (see ``incidents.salvage``) are ongoing too when open:
they are marked ``unverified``, so a status never looks better for a file that cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from ..incidents.model import Incident
from ..incidents.settings import exact
from ..incidents.timeparse import iso

LEVELS = ("outage", "partial", "degraded")  # the worst first
LEVEL_WORDS = {"outage": "outage", "partial": "partial outage", "degraded": "degraded performance", "": "no impact now"}


@dataclass(frozen=True)
class Ongoing:
    """An open incident at the as-of instant."""

    id: str
    title: str
    severity: str
    status: str
    started: datetime
    levels: tuple[tuple[str, str], ...]  # (service, level now: outage | partial | degraded | '')
    unverified: bool = False  # an invalid file, counted as its worst case: it has no page
    file: str = ""
    maintenance: bool = False

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(service for service, _ in self.levels)

    @property
    def level(self) -> str:
        """The worst level now across its services ('' when none is impacted now)."""
        return worst(level for _, level in self.levels)

    def level_of(self, service: str) -> str | None:
        """Its level now on ``service`` ('' when not impacted now), None when it does not name it."""
        return next((level for name, level in self.levels if name == service), None)

    def to_json(self) -> dict:
        return {"id": None if self.unverified else self.id, "title": self.title, "file": self.file,
                "severity": self.severity or None, "status": self.status, "started": iso(self.started),
                "level": self.level or None, "services": {name: level or None for name, level in self.levels},
                "maintenance": self.maintenance, "unverified": self.unverified}


def worst(levels: Iterable[str]) -> str:
    found = set(levels)
    return next((level for level in LEVELS if level in found), "")


def levels_now(incident: Incident, as_of: datetime) -> tuple[tuple[str, str], ...]:
    """Each service the incident names, with its level at ``as_of``."""
    services = list(dict.fromkeys([*incident.services, *(entry.service for entry in incident.impact)]))
    if not incident.impact:
        if incident.downtime_minutes is None:
            active = True
        else:
            span = timedelta(microseconds=int(-(-exact(incident.downtime_minutes) * 60_000_000 // 1)))
            active = incident.started + span > as_of
        return tuple((service, "outage" if active else "") for service in services)
    now: dict[str, list[str]] = {service: [] for service in services}
    for entry in incident.impact:
        start = entry.start or incident.started
        end = entry.end or incident.resolved
        if start <= as_of and (end is None or end > as_of):
            now[entry.service].append(entry.level)
    return tuple((service, worst(levels)) for service, levels in now.items())


def ongoing(incidents: Iterable[Incident], as_of: datetime, unverified: frozenset[str] = frozenset()) -> tuple[Ongoing, ...]:
    """The incidents open at ``as_of``, the latest first; ids in ``unverified`` are invalid files' worst cases."""
    found = [
        Ongoing(incident.id, incident.title, incident.severity, incident.status, incident.started,
                levels_now(incident, as_of), incident.id in unverified, incident.file, bool(incident.maintenance))
        for incident in incidents
        if incident.resolved is None and incident.started <= as_of
    ]
    return tuple(sorted(found, key=lambda item: (item.started, item.id), reverse=True))
