"""Random small inputs: every window's downtime equals a minute-by-minute brute force, exactly."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from unittest.mock import patch
from zoneinfo import ZoneInfo

from hypothesis import given, settings as hypothesis_settings, strategies as st

from postmortems.incidents.model import Impact, Incident
from postmortems.incidents.settings import Settings, exact
from postmortems.uptime import report as uptime
from postmortems.uptime.report import compute

SERVICES = ("a", "b", "c")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
HORIZON = 3 * 1440  # minutes of incidents after the base
BASES = (  # local midnights near a month end, a spring-forward and a fall-back day
    datetime(2021, 2, 27),
    datetime(2021, 3, 13),
    datetime(2021, 11, 5),
)


def epoch_minutes(moment: datetime) -> int:
    seconds = (moment - EPOCH).total_seconds()
    assert seconds % 60 == 0
    return int(seconds) // 60


@st.composite
def impacts(draw, services, started):
    def moment(low, high):
        offset = draw(st.none() | st.integers(low, high))
        return None if offset is None else started + timedelta(minutes=offset)

    return Impact.model_construct(
        service=draw(st.sampled_from(services)),
        level=draw(st.sampled_from(("outage", "partial", "degraded"))),
        start=moment(-60, 300),
        end=moment(0, 600),
        fraction=draw(st.sampled_from((None, None, 0.0, 0.25, 0.5, 1.0, 0.3333))),
    )


@st.composite
def incidents(draw, base, index):
    services = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3, unique=True))
    started = base + timedelta(minutes=draw(st.integers(0, HORIZON)))
    resolved = draw(st.none() | st.integers(0, 900))
    fields = dict(
        id=f"i{index}", title="t", severity="SEV2", services=services, started=started,
        resolved=None if resolved is None else started + timedelta(minutes=resolved),
        maintenance=draw(st.booleans()) and draw(st.booleans()),
    )
    if draw(st.booleans()):
        fields["impact"] = draw(st.lists(impacts(list(SERVICES), started), min_size=1, max_size=3))
    else:
        fields["downtime_minutes"] = draw(st.none() | st.integers(0, 600).map(float) | st.integers(0, 600))
    return Incident.model_construct(**fields)


@st.composite
def cases(draw):
    tz = ZoneInfo(draw(st.sampled_from(("UTC", "America/New_York"))))
    base = draw(st.sampled_from(BASES)).replace(tzinfo=tz)
    count = draw(st.integers(1, 5))
    items = [draw(incidents(base, i)) for i in range(count)]
    since = draw(st.none() | st.integers(-600, HORIZON).map(lambda m: base + timedelta(minutes=m)))
    as_of = base + timedelta(minutes=draw(st.integers(600, HORIZON + 1440)))
    options = dict(
        timezone=tz.key,
        since=since,
        as_of=as_of,
        windows=(1, 2),
        policy=draw(st.sampled_from(("statuspage", "binary"))),
        weights=draw(st.sampled_from(({}, {"partial": 0.5}, {"degraded": 0.1, "outage": 0.9}))),
        count_maintenance=draw(st.booleans()),
    )
    return items, Settings(**options)


def brute_force(incidents, settings: Settings, since: int, as_of: int) -> dict[str | None, list]:
    """For each scope (None: the site), the largest weight active in each minute of [since, as_of)."""
    weights = settings.level_weights()
    intervals: list[tuple[Fraction, int, int, str]] = []
    for incident in incidents:
        if incident.maintenance and not settings.count_maintenance:
            continue
        started = epoch_minutes(incident.started)
        end = as_of if incident.resolved is None else epoch_minutes(incident.resolved)
        if incident.impact:
            for entry in incident.impact:
                weight = weights[entry.level] if entry.fraction is None else exact(entry.fraction)
                a = started if entry.start is None else epoch_minutes(entry.start)
                b = end if entry.end is None else epoch_minutes(entry.end)
                intervals.append((weight, a, b, entry.service))
        else:
            minutes = incident.downtime_minutes
            b = end if minutes is None else started + int(minutes)
            intervals += [(weights["outage"], started, b, service) for service in set(incident.services)]
    scopes: dict[str | None, list] = {None: [Fraction(0)] * max(as_of - since, 0)}
    for service in SERVICES:
        scopes[service] = [Fraction(0)] * max(as_of - since, 0)
    for weight, a, b, service in sorted(intervals, key=lambda i: i[0]):  # heavier ones overwrite
        a, b = max(a, since) - since, min(b, as_of) - since
        if b > a:
            for scope in (None, service):
                top = scopes[scope]
                for minute in range(a, b):  # one by one: each minute keeps the largest weight
                    if weight > top[minute]:
                        top[minute] = weight
    return scopes


def total(minutes: list[Fraction]) -> Fraction:
    return sum((weight * count for weight, count in Counter(minutes).items()), Fraction(0))


@hypothesis_settings(max_examples=200, deadline=None)
@given(cases())
def test_every_window_matches_the_brute_force(case):
    items, settings = case
    report = compute(items, settings)
    since, as_of = epoch_minutes(report.since), epoch_minutes(report.as_of)
    reference = brute_force(items, settings, since, as_of)
    for name, scope in [(None, report.site), *report.services.items()]:
        windows = [*scope.windows.values(), *scope.months.values()]
        for window in windows:
            a, b = epoch_minutes(window.start), epoch_minutes(window.end)
            assert since <= a <= b <= as_of or a == b == as_of
            assert window.downtime_minutes == total(reference[name][a - since:b - since]), (name, window.key)
            assert window.minutes == b - a
        all_time = scope.windows["all"]
        assert sum(s.weighted_minutes for s in all_time.ledger.segments) == all_time.downtime_minutes
        for days, window in ((1, scope.windows["1d"]), (2, scope.windows["2d"])):
            assert epoch_minutes(window.start) == min(max(since, as_of - days * 1440), as_of)
        for day in scope.days(5):
            a, b = max(epoch_minutes(day.start), since), min(epoch_minutes(day.end), as_of)
            expected = total(reference[name][a - since:b - since]) if b > a else 0
            assert day.downtime_minutes == expected and (day.display == "n/a") == (b <= a)
    months = [(epoch_minutes(m.start), epoch_minutes(m.end)) for m in report.site.months.values()]
    if since < as_of:  # the months tile [since, as_of) without gaps
        assert (months[0][0], months[-1][1]) == (since, as_of)
        assert all(m[1] == n[0] for m, n in zip(months, months[1:]))
    else:
        assert months == []


def _ledgers(items, settings, long_us: int) -> dict:
    with patch.object(uptime, "LONG_US", long_us):
        report = compute(items, settings)
        return {(name, window.key): window.ledger.to_json()
                for name, scope in [(None, report.site), *report.services.items()]
                for window in [*scope.windows.values(), *scope.months.values()]}


@hypothesis_settings(max_examples=100, deadline=None)
@given(cases(), st.sampled_from([0, 30, 120, 600]))
def test_ledgers_find_the_same_incidents_as_a_full_scan(case, long_minutes):
    """Ledgers look up short incidents by their start; the result equals scanning every incident."""
    items, settings = case
    assert _ledgers(items, settings, long_minutes * 60_000_000) == _ledgers(items, settings, 10**18)
