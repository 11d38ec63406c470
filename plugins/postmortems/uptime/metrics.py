"""The uptime engine's exact math: time units, the max-weight step function, incident
statistics, ledger segments and JSON numbers.

Instants are integer microseconds since the epoch; every figure is an exact
``Fraction`` of minutes. Only ``number`` and ``percent`` make floats, for JSON.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from fractions import Fraction
from functools import cached_property
from itertools import accumulate, chain
from operator import sub
from typing import Sequence

from ..incidents.intervals import US_PER_MINUTE, disjoint
from ..incidents.model import MILESTONES
from ..incidents.timeparse import iso

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)
US_PER_DAY = 86_400_000_000
TIME_TO = dict(zip(("detect", "acknowledge", "mitigate", "resolve"), MILESTONES[1:]))  # the response times after started
UNCATEGORIZED = "uncategorized"


def to_us(moment: datetime) -> int:
    """An aware datetime as whole microseconds since the epoch."""
    return (moment - EPOCH) // MICROSECOND


def from_us(us: int, tz: tzinfo) -> datetime:
    return (EPOCH + timedelta(microseconds=us)).astimezone(tz)


def minutes(us: int | Fraction) -> Fraction:
    return Fraction(us, US_PER_MINUTE)


def number(value: Fraction | int | float | None, toward: int = 0) -> int | float | None:
    """A JSON number: an int when whole, else a float of 6 decimals: the nearest, or with ``toward=1``
    never below the exact value (downtime), with ``toward=-1`` never above it (what is left of a budget)."""
    if value is None:
        return None
    exact = Fraction(value) * 10**6
    scaled = round(exact) if not toward else (math.ceil(exact) if toward > 0 else math.floor(exact))
    rounded = Fraction(scaled, 10**6)
    if rounded.denominator == 1:
        return rounded.numerator
    return _float_toward(rounded, toward)


def percent(value: Fraction | None) -> int | float | None:
    """An uptime percentage for JSON: the largest float not above the exact value (an int when whole),
    so a program reading it never sees more uptime than there was."""
    if value is None:
        return None
    return value.numerator if value.denominator == 1 else _float_toward(value, -1)


def _float_toward(value: Fraction, toward: int) -> float:
    """The float nearest ``value``, moved one step when it lies on the wrong side of it."""
    near = float(value)
    if toward < 0 and Fraction(near) > value:
        return math.nextafter(near, -math.inf)
    if toward > 0 and Fraction(near) < value:
        return math.nextafter(near, math.inf)
    return near


def decimal_text(value: Fraction | None, digits: int = 20) -> str | None:
    """``value`` as a decimal, exact when it ends within ``digits`` places, else cut with ``…``."""
    if value is None:
        return None
    sign = "-" if value < 0 else ""
    whole, rest = divmod(abs(value.numerator) * 10**digits, value.denominator)
    integer, fraction = divmod(whole, 10**digits)
    text = f"{integer}.{fraction:0{digits}d}".rstrip("0").rstrip(".")
    return sign + text + ("…" if rest else "")


def summary(durations_us: list[int]) -> dict:
    """Mean, median and nearest-rank p90 in minutes of some durations, and their count."""
    values = sorted(durations_us)
    n = len(values)
    if not n:
        return {"mean": None, "median": None, "p90": None, "n": 0}
    middle = n // 2
    median = Fraction(values[middle]) if n % 2 else Fraction(values[middle - 1] + values[middle], 2)
    return {
        "mean": minutes(Fraction(sum(values), n)),
        "median": minutes(median),
        "p90": minutes(values[-(-9 * n // 10) - 1]),
        "n": n,
    }


@dataclass
class WindowStats:
    incidents: int
    incident_ids: list[str]
    maintenance_count: int
    by_severity: dict[str, int]
    by_cause: dict[str, int]
    time_to: dict[str, dict]
    mtbf_minutes: Fraction | None

    def to_json(self) -> dict:
        return {
            "incidents": self.incidents,
            "maintenance_count": self.maintenance_count,
            "by_severity": dict(self.by_severity),
            "by_cause": dict(self.by_cause),
            "time_to": {
                name: {key: (value if key == "n" else number(value)) for key, value in stat.items()}
                for name, stat in self.time_to.items()
            },
            "mtbf_minutes": number(self.mtbf_minutes),
        }


def record(incident, started_us: int) -> tuple:
    """What the statistics need of one incident: ``(id, started, maintenance, severity, cause, *time_to)``,
    ``time_to`` being the microseconds from started to each of ``TIME_TO`` (None when missing)."""
    detected, acknowledged, mitigated, resolved = (
        incident.detected, incident.acknowledged, incident.mitigated, incident.resolved)
    return (
        incident.id, started_us, bool(incident.maintenance), str(incident.severity),
        getattr(incident.cause, "category", None) or UNCATEGORIZED,
        None if detected is None else (detected - EPOCH) // MICROSECOND - started_us,
        None if acknowledged is None else (acknowledged - EPOCH) // MICROSECOND - started_us,
        None if mitigated is None else (mitigated - EPOCH) // MICROSECOND - started_us,
        None if resolved is None else (resolved - EPOCH) // MICROSECOND - started_us,
    )


class ScopeStats:
    """Incident statistics of one scope; a window costs binary searches plus its slices.

    ``records`` (from ``record``) must be sorted by started.
    """

    def __init__(self, records: Sequence[tuple], severities: Sequence[str]):
        self.severities = tuple(severities)
        self.maintenance = [r[1] for r in records if r[2]]
        counted = [r for r in records if not r[2]]
        columns = list(zip(*counted)) or [()] * 9
        self.ids, self.started, _, self.severity, self.cause = (list(c) for c in columns[:5])
        self.time_to = {}  # per milestone: (started, elapsed) of the incidents that have it
        for name, column in zip(TIME_TO, columns[5:]):
            present = [(at, elapsed) for at, elapsed in zip(self.started, column) if elapsed is not None]
            self.time_to[name] = tuple(list(c) for c in zip(*present)) or ([], [])

    def window(self, start_us: int, end_us: int) -> WindowStats:
        i, j = bisect_left(self.started, start_us), bisect_left(self.started, end_us)
        severity = Counter(self.severity[i:j])
        by_severity = {name: severity.pop(name, 0) for name in self.severities}
        by_severity.update(sorted(severity.items()))
        time_to = {}
        for name, (started, elapsed) in self.time_to.items():
            time_to[name] = summary(elapsed[bisect_left(started, start_us):bisect_left(started, end_us)])
        gaps = j - i - 1
        return WindowStats(
            incidents=j - i,
            incident_ids=self.ids[i:j],
            maintenance_count=bisect_left(self.maintenance, end_us) - bisect_left(self.maintenance, start_us),
            by_severity=by_severity,
            by_cause=dict(sorted(Counter(self.cause[i:j]).items())),
            time_to=time_to,
            mtbf_minutes=minutes(Fraction(self.started[j - 1] - self.started[i], gaps)) if gaps > 0 else None,
        )


def budget(slo: float, window_minutes: Fraction, downtime_minutes: Fraction) -> tuple[Fraction, Fraction]:
    """The error budget of a window in minutes, and what is left of it (negative when overspent)."""
    share = (100 - Fraction(str(slo))) / 100
    total = share * window_minutes
    return total, total - downtime_minutes


def floor_text(value: Fraction, precision: int) -> tuple[str, bool]:
    """``value`` floored to ``precision`` decimals as text, and whether that was exact."""
    scale = 10**precision
    floored = math.floor(value * scale)
    text = str(floored) if precision == 0 else f"{floored // scale}.{floored % scale:0{precision}d}"
    return text, floored == value * scale


# --- the max-weight step function of a scope ---------------------------------------------------


class Steps:
    """A scope's max-weight step function, kept as nested layers.

    With the distinct positive weights ``w1 < w2 < ...`` and ``U_j`` the union of the
    intervals weighing at least ``w_j``, the largest active weight at ``t`` is
    ``sum_j (w_j - w_(j-1)) * [t in U_j]``. Each ``U_j`` is a list of disjoint spans
    with prefix sums of their lengths, so an integral is two binary searches per
    layer. ``covers[j]`` holds the sorted starts and sorted ends of intervals whose
    union is ``U_j``; ``rises[j]`` is ``w_j - w_(j-1)``.
    """

    def __init__(self, covers: list[tuple[list[int], list[int]]], rises: Sequence[int]):
        self.layers = [(rise, *_spans(starts, ends)) for rise, (starts, ends) in zip(rises, covers)]

    @classmethod
    def of(cls, layers: list[tuple[list[int], list[int]]], rises: Sequence[int]) -> Steps:
        """From the starts and ends (any order) of the intervals of each weight ``w_j``."""
        covers: list = [None] * len(rises)
        starts: list[int] = []
        ends: list[int] = []
        for j in reversed(range(len(rises))):  # U_j takes the intervals of every layer from j up
            starts, ends = starts + layers[j][0], ends + layers[j][1]
            starts.sort()  # sorted runs merge in linear time
            ends.sort()
            covers[j] = (starts, ends)
        return cls(covers, rises)

    @classmethod
    def union(cls, parts: Sequence[Steps], rises: Sequence[int]) -> Steps:
        """The step function of all the parts' intervals together: each ``U_j`` is the union
        of the parts' ``U_j``, from their spans (sorted runs, so the sorts are merges)."""
        covers = []
        for j in range(len(rises)):
            starts = list(chain.from_iterable(part.layers[j][1] for part in parts))
            ends = list(chain.from_iterable(part.layers[j][2] for part in parts))
            starts.sort()
            ends.sort()
            covers.append((starts, ends))
        return cls(covers, rises)

    def integral(self, start: int, end: int) -> int:
        """The weight numerators integrated over ``[start, end)``, in microseconds."""
        total = 0
        for rise, starts, ends, cum in self.layers:
            total += rise * (_measure(starts, ends, cum, end) - _measure(starts, ends, cum, start))
        return total


def _spans(starts: list[int], ends: list[int]) -> tuple[list[int], list[int], list[int]]:
    """The union's disjoint spans (``intervals.disjoint``), with prefix sums of their lengths."""
    froms, tos = disjoint(starts, ends)
    return froms, tos, list(accumulate(map(sub, tos, froms), initial=0))


def _measure(starts: list[int], ends: list[int], cum: list[int], at: int) -> int:
    """How much of the spans lies before ``at``."""
    k = bisect_right(starts, at) - 1
    return 0 if k < 0 else cum[k] + min(at, ends[k]) - starts[k]


# --- ledgers: the math behind a figure ------------------------------------------------------------


@dataclass
class Segment:
    start: datetime
    end: datetime
    weight: Fraction
    minutes: Fraction
    weighted_minutes: Fraction
    incidents: list[str]  # the incidents active at the segment's (max) weight

    def to_json(self) -> dict:
        return {"start": iso(self.start), "end": iso(self.end), "weight": number(self.weight),
                "minutes": number(self.minutes), "weighted_minutes": number(self.weighted_minutes, 1),
                "incidents": list(self.incidents)}


@dataclass
class Exclusion:
    incident: str
    reason: str  # maintenance, before since, clipped at since, clipped at as-of, after as-of
    minutes: Fraction | None = None  # the minutes cut off, for the clipped ones

    def to_json(self) -> dict:
        return {"incident": self.incident, "reason": self.reason, "minutes": number(self.minutes)}


@dataclass
class Ledger:
    """The math behind one figure: segments summed, incidents left out, and the rounding.

    The segments are merged when first read: the ledger page lists them only for short
    windows and months, and shows the formula alone for the long ones."""

    pieces: list[tuple[int, int, Fraction, str]] = field(repr=False)  # clipped (start, end, weight, incident)
    tz: tzinfo = field(repr=False)
    excluded: list[Exclusion]
    window_minutes: Fraction
    downtime_minutes: Fraction
    uptime_exact: str | None
    display: str

    @cached_property
    def segments(self) -> list[Segment]:
        return segments(self.pieces, self.tz)

    @property
    def formula(self) -> str:
        if self.uptime_exact is None:
            return "window of zero length: n/a"
        down, total = decimal_text(self.downtime_minutes), decimal_text(self.window_minutes)
        return f"100 × (1 − {down} / {total}) = {self.uptime_exact} → {self.display}"

    def to_json(self) -> dict:
        return {"segments": [s.to_json() for s in self.segments], "excluded": [e.to_json() for e in self.excluded],
                "window_minutes": number(self.window_minutes), "downtime_minutes": number(self.downtime_minutes, 1),
                "uptime_exact": self.uptime_exact, "display": self.display, "formula": self.formula}


def segments(pieces: list[tuple[int, int, Fraction, str]], tz: tzinfo) -> list[Segment]:
    """Merge clipped pieces into segments of one max weight with the same incidents at it."""
    ends = defaultdict(list)
    for a, b, weight, ident in pieces:
        ends[b].append((weight, ident))
    starts = sorted(pieces, key=lambda piece: piece[0])
    instants = sorted({at for a, b, _, _ in pieces for at in (a, b)})
    active: Counter = Counter()
    merged: list[list] = []  # [start, end, weight, ids]
    next_start = 0
    for at, following in zip(instants, instants[1:]):
        for key in ends.pop(at, ()):
            active[key] -= 1
            if not active[key]:
                del active[key]  # keep only live intervals: each step scans what is active, not all the past
        while next_start < len(starts) and starts[next_start][0] == at:
            active[starts[next_start][2:]] += 1
            next_start += 1
        live = [key for key, count in active.items() if count > 0]
        if not live:
            continue
        weight = max(w for w, _ in live)
        ids = sorted({ident for w, ident in live if w == weight})
        if merged and merged[-1][1] == at and merged[-1][2:] == [weight, ids]:
            merged[-1][1] = following
        else:
            merged.append([at, following, weight, ids])
    return [Segment(from_us(a, tz), from_us(b, tz), w, minutes(b - a), w * minutes(b - a), ids) for a, b, w, ids in merged]
