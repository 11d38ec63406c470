"""postmortems import: Statuspage, Upptime and CSV histories as incident files, with exact figures."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from conftest import DATA
from postmortems.cli.main import load_wiki, main
from postmortems.incidents.loader import load_text
from postmortems.incidents.settings import Settings
from postmortems.uptime.report import compute
from postmortems.mkdocs_plugin.config import read_wiki_config
from sitebuilder import build_site, write_site

IMPORT = DATA / "import"
STATUSPAGE = IMPORT / "statuspage-incidents.json"
MAINTENANCES = IMPORT / "statuspage-maintenances.json"
UPPTIME = IMPORT / "upptime-issues.json"
SPREADSHEET = IMPORT / "spreadsheet.csv"
NY = ZoneInfo("America/New_York")
UTC = timezone.utc
MIN = timedelta(minutes=1)


def run(*args, input=None):
    return CliRunner().invoke(main, [str(arg) for arg in args], input=input, catch_exceptions=False)


def make_wiki(root: Path, **options) -> Path:
    plugin = {"timezone": "America/New_York", "since": "2013-09-01 00:00", "as_of": "2013-12-01 00:00"}
    plugin.update(options)
    return write_site(root, {}, options=plugin)


@pytest.fixture
def wiki(tmp_path, monkeypatch):
    make_wiki(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def files(root: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted((root / "incidents").glob("*.md"))}


def loaded(root: Path, **overrides):
    wiki = read_wiki_config(root / "mkdocs.yml")
    collection, _ = load_wiki(wiki)
    assert not collection.problems, collection.problems
    by_source = {(incident.source.system, incident.source.id): incident for incident in collection.incidents}
    return wiki, collection, by_source


def spans(incident) -> list[tuple]:
    return sorted((entry.service, entry.level, entry.start.astimezone(UTC), entry.end and entry.end.astimezone(UTC))
                  for entry in incident.impact)


def ny(text: str) -> datetime:
    """A wall time in New York (never an ambiguous one here) as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=NY).astimezone(UTC)


def check_passes():
    result = run("check")
    assert result.exit_code == 0, result.output
    assert " 0 errors, 0 warnings" in result.output
    return result


# Statuspage ------------------------------------------------------------------------

def test_statuspage_spans_follow_the_component_changes(wiki):
    result = run("import", "statuspage", STATUSPAGE)
    assert result.exit_code == 0, result.output
    assert "6 incident(s) and 0 scheduled maintenance(s)" in result.output
    result = run("import", "statuspage", MAINTENANCES)
    assert result.exit_code == 0, result.output
    assert "not imported: statuspage maintenance m8future ('Network switch replacement'): still scheduled" in result.output
    check_passes()
    config, collection, by_source = loaded(wiki)
    assert len(collection.incidents) == 7
    get = lambda key: by_source[("statuspage", key)]  # noqa: E731

    # degraded -> major_outage -> partial_outage -> operational, each level from the update that set it
    a = get("a1transitions")
    assert spans(a) == [("API", "degraded", ny("2013-10-01 10:05"), ny("2013-10-01 10:20")),
                        ("API", "outage", ny("2013-10-01 10:20"), ny("2013-10-01 10:50")),
                        ("API", "partial", ny("2013-10-01 10:50"), ny("2013-10-01 11:30"))]
    assert (a.started, a.mitigated, a.resolved) == (ny("2013-10-01 10:00"), ny("2013-10-01 10:50"), ny("2013-10-01 11:30"))
    assert a.severity == "SEV2" and a.status == "resolved" and a.services == ["API"]
    assert [entry.event for entry in a.timeline] == [
        "Investigating: Checkouts are slow. (API: operational → degraded performance)",
        "Identified: The payment gateway rejects every call. (API: degraded performance → major outage)",
        "Monitoring: Fix deployed; some retries still fail. (API: major outage → partial outage)",
        "Resolved: All checkouts succeed. (API: partial outage → operational)",
    ]
    assert a.source.url == "https://stspg.io/a1transitions"
    assert "Imported from Statuspage (Acme): incident `a1transitions` (<https://stspg.io/a1transitions>)" in a.body

    # two incidents overlapping on the Database, one of them on the API too
    assert spans(get("b2overlap")) == [("API", "partial", ny("2013-10-15 08:30"), ny("2013-10-15 09:00")),
                                       ("Database", "outage", ny("2013-10-15 08:00"), ny("2013-10-15 09:00"))]
    assert get("b2overlap").severity == "SEV1"
    assert spans(get("c3overlap")) == [("Database", "partial", ny("2013-10-15 08:45"), ny("2013-10-15 09:30"))]
    assert get("c3overlap").severity == "SEV3"

    # no component changes: impact major is a partial outage of its components over the whole incident
    d = get("d4nochange")
    assert spans(d) == [("Email", "partial", ny("2013-10-20 12:00"), ny("2013-10-20 13:40"))]
    assert d.status == "resolved"  # the last update is a postmortem
    assert d.timeline[-1].event == "Postmortem: The queue filled up; we added a worker pool."
    assert "Statuspage records no component changes, so its impact (major) is counted as a partial outage" in d.body

    # across the fall-back: 01:30 EDT to 01:15 EST is 45 minutes, not -15
    e = get("e5dst")
    assert spans(e) == [("Web", "degraded", datetime(2013, 11, 3, 6, 15, tzinfo=UTC), datetime(2013, 11, 3, 6, 45, tzinfo=UTC)),
                        ("Web", "outage", datetime(2013, 11, 3, 5, 30, tzinfo=UTC), datetime(2013, 11, 3, 6, 15, tzinfo=UTC))]
    text = (wiki / "incidents" / "2013-11-03-night-deploy-takes-the-web-down.md").read_text()
    assert "started: 2013-11-03 01:30-04:00\nmitigated: 2013-11-03 01:15-05:00\nresolved: 2013-11-03 01:45-05:00\n" in text

    # still open: the partial outage runs on, to the as-of instant
    f = get("f6open")
    assert f.status == "identified" and f.resolved is None
    assert spans(f) == [("API", "partial", ny("2013-11-30 20:00"), None)]

    # planned maintenance: under_maintenance is the planned outage of a maintenance: true incident
    m = get("m7maint")
    assert m.maintenance and m.severity == "SEV4" and m.status == "resolved"
    assert spans(m) == [("Database", "outage", ny("2013-10-26 02:00"), ny("2013-10-26 03:30"))]
    assert m.timeline[0].event == "Scheduled: We will upgrade the database on Saturday night."

    assert sorted(files(wiki)) == [
        "2013-10-01-checkout-errors.md", "2013-10-15-database-failover.md", "2013-10-15-search-is-slow.md",
        "2013-10-20-email-delays.md", "2013-10-26-database-upgrade.md", "2013-11-03-night-deploy-takes-the-web-down.md",
        "2013-11-30-partial-api-outage.md"]

    # The figures, by hand (statuspage policy: outage 1, partial 3/10, degraded 0), as of 2013-12-01 00:00:
    # API: a1 30 outage + 40 partial (12) = 42; b2 30 partial = 9; f6 open 20:00..24:00 partial = 72.
    # Database: b2 outage 08:00-09:00 = 60, c3's partial under it adds nothing, then 09:00-09:30 partial = 9.
    # Email: 100 min partial = 30. Web: 45 min outage (and 30 min degraded = 0).
    # Site: the largest weight at each instant: 42 + 69 + 30 + 45 + 72. Maintenance is not counted.
    report = compute(collection.incidents, config.settings.fixed())
    expected = {"API": 123, "Database": 69, "Email": 30, "Web": 45}
    assert {name: scope.windows["all"].downtime_minutes for name, scope in report.services.items()} == expected
    assert report.site.windows["all"].downtime_minutes == 258
    assert report.site.months["2013-10"].downtime_minutes == 141
    assert report.site.months["2013-11"].downtime_minutes == 117
    assert report.site.windows["7d"].downtime_minutes == 72
    minutes = Fraction(91 * 24 * 60)  # 2013-09-01 to 2013-12-01, plus the hour the fall-back adds
    assert report.site.windows["all"].minutes == minutes + 60
    assert report.site.windows["all"].uptime == 100 - Fraction(100 * 258) / (minutes + 60)

    counted = compute(collection.incidents, replace(config.settings, count_maintenance=True).fixed())
    assert counted.services["Database"].windows["all"].downtime_minutes == 69 + 90
    assert counted.site.windows["all"].downtime_minutes == 258 + 90


def test_what_cannot_be_mapped_goes_into_the_body_and_the_summary(wiki, tmp_path):
    data = json.loads(STATUSPAGE.read_text())
    incident = next(item for item in data["incidents"] if item["id"] == "a1transitions")
    incident["incident_updates"][2]["affected_components"] = [  # 10:20: Search under maintenance; a status of its own
        {"code": "s", "name": "Search", "old_status": "operational", "new_status": "under_maintenance"},
        {"code": "x", "name": "Exports", "old_status": "operational", "new_status": "on_fire"},
        {"code": "api1", "name": "API", "old_status": "degraded_performance", "new_status": "major_outage"}]
    incident["incident_updates"][0]["affected_components"] += [
        {"code": "s", "name": "Search", "old_status": "under_maintenance", "new_status": "operational"},
        {"code": "x", "name": "Exports", "old_status": "on_fire", "new_status": "operational"}]
    incident["incident_updates"][1]["status"] = "escalated"
    incident["incident_updates"][3]["display_at"] = "2013-10-01T09:50:00.000-04:00"  # before started_at
    data["incidents"] = [incident]
    source = tmp_path / "one.json"
    source.write_text(json.dumps(data))
    result = run("import", "statuspage", source)
    assert result.exit_code == 0, result.output
    notes = [
        "Search was under maintenance from 2013-10-01 10:20 to 2013-10-01 11:30: not counted, as Statuspage does not count it",
        "Exports was 'on_fire' from 2013-10-01 10:20 to 2013-10-01 11:30: not a component status the import knows, so not counted",
        "the update of 2013-10-01 10:50 has the status 'escalated', which Statuspage does not define: kept in the timeline",
        "degraded on API from 2013-10-01 09:50 to 2013-10-01 10:20 was cut to the incident: 2013-10-01 10:00 to 2013-10-01 10:20",
    ]
    assert "Not mapped as written (each note is in the incident's body):" in result.output
    text = (wiki / "incidents" / "2013-10-01-checkout-errors.md").read_text()
    for note in notes:
        assert f"statuspage a1transitions: {note}" in result.output
        assert note in text
    assert "## What the import could not map" in text
    check_passes()
    _, _, by_source = loaded(wiki)
    incident = by_source[("statuspage", "a1transitions")]
    assert incident.services == ["API", "Search", "Exports"]
    assert spans(incident)[0] == ("API", "degraded", ny("2013-10-01 10:00"), ny("2013-10-01 10:20"))
    assert "Escalated: Fix deployed; some retries still fail. (API: major outage → partial outage)" in [
        entry.event for entry in incident.timeline]


def _independent_downtime(sources: list[Path], as_of: datetime, windows: dict[str, tuple[datetime, datetime]]):
    """Weighted downtime per window of the Statuspage JSON, computed here from the JSON alone: each
    component's status from update to update (or the impact over the whole incident when no update
    changes a component), weighted 1 / 3/10 / 0, the largest weight at each instant."""
    status_weight = {"major_outage": Fraction(1), "partial_outage": Fraction(3, 10)}
    impact_weight = {"critical": Fraction(1), "major": Fraction(3, 10)}
    parse = lambda text: datetime.fromisoformat(text).astimezone(UTC)  # noqa: E731
    intervals = []  # (start, end, weight)
    for path in sources:
        for incident in json.loads(path.read_text()).get("incidents", []):
            end = parse(incident["resolved_at"]) if incident["resolved_at"] else as_of
            start = parse(incident["started_at"] or incident["created_at"])
            changes = sorted((parse(u["display_at"] or u["created_at"]), c["name"], c["new_status"])
                             for u in incident["incident_updates"] for c in u["affected_components"] or [])
            if not changes:
                weight = impact_weight.get(incident["impact"], 0)
                intervals.append((start, end, weight))
                continue
            since: dict[str, tuple[datetime, str]] = {}
            for at, name, status in changes + [(end, name, "operational") for name in {c[1] for c in changes}]:
                if name in since:
                    intervals.append((since[name][0], at, status_weight.get(since[name][1], 0)))
                since[name] = (at, status)
    result = {}
    for key, (start, end) in windows.items():
        points = sorted({start, end, *(moment for a, b, _ in intervals for moment in (a, b) if start < moment < end)})
        total = Fraction(0)
        for left, right in zip(points, points[1:]):
            weight = max([w for a, b, w in intervals if a <= left and b >= right], default=0)
            total += weight * Fraction(int((right - left) / timedelta(microseconds=1)), 60_000_000)
        result[key] = total
    return result


def test_round_trip_statuspage_into_a_fresh_wiki_built_with_mkdocs(tmp_path, monkeypatch):
    config = make_wiki(tmp_path)
    monkeypatch.chdir(tmp_path)
    for source in (STATUSPAGE, MAINTENANCES):
        result = run("import", "statuspage", source, "-f", config)
        assert result.exit_code == 0, result.output
    check_passes()
    site = build_site(config, strict=True)
    document = json.loads((site / "uptime.json").read_text())
    assert document["complete"] is True
    windows = {key: (datetime.fromisoformat(w["start"].replace("Z", "+00:00")), datetime.fromisoformat(w["end"].replace("Z", "+00:00")))
               for key, w in {**document["site"]["windows"], **document["site"]["months"]}.items()}
    as_of = datetime.fromisoformat(document["as_of"].replace("Z", "+00:00"))
    expected = _independent_downtime([STATUSPAGE, MAINTENANCES], as_of, windows)
    got = {key: Fraction(str(w["downtime_minutes"])) for key, w in {**document["site"]["windows"], **document["site"]["months"]}.items()}
    assert got == expected
    assert got["all"] == 258
    incidents = json.loads((site / "incidents.json").read_text())["incidents"]
    first = next(item for item in incidents if item["title"] == "Checkout errors")
    assert first["source"] == {"system": "statuspage", "id": "a1transitions", "url": "https://stspg.io/a1transitions"}
    assert first["file"] == "incidents/2013-10-01-checkout-errors.md"


# Upptime ---------------------------------------------------------------------------

def test_upptime_issues_are_full_outages_of_their_sites(tmp_path, monkeypatch):
    make_wiki(tmp_path, timezone="UTC", since="2021-03-01 00:00", as_of="2021-04-01 00:00")
    monkeypatch.chdir(tmp_path)
    result = run("import", "upptime", UPPTIME)
    assert result.exit_code == 0, result.output
    assert "3 issue(s) and 1 maintenance issue(s)" in result.output
    check_passes()
    wiki, collection, by_source = loaded(tmp_path)
    utc = lambda text: datetime.fromisoformat(text).replace(tzinfo=UTC)  # noqa: E731
    first = by_source[("upptime", "1")]
    assert spans(first) == [("example-site", "outage", utc("2021-03-01 10:00"), utc("2021-03-01 10:25"))]
    assert first.severity == "SEV1" and first.title == "🛑 Example Site is down"
    assert first.source.url == "https://github.com/acme/status/issues/1"
    assert [(entry.at, entry.event) for entry in first.timeline] == [
        (utc("2021-03-01 10:00"), "Issue opened: 🛑 Example Site is down"),
        (utc("2021-03-01 10:10"), "dana: The load balancer lost its certificate."),
        (utc("2021-03-01 10:25"), "upptime-bot: **Resolved:** Example Site is back up in "
                                  "[`abc5678`](https://github.com/acme/status/commit/abc5678)."),
        (utc("2021-03-01 10:25"), "Issue closed")]
    assert "## The issue\n\nIn [`abc1234`]" in first.body
    degraded = by_source[("upptime", "2")]
    assert spans(degraded) == [("api", "outage", utc("2021-03-02 12:00"), utc("2021-03-02 12:40"))]
    assert degraded.severity == "SEV3"
    assert "Upptime counts an issue of degraded performance as downtime" in degraded.body
    still_down = by_source[("upptime", "3")]
    assert still_down.is_open and still_down.status == "investigating"
    maintenance = by_source[("upptime", "4")]
    assert maintenance.maintenance and maintenance.services == ["example-site", "api"]
    assert spans(maintenance) == [("api", "outage", utc("2021-03-10 02:00"), utc("2021-03-10 03:00")),
                                  ("example-site", "outage", utc("2021-03-10 02:00"), utc("2021-03-10 03:00"))]
    # example-site: 25 minutes, then the open issue from 23:00 to as-of (60); api: 40; maintenance aside.
    report = compute(collection.incidents, wiki.settings.fixed())
    assert report.services["example-site"].windows["all"].downtime_minutes == 85
    assert report.services["api"].windows["all"].downtime_minutes == 40
    assert report.site.windows["all"].downtime_minutes == 125
    assert sorted(files(tmp_path)) == ["2021-03-01-example-site-is-down.md", "2021-03-02-api-has-degraded-performance.md",
                                       "2021-03-10-database-upgrade.md", "2021-03-31-example-site-is-down.md"]


def test_upptime_from_standard_input_with_a_service_map(tmp_path, monkeypatch):
    make_wiki(tmp_path, timezone="UTC", since="2021-03-01 00:00", as_of="2021-04-01 00:00")
    monkeypatch.chdir(tmp_path)
    result = run("import", "upptime", "-", "--service-map", "example-site=web", "--service-map", "nothing=x",
                 input=UPPTIME.read_text())
    assert result.exit_code == 0, result.output
    assert "in standard input" in result.output
    assert "--service-map nothing=x: no imported incident names 'nothing'" in result.output
    _, collection, _ = loaded(tmp_path)
    assert sorted({name for incident in collection.incidents for name in incident.services}) == ["api", "web"]


# CSV ---------------------------------------------------------------------------------

def test_csv_rows_with_default_columns(tmp_path, monkeypatch):
    make_wiki(tmp_path, since="2013-07-01 00:00", as_of="2013-08-01 00:00")
    monkeypatch.chdir(tmp_path)
    result = run("import", "csv", SPREADSHEET)
    assert result.exit_code == 0, result.output
    assert "columns kept in each incident's body, not mapped to a field: 'Owner'" in result.output
    assert "csv OPS-3: the spreadsheet gives no downtime: counted as a full outage" in result.output
    check_passes()
    wiki, collection, by_source = loaded(tmp_path)
    login = by_source[("csv", "OPS-1")]
    assert (login.title, login.severity, login.services, login.downtime_minutes) == ("Login page blank", "SEV2", ["web"], 45)
    assert login.started == ny("2013-07-01 09:00") and login.resolved == ny("2013-07-01 10:00")
    assert login.cause_summary == "A bad template"
    assert "## Summary\n\nThe login page rendered empty for most users." in login.body
    assert "- **Owner**: Dana" in login.body
    reports = by_source[("csv", "OPS-2")]
    assert (reports.severity, reports.services, reports.downtime_minutes) == ("SEV3", ["api", "database"], 90)
    payments = by_source[("csv", "OPS-3")]
    assert spans(payments) == [("payments", "outage", ny("2013-07-05 08:00"), ny("2013-07-05 08:20"))]
    report = compute(collection.incidents, wiki.settings.fixed())
    assert {name: scope.windows["all"].downtime_minutes for name, scope in report.services.items()} == {
        "web": 45, "api": 90, "database": 90, "payments": 20}
    assert report.site.windows["all"].downtime_minutes == 155


def test_csv_columns_named_on_the_command_line(wiki, tmp_path):
    sheet = tmp_path / "log.csv"
    sheet.write_text("What;When;Back;Where;Mins;Extra\n"
                     "Disk full;2013-11-03 01:30-04:00;2013-11-03 01:10-05:00;db;20;x\n", encoding="utf-8")
    result = run("import", "csv", sheet, "--column", "title=What", "--column", "started=when",
                 "--column", "resolved=Back", "--column", "services=Where", "--column", "downtime_minutes=Mins")
    assert result.exit_code == 0, result.output
    check_passes()
    _, collection, _ = loaded(wiki)
    (incident,) = collection.incidents
    assert (incident.title, incident.services, incident.downtime_minutes, incident.severity) == ("Disk full", ["db"], 20, "SEV4")
    assert incident.resolved - incident.started == 40 * MIN
    assert "the spreadsheet gives no severity: written as SEV4" in incident.body
    assert "- **Extra**: x" in incident.body


# Re-running, updating, dry runs -------------------------------------------------------

def test_rerun_leaves_imported_files_alone(wiki):
    assert run("import", "statuspage", STATUSPAGE).exit_code == 0
    path = wiki / "incidents" / "2013-10-01-checkout-errors.md"
    path.write_text(path.read_text().replace('title: "Checkout errors"', 'title: "Checkout errors, our words"'))
    before = files(wiki)
    result = run("import", "statuspage", STATUSPAGE)
    assert result.exit_code == 0, result.output
    assert "left alone: incidents/2013-10-01-checkout-errors.md (statuspage a1transitions: imported before" in result.output
    assert "Wrote 0 file(s)." in result.output
    assert files(wiki) == before


def test_update_refreshes_untouched_fields_and_keeps_edited_ones(wiki, tmp_path):
    assert run("import", "statuspage", STATUSPAGE).exit_code == 0
    path = wiki / "incidents" / "2013-10-01-checkout-errors.md"
    edited = path.read_text().replace('title: "Checkout errors"', 'title: "Checkout errors: the gateway"  # ours')
    edited = edited.replace('services: ["API"]', '# owned by payments\nservices: ["API"]\ncause: The gateway expired our key.')
    path.write_text(edited)
    data = json.loads(STATUSPAGE.read_text())
    for incident in data["incidents"]:
        if incident["id"] == "a1transitions":
            incident["name"] = "Checkout errors (renamed on Statuspage)"
            incident["impact"] = "critical"
            incident["incident_updates"][0]["body"] = "All checkouts succeed again."
        if incident["id"] == "f6open":  # resolved since
            incident["status"], incident["resolved_at"] = "resolved", "2013-11-30T23:00:00.000-05:00"
            incident["incident_updates"].insert(0, {
                "id": "f6u3", "status": "resolved", "body": "Fixed.", "created_at": "2013-11-30T23:00:00.000-05:00",
                "display_at": "2013-11-30T23:00:00.000-05:00",
                "affected_components": [{"code": "api1", "name": "API", "old_status": "partial_outage", "new_status": "operational"}]})
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(data))

    result = run("import", "statuspage", newer, "--update")
    assert result.exit_code == 0, result.output
    assert ("updated: incidents/2013-10-01-checkout-errors.md (statuspage a1transitions): severity, timeline, body; "
            "kept as edited: title") in result.output
    assert "updated: incidents/2013-11-30-partial-api-outage.md (statuspage f6open): status, resolved, impact, timeline" in result.output
    assert "unchanged: incidents/2013-10-15-database-failover.md" in result.output
    text = path.read_text()
    assert 'title: "Checkout errors: the gateway"  # ours\n' in text
    assert "# owned by payments\n" in text and "cause: The gateway expired our key.\n" in text
    assert 'severity: "SEV1"' in text and "All checkouts succeed again." in text
    check_passes()
    _, _, by_source = loaded(wiki)
    assert by_source[("statuspage", "f6open")].resolved == ny("2013-11-30 23:00")
    assert spans(by_source[("statuspage", "f6open")]) == [("API", "partial", ny("2013-11-30 20:00"), ny("2013-11-30 23:00"))]

    # Again: nothing new; the title stays the writer's, and still is reported as kept.
    before = files(wiki)
    result = run("import", "statuspage", newer, "--update")
    assert result.exit_code == 0, result.output
    assert "unchanged: incidents/2013-10-01-checkout-errors.md (statuspage a1transitions); kept as edited: title" in result.output
    assert files(wiki) == before


def test_dry_run_writes_nothing(wiki):
    result = run("import", "statuspage", STATUSPAGE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would write incidents/2013-10-01-checkout-errors.md:\n---\ntitle: \"Checkout errors\"" in result.output
    assert "Dry run: 6 file(s) would be written; nothing was written." in result.output
    assert files(wiki) == {}
    assert run("import", "statuspage", STATUSPAGE).exit_code == 0
    data = json.loads(STATUSPAGE.read_text())
    data["incidents"][0]["name"] = "Partial API outage, renamed"
    (wiki / "newer.json").write_text(json.dumps(data))
    before = files(wiki)
    result = run("import", "statuspage", wiki / "newer.json", "--update", "--dry-run")
    assert result.exit_code == 0, result.output
    assert '-title: "Partial API outage"\n+title: "Partial API outage, renamed"\n' in result.output
    assert files(wiki) == before
    assert sorted(path.name for path in (wiki / "incidents").iterdir()) == sorted(before)  # no temporary files either


def test_names_never_take_another_incidents_file(wiki):
    taken = (wiki / "incidents" / "2013-10-01-checkout-errors.md")
    taken.write_text("---\ntitle: Ours\nseverity: SEV4\nstarted: 2013-10-01 09:00\nresolved: 2013-10-01 09:10\n"
                     "services: [web]\ndowntime_minutes: 0\n---\nOurs.\n")
    (wiki / "incidents" / "2013").mkdir()
    (wiki / "incidents" / "2013" / "2013-10-15-database-failover.md").write_text(
        taken.read_text().replace("2013-10-01", "2013-10-15"))  # a name's date is the day it started
    result = run("import", "statuspage", STATUSPAGE)
    assert result.exit_code == 0, result.output
    assert taken.read_text().startswith("---\ntitle: Ours\n")
    names = files(wiki)
    assert "2013-10-01-checkout-errors-2.md" in names and "2013-10-15-database-failover-2.md" in names
    check_passes()


# Bad input ---------------------------------------------------------------------------------

def _statuspage_with(change) -> str:
    data = json.loads(STATUSPAGE.read_text())
    change(data)
    return json.dumps(data)


def _no_times(data):
    incident = data["incidents"][2]
    incident["started_at"] = incident["created_at"] = None


def _unknown_status(data):
    incident = data["incidents"][0]  # the open one
    incident["status"] = incident["incident_updates"][0]["status"] = "pondering"


BAD = {
    "not json": ("statuspage", "{incidents: [", "bad.json is not JSON: Expecting property name enclosed in double quotes at line 1, column 2"),
    "not statuspage": ("statuspage", '{"components": []}', "bad.json is not Statuspage JSON: an object with incidents"),
    "no times": ("statuspage", _statuspage_with(_no_times),
                 "statuspage incident d4nochange ('Email delays') has no started_at or created_at: an incident needs its times"),
    "unknown status": ("statuspage", _statuspage_with(_unknown_status),
                       "statuspage incident f6open: unknown status 'pondering' (Statuspage's are investigating, identified, "
                       "monitoring, resolved, postmortem)"),
    "unknown impact": ("statuspage", _statuspage_with(lambda data: data["incidents"][1].update(impact="apocalyptic")),
                       "statuspage incident e5dst: unknown impact 'apocalyptic' (Statuspage's are critical, major, minor, none, maintenance)"),
    "bad time": ("statuspage", _statuspage_with(lambda data: data["incidents"][3].update(resolved_at="yesterday")),
                 "statuspage incident c3overlap: resolved_at is not a timestamp: 'yesterday'"),
    "resolved before started": ("statuspage", _statuspage_with(lambda data: data["incidents"][3].update(resolved_at="2013-10-15T07:00:00-04:00")),
                                "statuspage incident c3overlap: resolved_at (2013-10-15 07:00) is before it started (2013-10-15 08:45)"),
    "not upptime": ("upptime", '{"issues": []}', "bad.json is not the JSON of `gh issue list --state all --json"),
    "upptime without a site": ("upptime", json.dumps([{"number": 9, "title": "Something odd", "createdAt": "2021-03-01T10:00:00Z",
                                                       "closedAt": None, "labels": [{"name": "status"}], "comments": []}]),
                               "upptime issue #9 ('Something odd') names no site"),
    "upptime without times": ("upptime", json.dumps([{"number": 9, "title": "🛑 A is down", "createdAt": None, "labels": []}]),
                              "upptime issue #9: createdAt is missing, not a timestamp"),
    "csv without a title column": ("csv", "When,Service\n2013-11-01 10:00,web\n",
                                   "bad.json has no column for title and started (its columns: 'When', 'Service'); name it with "
                                   "--column title=Header --column started=Header"),
    "csv bad time": ("csv", "id,title,started,services\nX-1,Outage,2013-11-03 01:30,web\n",
                     "bad.json row 2 ('Outage'): started (2013-11-03 01:30) happens twice in America/New_York as clocks go back"),
    "csv unknown severity": ("csv", "id,title,started,resolved,services,severity\nX-2,Outage,2013-11-01 10:00,2013-11-01 11:00,web,Huge\n",
                             "bad.json row 2 (csv X-2): severity 'Huge' is not one of SEV1, SEV2, SEV3, SEV4"),
    "csv downtime too long": ("csv", "title,started,resolved,services,downtime\nOutage,2013-11-01 10:00,2013-11-01 11:00,web,90\n",
                              "downtime (90 minutes) is longer than the incident (2013-11-01 10:00 to 2013-11-01 11:00)"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_input_says_what_is_wrong_and_writes_nothing(wiki, name):
    system, content, message = BAD[name]
    (wiki / "bad.json").write_text(content, encoding="utf-8")
    result = run("import", system, "bad.json")
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert files(wiki) == {}


def test_a_file_that_would_fail_check_stops_the_whole_import(wiki, tmp_path):
    assert run("import", "statuspage", STATUSPAGE).exit_code == 0
    broken = wiki / "incidents" / "2013-10-20-email-delays.md"
    broken.write_text(broken.read_text().replace('severity: "SEV2"', "severity: SEV9"))
    data = json.loads(STATUSPAGE.read_text())
    for incident in data["incidents"]:
        incident["name"] += " (renamed)"
    (tmp_path / "newer.json").write_text(json.dumps(data))
    before = files(wiki)
    result = run("import", "statuspage", tmp_path / "newer.json", "--update")
    assert result.exit_code == 1
    assert ("error: statuspage d4nochange: error: incidents/2013-10-20-email-delays.md:3: severity 'SEV9' is not one "
            "of SEV1, SEV2, SEV3, SEV4") in result.output
    assert "1 problem(s) in the files to be written: nothing was written" in result.output
    assert files(wiki) == before


def test_every_imported_file_loads_as_written():
    from postmortems.importers import read, writing

    settings = Settings(timezone="America/New_York")
    for system, path in (("statuspage", STATUSPAGE), ("statuspage", MAINTENANCES), ("upptime", UPPTIME), ("csv", SPREADSHEET)):
        reading = read(system, path.read_bytes(), path.name, settings.tz, settings.severities)
        for draft in reading.drafts:
            text = writing.render(draft, settings.tz)
            incident, problems, _ = load_text(text.encode(), settings, "x.md", "x")
            assert incident is not None and not problems, (draft.label, problems)
            assert incident.source.system == system and incident.source.id == draft.id
            stored = incident.source.fields
            assert set(stored) == set(writing.IMPORTED_FIELDS)
            assert stored["title"] == writing.short_hash(incident.title)


def test_a_typo_in_the_source_record_is_an_error(wiki):
    (wiki / "incidents" / "x.md").write_text("---\ntitle: X\nseverity: SEV1\nstarted: 2013-10-01 10:00\n"
                                             "resolved: 2013-10-01 10:30\nservices: [web]\ndowntime_minutes: 5\n"
                                             "source:\n  sytem: statuspage\n  id: abc\n"
                                             "  fields: {titel: '12345678', status: xyz}\n---\n")
    result = run("check")
    assert result.exit_code == 1
    assert "incidents/x.md:9: unknown field 'sytem' in source; did you mean 'system'?" in result.output
    assert "incidents/x.md:8: source.system is required" in result.output
    assert "source.fields has the key 'titel', expected one of 'title', 'severity'" in result.output
    assert "source.fields.status 'xyz' should be 8 hex digits, as postmortems import writes them" in result.output


def test_summary_json_carries_incidents_and_maintenances(wiki, tmp_path):
    incidents = json.loads(STATUSPAGE.read_text())
    maintenances = json.loads(MAINTENANCES.read_text())
    summary = {"page": incidents["page"], "components": [{"id": "api1", "name": "API", "status": "partial_outage"}],
               "incidents": incidents["incidents"][:1], "scheduled_maintenances": maintenances["scheduled_maintenances"],
               "status": {"indicator": "major", "description": "Partial System Outage"}}
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    result = run("import", "statuspage", tmp_path / "summary.json", "--out", wiki / "incidents" / "imported")
    assert result.exit_code == 0, result.output
    assert "1 incident(s) and 1 scheduled maintenance(s)" in result.output
    assert sorted(path.name for path in (wiki / "incidents" / "imported").iterdir()) == [
        "2013-10-26-database-upgrade.md", "2013-11-30-partial-api-outage.md"]
    check_passes()
    result = run("import", "statuspage", STATUSPAGE)  # the open incident is found where it was written
    assert "left alone: incidents/imported/2013-11-30-partial-api-outage.md (statuspage f6open" in result.output
    assert "new: incidents/2013-10-01-checkout-errors.md" in result.output


def test_a_name_longer_than_the_wiki_takes_is_cut_and_said(wiki):
    (wiki / "sheet.csv").write_text(f"title,started,resolved,services,downtime\nLong,2013-11-01 10:00,2013-11-01 11:00,{'x' * 120},5\n")
    result = run("import", "csv", "sheet.csv")
    assert result.exit_code == 0, result.output
    assert f"is longer than 100 characters: cut to '{'x' * 100}'" in result.output
    check_passes()
