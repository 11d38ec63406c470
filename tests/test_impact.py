"""One incident's own downtime agrees with the uptime engine."""

from datetime import datetime, timezone
from fractions import Fraction

import pytest

from conftest import ROOT
from postmortems.uptime.impact import incident_downtime
from postmortems.incidents.loader import load_directory
from postmortems.incidents.model import Impact, Incident
from postmortems.incidents.settings import Settings
from postmortems.uptime.report import compute
from postmortems.mkdocs_plugin.config import read_wiki_config

UTC = timezone.utc
T0 = datetime(2013, 7, 1, 10, 0, tzinfo=UTC)


def make(**fields):
    base = dict(id="x", title="t", severity="SEV1", started=T0, resolved=datetime(2013, 7, 1, 12, 0, tzinfo=UTC),
                services=["web", "api"])
    base.update(fields)
    return Incident.model_construct(**{**{name: field.default for name, field in Incident.model_fields.items()
                                           if not field.is_required()}, **base})


def at(hour, minute=0):
    return datetime(2013, 7, 1, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    "fields, minutes",
    [
        ({"downtime_minutes": 8.64}, Fraction("8.64")),  # one outage per service counts once
        ({"impact": [Impact(service="web", level="partial", start=at(10), end=at(11)),
                     Impact(service="api", level="outage", start=at(10, 30), end=at(10, 40))]}, Fraction(60 * 3, 10) + 7),
        ({"impact": [Impact(service="web", level="degraded")]}, 0),
        ({"impact": [Impact(service="web", level="partial", fraction=0.25)]}, 30),
        ({"impact": [Impact(service="web", level="outage", start=at(11))], "resolved": None}, 60),  # open: to as-of
    ],
)
def test_incident_downtime(fields, minutes):
    assert incident_downtime(make(**fields), Settings(), as_of=at(12)) == minutes


def test_example_incidents_add_up_to_the_engines_all_time_figure():
    wiki = read_wiki_config(ROOT / "mkdocs.yml")
    incidents = load_directory(wiki.incidents_dir, wiki.settings, wiki.root).incidents
    report = compute(incidents, wiki.settings)
    counted = [i for i in incidents if i.started >= report.since and not i.maintenance]
    # The example's incidents never overlap, so their own totals add up to the site's downtime.
    assert sum(incident_downtime(i, wiki.settings, report.as_of) for i in counted) == report.site.windows["all"].downtime_minutes
    assert report.site.windows["all"].downtime_minutes == Fraction("95.5")  # the open scoreboard incident: 8 min
    assert report.figure("all") == ">99.98%"
