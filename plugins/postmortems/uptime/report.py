"""Uptime figures from incidents, exact, for the site and each service over each window.

Each incident yields impact intervals (its ``impact`` entries, else one outage per
service from ``started`` for ``downtime_minutes``). A scope's downtime over a window
is the integral of the largest weight active at each instant, so overlapping
incidents count once and a partial under an outage adds nothing.

Instants are integer microseconds since the epoch and weights integer numerators
over one common denominator, so every figure is an exact ``Fraction``. One sort of
each scope's interval endpoints gives its max-weight step function (as layers, see
``Steps``) with prefix sums; any window or day is then a few binary searches.
Ledgers (the math behind a figure) and incident statistics are built on first use.
"""

from __future__ import annotations

import gc
import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from fractions import Fraction
from functools import cached_property
from typing import Sequence

from ..incidents.intervals import ceil_us, covered
from .metrics import (
    EPOCH, MICROSECOND, US_PER_DAY, US_PER_MINUTE, Exclusion, Ledger, ScopeStats, Steps, WindowStats, budget,
    decimal_text, floor_text, from_us, minutes, number, percent, record, to_us,
)
from ..incidents.model import Incident
from ..incidents.salvage import Unverified
from ..incidents.settings import Settings, exact
from ..incidents.timeparse import iso
from .status import Ongoing, ongoing

SITE = "site"
UNATTRIBUTED = "\0unattributed"  # the scope of an unverified file when no service is known at all: the site's alone
LONG_US = 7 * US_PER_DAY  # ledgers look up shorter incidents by their start, and check longer ones always


def display(uptime_percent: Fraction | None, has_downtime: bool, precision: int) -> str:
    """An uptime that never overstates: ``100%`` only without downtime, else floored with ``>``."""
    if uptime_percent is None:
        return "n/a"
    if not has_downtime:
        return "100%"
    # With downtime the figure stays below 100 even if a caller passes 100.
    value = uptime_percent if uptime_percent < 100 else 100 - Fraction(1, 2 * 10**precision)
    text, is_exact = floor_text(value, precision)
    return f"{'' if is_exact else '>'}{text}%"


class _Weights:
    """Every weight in play as a small id; after ``freeze``, numerators over one denominator and layers."""

    def __init__(self, settings: Settings):
        self._ids: dict[Fraction, int] = {}
        self._typed: dict = {}
        self.of_level = {level: self.add(weight) for level, weight in settings.level_weights().items()}

    def add(self, weight: Fraction) -> int:
        return self._ids.setdefault(weight, len(self._ids))

    def typed(self, fraction: float) -> int:
        """The id of a ``fraction`` written on an impact entry."""
        if fraction not in self._typed:
            self._typed[fraction] = self.add(exact(fraction))
        return self._typed[fraction]

    def freeze(self) -> None:
        self.fractions = sorted(self._ids, key=self._ids.__getitem__)
        self.denominator = math.lcm(*(w.denominator for w in self.fractions))
        numerators = [w.numerator * (self.denominator // w.denominator) for w in self.fractions]
        positive = sorted({n for n in numerators if n > 0})
        self.layer = [positive.index(n) if n > 0 else -1 for n in numerators]
        self.rises = [n - (positive[j - 1] if j else 0) for j, n in enumerate(positive)]


class _Item:
    """One incident in microseconds, for ledgers and days: ``raw`` intervals
    ``(service, start, end, weight id)`` and ``first``/``last`` spanning the incident."""

    __slots__ = ("id", "started", "first", "last", "raw", "maintenance")

    def __init__(self, incident: Incident, started: int, raw: list | int, as_of: int, outage: int):
        if not isinstance(raw, list):  # just the end of the outage on each service
            raw = [(service, started, raw, outage) for service in dict.fromkeys(incident.services)]
        self.id, self.maintenance, self.started, self.raw = incident.id, incident.maintenance, started, raw
        end = as_of if incident.resolved is None else to_us(incident.resolved)
        self.first, self.last = min([started, *(r[1] for r in raw)]), max([end, *(r[2] for r in raw)])


class _Catalog:
    """The incidents in order of started, and which of them each service has; built on first need."""

    def __init__(self, incidents: Sequence[Incident], started: list[int], raws: list, as_of: int, outage: int,
                 count_maintenance: bool = False, unverified: frozenset[str] = frozenset()):
        self.incidents, self.started, self.raws, self._rest = incidents, started, raws, (as_of, outage)
        self.count_maintenance = count_maintenance
        self.unverified = unverified  # ids of left-out files counted as their worst case: in the math, not the statistics

    @cached_property
    def order(self) -> list[int]:
        return sorted(range(len(self.started)), key=self.started.__getitem__)

    @cached_property
    def members(self) -> dict[str, list[int]]:
        """Each service's positions in ``order``."""
        members, incidents, raws = defaultdict(list), self.incidents, self.raws
        for rank, i in enumerate(self.order):
            names, raw = incidents[i].services, raws[i]
            if raw.__class__ is list:
                names = [*names, *(r[0] for r in raw)]
            for service in dict.fromkeys(names) if len(names) > 1 else names:
                members[service].append(rank)
        return members

    @cached_property
    def records(self) -> list[tuple]:
        with _collecting():
            rows = [record(self.incidents[i], self.started[i]) for i in self.order]
        if self.count_maintenance:  # maintenance counts like any incident, in the statistics as in the math
            rows = [row[:2] + (False,) + row[3:] if row[2] else row for row in rows]
        return rows

    @cached_property
    def items(self) -> list[_Item]:
        with _collecting():
            return [_Item(self.incidents[i], self.started[i], self.raws[i], *self._rest) for i in self.order]

    def pick(self, rows: list, service: str | None) -> list:
        """``rows`` (in order of started) of the site (None) or of one service."""
        return rows if service is None else [rows[rank] for rank in self.members[service]]


def _collect(incidents: Sequence[Incident], settings: Settings, weights: _Weights, until: int,
             unverified: frozenset[str] = frozenset()):
    """The hot pass: each incident's start and raw intervals (or outage end), the service names,
    and each service's interval starts and ends by weight id (see ``_by_layer``).

    Intervals are not clipped to ``[since, as_of)``: every window lies inside it.
    """
    level, outage, spans, counted = weights.of_level, weights.of_level["outage"], {}, settings.count_maintenance
    starts, raws, names = [], [], set()
    events: dict[str, dict[int, tuple[list[int], list[int]]]] = defaultdict(dict)
    outages: dict[str, tuple[list[int], list[int]]] = {}
    for incident in incidents:
        started = (incident.started - EPOCH) // MICROSECOND
        starts.append(started)
        if not incident.impact:  # an outage on each service from started
            typed = incident.downtime_minutes
            if typed is None:  # no figure given: the whole incident, up to as-of while open
                stop = until if incident.resolved is None else (incident.resolved - EPOCH) // MICROSECOND
            else:
                if typed not in spans:
                    spans[typed] = ceil_us(typed)
                stop = started + spans[typed]
            raws.append(stop)
            services = incident.services
            names.update(services)
            if stop > started and not (incident.maintenance and not counted):
                for service in services:
                    pair = outages.get(service)
                    if pair is None:
                        pair = outages[service] = events[service].setdefault(outage, ([], []))  # once per service
                    pair[0].append(started)
                    pair[1].append(stop)
            continue
        end = until if incident.resolved is None else (incident.resolved - EPOCH) // MICROSECOND
        skip, raw = incident.maintenance and not counted, []
        for entry in incident.impact:
            service = entry.service
            a = started if entry.start is None else (entry.start - EPOCH) // MICROSECOND
            b = end if entry.end is None else (entry.end - EPOCH) // MICROSECOND
            weight = level[entry.level] if entry.fraction is None else weights.typed(entry.fraction)
            raw.append((service, a, b, weight))
            names.add(service)
            if b > a and not skip:
                pair = events[service].get(weight)
                if pair is None:
                    pair = events[service][weight] = ([], [])
                pair[0].append(a)
                pair[1].append(b)
        raws.append(raw)
        names.update(incident.services)
    return _Catalog(incidents, starts, raws, until, outage, counted, unverified), starts, names, events


def _by_layer(by_weight: dict[int, tuple[list[int], list[int]]], weights: _Weights) -> list:
    """Starts and ends by weight id, regrouped by layer (zero weights dropped)."""
    layers = [([], []) for _ in weights.rises]
    for weight, (starts, ends) in by_weight.items():
        if weights.layer[weight] >= 0:
            layers[weights.layer[weight]][0].extend(starts)
            layers[weights.layer[weight]][1].extend(ends)
    return layers


@dataclass(frozen=True)
class _Frame:
    """What every scope shares: settings, the tracked span ``[since, as_of)``, weights, months."""

    settings: Settings
    since: int
    as_of: int
    weights: _Weights
    months: tuple[tuple[str, int, int], ...]

    def figures(self, weighted: int, span: int) -> tuple[Fraction, Fraction | None, str]:
        """Downtime minutes, uptime percent and its display for ``weighted`` over ``span`` microseconds."""
        scale = self.weights.denominator
        uptime = 100 - Fraction(100 * weighted, scale * span) if span > 0 else None
        return Fraction(weighted, scale * US_PER_MINUTE), uptime, display(uptime, weighted > 0, self.settings.precision)


class Window:
    """Uptime of one scope over ``[start, end)``, with its statistics and ledger (both built on first use)."""

    def __init__(self, scope: Scope, key: str, start_us: int, end_us: int):
        frame = scope._frame
        self.key, self._scope, self._start, self._end = key, scope, start_us, end_us
        self.start, self.end = from_us(start_us, frame.settings.tz), from_us(end_us, frame.settings.tz)
        self.minutes = minutes(end_us - start_us)
        weighted = scope.steps.integral(start_us, end_us)
        self.downtime_minutes, self.uptime, self.display = frame.figures(weighted, end_us - start_us)
        self.budget_minutes, self.budget_left_minutes = budget(frame.settings.slo, self.minutes, self.downtime_minutes)

    @cached_property
    def stats(self) -> WindowStats:
        return self._scope._stats.window(self._start, self._end)

    incidents = property(lambda self: self.stats.incidents)
    incident_ids = property(lambda self: self.stats.incident_ids)
    maintenance_count = property(lambda self: self.stats.maintenance_count)
    by_severity = property(lambda self: self.stats.by_severity)
    by_cause = property(lambda self: self.stats.by_cause)
    time_to = property(lambda self: self.stats.time_to)
    mtbf_minutes = property(lambda self: self.stats.mtbf_minutes)

    @cached_property
    def ledger(self) -> Ledger:
        pieces, excluded = self._scope._ledger(self._start, self._end)
        return Ledger(pieces, self._scope._frame.settings.tz, excluded, self.minutes, self.downtime_minutes,
                      decimal_text(self.uptime), self.display)

    def to_json(self, ledger: bool = False) -> dict:
        out = {"start": iso(self.start), "end": iso(self.end), "minutes": number(self.minutes),
               "downtime_minutes": number(self.downtime_minutes, 1), "uptime": percent(self.uptime),
               "display": self.display, **self.stats.to_json(),
               "budget_minutes": number(self.budget_minutes), "budget_left_minutes": number(self.budget_left_minutes, -1)}
        if ledger:
            out["ledger"] = self.ledger.to_json()
        return out


@dataclass
class Day:
    """One local calendar day of a scope for the status bar; ``start``/``end`` are its local midnights."""

    date: date
    start: datetime
    end: datetime
    minutes: Fraction  # the part of the day inside [since, as_of)
    downtime_minutes: Fraction
    uptime: Fraction | None
    display: str
    incidents: list[str]

    def to_json(self) -> dict:
        return {"date": self.date.isoformat(), "minutes": number(self.minutes),
                "downtime_minutes": number(self.downtime_minutes, 1), "uptime": percent(self.uptime),
                "display": self.display, "incidents": list(self.incidents)}


class Scope:
    """The site, or one service: rolling windows, calendar months and a day series."""

    def __init__(self, name: str, frame: _Frame, catalog: _Catalog, steps: Steps, is_site: bool = False,
                 tracked_since: int | None = None):
        self.name, self.is_site, self._frame, self._catalog, self.steps = name, is_site, frame, catalog, steps
        as_of = frame.as_of
        # A service of the catalog with a later tracked_since counts from there: nothing before it, never 100%.
        self._since = since = min(max(frame.since, tracked_since), as_of) if tracked_since is not None else frame.since
        self.windows = {
            f"{days}d": Window(self, f"{days}d", min(max(since, as_of - days * US_PER_DAY), as_of), as_of)
            for days in sorted(frame.settings.windows)
        }
        self.windows["all"] = Window(self, "all", min(since, as_of), as_of)
        self.months = {key: Window(self, key, max(a, since), min(b, as_of)) for key, a, b in frame.months if b > since}

    @property
    def since(self) -> datetime:
        """Where this scope's figures start: the wiki's ``since``, or a later ``tracked_since`` of the service."""
        return from_us(self._since, self._frame.settings.tz)

    @property
    def _items(self) -> list[_Item]:
        """This scope's incidents, sorted by started."""
        return self._catalog.pick(self._catalog.items, None if self.is_site else self.name)

    @cached_property
    def _stats(self) -> ScopeStats:
        records = self._catalog.pick(self._catalog.records, None if self.is_site else self.name)
        if self._catalog.unverified:
            records = [row for row in records if row[0] not in self._catalog.unverified]
        return ScopeStats(records, self._frame.settings.severities)

    def days(self, n: int = 90) -> list[Day]:
        """The last ``n`` local days, ending with the day of the last instant before as-of."""
        frame, tz = self._frame, self._frame.settings.tz
        last = from_us(frame.as_of - 1, tz).date()
        dates = [last - timedelta(days=back) for back in range(n - 1, -1, -1)] + [last + timedelta(days=1)]
        bounds = [to_us(datetime.combine(day, time(), tzinfo=tz)) for day in dates]
        touching: list[list[str]] = [[] for _ in range(n)]
        for item in self._items:
            if item.started < frame.as_of and item.first < bounds[-1] and (item.last > bounds[0] or item.first >= bounds[0]):
                first = max(bisect_right(bounds, item.first) - 1, 0)
                for k in range(first, min(max(first, bisect_left(bounds, item.last) - 1), n - 1) + 1):
                    touching[k].append(item.id)
        result = []
        for k in range(n):
            a, b = max(bounds[k], self._since), min(bounds[k + 1], frame.as_of)
            figures = frame.figures(self.steps.integral(a, b) if b > a else 0, b - a)
            result.append(Day(dates[k], from_us(bounds[k], tz), from_us(bounds[k + 1], tz), minutes(max(b - a, 0)),
                              *figures, touching[k]))
        return result

    @cached_property
    def _ledger_index(self) -> tuple[list[tuple[_Item, list]], list[int], list[int], list[int]]:
        """This scope's ``(item, its raw intervals here)`` in order of started, the items'
        positions sorted by ``first`` with those firsts, and the long-lasting items' positions."""
        rows = [(item, item.raw if self.is_site else [r for r in item.raw if r[0] == self.name]) for item in self._items]
        by_first = sorted(range(len(rows)), key=lambda k: rows[k][0].first)
        long = [k for k, (item, _) in enumerate(rows) if item.last - item.first > LONG_US]
        return rows, by_first, [rows[k][0].first for k in by_first], long

    def _near(self, start: int, end: int) -> list[tuple[_Item, list]]:
        """The rows a ledger of ``[start, end)`` can mention, in order of started: those that
        overlap it (a short item overlapping it starts after ``start - LONG_US``), and at the
        scope's edges those before since or after as-of."""
        rows, by_first, firsts, long = self._ledger_index
        picked = set(long)
        picked.update(by_first[bisect_left(firsts, start - LONG_US):bisect_left(firsts, end)])
        if end == self._frame.as_of:
            picked.update(by_first[bisect_left(firsts, end):])
        if start == self._since:
            picked.update(by_first[:bisect_left(firsts, start)])
        return [rows[k] for k in sorted(picked)]

    def _ledger(self, start: int, end: int) -> tuple[list[tuple[int, int, Fraction, str]], list[Exclusion]]:
        frame = self._frame
        since, as_of, counted = self._since, frame.as_of, frame.settings.count_maintenance
        mark = "since" if since == frame.since else "tracked_since"
        pieces, excluded = [], []
        for item, raw in self._near(start, end):
            if item.first >= as_of:
                if end == as_of:
                    excluded.append(Exclusion(item.id, "after as-of"))
                continue
            if item.maintenance and not counted:
                if item.first < end and (item.last > start or item.first >= start):
                    excluded.append(Exclusion(item.id, "maintenance"))
                continue
            if start == since and item.started < since and all(r[2] <= since for r in raw):
                excluded.append(Exclusion(item.id, f"before {mark}"))
                continue
            if start == since and (cut := covered([(r[1], min(r[2], since)) for r in raw])):
                excluded.append(Exclusion(item.id, f"clipped at {mark}", minutes(cut)))
            if end == as_of and (cut := covered([(max(r[1], as_of), r[2]) for r in raw])):
                excluded.append(Exclusion(item.id, "clipped at as-of", minutes(cut)))
            for _, a, b, weight in raw:
                a, b = max(a, start), min(b, end)
                if b > a:
                    pieces.append((a, b, frame.weights.fractions[weight], item.id))
        return pieces, excluded

    def to_json(self) -> dict:
        return {"windows": {k: w.to_json() for k, w in self.windows.items()},
                "months": {k: w.to_json() for k, w in self.months.items()}}


def _months(since: int, as_of: int, tz) -> list[tuple[str, int, int]]:
    """``(YYYY-MM, start, end)`` of each local calendar month from since's to that of the last instant before as-of."""
    if since >= as_of:
        return []
    first, last = from_us(since, tz), from_us(as_of - 1, tz)
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        following = (year + month // 12, month % 12 + 1)
        start, end = datetime(year, month, 1, tzinfo=tz), datetime(*following, 1, tzinfo=tz)
        months.append((f"{year:04d}-{month:02d}", to_us(start), to_us(end)))
        year, month = following
    return months


@dataclass(eq=False)
class Report:
    as_of: datetime
    since: datetime
    settings: Settings
    site: Scope
    services: dict[str, Scope]
    unverified: tuple[Unverified, ...] = ()  # invalid files counted as their worst case
    uncounted: tuple[str, ...] = ()  # invalid files whose times cannot be read: not counted at all
    ongoing: tuple[Ongoing, ...] = ()  # the incidents open at as-of (see ``status``), the latest first

    def ongoing_on(self, service: str | None = None) -> list[Ongoing]:
        """The open incidents (that name ``service``, when given)."""
        return [item for item in self.ongoing if service is None or service in item.services]

    def since_of(self, service: str | None = None) -> datetime:
        """Where the figures of the site (or of ``service``) start counting."""
        scope = self.services.get(service) if service is not None else None
        return scope.since if scope is not None else self.since

    @property
    def left_out(self) -> list[str]:
        """Every invalid incident file, counted as its worst case or not at all."""
        return sorted({item.file for item in self.unverified} | set(self.uncounted))

    @property
    def complete(self) -> bool:
        return not self.unverified and not self.uncounted

    def caveats(self) -> list[str]:
        """Why the figures are not final: the invalid files, counted as their worst case or not at all."""
        lines = []
        if self.unverified:
            lines.append(f"the figures count {len(self.unverified)} invalid incident file(s) as their worst case "
                         f"(unverified): {', '.join(item.file for item in self.unverified)}")
        if self.uncounted:
            lines.append(f"the figures are incomplete: {len(self.uncounted)} invalid incident file(s) cannot be "
                         f"counted, so the figures may be higher than the truth: {', '.join(self.uncounted)}")
        return lines

    def to_json(self) -> dict:
        """The uptime.json document (no ledgers)."""
        with _collecting():
            return self._document()

    def _document(self) -> dict:
        return {"as_of": iso(self.as_of), "since": iso(self.since), "timezone": self.settings.timezone,
                "precision": self.settings.precision, "slo": self.settings.slo,
                "complete": self.complete, "left_out": self.left_out,
                "unverified": [{"file": item.file, "problem": item.problem} for item in self.unverified],
                "uncounted": list(self.uncounted),
                "ongoing": [item.to_json() for item in self.ongoing],
                "site": self.site.to_json(),
                "services": {name: scope.to_json() for name, scope in self.services.items()}}

    def figure(self, window: str, service: str | None = None) -> str:
        """The displayed uptime of the site (or ``service``) over a window key (``30d``, ``all``, ``2013-07``)."""
        if service is None:
            scope = self.site
        elif service in self.services:
            scope = self.services[service]
        else:
            raise KeyError(f"unknown service {service!r} (services: {', '.join(self.services) or 'none'})")
        found = scope.windows.get(window) or scope.months.get(window)
        if found is None:
            months = f"months {min(scope.months)} to {max(scope.months)}" if scope.months else "no months"
            raise KeyError(f"unknown window {window!r} (windows: {', '.join(scope.windows)}; {months})")
        return self.marked(found.display)

    def marked(self, display: str) -> str:
        """A figure as published outside the pages that explain it (live figures, badges):
        marked while an invalid incident file cannot be counted."""
        return display + (" (incomplete)" if self.uncounted else "")


def compute(incidents: Sequence[Incident], settings: Settings, as_of: datetime | None = None,
            unverified: Sequence[Unverified] = (), uncounted: Sequence[str] = ()) -> Report:
    """Uptime of the site and of every service named by any incident, tracked from since to as-of.

    ``unverified`` are invalid files counted as their worst case: in the figures and ledgers,
    not in the incident statistics. Those whose services cannot be read count against every
    service; with no service known at all, against the site alone. ``uncounted`` names the
    invalid files that cannot be counted (the figures are then incomplete).
    """
    if unverified:
        incidents = [*incidents, *_worst_cases(incidents, unverified, settings.services)]
    tz = settings.tz
    as_of = as_of if as_of is not None else settings.resolve_as_of()
    as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=tz)
    until = to_us(as_of)
    weights = _Weights(settings)
    with _collecting():
        catalog, starts, names, events = _collect(incidents, settings, weights, until,
                                                  frozenset(item.id for item in unverified))
        weights.freeze()
        if settings.since is not None:
            since = settings.since if settings.since.tzinfo else settings.since.replace(tzinfo=tz)
        else:  # by instant: aware datetimes sharing a tzinfo compare by wall time, wrong across a DST fold
            since = incidents[starts.index(min(starts))].started if starts else as_of
        frame = _Frame(settings, to_us(since), until, weights, tuple(_months(to_us(since), until, tz)))
        rises = weights.rises
        listed = settings.catalog  # a service of the catalog has a scope before its first incident
        names.update(listed)
        steps = {name: Steps.of(_by_layer(events[name], weights), rises) for name in sorted(names)}
        services = {name: Scope(name, frame, catalog, part, tracked_since=_tracked(listed.get(name)))
                    for name, part in steps.items() if name != UNATTRIBUTED}
        site = Scope(SITE, frame, catalog, Steps.union(list(steps.values()), rises), is_site=True)
        now = ongoing(incidents, as_of, frozenset(item.id for item in unverified))
        return Report(as_of, since, settings, site, services, tuple(unverified), tuple(uncounted), now)


def _tracked(service) -> int | None:
    return to_us(service.tracked_since) if service is not None and service.tracked_since is not None else None


def _worst_cases(incidents: Sequence[Incident], unverified: Sequence[Unverified], catalog=None) -> list[Incident]:
    """The unverified files' incidents, each with unreadable services replaced by every known service.

    With a service catalog, the known services are the catalog's, and a file that names a service
    outside it (a typo, most likely) counts against every one of them, over its whole span."""
    if catalog is not None:
        known = {service.name for service in catalog}
    else:
        known = {name for incident in [*incidents, *(item.incident for item in unverified)]
                 for name in [*incident.services, *(entry.service for entry in incident.impact)]}
    every = sorted(known) or [UNATTRIBUTED]
    cases = []
    for item in unverified:
        incident = item.incident
        names = {*incident.services, *(entry.service for entry in incident.impact)}
        if item.every_service:
            incident = incident.model_copy(update={"services": every})
        elif catalog is not None and not names <= known:
            incident = incident.model_copy(update={"services": every, "impact": [], "downtime_minutes": None})
        cases.append(incident)
    return cases


@contextmanager
def _collecting():
    """Pause the cyclic garbage collector while allocating many small acyclic objects.

    Reference counting still frees everything; the pause only skips collections
    that would find nothing to free but cost more than the computation itself.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
