"""One incident's impact intervals, and its own weighted downtime.

Each incident yields ``(service, start, end, weight)`` intervals: its ``impact``
entries when given, else one full outage per service from ``started`` lasting
``downtime_minutes``. The uptime engine merges them across incidents; an incident
page shows the incident's own total.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

from ..incidents.intervals import US_PER_MINUTE, ceil_us, covered
from ..incidents.model import Incident
from ..incidents.settings import Settings, exact
from .metrics import MICROSECOND


def intervals(incident: Incident, weights: dict[str, Fraction], as_of: datetime) -> list[tuple[str, datetime, datetime, Fraction]]:
    """The incident's intervals; an open end is ``resolved``, else ``as_of``."""
    end = incident.resolved if incident.resolved is not None else max(as_of, incident.started)
    if incident.impact:
        return [
            (entry.service, entry.start or incident.started, entry.end or end,
             weights[entry.level] if entry.fraction is None else exact(entry.fraction))
            for entry in incident.impact
        ]
    if incident.downtime_minutes is None:
        stop = end
    else:  # whole microseconds, rounded up as the engine rounds them
        stop = incident.started + timedelta(microseconds=ceil_us(exact(incident.downtime_minutes)))
    return [(service, incident.started, stop, weights["outage"]) for service in dict.fromkeys(incident.services)]


def incident_downtime(incident: Incident, settings: Settings, as_of: datetime, service: str | None = None,
                      since: datetime | None = None) -> Fraction:
    """Minutes of the incident's own downtime: the largest weight active at each instant, integrated.

    ``service``: on that service alone. ``since``: only what lies after it and before ``as_of``
    (what the uptime figures count of it, maintenance aside)."""
    spans = []
    for name, start, end, weight in intervals(incident, settings.level_weights(), as_of):
        if service is not None and name != service:
            continue
        if since is not None:
            start, end = max(start, since), min(end, as_of)
        if end > start and weight > 0:
            spans.append((start, end, weight))
    # The largest weight active at each instant, integrated: with the distinct weights w1 < w2 < ...,
    # the sum over j of (w_j - w_(j-1)) times the length of the union of the spans weighing w_j or more.
    total, below = Fraction(0), Fraction(0)
    for weight in sorted({w for _, _, w in spans}):
        length = covered([(start, end) for start, end, w in spans if w >= weight], timedelta())
        total += (weight - below) * Fraction(length // MICROSECOND, US_PER_MINUTE)
        below = weight
    return total


def uncounted_reason(incident: Incident, settings: Settings, since: datetime, as_of: datetime,
                     own: Fraction, counted: Fraction) -> str:
    """Why the figures count less of an incident than its own downtime ``own`` (``counted``), or ''."""
    if own <= 0:
        return ""
    if incident.maintenance and not settings.count_maintenance:
        return "not counted: planned maintenance"
    if counted >= own:
        return ""
    if incident.started >= as_of:
        return "not counted: after as-of"
    if counted == 0:
        return "not counted: before tracking began"
    return "partly before tracking began"
