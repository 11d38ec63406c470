"""The incident format: every bad input gets its exact message; good input loads."""

import os
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from conftest import DATA, ROOT
from postmortems.incidents.loader import load_directory, load_file, load_text
from postmortems.incidents.slugs import id_slug as slug
from postmortems.incidents.settings import Settings

BAD = sorted((DATA / "bad").glob("*.md"))
NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize("path", BAD, ids=[path.stem for path in BAD])
def test_bad_file_gives_exactly_the_expected_messages(path: Path):
    incident, problems, _ = load_file(path, Settings(timezone="America/New_York"), f"incidents/{path.name}")
    assert incident is None
    got = "".join(f"{problem.level}: {problem}\n" for problem in problems)
    assert got == path.with_suffix(".expected").read_text(encoding="utf-8")


def test_every_bad_file_has_its_expected_messages():
    assert BAD and all(path.with_suffix(".expected").exists() for path in BAD)


def load(text: str, settings: Settings = Settings(), name: str = "incidents/x.md"):
    return load_text(text.encode("utf-8"), settings, name, default_id=Path(name).stem)


MINIMAL = """---
title: Launch-day connection storm
severity: SEV1
started: {started}
resolved: 2012-07-02 12:00
services: [web, database]
downtime_minutes: 18
{extra}
---
## Summary
Too many app servers.
"""


def minimal(started="2012-07-02 11:05", extra=""):
    return MINIMAL.format(started=started, extra=extra)


def test_minimal_incident_loads_with_defaults():
    incident, problems, _ = load(minimal())
    assert problems == []
    assert incident.id == "x"
    assert incident.status == "resolved"
    assert incident.maintenance is False
    assert incident.started == datetime(2012, 7, 2, 11, 5, tzinfo=timezone.utc)
    assert incident.body.startswith("## Summary")


@pytest.mark.parametrize(
    "written, expected_utc",
    [
        ("2012-07-02 11:05", datetime(2012, 7, 2, 15, 5)),  # naive: site time zone (EDT, -4)
        ("2012-07-02T11:05:00-04:00", datetime(2012, 7, 2, 15, 5)),
        ("2012-07-02T11:05:00Z", datetime(2012, 7, 2, 11, 5)),
        ("2012-07-02 11:05:00+02:00", datetime(2012, 7, 2, 9, 5)),  # a YAML timestamp with offset
        ('"2012-12-02 11:05"', datetime(2012, 12, 2, 16, 5)),  # winter: EST, -5
    ],
)
def test_timestamps_with_and_without_offset(written, expected_utc):
    incident, problems, _ = load(minimal(written).replace("resolved: 2012-07-02 12:00", "resolved: 2012-12-31 12:00"),
                                 Settings(timezone="America/New_York"))
    assert problems == []
    assert incident.started.astimezone(timezone.utc).replace(tzinfo=None) == expected_utc


def test_clock_times_in_timeline_are_the_first_such_time_after_started():
    extra = 'timeline:\n  - at: "23:50"\n    event: paged\n  - at: 00:10\n    event: after midnight\n  - at: 11:05\n    event: unquoted 11:05 is not base 60'
    text = minimal("2012-07-02 23:40", extra).replace("resolved: 2012-07-02 12:00", "resolved: 2012-07-03 12:00")
    incident, problems, _ = load(text, Settings(timezone="America/New_York"))
    assert problems == []
    local = [entry.at.astimezone(NY).strftime("%m-%d %H:%M") for entry in incident.timeline]
    assert local == ["07-02 23:50", "07-03 00:10", "07-03 11:05"]


def test_unknown_key_is_reported_with_a_suggestion_and_line():
    incident, problems, _ = load(minimal(extra="severty: SEV2"))
    assert incident is None
    assert [str(problem) for problem in problems] == [
        "incidents/x.md:8: unknown field 'severty'; did you mean 'severity'?"
    ]


def test_nested_unknown_key_names_its_parent():
    _, problems, _ = load(minimal(extra="action_items:\n  - title: Cap the pool\n    owners: ana"))
    assert [problem.message for problem in problems] == [
        "unknown field 'owners' in action_items[0]; did you mean 'owner'?"
    ]


def test_cause_as_text_or_record():
    incident, _, _ = load(minimal(extra="cause: Too many app servers"))
    assert (incident.cause_category, incident.cause_summary) == ("", "Too many app servers")
    incident, _, _ = load(minimal(extra="cause:\n  category: capacity\n  summary: max_connections"))
    assert (incident.cause_category, incident.cause_summary) == ("capacity", "max_connections")


def test_open_incident_needs_no_resolved():
    text = minimal().replace("resolved: 2012-07-02 12:00\n", "status: monitoring\n")
    incident, problems, _ = load(text)
    assert problems == [] and incident.is_open


def test_impact_and_downtime_disagreeing_is_a_warning_and_keeps_the_incident():
    extra = "impact:\n  - service: web\n    level: outage\n    end: 2012-07-02 11:35"
    incident, problems, _ = load(minimal(extra=extra))
    assert incident is not None
    assert [(problem.level, problem.message) for problem in problems] == [
        ("warning", "downtime_minutes (18) disagrees with impact (30 minutes of outage); the impact entries are used")
    ]


def test_configured_severities():
    _, problems, _ = load(minimal().replace("SEV1", "P1"), Settings(severities=("P1", "P2")))
    assert problems == []
    _, problems, _ = load(minimal(), Settings(severities=("P1", "P2")))
    assert [problem.message for problem in problems] == ["severity 'SEV1' is not one of P1, P2"]


def test_large_body_loads():
    body = ("All hands on deck. " * 60 + "\n\n") * 4500  # about 5 MB
    incident, problems, _ = load(minimal() + body)
    assert problems == [] and len(incident.body) > 5_000_000


def test_good_folder_crlf_bom_nesting_duplicates_and_related():
    collection = load_directory(DATA / "good", Settings(), base=DATA)
    assert [incident.id for incident in collection.incidents] == [
        "2013-07-04-bom", "2013-07-03-crlf", "2013-07-02-good-partial", "2013-07-01-good-outage",
    ]
    assert collection.left_out == ["good/nested/2013-07-05-duplicate.md"]
    assert [str(problem) for problem in collection.problems] == [
        "good/2013-07-02-good-partial.md:10: related 'no-such-incident' names no incident (the link is left out)",
        "good/nested/2013-07-05-duplicate.md:2: id '2013-07-01-good-outage' is also used by "
        "good/2013-07-01-good-outage.md; ids must be unique",
    ]
    by_id = {incident.id: incident for incident in collection.incidents}
    assert by_id["2013-07-02-good-partial"].related == []
    assert by_id["2013-07-01-good-outage"].related == ["2013-07-02-good-partial"]
    assert by_id["2013-07-03-crlf"].body == "CRLF body.\n"
    assert by_id["2013-07-04-bom"].title == "Starts with a BOM"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("2013-07-12-replica", "2013-07-12-replica"),
        ("../../etc/passwd", "etc-passwd"),
        ("Ünïcode title!", "Ünïcode-title"),
        ("..", "incident"),
        ("a..b", "a.b"),
        ("/abs/path", "abs-path"),
        ("障害", "障害"),
        ("cafe\u0301-outage", "café-outage"),  # decomposed (macOS) and composed names agree
        ("..\\..\\windows", "windows"),
        ("\u202e..\u200b/x", "x"),  # invisible and direction marks are not letters
        ("障" * 100, "障" * 40),  # at most 120 bytes: ids are folder names in the site
    ],
)
def test_slug_never_leaves_the_folder(name, expected):
    assert slug(name) == expected


def test_file_name_with_odd_characters_gets_a_safe_id():
    incident, problems, _ = load(minimal(), name="incidents/Launch day (again)!.md")
    assert incident.id == "Launch-day-again"


def test_c_and_python_yaml_loaders_agree_on_every_example(monkeypatch):
    from conftest import ROOT
    from postmortems.incidents import yamlsource

    texts = [path.read_text().split("---\n")[1] for path in sorted((ROOT / "incidents").glob("*.md"))]
    fast = [yamlsource.parse(text) for text in texts]
    monkeypatch.setattr(yamlsource, "_FastLoader", None)
    assert [yamlsource.parse(text) for text in texts] == fast


def test_an_alias_the_anchor_check_misses_is_still_refused(monkeypatch):
    import re

    from postmortems.incidents import yamlsource

    monkeypatch.setattr(yamlsource, "_ANCHOR", re.compile(r"(?!)"))  # matches nothing: the C parser is used
    with pytest.raises(yamlsource.YamlProblem, match="uses a YAML alias"):
        yamlsource.parse((DATA / "bad" / "alias-bomb.md").read_text().split("---\n")[1])


def _frontmatter_texts():
    for path in sorted([*ROOT.glob("incidents/*.md"), *DATA.glob("*/*.md")]):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        parts = text.split("---\n")
        if len(parts) >= 3:
            yield path.name, parts[1]


def _both_ways(text, monkeypatch):
    from postmortems.incidents import yamlsource

    def outcome():
        try:
            return yamlsource.parse(text)
        except yamlsource.YamlProblem as problem:
            return ("problem", problem.message, problem.line)

    fast = outcome()
    with monkeypatch.context() as patched:
        patched.setattr(yamlsource, "_FastLoader", None)  # PyYAML's pure-Python loader and constructor
        reference = outcome()
    return fast, reference


@pytest.mark.parametrize("name, text", list(_frontmatter_texts()), ids=lambda value: value if value.endswith(".md") else "")
def test_the_fast_yaml_path_gives_what_pyyaml_gives(name, text, monkeypatch):
    fast, reference = _both_ways(text, monkeypatch)
    assert fast == reference


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=12),
                     st.floats(allow_nan=False, allow_infinity=False, width=32),
                     st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1)).map(lambda d: d.replace(microsecond=0)))
_documents = st.dictionaries(st.text(min_size=1, max_size=8), st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=3),
    max_leaves=12), max_size=6)


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=_documents, flow=st.booleans())
def test_the_fast_yaml_path_agrees_on_random_documents(document, flow, monkeypatch):
    import yaml

    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True, sort_keys=False)
    fast, reference = _both_ways(text, monkeypatch)
    assert fast == reference


def _two_days(folder):
    for day in (1, 2):
        (folder / f"2013-06-0{day}-x.md").write_text(
            f"---\ntitle: Day {day}\nseverity: SEV2\nstarted: 2013-06-0{day} 10:00\nresolved: 2013-06-0{day} 10:30\n"
            "services: [web]\ndowntime_minutes: 30\n---\nBody.\n")


def test_a_load_cache_loads_only_files_whose_bytes_changed(tmp_path):
    from postmortems.incidents.cache import LoadCache
    from postmortems.incidents.loader import incident_files, load_paths

    settings = Settings(timezone="UTC")
    _two_days(tmp_path)
    paths, cache = incident_files(tmp_path), LoadCache()
    first = cache.load(paths, settings, tmp_path)
    assert (cache.hits, cache.misses) == (0, 2)
    again = cache.load(paths, settings, tmp_path)
    assert [a is b for a, b in zip(first, again)] == [True, True] and (cache.hits, cache.misses) == (2, 0)
    stat = paths[0].stat()
    paths[0].write_text(paths[0].read_text().replace("Day 1", "Day 9"))  # same size,
    os.utime(paths[0], ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time: only the bytes tell
    third = cache.load(paths, settings, tmp_path)
    assert third[0].incident.title == "Day 9" and third[1] is first[1] and (cache.hits, cache.misses) == (1, 1)
    assert [item.incident for item in third] == [item.incident for item in load_paths(paths, settings, tmp_path)]
    in_paris = cache.load(paths, Settings(timezone="Europe/Paris"), tmp_path)  # loading depends on the time zone
    assert cache.misses == 2 and in_paris[0].incident.started.utcoffset().total_seconds() == 7200


def test_a_cache_on_disk_is_read_by_the_next_process_and_ignored_when_broken(tmp_path):
    from postmortems.incidents.cache import FILE_NAME, LoadCache
    from postmortems.incidents.loader import incident_files

    settings, folder = Settings(timezone="UTC"), tmp_path / "cache"
    (tmp_path / "incidents").mkdir()
    _two_days(tmp_path / "incidents")
    paths = incident_files(tmp_path / "incidents")
    written = LoadCache(folder)
    written.load(paths, settings, tmp_path)
    assert (folder / FILE_NAME).is_file() and (folder / ".gitignore").read_text().endswith("*\n")
    fresh = LoadCache(folder)  # as the next build's
    loaded = fresh.load(paths, settings, tmp_path)
    assert (fresh.hits, fresh.misses) == (2, 0) and [item.incident.title for item in loaded] == ["Day 1", "Day 2"]
    for broken in (b"", b"not a pickle", (folder / FILE_NAME).read_bytes()[:50]):
        (folder / FILE_NAME).write_bytes(broken)
        again = LoadCache(folder)
        assert [item.incident.title for item in again.load(paths, settings, tmp_path)] == ["Day 1", "Day 2"]
        assert (again.hits, again.misses) == (0, 2)
    (tmp_path / "incidents" / "2013-06-02-x.md").unlink()  # a file that is gone is forgotten
    gone = LoadCache(folder)
    assert len(gone.load(paths[:1], settings, tmp_path)) == 1 and gone.hits == 1
