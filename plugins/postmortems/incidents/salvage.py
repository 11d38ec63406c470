"""What an invalid incident file still tells the uptime math: its worst case.

A file left out of the wiki must never make the figures look better. When its
times can still be read, it is counted conservatively: its own ``impact`` entries
when they are given and valid in themselves (and lie within its span), else its
``downtime_minutes`` when no impact is given and that number is valid, else its
whole span, up to as-of while it has no readable ``resolved``, as a full outage; on its listed services when those can be read, else on
every service. When even its start cannot be read, it cannot be counted and the
figures are marked incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from .model import Frontmatter, Impact, Incident
from .problems import Problem

EVERY_SERVICE: tuple[str, ...] = ()  # services unreadable: the file counts against every service


@dataclass(frozen=True)
class Unverified:
    """An invalid file counted as its worst case: ``incident`` carries only what the math needs,
    with the file's path as its id (ids of valid incidents never contain ``/``)."""

    file: str  # the file, as shown in messages
    problem: str  # the first error, in the writer's words
    incident: Incident
    every_service: bool  # its services could not be read

    @property
    def id(self) -> str:
        return self.incident.id


def _adapter(name: str) -> TypeAdapter:
    field = Frontmatter.model_fields[name]
    return TypeAdapter(Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation)


_ADAPTERS: dict[str, TypeAdapter] = {}


def _valid(name: str, value: Any, tz: tzinfo) -> Any:
    """``value`` as the field ``name`` validates it, or None when it is not valid on its own."""
    if name not in _ADAPTERS:
        _ADAPTERS[name] = _adapter(name)
    try:
        return _ADAPTERS[name].validate_python(value, context={"tz": tz})
    except (ValidationError, ValueError, TypeError, OverflowError):
        return None


def worst_case(data: object, tz: tzinfo, source: str, problems: list[Problem]) -> Unverified | None:
    """The worst case of an invalid file's frontmatter ``data``, or None when its start cannot be read."""
    if not isinstance(data, dict) or data.get("started") is None:
        return None
    started = _valid("started", data["started"], tz)
    if not isinstance(started, datetime):
        return None
    resolved = _valid("resolved", data.get("resolved"), tz) if data.get("resolved") is not None else None
    if resolved is not None and resolved < started:
        resolved = None  # an end before the start cannot be trusted: open, up to as-of
    services = _valid("services", data.get("services"), tz)
    impact = _valid("impact", data.get("impact"), tz) if data.get("impact") else None
    if impact and not _impact_fits(impact, started, resolved, services):
        impact = None
    downtime = None
    if not data.get("impact"):  # given impact drives the math: when it is broken, only the whole span is safe
        downtime = _valid("downtime_minutes", data.get("downtime_minutes"), tz)
        if downtime is not None and resolved is not None and downtime * 60 > (resolved - started).total_seconds():
            downtime = None
    first = next((problem.message for problem in problems if problem.is_error), "is not valid")
    incident = Incident.model_construct(
        id=source, title=source, severity="", status="resolved" if resolved else "investigating",
        started=started, detected=None, acknowledged=None, mitigated=None, resolved=resolved,
        services=list(services or EVERY_SERVICE), impact=list(impact or []),
        downtime_minutes=downtime if not impact else None, maintenance=False, cause=None, timeline=[],
        action_items=[], tags=[], authors=[], related=[], source=None, file=source, body="",
    )
    return Unverified(source, first, incident, every_service=not services and not impact)


def of_incident(incident: Incident, problem: str) -> Unverified:
    """A valid incident left out for a reason across files (a repeated id), counted all the same."""
    counted = incident.model_copy(update={"id": incident.file, "maintenance": False, "related": []})
    return Unverified(incident.file, problem, counted, every_service=False)


def _impact_fits(impact: list[Impact], started: datetime, resolved: datetime | None, services) -> bool:
    for entry in impact:
        if services and entry.service not in services:
            return False
        start, end = entry.start or started, entry.end or resolved
        if start < started or (resolved is not None and entry.end is not None and entry.end > resolved):
            return False
        if end is not None and end < start:
            return False
    return True
