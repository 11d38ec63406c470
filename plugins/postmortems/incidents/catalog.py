"""The service catalog: the option ``services`` in mkdocs.yml (no MkDocs here).

Each entry names a service, and may describe it, say who owns it (``owner`` or ``team``) and
since when its uptime is tracked (``tracked_since``). Without a catalog any name an incident
writes is a service. With one, a name it does not list is an error with a suggestion, so
``webb`` never becomes a service of its own, and every listed service has a page even before
its first incident.

``tracked_since`` starts the service's own figures later than the wiki's ``since``: its windows,
months, days and ledgers begin there (see ``uptime.report``), and nothing before it counts for the
service. A window that ends before it is ``n/a``, never ``100%``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from .slugs import name_slug
from .timeparse import _local, to_instant

MAX_NAME = 100  # as the model's names: they become page and file names
KEYS = ("name", "description", "owner", "team", "tracked_since")


@dataclass(frozen=True)
class Service:
    name: str
    description: str = ""
    owner: str = ""
    team: str = ""
    tracked_since: datetime | None = None

    @property
    def owned_by(self) -> str:
        """``owner`` and ``team`` as one line (either may be empty)."""
        return " · ".join(part for part in (self.owner, self.team) if part)


def from_option(value: object, tz: tzinfo) -> tuple[Service, ...]:
    """The catalog as written in mkdocs.yml; ValueError (``services: ...``) naming the entry and key."""
    if not isinstance(value, (list, tuple)):
        raise ValueError("services should be a list of services, e.g. [{name: web, description: The website, "
                         "owner: Dan}]")
    services: list[Service] = []
    slugs: dict[str, str] = {}
    for index, entry in enumerate(value):
        where = f"services[{index}]"
        if isinstance(entry, Service):
            entry = {"name": entry.name, "description": entry.description or None, "owner": entry.owner or None,
                     "team": entry.team or None, "tracked_since": entry.tracked_since}
        if isinstance(entry, str):  # a bare name is a service without details
            entry = {"name": entry}
        if not isinstance(entry, dict):
            raise ValueError(f"{where} should be a name, or name: and description:, owner:, team:, tracked_since: lines")
        for key in entry:
            if key not in KEYS:
                close = difflib.get_close_matches(str(key), KEYS, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f" (keys: {', '.join(KEYS)})"
                raise ValueError(f"{where}: unknown key {str(key)!r}{hint}")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{where}.name is required: the service's name as incidents write it"
                             + ("" if name is None else f" (quote it: {name!r} is not text to YAML)"))
        name = name.strip()
        if len(name) > MAX_NAME:
            raise ValueError(f"{where}.name is too long (at most {MAX_NAME} characters)")
        texts = {}
        for key in ("description", "owner", "team"):
            text = entry.get(key)
            if text is not None and not isinstance(text, str):
                raise ValueError(f"{where}.{key} should be text, not {text!r}")
            texts[key] = " ".join((text or "").split())
        since = entry.get("tracked_since")
        tracked = None if since is None else tracked_since(since, tz, f"{where}.tracked_since")
        slug = name_slug(name)
        if slug in slugs:
            same = "is listed twice" if slugs[slug] == name else f"and {slugs[slug]!r} would share one page"
            raise ValueError(f"{where}.name {name!r} {same}")
        slugs[slug] = name
        services.append(Service(name, tracked_since=tracked, **texts))
    return tuple(services)


def tracked_since(value: object, tz: tzinfo, where: str) -> datetime:
    """A timestamp, or a date meaning its first instant in the wiki's time zone."""
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and len(value.strip()) == 10:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{where} ({value}) is not a real date, e.g. 2013-01-15") from None
    else:
        try:
            return to_instant(value, tz)
        except (ValueError, OverflowError) as error:
            raise ValueError(f"{where} {error}") from None
    if not 1970 <= day.year <= 2999:
        raise ValueError(f"{where} ({day}) is not between 1970-01-01 and 2999-12-31")
    try:
        return _local(datetime.combine(day, time()), tz)
    except ValueError:  # a midnight the zone skips: the first instant of the day is what the clock says after it
        return to_instant(f"{day.isoformat()} 01:00", tz)


def unknown(name: str, catalog: tuple[Service, ...]) -> str:
    """Why ``name`` is not a service of ``catalog``: a suggestion, or the list."""
    names = [service.name for service in catalog]
    lowered = {candidate.lower(): candidate for candidate in names}
    close = difflib.get_close_matches(name.lower()[:MAX_NAME], list(lowered), n=1, cutoff=0.6)
    if close:
        return f"is not in the service catalog (services in mkdocs.yml); did you mean {lowered[close[0]]!r}?"
    shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    return f"is not in the service catalog (services in mkdocs.yml: {shown})"
