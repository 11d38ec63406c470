"""Values mean what the writer wrote, and no value can crash the loader (issue #12).

YAML 1.1 rewrites plain scalars (``045`` is 37, ``No`` is False, ``1.10`` is 1.1,
``2013-02-30`` crashes PyYAML's constructor); here text fields keep the text, number
and timestamp fields read it strictly, and every hostile value becomes a message.
"""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from conftest import DATA
from postmortems.incidents import yamlsource
from postmortems.cli.main import main
from postmortems.incidents.loader import load_text
from postmortems.incidents.settings import Settings
from postmortems.incidents.timeparse import CLOCK_PATTERN, DATE_PATTERN, TIMESTAMP_PATTERN, to_clock, to_date, to_instant
from sitebuilder import build_and_capture, incident, write_site

NY = ZoneInfo("America/New_York")
UTC = timezone.utc


def load(text: str, settings: Settings = Settings(timezone="America/New_York"), name: str = "incidents/x.md"):
    return load_text(text.encode("utf-8"), settings, name, default_id="x")


def front(extra: str = "", started: str = "2013-07-12 10:00", resolved: str | None = "2013-07-12 11:00",
          downtime: str | None = "5", title: str = "Base") -> str:
    lines = ["---", f"title: {title}", "severity: SEV2", f"started: {started}", "services: [web]"]
    if resolved is not None:
        lines.append(f"resolved: {resolved}")
    if downtime is not None:
        lines.append(f"downtime_minutes: {downtime}")
    return "\n".join(lines) + "\n" + extra.strip("\n") + "\n---\nBody.\n"


def messages(text: str, **settings) -> list[str]:
    _, problems, _ = load(text, Settings(**{"timezone": "America/New_York", **settings}))
    return [f"{problem.level}: {problem.message}" for problem in problems]


# --- text fields keep the text written ------------------------------------------------------------

@pytest.mark.parametrize("written, kept", [
    ("1.10", "1.10"), ("007", "007"), ("0x1F", "0x1F"), ("yes", "yes"), ("No", "No"), ("on", "on"), ("true", "true"),
    ("1_000", "1_000"), ("11:05", "11:05"), (".inf", ".inf"), ("2013-02-30", "2013-02-30"), ("1e400", "1e400"),
    ("'007'", "007"), ('" spaced "', "spaced"), ("!!str 1", "1"), ('!!int "3"', "3"),
    pytest.param("9" * 5000, "9" * 5000, id="5000-digits"),
])
def test_a_text_field_keeps_the_text_as_written(written, kept):
    incident, problems, _ = load(front(title=written))
    assert problems == [] and incident.title == kept


def test_list_items_keep_their_text_even_null_and_norway():
    extra = "tags: [007, on, off, ~, null, 1.10, 2013-02-30]\nauthors: [No, 0x1F, Yes]\nrelated: [1_000]"
    incident, problems, _ = load(front(extra))
    assert incident.tags == ["007", "on", "off", "~", "null", "1.10", "2013-02-30"]
    assert incident.authors == ["No", "0x1F", "Yes"]
    assert incident.related == ["1_000"]
    assert [problem.level for problem in problems] == []


def test_an_id_and_a_severity_keep_their_text():
    incident, problems, _ = load(front("id: 2013.10").replace("severity: SEV2", "severity: 01"),
                                 Settings(severities=("01", "02")))
    assert problems == [] and (incident.id, incident.severity) == ("2013.10", "01")


def test_null_as_a_fields_value_means_not_given():
    extra = "detected: ~\ndetection: null\ntrigger:\naction_items:\n  - title: Fix it\n    owner: ~\n    due: null"
    incident, problems, _ = load(front(extra))
    assert problems == []
    assert (incident.detected, incident.detection, incident.trigger) == (None, None, None)
    assert (incident.action_items[0].owner, incident.action_items[0].due) == (None, None)
    assert messages(front(title="~")) == ["error: title should be text, not nothing"]


# --- booleans ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, value", [("true", True), ("True", True), ("FALSE", False), ("false", False)])
def test_maintenance_is_true_or_false(written, value):
    incident, problems, _ = load(front(f"maintenance: {written}"))
    assert problems == [] and incident.maintenance is value


@pytest.mark.parametrize("written, message", [
    ("yes", "maintenance is yes: write true or false (YAML 1.2 and editors read yes as text)"),
    ("Off", "maintenance is Off: write true or false (YAML 1.2 and editors read Off as text)"),
    ("1", "maintenance should be true or false, not the number 1"),
    ('"true"', "maintenance should be true or false, not the text 'true'"),
    ("y", "maintenance should be true or false, not the text 'y'"),
])
def test_maintenance_refuses_yaml_1_1_booleans_numbers_and_text(written, message):
    assert messages(front(f"maintenance: {written}")) == [f"error: {message}"]


# --- numbers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, minutes", [("45", 45), ("45.5", 45.5), (".5", 0.5), ("5.", 5), ("+5", 5),
                                               ("4.5e1", 45), ("0", 0), ("0.25", 0.25), ("60", 60)])
def test_plain_decimal_minutes_are_read(written, minutes):
    incident, problems, _ = load(front(downtime=written))
    assert problems == [] and incident.downtime_minutes == minutes


@pytest.mark.parametrize("written, message", [
    ("045", "downtime_minutes 045 is ambiguous: write 45 (or 37 if you meant the octal number 045)"),
    ("09", "downtime_minutes 09 is ambiguous: write 9, without the leading zero"),
    ("0x1F", "downtime_minutes 0x1F is ambiguous: write it in decimal digits (31 if you meant the hexadecimal number 0x1F)"),
    ("0o17", "downtime_minutes 0o17 is ambiguous: write it in decimal digits (15 if you meant the octal number 0o17)"),
    ("1_0", "downtime_minutes 1_0 is ambiguous: write 10, without '_'"),
    ("0:45", "downtime_minutes 0:45 is ambiguous: write the minutes as one number (45 for 0 h 45 min, 0.75 for 0 min 45 s)"),
    ("0:20:30", "downtime_minutes 0:20:30 is ambiguous: write it as one number (YAML 1.1 reads it in base 60, as 1230)"),
    ("-5", "downtime_minutes must be at least 0, not -5"),
    ("61", "downtime_minutes (61) is longer than the incident (2013-07-12 10:00 to 2013-07-12 11:00 is 60 minutes)"),
    ('"45"', "downtime_minutes should be a number, not the text '45'"),
    ("yes", "downtime_minutes should be a number, not yes/no (yes)"),
    pytest.param("0x" + "F" * 3000, f"downtime_minutes 0x{'F' * 18}…FFFFFFFF (3002 characters) is ambiguous: "
                 "write it in plain decimal digits", id="3000-digit-hex"),
])
def test_numbers_in_ambiguous_forms_or_out_of_range_are_refused(written, message):
    assert messages(front(downtime=written)) == [f"error: {message}"]


def test_an_open_incident_has_at_most_100_years_of_downtime():
    text = front("status: monitoring", resolved=None, downtime="52596000")
    incident, problems, _ = load(text)
    assert problems == [] and incident.downtime_minutes == 52596000
    assert messages(front("status: monitoring", resolved=None, downtime="52596000.5")) == [
        "error: downtime_minutes must be at most 52596000 (100 years), not 52596000.5"]


# --- timestamps ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, utc", [
    ("2013-07-12 10:00", datetime(2013, 7, 12, 14, 0)),  # naive: New York, EDT
    ("2013-07-12T10:00", datetime(2013, 7, 12, 14, 0)),
    ("2013-07-12 10:00:30.25", datetime(2013, 7, 12, 14, 0, 30, 250000)),
    ("2013-07-12T10:00:00Z", datetime(2013, 7, 12, 10, 0)),
    ('"2013-07-12T10:00:00Z"', datetime(2013, 7, 12, 10, 0)),  # quoted: the same parser (Python 3.10 refused it)
    ("2013-07-12T10:00+0530", datetime(2013, 7, 12, 4, 30)),
    ("2013-07-12 10:00-02", datetime(2013, 7, 12, 12, 0)),
    ("'2013-07-12T10:00:00.123456+05:30'", datetime(2013, 7, 12, 4, 30, 0, 123456)),
    ("1970-01-01 00:00:00Z", datetime(1970, 1, 1)),
    ("2999-12-31T23:59:59.999999-23:59", datetime(3000, 1, 1, 23, 58, 59, 999999)),
])
def test_accepted_timestamp_forms(written, utc):
    incident, problems, _ = load(front(started=written, resolved=None, downtime="5", extra="status: monitoring"))
    assert problems == []
    assert incident.started.astimezone(UTC).replace(tzinfo=None) == utc


@pytest.mark.parametrize("written", ["2013-07-12 1:05", "2013-07-12t10:00", "2013-07-12 10:00 +02:00", "2013-7-12 10:00",
                                     "2013-07-12T10:00:00.1234567", "2013-07-12T10:00:00z", "2013-07-12T10", "20130712T1000",
                                     "2013-07-12T10:00:00+5", " 2013-07-12 10:00", "２０１３-07-12 10:00"])
def test_other_timestamp_forms_are_refused(written):
    problems = messages(front(started=f"'{written}'", resolved=None, extra="status: monitoring"))
    assert problems == [f"error: started is not a timestamp: {written!r} (write it like 2013-07-12 02:10 "
                        "or 2013-07-12T02:10:00-04:00)"]


@pytest.mark.parametrize("written, tz, message", [
    ("1969-12-31 23:59", "UTC", "(1969-12-31 23:59) is out of range"),
    ("3000-01-01 00:00", "UTC", "(3000-01-01 00:00) is out of range"),
    ("0001-01-01 00:00", "Asia/Tokyo", "(0001-01-01 00:00) is out of range"),  # would be year 0 in UTC
    ("9999-12-31T20:00:00-12:00", "UTC", "(9999-12-31T20:00:00-12:00) is out of range"),  # would be year 10000
    ("2013-07-12 24:00", "UTC", "(2013-07-12 24:00) is not a time of day: hours run from 00 to 23, minutes and seconds from 00 to 59"),
    ("2012-02-30 10:00", "UTC", "(2012-02-30 10:00) is not a real date: February 2012 has 29 days"),
])
def test_timestamps_beyond_the_calendar_or_the_range(written, tz, message):
    problems = messages(front(started=written, resolved=None, extra="status: monitoring"), timezone=tz)
    suffix = ": timestamps must lie between 1970-01-01 and 2999-12-31" if "out of range" in message else ""
    assert problems == [f"error: started {message}{suffix}"]


def test_a_leap_day_is_a_date():
    incident, problems, _ = load(front("action_items:\n  - title: x\n    due: 2012-02-29", started="2012-02-29 10:00",
                                       resolved="2012-02-29 11:00"))
    assert problems == [] and incident.action_items[0].due == date(2012, 2, 29)


def test_python_datetimes_are_held_to_the_same_range():
    with pytest.raises(ValueError, match=r"\(9999-12-31 23:59 -12:00\) is out of range"):
        to_instant(datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12))), UTC)
    with pytest.raises(ValueError, match="out of range"):
        to_date(date(1, 1, 1))


# The JSON Schema's patterns accept exactly what the parser accepts (in UTC: no wall time is skipped).
_two = st.integers(0, 99).map("{:02d}".format)
_timestamp_like = st.builds(
    lambda year, month, day, sep, hour, minute, rest, offset: f"{year}-{month}-{day}{sep}{hour}:{minute}{rest}{offset}",
    st.sampled_from(["0000", "1969", "1970", "1971", "1972", "1900", "2000", "2100", "2400", "2012", "2999", "3000", "9999"])
    | st.integers(0, 9999).map("{:04d}".format),
    st.sampled_from(["00", "01", "02", "04", "06", "09", "11", "12", "13"]) | _two,
    st.sampled_from(["00", "01", "28", "29", "30", "31", "32"]) | _two,
    st.sampled_from(["T", " ", "t", "  ", "_"]), _two, _two,
    st.sampled_from(["", ":00", ":59", ":60", ":05.1", ":05.123456", ":05.1234567", ".5", ":5"]) | _two.map(":{}".format),
    st.sampled_from(["", "Z", "z", "+00:00", "-04:00", "+0530", "+05", "-23:59", "+24:00", "+05:60", "+5", "+05:3", " +02:00"])
    | st.builds("{}{}:{}".format, st.sampled_from("+-"), _two, _two),
)


@hypothesis_settings(max_examples=400, deadline=None)
@given(text=_timestamp_like | st.text("0123456789-:T .Z+", max_size=25))
def test_the_schema_patterns_accept_exactly_what_the_parser_accepts(text):
    def accepted(parse):
        try:
            parse()
        except ValueError:
            return False
        return True

    assert bool(re.search(TIMESTAMP_PATTERN, text)) == accepted(lambda: to_instant(text, UTC))
    assert bool(re.search(DATE_PATTERN, text)) == accepted(lambda: to_date(text))
    assert bool(re.search(CLOCK_PATTERN, text)) == (to_clock(text) is not None)


# --- clock times in the timeline -------------------------------------------------------------------------

def test_a_clock_time_earlier_than_started_rolls_over_silently_within_the_incident():
    text = front('timeline:\n  - at: "23:50"\n    event: paged\n  - at: "00:10"\n    event: after midnight',
                 started="2013-07-12 23:40", resolved="2013-07-13 01:00")
    incident, problems, _ = load(text)
    assert problems == []
    assert [entry.at.astimezone(NY).strftime("%d %H:%M") for entry in incident.timeline] == ["12 23:50", "13 00:10"]


def test_a_clock_time_earlier_than_an_open_incidents_start_is_a_warning_naming_the_instant():
    text = front('status: investigating\ntimeline:\n  - at: "14:04"\n    event: deploy', started="2013-07-12 14:05",
                 resolved=None)
    incident, problems, _ = load(text)
    assert [f"{problem.level}: {problem}" for problem in problems] == [
        "warning: incidents/x.md:9: timeline[0].at 14:04 is earlier than started (14:05); read as 2013-07-13 14:04, "
        "the next day: write the full timestamp if you meant another day"]
    assert incident.timeline[0].at == datetime(2013, 7, 13, 14, 4, tzinfo=NY)


def test_a_clock_time_in_started_s_minute_is_that_minute_not_the_next_day():
    text = front('timeline:\n  - at: "14:05"\n    event: impact starts', started="2013-07-12 14:05:30",
                 resolved="2013-07-12 15:00")
    incident, problems, _ = load(text)
    assert problems == [] and incident.timeline[0].at == datetime(2013, 7, 12, 14, 5, tzinfo=NY)


def test_a_clock_time_that_happens_twice_is_refused_like_a_timestamp():
    text = front('timeline:\n  - at: "01:40"\n    event: twice', started="2013-11-03T00:30:00-04:00",
                 resolved="2013-11-03T03:00:00-05:00")
    assert messages(text) == ["error: timeline[0].at (2013-11-03 01:40) happens twice in America/New_York as clocks go "
                              "back; add the offset you mean (-04:00 or -05:00)"]


# --- YAML tags -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("tagged, tag", [("!!set {a, b}", "!!set"), ("!!binary aGk=", "!!binary"),
                                         ("!!omap [{a: 1}]", "!!omap"), ("!!pairs [{a: 1}]", "!!pairs"), ("!local x", "!local")])
def test_yaml_types_other_than_yaml_s_own_are_refused(tagged, tag):
    assert messages(front(f"tags: {tagged}")) == [f"error: frontmatter uses the YAML tag {tag}, which is not allowed"]


def test_a_set_no_longer_makes_the_build_depend_on_the_hash_seed():
    # !!set gave a Python set, iterated in PYTHONHASHSEED's order; now it is refused before any set exists.
    with pytest.raises(yamlsource.YamlProblem, match="!!set"):
        yamlsource.parse("tags: !!set {b, a, c}")


# --- the scalar zoo: any value in any field ------------------------------------------------------------

class Nothing(str):
    """The text of a zoo value YAML reads as null: "not given" as a field's value, this text in a list."""


REFUSED = object()
ZOO = [
    ("0o17", "0o17"), ("017", "017"), ("0x1F", "0x1F"), ("1_000", "1_000"), ("1:30", "1:30"), (".inf", ".inf"),
    ("-.Inf", "-.Inf"), (".nan", ".nan"), ("1e400", "1e400"), ("9" * 5000, "9" * 5000), ("yes", "yes"), ("no", "no"),
    ("on", "on"), ("off", "off"), ("Y", "Y"), ("n", "n"), ("No", "No"), ("true", "true"), ("~", Nothing("~")), ("null", Nothing("null")),
    ("2013-02-30", "2013-02-30"), ("0000-01-01", "0000-01-01"), ("9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59-12:00"),
    ("2013-07-12T10:00:00+25:00", "2013-07-12T10:00:00+25:00"), ("1.10", "1.10"), ("007", "007"), ("11:05", "11:05"),
    ("!!set {a}", REFUSED), ("!!binary aGk=", REFUSED), ("!!str 1", "1"), ('!!int "3"', "3"), ("!!float", ""),
    ("!!timestamp", ""), ("!!timestamp 2013-02-30", "2013-02-30"), ("!!bool maybe", "maybe"), ("!!null x", Nothing("x")),
    ("2013-07-12 10:30", "2013-07-12 10:30"), ("45", "45"), ("0.5", "0.5"), ("=", "="), ("<<", "<<"),
]
ZOO += [(f"{quote}{text}{quote}", str(text)) for token, text in ZOO[:27] if isinstance(text, str) for quote in "'\""]

TEXT_FIELDS = ["title", "trigger", "cause", "cause.category", "cause.summary", "services[1]", "tags[0]", "authors[0]",
               "contributing_factors[0]", "related[0]", "action_items[0].title", "action_items[0].owner",
               "action_items[0].link", "timeline[0].event", "impact[0].service"]
OTHER_FIELDS = ["severity", "status", "started", "detected", "resolved", "detection", "downtime_minutes", "maintenance",
                "id", "impact[0].level", "impact[0].fraction", "impact[0].start", "impact[0].end", "action_items[0].due",
                "action_items[0].type", "timeline[0].at"]


def render(values: dict[str, str]) -> str:
    """A frontmatter with ``values`` (field path -> YAML text) over a valid base incident."""
    def value(path, default):
        return values.get(path, default)

    lines = ["---"]
    for name, default in (("title", "Base"), ("severity", "SEV2"), ("status", "resolved"), ("started", "2013-07-12 10:00"),
                          ("detected", "2013-07-12 10:05"), ("resolved", "2013-07-12 11:00"), ("detection", "monitoring"),
                          ("downtime_minutes", "5"), ("maintenance", "false"), ("trigger", "A deploy"), ("id", "base")):
        lines.append(f"{name}: {value(name, default)}")
    for name in ("services", "tags", "authors", "contributing_factors", "related"):
        items = ["web"] + ([value(f"{name}[1]", "api")] if name == "services" else [])
        if name != "services":
            items = [value(f"{name}[0]", "x")]
        lines += [f"{name}:"] + [f"  - {item}" for item in items]
    if "cause" in values:
        lines.append(f"cause: {values['cause']}")
    else:
        lines += ["cause:", f"  category: {value('cause.category', 'deploy')}", f"  summary: {value('cause.summary', 'It broke')}"]
    lines += ["action_items:", f"  - title: {value('action_items[0].title', 'Fix')}"]
    lines += [f"    {key}: {value(f'action_items[0].{key}', default)}"
              for key, default in (("owner", "Ann"), ("link", "https://x.test/1"), ("due", "2013-08-01"), ("type", "prevent"))]
    lines += ["timeline:", f"  - at: {value('timeline[0].at', '10:30')}", f"    event: {value('timeline[0].event', 'Paged')}"]
    if any(path.startswith("impact") for path in values):
        lines += ["impact:", f"  - service: {value('impact[0].service', 'web')}", f"    level: {value('impact[0].level', 'partial')}"]
        lines += [f"    {key}: {values[f'impact[0].{key}']}" for key in ("fraction", "start", "end") if f"impact[0].{key}" in values]
    return "\n".join(lines) + "\n---\nBody.\n"


def field_value(incident, path: str):
    value = incident
    for part in re.findall(r"[a-z_]+|\[\d+\]", path):
        value = value[int(part[1:-1])] if part.startswith("[") else getattr(value, part)
    return value.summary if path == "cause" and value is not None else value  # a cause written as text


def check_zoo(values: dict[str, str], expected: dict[str, object]) -> None:
    incident, problems, _ = load_text(render(values).encode("utf-8"), Settings(timezone="America/New_York"),
                                      "incidents/zoo.md", "zoo")  # must not raise
    errors = [problem for problem in problems if problem.is_error]
    assert (incident is None) == bool(errors)
    assert all(str(problem).startswith("incidents/zoo.md") and "Traceback" not in problem.message for problem in problems)
    if incident is None:
        return
    for path, text in expected.items():
        if path in TEXT_FIELDS and not (path.startswith("cause.") and "cause" in values):
            assert text is not REFUSED
            want = None if isinstance(text, Nothing) and not path.endswith("]") else str(text).strip()
            assert field_value(incident, path) == want, path


def test_every_zoo_value_in_every_text_field():
    for token, text in ZOO:
        for path in TEXT_FIELDS:
            check_zoo({path: token}, {path: text})


@hypothesis_settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(TEXT_FIELDS + OTHER_FIELDS), st.sampled_from(ZOO), min_size=1, max_size=5))
def test_any_zoo_values_in_any_fields_load_or_give_messages(chosen):
    check_zoo({path: token for path, (token, _) in chosen.items()}, {path: text for path, (_, text) in chosen.items()})


def _typed(value):
    """``value`` with each scalar's class kept, so that Int('7') and '7' differ."""
    if isinstance(value, dict):
        return {(type(key).__name__, key): _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, value)


@pytest.mark.parametrize("token", [token for token, _ in ZOO if len(token) < 100])
def test_the_fast_and_python_yaml_paths_give_the_same_classes(token, monkeypatch):
    text = f"a: {token}\nb:\n  - {token}\nc:\n  d: {token}\n"
    if not token.startswith("!"):  # (libyaml and PyYAML word some syntax errors differently, e.g. [!!float])
        text += f"e: [{token}, x]\nf: {{d: {token}}}\n{token}: key\n"

    def outcome():
        try:
            data, lines, duplicates = yamlsource.parse(text)
        except yamlsource.YamlProblem as problem:
            return ("problem", problem.message, problem.line)
        return _typed(data), lines, duplicates

    fast = outcome()
    monkeypatch.setattr(yamlsource, "_FastLoader", None)
    assert outcome() == fast


# --- the hostile fixtures beside good incidents: a build, and check ---------------------------------------

HOSTILE = ["impossible-date", "timestamp-out-of-range", "offset-out-of-range", "edge-of-time", "infinite-downtime",
           "not-a-number", "downtime-overflow", "downtime-overflow-resolved", "huge-numbers", "huge-numbers-open",
           "ambiguous-octal", "ambiguous-base-60", "ambiguous-number-forms", "number-for-date", "set-tag", "binary-tag",
           "yes-no-flag", "clock-after-resolved", "clock-in-dst-gap", "huge-names"]
GOOD = {f"2013-06-{day:02d}-good.md": incident(title=f"Good {day}", started=f"2013-06-{day:02d} 10:00",
                                                 resolved=f"2013-06-{day:02d} 11:00", downtime=day) for day in (1, 2, 3)}
EXTREMES = {  # valid, at the edges of the range: the uptime engine must take them
    "1970-01-01-longest.md": incident(title="Longest", started="1970-01-01T00:00:00+23:59", resolved="2999-12-31T23:59:59-23:59",
                                      downtime=52596000),
    "2999-12-31-open.md": incident(title="Last", started="2999-12-31 23:59:59.999999", resolved="x",
                                   downtime=52596000).replace("resolved: x\n", "status: investigating\n"),
}


def test_hostile_files_beside_good_ones_build_and_check_reports_them(tmp_path):
    config = write_site(tmp_path, {**GOOD, **EXTREMES}, options={"timezone": "America/New_York"})
    for name in HOSTILE:
        shutil.copy(DATA / "bad" / f"{name}.md", tmp_path / "incidents")
    expected = [line for name in HOSTILE for line in (DATA / "bad" / f"{name}.expected").read_text().splitlines()]
    assert len(expected) >= len(HOSTILE)

    site, warnings = build_and_capture(config)  # no exception
    for line in expected:  # each warning is "postmortems: <file>:<line>: <message>"
        assert f"postmortems: {line.split(': ', 1)[1]}" in warnings, line
    for name in [*GOOD, *EXTREMES]:
        assert (site / "incidents" / Path(name).stem / "index.html").exists(), name
    for name in HOSTILE:
        assert not (site / "incidents" / name).exists()

    result = CliRunner().invoke(main, ["check", "-f", str(config)], catch_exceptions=False)
    assert result.exit_code == 1
    output = result.output.splitlines()
    for line in expected:
        assert line in output, line
    assert f"{len(GOOD) + len(EXTREMES)} incidents valid" in result.output


# --- postmortems new, then check -----------------------------------------------------------------------

@pytest.fixture
def wiki(tmp_path, monkeypatch):
    (tmp_path / "incidents").mkdir()
    (tmp_path / "docs").mkdir()  # MkDocs refuses a wiki without its docs_dir, and so does the CLI
    (tmp_path / "mkdocs.yml").write_text("site_name: W\nplugins:\n  - postmortems:\n      timezone: America/New_York\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("given, utc", [
    ("2013-07-12 02:10", datetime(2013, 7, 12, 6, 10)),
    ("2013-11-03T01:30:00-04:00", datetime(2013, 11, 3, 5, 30)),  # the first 01:30 of the night clocks go back
    ("2013-11-03T01:30:00-05:00", datetime(2013, 11, 3, 6, 30)),  # the second
    ("2013-07-12 02:10:30", datetime(2013, 7, 12, 6, 10, 30)),
    ("2013-07-12T02:10:00.25Z", datetime(2013, 7, 12, 2, 10, 0, 250000)),
])
def test_new_keeps_the_instant_given_and_check_passes(wiki, given, utc):
    result = run("new", "Clocks", "-s", "web", "--severity", "SEV4", "--started", given)
    assert result.exit_code == 0, result.output
    path = next((wiki / "incidents").glob("*.md"))
    assert f"\nstarted: {given}  #" in path.read_text()
    incident, problems, _ = load_text(path.read_bytes(), Settings(timezone="America/New_York"), "x", "x")
    assert problems == []
    assert incident.started.astimezone(UTC).replace(tzinfo=None) == utc
    assert [entry.at for entry in incident.timeline] == [incident.started]
    result = run("check")
    assert result.exit_code == 0 and "1 incidents valid, 0 errors, 0 warnings" in result.output


@pytest.mark.parametrize("given", ["2013-11-03 01:30", "2013-03-10 02:30", "2013-02-30 10:00", "2013-07-12", "9999-12-31 23:59"])
def test_new_refuses_what_check_would_refuse_in_the_same_words(wiki, given):
    result = run("new", "Clocks", "-s", "web", "--severity", "SEV4", "--started", given)
    assert result.exit_code == 1 and not list((wiki / "incidents").iterdir())
    (wiki / "incidents" / "x.md").write_text(f"---\ntitle: t\nseverity: SEV4\nstarted: {given}\nservices: [web]\n"
                                             "status: monitoring\ndowntime_minutes: 0\n---\n")
    checked = run("check")
    reason = next(line for line in checked.output.splitlines() if ": started " in line).split(": started ", 1)[1]
    assert f"Error: --started {reason}\n" in result.output


def test_new_without_started_in_the_hour_clocks_go_back_writes_the_offset(wiki):
    from postmortems.site.scaffold import scaffold
    from postmortems.mkdocs_plugin.config import read_wiki_config

    now = datetime(2013, 11, 3, 1, 30, 45, tzinfo=NY, fold=1)  # the second 01:30, EST
    path = scaffold(read_wiki_config(wiki / "mkdocs.yml"), "Now", ["web"], None, None, now=now)
    assert "\nstarted: 2013-11-03T01:30-05:00  #" in path.read_text()
    assert run("check").exit_code == 0
