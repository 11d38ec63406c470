"""The uptime engine: exact downtime, windows, months, display, statistics, ledgers, days."""

from __future__ import annotations

import math
import json
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from postmortems.uptime.metrics import decimal_text, summary
from postmortems.incidents.model import Incident
from postmortems.incidents.settings import Settings
from postmortems.uptime.report import Exclusion, compute, display

UTC = ZoneInfo("UTC")
NY = ZoneInfo("America/New_York")
AS_OF = datetime(2013, 7, 31, tzinfo=timezone.utc)
SINCE = datetime(2013, 7, 1, tzinfo=timezone.utc)


def incident(id: str, started: str, tz: ZoneInfo = UTC, **fields) -> Incident:
    data = {"id": id, "title": id, "severity": "SEV2", "services": ["api"], "started": started, **fields}
    return Incident.model_validate(data, context={"tz": tz})


def impact(service: str = "api", level: str = "outage", **fields) -> dict:
    return {"service": service, "level": level, **fields}


def run(incidents, *, as_of=AS_OF, since=SINCE, **options):
    return compute(incidents, Settings(since=since, as_of=as_of, **options))


def minutes(report, window: str = "all", service: str | None = None) -> Fraction:
    scope = report.site if service is None else report.services[service]
    return (scope.windows.get(window) or scope.months[window]).downtime_minutes


# --- downtime: union of the largest weight active at each instant ------------------------------

DOWNTIME_CASES = [
    (
        "overlap on one service counts once",
        [incident("a", "2013-07-10 10:00", downtime_minutes=30), incident("b", "2013-07-10 10:20", downtime_minutes=30)],
        {},
        {None: 50, "api": 50},
    ),
    (
        "overlap across services: site is the union, each service its own",
        [
            incident("a", "2013-07-10 10:00", downtime_minutes=30),
            incident("b", "2013-07-10 10:15", downtime_minutes=30, services=["web"]),
        ],
        {},
        {None: 45, "api": 30, "web": 30},
    ),
    (
        "one incident on two services counts once for the site",
        [incident("a", "2013-07-10 10:00", downtime_minutes=30, services=["api", "web"])],
        {},
        {None: 30, "api": 30, "web": 30},
    ),
    (
        "partial under a full outage adds nothing",
        [
            incident("a", "2013-07-10 10:00", resolved="2013-07-10 11:00", impact=[impact()]),
            incident("b", "2013-07-10 10:15", resolved="2013-07-10 10:45", impact=[impact(level="partial")]),
        ],
        {},
        {None: 60},
    ),
    (
        "partial sticking out of an outage counts 0.3 outside it",
        [
            incident("a", "2013-07-10 10:00", resolved="2013-07-10 11:00", impact=[impact()]),
            incident("b", "2013-07-10 10:30", resolved="2013-07-10 12:00", impact=[impact("web", "partial")]),
        ],
        {},
        {None: 60 + Fraction(3, 10) * 60, "api": 60, "web": Fraction(3, 10) * 90},
    ),
    (
        "two partials overlapping count once",
        [
            incident("a", "2013-07-10 10:00", resolved="2013-07-10 11:00", impact=[impact(level="partial")]),
            incident("b", "2013-07-10 10:30", resolved="2013-07-10 11:30", impact=[impact(level="partial")]),
        ],
        {},
        {None: 27},
    ),
    (
        "degraded weighs nothing by default",
        [incident("a", "2013-07-10 10:00", resolved="2013-07-10 11:00", impact=[impact(level="degraded")])],
        {},
        {None: 0},
    ),
    (
        "fraction overrides the level's weight",
        [
            incident("a", "2013-07-10 10:00", resolved="2013-07-10 11:00", impact=[impact(level="partial", fraction=0.5)]),
            incident("b", "2013-07-11 10:00", resolved="2013-07-11 11:00", impact=[impact("web", fraction=0.25)]),
            incident("c", "2013-07-12 10:00", resolved="2013-07-12 11:00", impact=[impact("db", "degraded", fraction=0.1)]),
        ],
        {},
        {None: 30 + 15 + 6, "api": 30, "web": 15, "db": 6},
    ),
    (
        "a larger fraction wins over an overlapping outage of lower weight",
        [
            incident("a", "2013-07-10 10:00", resolved="2013-07-10 11:00", impact=[impact(level="partial", fraction=0.5)]),
            incident("b", "2013-07-10 10:00", resolved="2013-07-10 10:30", impact=[impact(level="partial")]),
        ],
        {},
        {None: 30},
    ),
    (
        "policy binary counts a partial as an outage",
        [incident("a", "2013-07-10 10:00", resolved="2013-07-10 11:00", impact=[impact(level="partial")])],
        {"policy": "binary"},
        {None: 60},
    ),
    (
        "weights override the policy",
        [
            incident("a", "2013-07-10 10:00", resolved="2013-07-10 11:00", impact=[impact(level="partial")]),
            incident("b", "2013-07-11 10:00", resolved="2013-07-11 11:00", impact=[impact(level="degraded")]),
        ],
        {"weights": {"partial": 0.5, "degraded": 0.2}},
        {None: 30 + 12},
    ),
    (
        "outage weight override applies to downtime_minutes too",
        [incident("a", "2013-07-10 10:00", downtime_minutes=60)],
        {"weights": {"outage": 0.9}},
        {None: 54},
    ),
    (
        "maintenance is no downtime",
        [incident("m", "2013-07-10 10:00", downtime_minutes=60, maintenance=True)],
        {},
        {None: 0, "api": 0},
    ),
    (
        "maintenance counts with count_maintenance",
        [incident("m", "2013-07-10 10:00", downtime_minutes=60, maintenance=True)],
        {"count_maintenance": True},
        {None: 60, "api": 60},
    ),
    (
        "an impact entry's own start and end",
        [
            incident("a", "2013-07-10 10:00", resolved="2013-07-10 12:00",
                     impact=[impact(start="2013-07-10 10:30", end="2013-07-10 10:40"), impact("web", "partial")]),
        ],
        {},
        {None: 10 + Fraction(3, 10) * 110, "api": 10, "web": 36},
    ),
    (
        "nothing before since: an incident straddling it counts its part after",
        [incident("a", "2013-06-30 23:30", downtime_minutes=60), incident("b", "2013-06-20 10:00", downtime_minutes=60)],
        {},
        {None: 30},
    ),
    (
        "nothing after as-of",
        [incident("a", "2013-07-30 23:30", downtime_minutes=60), incident("b", "2013-07-31 00:00", downtime_minutes=60)],
        {},
        {None: 30},
    ),
    (
        "an open incident counts up to as-of",
        [incident("a", "2013-07-30 22:30", status="investigating", impact=[impact()])],
        {},
        {None: 90},
    ),
    (
        "an open incident without impact or downtime_minutes counts up to as-of",
        [incident("a", "2013-07-30 23:00", status="investigating")],
        {},
        {None: 60},
    ),
    (
        "downtime that is no whole number of microseconds rounds up",
        [incident("a", "2013-07-10 10:00", downtime_minutes=1e-8)],  # 0.6 microseconds
        {},
        {None: Fraction(1, 60_000_000)},
    ),
    (
        "typed decimals are exact",
        [incident("a", "2013-07-10 10:00", downtime_minutes=8.64)],
        {},
        {None: Fraction(864, 100)},
    ),
]


@pytest.mark.parametrize("incidents, options, expected", [c[1:] for c in DOWNTIME_CASES], ids=[c[0] for c in DOWNTIME_CASES])
def test_downtime(incidents, options, expected):
    report = run(incidents, **options)
    for service, value in expected.items():
        assert minutes(report, "all", service) == value, service


def test_ledger_sums_to_the_downtime_in_every_case():
    for _, incidents, options, _ in DOWNTIME_CASES:
        report = run(incidents, **options)
        for scope in [report.site, *report.services.values()]:
            for window in [*scope.windows.values(), *scope.months.values()]:
                assert sum(s.weighted_minutes for s in window.ledger.segments) == window.downtime_minutes


# --- windows, since, as-of ----------------------------------------------------------------------


def test_rolling_windows_cut_incidents():
    report = run([incident("a", "2013-07-23 23:00", downtime_minutes=120)], windows=[7, 30, 1])
    assert list(report.site.windows) == ["1d", "7d", "30d", "all"]
    assert minutes(report, "1d") == 0
    assert minutes(report, "7d") == 60
    assert minutes(report, "30d") == 120
    seven = report.site.windows["7d"]
    assert (seven.start, seven.end) == (datetime(2013, 7, 24, tzinfo=timezone.utc), AS_OF)
    assert seven.minutes == 7 * 1440
    assert seven.ledger.segments[0].start == datetime(2013, 7, 24, tzinfo=timezone.utc)
    assert seven.ledger.segments[0].minutes == 60


def test_windows_start_no_earlier_than_since():
    report = run([], since=datetime(2013, 7, 28, tzinfo=timezone.utc))
    for key in ("7d", "30d", "all"):
        assert report.site.windows[key].start == datetime(2013, 7, 28, tzinfo=timezone.utc)
        assert report.site.windows[key].minutes == 3 * 1440
        assert report.site.windows[key].display == "100%"


def test_since_defaults_to_the_earliest_started():
    report = run([incident("a", "2013-07-20 10:00", downtime_minutes=5), incident("b", "2013-07-10 10:00")], since=None)
    assert report.since == datetime(2013, 7, 10, 10, tzinfo=UTC)
    assert report.site.windows["all"].minutes == 20 * 1440 + 14 * 60


def test_since_default_compares_instants_across_a_dst_fold():
    # 01:30 EDT happens before 01:10 EST, though its wall time is later
    first = Incident.model_construct(id="a", title="a", severity="SEV2", services=["api"], downtime_minutes=5,
                                     started=datetime(2013, 11, 3, 1, 30, tzinfo=NY))
    second = Incident.model_construct(id="b", title="b", severity="SEV2", services=["api"], downtime_minutes=5,
                                      started=datetime(2013, 11, 3, 1, 10, fold=1, tzinfo=NY))
    report = compute([second, first], Settings(timezone="America/New_York", as_of=datetime(2013, 11, 4, tzinfo=NY)))
    assert report.since is first.started
    assert minutes(report) == 10


def test_since_cut_is_in_the_ledger():
    incidents = [
        incident("straddling", "2013-06-30 23:30", downtime_minutes=60),
        incident("before", "2013-06-20 10:00", downtime_minutes=60),
        incident("later", "2013-07-31 02:00", downtime_minutes=60),
        incident("maint", "2013-07-05 02:00", downtime_minutes=60, maintenance=True),
        incident("tail", "2013-07-30 23:50", resolved="2013-07-31 00:20", impact=[impact()]),
    ]
    ledger = run(incidents).site.windows["all"].ledger
    assert ledger.excluded == [  # in order of started
        Exclusion("before", "before since"),
        Exclusion("straddling", "clipped at since", Fraction(30)),
        Exclusion("maint", "maintenance"),
        Exclusion("tail", "clipped at as-of", Fraction(20)),
        Exclusion("later", "after as-of"),
    ]
    assert [(s.start, s.minutes, s.incidents) for s in ledger.segments] == [
        (SINCE, 30, ["straddling"]),
        (datetime(2013, 7, 30, 23, 50, tzinfo=timezone.utc), 10, ["tail"]),
    ]
    assert ledger.downtime_minutes == 40
    # a window that does not start at since leaves the since cut out of its ledger
    assert all(e.reason != "clipped at since" for e in run(incidents).site.windows["7d"].ledger.excluded)


def test_an_impact_before_a_start_at_as_of_still_counts():
    # started at as-of, but its impact entry on web began a minute before
    late = incident("late", "2013-07-31 00:00", services=["api", "web"],
                    impact=[impact("api"), impact("web", start="2013-07-30 23:59")])
    window = run([late]).site.windows["all"]
    assert window.downtime_minutes == 1 and window.incidents == 0
    assert window.ledger.excluded == []
    assert [s.incidents for s in window.ledger.segments] == [["late"]]


def test_ledger_segments_name_the_incidents_at_the_max_weight():
    incidents = [
        incident("out", "2013-07-10 10:00", resolved="2013-07-10 11:00", impact=[impact()]),
        incident("part", "2013-07-10 10:30", resolved="2013-07-10 12:00", impact=[impact("web", "partial")]),
        incident("deg", "2013-07-10 11:30", resolved="2013-07-10 13:00", impact=[impact("web", "degraded")]),
    ]
    window = run(incidents).site.windows["all"]
    rows = [(s.start.strftime("%H:%M"), s.end.strftime("%H:%M"), s.weight, s.minutes, s.weighted_minutes, s.incidents)
            for s in window.ledger.segments]
    assert rows == [
        ("10:00", "11:00", 1, 60, 60, ["out"]),
        ("11:00", "12:00", Fraction(3, 10), 60, 18, ["part"]),
        ("12:00", "13:00", 0, 60, 0, ["deg"]),
    ]
    assert window.ledger.window_minutes == 30 * 1440
    assert window.ledger.uptime_exact == "99.81944444444444444444…"
    assert window.ledger.display == ">99.81%" == window.display
    assert window.ledger.formula == "100 × (1 − 78 / 43200) = 99.81944444444444444444… → >99.81%"


def test_ledgers_are_built_on_first_use():
    window = run([incident("a", "2013-07-10 10:00", downtime_minutes=5)]).site.windows["all"]
    assert "ledger" not in window.__dict__ and "stats" not in window.__dict__
    assert window.ledger is window.ledger


def test_explicit_as_of_wins_over_settings():
    report = compute([incident("a", "2013-07-10 10:00", downtime_minutes=60)],
                     Settings(since=SINCE, as_of=AS_OF), as_of=datetime(2013, 7, 10, 10, 30, tzinfo=timezone.utc))
    assert report.as_of == datetime(2013, 7, 10, 10, 30, tzinfo=timezone.utc)
    assert minutes(report) == 30


# --- time zones ---------------------------------------------------------------------------------


def test_offsets_and_naive_times_in_the_site_zone_agree():
    naive = incident("a", "2013-07-12 02:10", tz=NY, resolved="2013-07-12 03:10", impact=[impact()])
    offset = incident("a", "2013-07-12T06:10:00Z", tz=NY, resolved="2013-07-12T03:10:00-04:00", impact=[impact()])
    assert naive.started == offset.started and naive.resolved == offset.resolved
    one, two = (run([x], timezone="America/New_York") for x in (naive, offset))
    assert one.to_json() == two.to_json()
    assert minutes(one) == 60


def test_a_month_boundary_follows_the_site_zone():
    late = incident("a", "2013-07-31 23:30", tz=NY, downtime_minutes=20)  # 2013-08-01 03:30 UTC
    as_of, since = datetime(2013, 8, 15, tzinfo=timezone.utc), datetime(2013, 7, 1, 4, tzinfo=timezone.utc)
    local = run([late], as_of=as_of, since=since, timezone="America/New_York")
    utc = run([late], as_of=as_of, since=since, timezone="UTC")
    assert (minutes(local, "2013-07"), minutes(local, "2013-08")) == (20, 0)
    assert (minutes(utc, "2013-07"), minutes(utc, "2013-08")) == (0, 20)
    assert local.site.months["2013-07"].incidents == 1 and utc.site.months["2013-08"].incidents == 1
    assert local.site.months["2013-08"].start == datetime(2013, 8, 1, tzinfo=NY)


@pytest.mark.parametrize(
    "started, resolved, elapsed",
    [
        ("2014-03-09 01:30", "2014-03-09 03:30", 60),  # spring forward: 2 wall hours, 1 real
        ("2013-11-03 00:30", "2013-11-03 02:30", 180),  # fall back: 2 wall hours, 3 real
    ],
)
def test_an_incident_across_a_dst_change_counts_real_time(started, resolved, elapsed):
    report = run([incident("a", started, tz=NY, resolved=resolved, impact=[impact()])],
                 as_of=datetime(2014, 4, 1, tzinfo=NY), since=datetime(2013, 10, 1, tzinfo=NY), timezone="America/New_York")
    assert minutes(report) == elapsed


def test_month_lengths_follow_dst():
    local = run([], as_of=datetime(2014, 4, 1, tzinfo=NY), since=datetime(2013, 10, 1, tzinfo=NY), timezone="America/New_York")
    assert list(local.site.months) == ["2013-10", "2013-11", "2013-12", "2014-01", "2014-02", "2014-03"]
    assert local.site.months["2014-03"].minutes == 31 * 1440 - 60
    assert local.site.months["2013-11"].minutes == 30 * 1440 + 60
    assert local.site.months["2014-01"].minutes == 31 * 1440
    utc = run([], as_of=datetime(2014, 4, 1, tzinfo=timezone.utc), since=datetime(2014, 3, 1, tzinfo=timezone.utc))
    assert utc.site.months["2014-03"].minutes == 31 * 1440


def test_months_are_clipped_to_since_and_as_of():
    report = run([], since=datetime(2013, 5, 10, tzinfo=timezone.utc), as_of=datetime(2013, 7, 3, 12, tzinfo=timezone.utc))
    months = report.site.months
    assert list(months) == ["2013-05", "2013-06", "2013-07"]
    assert months["2013-05"].minutes == 22 * 1440
    assert months["2013-07"].minutes == 2.5 * 1440


# --- the figure ---------------------------------------------------------------------------------


def test_exactly_99_98_percent():
    report = run([incident("a", "2013-07-10 10:00", downtime_minutes=8.64)])
    window = report.site.windows["30d"]
    assert window.minutes == 43200
    assert window.uptime == Fraction(9998, 100)
    assert window.display == "99.98%"
    assert report.figure("30d") == "99.98%"


DISPLAY_CASES = [
    (Fraction(100), False, 2, "100%"),
    (Fraction(100), False, 0, "100%"),
    (Fraction("99.98"), True, 2, "99.98%"),
    (Fraction("99.98"), True, 3, "99.980%"),
    (Fraction("99.9"), True, 2, "99.90%"),
    (Fraction("99.905"), True, 2, ">99.90%"),
    (Fraction("99.9999"), True, 2, ">99.99%"),
    (Fraction("99.99999"), True, 2, ">99.99%"),
    (100 - Fraction(1, 10**15), True, 6, ">99.999999%"),
    (Fraction("99.5"), True, 0, ">99%"),
    (Fraction(99), True, 0, "99%"),
    (Fraction(2, 3) * 100, True, 2, ">66.66%"),
    (Fraction(0), True, 2, "0.00%"),
    (Fraction(100), True, 2, ">99.99%"),  # a caller's rounding slip never shows 100% with downtime
    (None, False, 2, "n/a"),
]


@pytest.mark.parametrize("uptime, has_downtime, precision, expected", DISPLAY_CASES)
def test_display_never_overstates(uptime, has_downtime, precision, expected):
    assert display(uptime, has_downtime, precision) == expected


@pytest.mark.parametrize(
    "downtime, precision, expected",
    [
        (0, 2, "100%"),
        (1e-8, 2, ">99.99%"),  # one microsecond in 30 days
        (1e-8, 6, ">99.999999%"),
        (4.32, 2, "99.99%"),
        (4.32, 0, ">99%"),
        (43.2, 2, "99.90%"),
    ],
)
def test_end_to_end_display(downtime, precision, expected):
    report = run([incident("a", "2013-07-10 10:00", downtime_minutes=downtime)], precision=precision)
    assert report.figure("30d") == expected


@pytest.mark.parametrize("since", [AS_OF, AS_OF + timedelta(days=1)])
def test_a_window_of_zero_length_is_n_a(since):
    report = run([incident("a", "2013-07-10 10:00", downtime_minutes=5)], since=since)
    window = report.site.windows["all"]
    assert (window.uptime, window.display, window.minutes) == (None, "n/a", 0)
    assert window.to_json()["uptime"] is None
    assert window.ledger.formula == "window of zero length: n/a"


def test_as_of_on_a_month_start_ends_with_the_month_before():
    report = run([], as_of=datetime(2013, 8, 1, tzinfo=timezone.utc))
    assert "2013-08" not in report.site.months  # not a single tracked instant
    assert report.site.months["2013-07"].display == "100%"
    days = report.site.days(3)
    assert [day.date.isoformat() for day in days] == ["2013-07-29", "2013-07-30", "2013-07-31"]
    assert all(day.display == "100%" for day in days)


# --- statistics ---------------------------------------------------------------------------------


def stats_incidents():
    return [
        incident("a", "2013-07-10 10:00", severity="SEV1", downtime_minutes=10, cause={"category": "deploy", "summary": "x"},
                 detected="2013-07-10 10:02", acknowledged="2013-07-10 10:05", resolved="2013-07-10 10:30"),
        incident("b", "2013-07-10 11:00", downtime_minutes=0, cause="no category",
                 detected="2013-07-10 11:04", acknowledged="2013-07-10 11:10", resolved="2013-07-10 11:20"),
        incident("m", "2013-07-10 12:00", downtime_minutes=30, maintenance=True, detected="2013-07-10 12:00"),
        incident("c", "2013-07-10 13:00", severity="P0", downtime_minutes=0, cause={"category": "config", "summary": "y"},
                 detected="2013-07-10 13:09", mitigated="2013-07-10 13:10"),
        incident("old", "2013-06-01 10:00", downtime_minutes=5),
    ]


def test_counts_time_to_and_mtbf():
    window = run(stats_incidents()).site.windows["all"]
    assert window.incidents == 3
    assert window.incident_ids == ["a", "b", "c"]
    assert window.maintenance_count == 1
    assert window.by_severity == {"SEV1": 1, "SEV2": 1, "SEV3": 0, "SEV4": 0, "P0": 1}
    assert window.by_cause == {"config": 1, "deploy": 1, "uncategorized": 1}
    assert window.time_to["detect"] == {"mean": 5, "median": 4, "p90": 9, "n": 3}
    assert window.time_to["acknowledge"] == {"mean": Fraction(15, 2), "median": Fraction(15, 2), "p90": 10, "n": 2}
    assert window.time_to["mitigate"] == {"mean": 10, "median": 10, "p90": 10, "n": 1}
    assert window.time_to["resolve"] == {"mean": 25, "median": 25, "p90": 30, "n": 2}
    assert window.mtbf_minutes == 90
    assert run(stats_incidents()).services["api"].windows["7d"].mtbf_minutes is None


def test_summary_nearest_rank_p90():
    ten = [m * 60_000_000 for m in range(1, 11)]
    assert summary(ten) == {"mean": Fraction(11, 2), "median": Fraction(11, 2), "p90": 9, "n": 10}
    assert summary(ten + [11 * 60_000_000]) == {"mean": 6, "median": 6, "p90": 10, "n": 11}
    assert summary([]) == {"mean": None, "median": None, "p90": None, "n": 0}


@pytest.mark.parametrize(
    "downtime, slo, budget, left",
    [
        (10, 99.9, Fraction("43.2"), Fraction("33.2")),
        (60, 99.9, Fraction("43.2"), Fraction("-16.8")),
        (0, 99.95, Fraction("21.6"), Fraction("21.6")),
    ],
)
def test_error_budget(downtime, slo, budget, left):
    window = run([incident("a", "2013-07-10 10:00", downtime_minutes=downtime)], slo=slo).site.windows["30d"]
    assert (window.budget_minutes, window.budget_left_minutes) == (budget, left)


# --- days ---------------------------------------------------------------------------------------


def test_days_follow_the_local_calendar():
    incidents = [
        incident("night", "2013-07-10 23:30", tz=NY, resolved="2013-07-11 00:30", impact=[impact()]),
        incident("soft", "2013-07-12 08:00", tz=NY, resolved="2013-07-12 09:00", impact=[impact(level="degraded")]),
        incident("early", "2013-07-08 10:00", tz=NY, downtime_minutes=30, resolved="2013-07-08 10:30"),
    ]
    report = run(incidents, timezone="America/New_York",
                 since=datetime(2013, 7, 10, 6, tzinfo=NY), as_of=datetime(2013, 7, 12, 12, tzinfo=NY))
    days = report.site.days(4)
    assert [d.date for d in days] == [date(2013, 7, 9), date(2013, 7, 10), date(2013, 7, 11), date(2013, 7, 12)]
    assert [d.minutes for d in days] == [0, 18 * 60, 24 * 60, 12 * 60]
    assert [d.downtime_minutes for d in days] == [0, 30, 30, 0]
    assert [d.display for d in days] == ["n/a", ">97.22%", ">97.91%", "100%"]
    assert [d.incidents for d in days] == [[], ["night"], ["night"], ["soft"]]
    assert days[1].start == datetime(2013, 7, 10, tzinfo=NY)
    assert days[1].to_json() == {"date": "2013-07-10", "minutes": 1080, "downtime_minutes": 30,
                                 "uptime": math.nextafter(float(100 - Fraction(100 * 30, 1080)), 0), "display": ">97.22%",
                                 "incidents": ["night"]}
    assert len(report.site.days()) == 90
    assert report.services["api"].days(1)[0].incidents == ["soft"]


def test_a_dst_day_is_23_hours():
    report = run([], timezone="America/New_York", since=datetime(2014, 3, 1, tzinfo=NY), as_of=datetime(2014, 3, 10, 12, tzinfo=NY))
    day = report.site.days(2)[0]
    assert (day.date, day.minutes) == (date(2014, 3, 9), 23 * 60)


# --- the report ---------------------------------------------------------------------------------


def test_report_shape_and_json():
    incidents = [
        incident("a", "2013-07-10 10:00", downtime_minutes=8.64, services=["web", "api"]),
        incident("b", "2013-07-11 10:00", resolved="2013-07-11 11:00", impact=[impact("db", "partial")]),
    ]
    report = run(incidents, since=datetime(2013, 6, 15, 12, tzinfo=timezone.utc))
    assert list(report.services) == ["api", "db", "web"]
    doc = report.to_json()
    assert json.loads(json.dumps(doc)) == doc
    assert list(doc) == ["as_of", "since", "timezone", "precision", "slo", "complete", "left_out", "unverified",
                         "uncounted", "ongoing", "site", "services"]
    assert doc["complete"] is True and doc["left_out"] == doc["unverified"] == doc["uncounted"] == []
    assert (doc["as_of"], doc["since"], doc["timezone"], doc["precision"], doc["slo"]) == (
        "2013-07-31T00:00:00Z", "2013-06-15T12:00:00Z", "UTC", 2, 99.9)
    assert list(doc["site"]["windows"]) == ["7d", "30d", "90d", "365d", "all"]
    assert list(doc["site"]["months"]) == ["2013-06", "2013-07"]
    thirty = doc["site"]["windows"]["30d"]
    assert thirty["start"] == "2013-07-01T00:00:00Z" and thirty["minutes"] == 43200
    assert thirty["downtime_minutes"] == 26.64 and isinstance(thirty["minutes"], int)
    assert thirty["uptime"] == float(100 - Fraction("26.64") / 432) and thirty["display"] == ">99.93%"
    assert thirty["incidents"] == 2 and "ledger" not in thirty
    assert thirty["budget_minutes"] == 43.2 and thirty["budget_left_minutes"] == 16.56
    assert doc["services"]["db"]["windows"]["all"]["downtime_minutes"] == 18
    assert doc["site"]["months"]["2013-06"]["display"] == "100%" and doc["site"]["months"]["2013-06"]["uptime"] == 100
    with_ledger = report.site.windows["30d"].to_json(ledger=True)
    assert with_ledger["ledger"]["downtime_minutes"] == 26.64
    assert [s["incidents"] for s in with_ledger["ledger"]["segments"]] == [["a"], ["b"]]
    assert json.dumps(with_ledger)


def test_json_does_not_depend_on_the_order_of_incidents():
    incidents = [
        incident("a", "2013-07-10 10:00", downtime_minutes=8.64, services=["web", "api"], severity="SEV1"),
        incident("b", "2013-07-10 10:05", resolved="2013-07-11 11:00", impact=[impact("db", "partial")]),
        incident("c", "2013-07-20 10:00", downtime_minutes=3, maintenance=True, detected="2013-07-20 10:01"),
    ]
    first = json.dumps(run(incidents).to_json())
    assert json.dumps(run(incidents[::-1]).to_json()) == first
    assert json.dumps(run(incidents[1:] + incidents[:1]).to_json()) == first


def test_figure_and_its_errors():
    report = run([incident("a", "2013-07-10 10:00", downtime_minutes=8.64)], since=datetime(2013, 6, 1, tzinfo=UTC))
    assert report.figure("30d", "api") == "99.98%"
    assert (report.figure("2013-06"), report.figure("2013-07")) == ("100%", "99.98%")  # July clipped to 30 days
    with pytest.raises(KeyError, match="unknown window '12d'"):
        report.figure("12d")
    with pytest.raises(KeyError, match=r"unknown service 'nope' \(services: api\)"):
        report.figure("30d", "nope")


def test_no_incidents():
    report = compute([], Settings(as_of=AS_OF))
    assert report.since == AS_OF and report.services == {}
    assert report.figure("all") == "n/a"
    assert report.to_json()["site"]["months"] == {}


def test_decimal_text():
    assert decimal_text(Fraction("99.98")) == "99.98"
    assert decimal_text(Fraction(100)) == "100"
    assert decimal_text(Fraction(1, 3), 5) == "0.33333…"
    assert decimal_text(None) is None
