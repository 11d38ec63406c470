"""A left-out incident never makes uptime look better.

An invalid file whose times can be read is counted as its worst case; one whose start
cannot be read makes the figures incomplete, and every output says so.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postmortems.cli.main import main
from postmortems.incidents.loader import load_directory
from postmortems.incidents.settings import Settings
from postmortems.uptime.report import compute
from sitebuilder import build_and_capture, incident, write_site

AS_OF = "2013-07-01 00:00"
OPTIONS = {"since": "2013-01-01 00:00", "as_of": AS_OF}
GOOD = {"2013-06-01-good.md": incident(title="A good one", started="2013-06-01 10:00", resolved="2013-06-01 11:00",
                                       services="[web]", downtime=20)}
# The typo from the issue: one unknown key leaves the file out.
TYPO = incident(title="Certificate expired", started="2013-06-20 08:00", resolved="2013-06-20 09:30",
                services="[api]", downtime=90, extra="maintenence: false")
FIXED = TYPO.replace("maintenence: false", "maintenance: false")
NO_START = "---\ntitle: We lost the times\nseverity: SEV2\nservices: [web]\n---\nBody\n"


def _uptime_json(site: Path) -> dict:
    return json.loads((site / "uptime.json").read_text(encoding="utf-8"))


def _figures(document: dict) -> dict:
    """Every window's exact uptime, per scope: what must never be higher than the truth."""
    scopes = {"site": document["site"], **document["services"]}
    return {(name, group, key): window["uptime"] for name, scope in scopes.items()
            for group in ("windows", "months") for key, window in scope[group].items()}


def test_a_typo_counts_the_incident_as_written_and_says_so(tmp_path):
    broken = write_site(tmp_path / "broken", {**GOOD, "2013-06-20-cert.md": TYPO}, options=OPTIONS,
                        docs={"index.md": "# Home\n\nUptime: {{ uptime(\"30d\") }}\n"})
    truth = write_site(tmp_path / "truth", {**GOOD, "2013-06-20-cert.md": FIXED}, options=OPTIONS)
    site, warnings = build_and_capture(broken)
    truth_site, _ = build_and_capture(truth)
    document, reference = _uptime_json(site), _uptime_json(truth_site)
    assert _figures(document) == _figures(reference)  # counted exactly as written: nothing lost
    assert document["site"]["windows"]["30d"]["display"] == reference["site"]["windows"]["30d"]["display"] != "100%"
    assert document["complete"] is False and reference["complete"] is True
    assert document["left_out"] == ["incidents/2013-06-20-cert.md"] and reference["left_out"] == []
    assert document["unverified"] == [{"file": "incidents/2013-06-20-cert.md",
                                       "problem": "unknown field 'maintenence'; did you mean 'maintenance'?"}]
    assert document["uncounted"] == []
    # Statistics count only verified incidents; the math counts both.
    assert document["site"]["windows"]["all"]["incidents"] == 1
    assert not (site / "incidents" / "2013-06-20-cert" / "index.html").exists()
    dashboard = (site / "uptime" / "index.html").read_text(encoding="utf-8")
    assert "These figures include unverified incidents" in dashboard
    assert "incidents/2013-06-20-cert.md</code>: unknown field" in dashboard
    ledger = (site / "uptime" / "ledger" / "site" / "index.html").read_text(encoding="utf-8")
    assert "incidents/2013-06-20-cert.md (unverified)" in ledger
    assert any("as their worst case (unverified): incidents/2013-06-20-cert.md" in w for w in warnings)
    # Counted in full, the figure is final: a live figure is not marked incomplete.
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"Uptime: {reference['site']['windows']['30d']['display'].replace('>', '&gt;')}</p>" in home


def test_a_file_without_readable_times_makes_every_output_incomplete(tmp_path):
    config = write_site(tmp_path, {**GOOD, "2013-06-25-lost.md": NO_START}, options=OPTIONS,
                        docs={"index.md": "# Home\n\nUptime: {{ uptime(\"all\") }}\n"})
    site, warnings = build_and_capture(config)
    document = _uptime_json(site)
    assert document["complete"] is False
    assert document["left_out"] == document["uncounted"] == ["incidents/2013-06-25-lost.md"]
    assert document["unverified"] == []
    display = document["site"]["windows"]["all"]["display"]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"Uptime: {display.replace('>', '&gt;')} (incomplete)</p>" in home
    dashboard = (site / "uptime" / "index.html").read_text(encoding="utf-8")
    assert "These figures are incomplete" in dashboard
    assert "<li><code>incidents/2013-06-25-lost.md</code></li>" in dashboard
    assert "incidents/2013-06-25-lost.md" in (site / "uptime" / "ledger" / "site" / "index.html").read_text()
    assert any("cannot be counted, so the figures may be higher than the truth" in w for w in warnings)


def test_stats_exits_1_while_any_file_is_invalid(tmp_path, monkeypatch):
    runner = CliRunner()
    write_site(tmp_path / "ok", GOOD, options=OPTIONS)
    monkeypatch.chdir(tmp_path / "ok")
    clean = runner.invoke(main, ["stats", "--json"])
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout)["complete"] is True
    for name, text in (("typo", TYPO), ("lost", NO_START)):
        write_site(tmp_path / name, {**GOOD, "2013-06-20-x.md": text}, options=OPTIONS)
        monkeypatch.chdir(tmp_path / name)
        for args in (["stats"], ["stats", "--json"]):
            result = runner.invoke(main, args)
            assert result.exit_code == 1, (name, args, result.output)
            assert "incidents/2013-06-20-x.md" in result.stderr
        assert json.loads(runner.invoke(main, ["stats", "--json"]).stdout)["complete"] is False


def test_an_incident_whose_address_is_taken_still_counts(tmp_path):
    taken = incident(title="Named like the index", started="2013-06-20 08:00", resolved="2013-06-20 09:00",
                     services="[web]", downtime=60, extra="id: index")
    site, warnings = build_and_capture(write_site(tmp_path, {**GOOD, "2013-06-20-idx.md": taken}, options=OPTIONS))
    document = _uptime_json(site)
    assert document["unverified"][0]["file"] == "incidents/2013-06-20-idx.md"
    assert "is taken" in document["unverified"][0]["problem"]
    assert document["services"]["web"]["windows"]["30d"]["downtime_minutes"] == 20 + 60


def test_unreadable_services_count_against_every_service(tmp_path):
    broken = incident(title="Where was it?", started="2013-06-20 08:00", resolved="2013-06-20 09:00",
                      services="7", downtime=60)
    config = write_site(tmp_path, {**GOOD, "2013-06-02-db.md": incident(
        title="Database", started="2013-06-02 10:00", resolved="2013-06-02 10:30", services="[database]", downtime=5),
        "2013-06-20-where.md": broken}, options=OPTIONS)
    site, _ = build_and_capture(config)
    services = _uptime_json(site)["services"]
    assert set(services) == {"web", "database"}
    for name, expected in (("web", 20 + 60), ("database", 5 + 60)):
        assert services[name]["windows"]["30d"]["downtime_minutes"] == expected


# ---- the invariant, over classes of breakage --------------------------------------------------------

SERVICES = ["web", "api", "database"]


@st.composite
def valid_incidents(draw):
    start = datetime(2013, 1, 1) + timedelta(minutes=draw(st.integers(0, 180 * 24 * 60)))
    length = draw(st.integers(1, 3 * 24 * 60))
    resolved = start + timedelta(minutes=length)
    services = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3, unique=True))
    front = {"title": "Incident", "severity": draw(st.sampled_from(["SEV1", "SEV4"])),
             "started": start.strftime("%Y-%m-%d %H:%M"), "resolved": resolved.strftime("%Y-%m-%d %H:%M"),
             "services": services, "maintenance": draw(st.booleans())}
    if draw(st.booleans()):
        front["downtime_minutes"] = draw(st.integers(0, length))
    else:
        entries = []
        for service in draw(st.lists(st.sampled_from(services), min_size=1, max_size=3)):
            a = draw(st.integers(0, length))
            b = draw(st.integers(a, length))
            entries.append({"service": service, "level": draw(st.sampled_from(["outage", "partial", "degraded"])),
                            "start": (start + timedelta(minutes=a)).strftime("%Y-%m-%d %H:%M"),
                            "end": (start + timedelta(minutes=b)).strftime("%Y-%m-%d %H:%M")})
        front["impact"] = entries
    return front


BREAKAGES = {  # how a writer breaks a file; None: the file's start can no longer be read
    "unknown key": lambda f: {**f, "maintenence": True},
    "bad severity": lambda f: {**f, "severity": "SEV9"},
    "empty title": lambda f: {**f, "title": ""},
    "bad downtime": lambda f: {**f, "downtime_minutes": "about an hour"},
    "too much downtime": lambda f: {**f, "downtime_minutes": 10**6},
    "bad impact": lambda f: {**f, "impact": [{"service": "web", "level": "meltdown"}]},
    "impact outside": lambda f: {**f, "impact": [{**e, "start": "2012-01-01 00:00"} for e in f.get("impact", [])] or [{}]},
    "bad services": lambda f: {**f, "services": 42},
    "no services": lambda f: {k: v for k, v in f.items() if k != "services"},
    "bad resolved": lambda f: {**f, "resolved": "when the pager stopped"},
    "resolved before started": lambda f: {**f, "resolved": "2012-12-01 00:00"},
    "no resolved": lambda f: {k: v for k, v in f.items() if k != "resolved"},
    "bad started": lambda f: {**f, "started": "yesterday afternoon"},
    "no started": lambda f: {k: v for k, v in f.items() if k != "started"},
}
UNCOUNTED = {"bad started", "no started"}


def _write(folder: Path, name: str, front: dict) -> None:
    (folder / name).write_text("---\n" + yaml.safe_dump(front, sort_keys=False) + "---\nBody\n", encoding="utf-8")


def _every_figure(report) -> dict:
    scopes = {"site": report.site, **report.services}
    return {(name, key): window.uptime for name, scope in scopes.items()
            for key, window in [*scope.windows.items(), *scope.months.items()]}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(others=st.lists(valid_incidents(), max_size=3), victim=valid_incidents())
def test_no_figure_is_higher_than_the_truth_whatever_breaks(tmp_path_factory, others, victim, breakage):
    """The truth is the wiki with the file as its writer meant it; the broken wiki may count more, never less."""
    wiki_settings = Settings(since=datetime.fromisoformat("2013-01-01T00:00:00+00:00"),
                             as_of=datetime.fromisoformat("2013-07-01T00:00:00+00:00"), windows=(7, 30, 90, 365))
    truth_dir, broken_dir = tmp_path_factory.mktemp("truth"), tmp_path_factory.mktemp("broken")
    for folder, front in ((truth_dir, victim), (broken_dir, BREAKAGES[breakage](victim))):
        for index, other in enumerate(others):
            _write(folder, f"other-{index}.md", other)
        _write(folder, "victim.md", front)
    truth_collection = load_directory(truth_dir, wiki_settings)
    broken_collection = load_directory(broken_dir, wiki_settings)
    assert not truth_collection.left_out
    assert broken_collection.left_out == [f"{broken_dir.name}/victim.md"]
    truth = compute(truth_collection.incidents, wiki_settings)
    broken = compute(broken_collection.incidents, wiki_settings, unverified=broken_collection.unverified,
                     uncounted=broken_collection.uncounted)
    assert not broken.complete
    if breakage in UNCOUNTED:
        assert broken.uncounted == (f"{broken_dir.name}/victim.md",)
        assert all(broken.figure(key).endswith(" (incomplete)") for key in broken.site.windows)
        return
    assert [item.file for item in broken.unverified] == [f"{broken_dir.name}/victim.md"]
    figures, reference = _every_figure(broken), _every_figure(truth)
    for key, exact in reference.items():
        if key[0] in {"site", *broken.services}:
            assert figures[key] is None or exact is None or figures[key] <= exact, (breakage, key)
    for key, value in figures.items():  # a service only the broken file names: its figures are below 100
        if key not in reference and value is not None:
            assert value <= Fraction(100)
