"""Rules across fields of one incident, and across incidents (ids, related)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, time, timedelta, tzinfo
from typing import Iterator

from .catalog import Service, unknown
from .intervals import covered
from .model import MILESTONES, Frontmatter, Incident, TimelineEntry
from .problems import WARNING
from .slugs import name_slug
from .timeparse import local_text, next_clock, shown

Finding = tuple[tuple, str, str]  # (key path, message, level)


def check_incident(front: Frontmatter, severities: tuple[str, ...], tz: tzinfo) -> list[Finding]:
    """Everything wrong with one validated frontmatter that a single field cannot tell."""
    return list(_findings(front, severities, tz))


def _findings(front: Frontmatter, severities: tuple[str, ...], tz: tzinfo) -> Iterator[Finding]:
    when = lambda moment: local_text(moment, tz)  # noqa: E731
    if front.severity not in severities:
        yield ("severity",), f"severity {shown(front.severity)!r} is not one of {', '.join(severities)}", "error"

    previous = None
    for name in MILESTONES:
        moment = getattr(front, name)
        if moment is None:
            continue
        if previous is not None and moment < getattr(front, previous):
            yield (name,), f"{name} ({when(moment)}) is before {previous} ({when(getattr(front, previous))})", "error"
        previous = name

    if front.status == "resolved" and front.resolved is None:
        yield ("resolved",), "resolved is required when status is resolved (or give the open incident's status)", "error"
    if front.status != "resolved" and front.resolved is not None:
        yield ("status",), f"status is {front.status} but resolved is set; write status: resolved", WARNING

    if front.downtime_minutes is None and not front.impact:
        yield ("downtime_minutes",), "downtime_minutes is required (or describe the effect under impact)", "error"
    if front.downtime_minutes is not None and front.resolved is not None:
        length = (front.resolved - front.started).total_seconds() / 60
        if length >= 0 and front.downtime_minutes > length + 1e-9:
            yield (
                ("downtime_minutes",),
                f"downtime_minutes ({front.downtime_minutes:g}) is longer than the incident "
                f"({when(front.started)} to {when(front.resolved)} is {length:g} minutes)",
                "error",
            )

    yield from _impact_findings(front, when)
    yield from _clock_findings(front, tz, when)
    for index, service in enumerate(front.services):
        if service in front.services[:index]:
            yield ("services", index), f"services lists {service!r} twice", WARNING
    if front.id is not None and front.id in front.related:
        yield ("related",), "related names this incident itself", "error"


def _impact_findings(front: Frontmatter, when) -> Iterator[Finding]:
    outage: list[tuple[datetime, datetime]] = []
    for index, entry in enumerate(front.impact):
        key = ("impact", index)
        start = entry.start or front.started
        end = entry.end or front.resolved
        if entry.service not in front.services:
            listed = ", ".join(front.services)
            yield key + ("service",), f"impact[{index}].service {entry.service!r} is not listed in services ({listed})", "error"
        if entry.start is not None and entry.start < front.started:
            yield key + ("start",), f"impact[{index}].start ({when(entry.start)}) is before started ({when(front.started)})", "error"
        if entry.end is not None and front.resolved is not None and entry.end > front.resolved:
            yield key + ("end",), f"impact[{index}].end ({when(entry.end)}) is after resolved ({when(front.resolved)})", "error"
        if end is not None and end < start:
            yield key + ("end",), f"impact[{index}].end ({when(end)}) is before its start ({when(start)})", "error"
        elif entry.level == "outage" and end is not None:
            outage.append((start, end))
    if front.impact and front.downtime_minutes is not None and all(e.end or front.resolved for e in front.impact):
        minutes = covered(outage, timedelta()) / timedelta(minutes=1)
        if abs(minutes - front.downtime_minutes) > 1:
            yield (
                ("downtime_minutes",),
                f"downtime_minutes ({front.downtime_minutes:g}) disagrees with impact ({minutes:g} minutes of outage); "
                "the impact entries are used",
                WARNING,
            )


def _clock_findings(front: Frontmatter, tz: tzinfo, when) -> Iterator[Finding]:
    """``HH:MM`` in the timeline is the first such minute at or after started's. A clock time earlier
    than started's is read on the next day: fine within the incident (it ran past midnight),
    an error past resolved, a warning while the incident is open."""
    started = front.started.astimezone(tz)
    for index, entry in enumerate(front.timeline):
        if not isinstance(entry.at, time):
            continue
        key, clock = ("timeline", index, "at"), f"{entry.at:%H:%M}"
        try:
            moment = next_clock(entry.at, front.started, tz)
        except ValueError as error:
            yield key, f"timeline[{index}].at {error}", "error"
            continue
        if entry.at >= started.time().replace(second=0, microsecond=0):
            continue
        before = f"timeline[{index}].at {clock} is earlier than started ({started:%H:%M})"
        if front.resolved is not None and moment > front.resolved:
            yield key, (f"{before}, so it would be {when(moment)}, the next day, after resolved ({when(front.resolved)}); "
                        f"write the full timestamp ({started:%Y-%m-%d} {clock} if it happened before started)"), "error"
        elif front.resolved is None:
            yield key, f"{before}; read as {when(moment)}, the next day: write the full timestamp if you meant another day", WARNING


def catalog_findings(front: Frontmatter, catalog: tuple[Service, ...] | None) -> Iterator[Finding]:
    """With a service catalog, every service an incident lists must be in it (an ``impact`` entry names a
    listed service: ``_impact_findings``)."""
    if catalog is None:
        return
    names = {service.name for service in catalog}
    for index, name in enumerate(front.services):
        if name not in names:
            yield ("services", index), f"services[{index}] {name!r} {unknown(name, catalog)}", "error"


_DATED = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[^0-9]|$)")


def date_findings(front: Frontmatter, file_stem: str, tz: tzinfo) -> Iterator[Finding]:
    """An id starting with a date (``2013-07-12-replica``, from the file name unless ``id`` is given) that is
    not the day ``started`` falls on in the wiki's time zone: the address says one day, the page another
    (a warning)."""
    text, key = (str(front.id), ("id",)) if front.id is not None else (_visible(file_stem), ("started",))
    match = _DATED.match(text)
    day = front.started.astimezone(tz).date().isoformat()
    if match and match.group(1) != day:
        what, fix = (("id", f"write id: {day}{text[10:]}") if front.id is not None
                     else ("the file name", f"rename the file to {day}{text[10:]}.md"))
        yield key, (f"{what} {text!r} says {match.group(1)}, but started ({local_text(front.started, tz)}) "
                    f"is on {day} in {tz}: {fix} (its address changes), or correct started"), WARNING


def _visible(text: str) -> str:
    """``text`` with control and direction characters written as escapes, as paths in messages are."""
    return "".join(f"\\u{ord(char):04x}" if unicodedata.category(char) in ("Cc", "Cf") else char for char in text)


def resolve_timeline(front: Frontmatter, tz: tzinfo) -> list[TimelineEntry]:
    """Timeline entries with ``HH:MM`` turned into instants, in time order."""
    entries = []
    for entry in front.timeline:
        at = entry.at
        if isinstance(at, time):
            at = next_clock(at, front.started, tz)
        entries.append(TimelineEntry.model_construct(at=at, event=entry.event))
    return sorted(entries, key=lambda entry: entry.at)


def check_collection(incidents: list[Incident]) -> Iterator[tuple[Incident, tuple, str]]:
    """Problems between incidents: ``related`` naming no incident."""
    ids = {incident.id for incident in incidents}
    for incident in incidents:
        for index, other in enumerate(incident.related):
            if other not in ids and other != incident.id:
                yield incident, ("related", index), f"related {other!r} names no incident"


def name_clashes(incidents: list[Incident]) -> Iterator[tuple[Incident, tuple, str]]:
    """Service, cause and tag names that differ but share a page (``Web`` and ``web``, ``a/b`` and
    ``a-b``): one of them would take the other's page and badge. Each later spelling is reported once."""
    first: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, slug) -> (name, file)
    reported: set[tuple[str, str]] = set()
    for incident in sorted(incidents, key=lambda incident: (incident.started, incident.id)):
        named = [("service", ("services", index), name) for index, name in enumerate(incident.services)]
        named += [("service", ("impact", index, "service"), entry.service) for index, entry in enumerate(incident.impact)]
        named += [("tag", ("tags", index), name) for index, name in enumerate(incident.tags)]
        if incident.cause_category:
            named.append(("cause", ("cause", "category"), incident.cause_category))
        for kind, key, name in named:
            seen = first.setdefault((kind, name_slug(name)), (name, incident.file))
            if seen[0] != name and (kind, name) not in reported:
                reported.add((kind, name))
                yield incident, key, (f"{kind} {name!r} and {seen[0]!r} ({seen[1]}) would share one page and badge; "
                                      f"write the name the same way everywhere")
