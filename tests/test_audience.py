"""One source, two sites: the internal wiki and the public status page, built from the same incidents.

A wiki is built twice, as a user builds it (the second time with POSTMORTEMS_AUDIENCE=public). A unique
canary string sits in every field and section that must stay internal, across a public and two
internal incidents. The public site holds none of them anywhere (search index, sitemap, feed, every
JSON and SVG included), the internal site holds every one, both carry the same figures, the public
``api/v2/summary.json`` has the shape Statuspage documents, and the leak check stops a public build
into which a canary was smuggled.
"""

from __future__ import annotations

import contextlib
import gzip
from datetime import datetime, timezone
import json
import logging
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from mkdocs.exceptions import Abort

from postmortems.cli.main import main
from postmortems.incidents.visibility import publish, split_body
from postmortems.site import TEMPLATES
from postmortems.site.leaks import Canaries, canaries_of, outline, scan
from sitebuilder import Captured, build_site, write_site

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "data" / "statuspage-summary.schema.json").read_text(encoding="utf-8"))

# Every value that must stay internal, by what it is. Letters and digits only, so that no escaping
# (HTML, JSON, XML, URLs) can hide one from a plain search of the files.
CANARIES = {
    # quiet-failover: visibility internal (the default)
    "internal title": "KanarieTitleA",
    "internal body": "KanarieBodyA",
    "internal block of an internal incident": "KanarieBlockA",
    "internal cause category": "KanarieCategoryA",
    "internal cause summary": "KanarieCauseA",
    "internal trigger": "KanarieTriggerA",
    "internal contributing factor": "KanarieFactorA",
    "internal timeline event": "KanarieTimelineA",
    "internal action item title": "KanarieActionA",
    "internal action item owner": "KanarieOwnerA",
    "internal action item link": "KanarieLinkA",
    "internal tag": "KanarieTagA",
    "internal author": "KanarieAuthorA",
    "internal reviewer": "KanarieReviewerA",
    # public-outage: visibility public
    "public incident's replaced title": "KanarieTitleB",
    "public incident's internal block": "KanarieBlockB",
    "public incident's author": "KanarieAuthorB",
    "public incident's action item owner": "KanarieOwnerB",
    "public incident's action item link": "KanarieLinkB",
    "public incident's reviewer": "KanarieReviewerB",
    "public incident's internal_fields field": "KanarieTriggerB",
    # open-now: visibility internal, still open
    "open incident's cause": "KanarieCauseC",
    "open incident's body": "KanarieBodyC",
}
# What the public site does show of them (the status facts, and the public incident's own text).
PUBLISHED = ["Database failover", "The database failed over", "Payments outage", "PublishedBodyB",
             "PublishedTimelineB", "PublishedActionB", "The payments queue filled up", "Checkout is slow",
             "Some payments take longer than usual"]

INCIDENTS = {
    "quiet-failover.md": """---
title: "KanarieTitleA: pgpool failover on db3"
public_title: Database failover
public_summary: The database failed over; writes paused for ten minutes.
severity: SEV2
started: 2013-06-10 10:00
detected: 2013-06-10 10:02
acknowledged: 2013-06-10 10:03
mitigated: 2013-06-10 10:10
resolved: 2013-06-10 11:00
detection: monitoring
services: [web, database]
downtime_minutes: 10
cause:
  category: KanarieCategoryA
  summary: KanarieCauseA pgpool sent writes to the replica on db3.
trigger: KanarieTriggerA the nightly vacuum
contributing_factors:
  - KanarieFactorA nobody watched replication lag
timeline:
  - at: "10:05"
    event: KanarieTimelineA Marcus restarts pgpool on db3
action_items:
  - title: KanarieActionA alert on replication lag
    owner: KanarieOwnerA
    link: https://tracker.example.com/OPS-7/KanarieLinkA
tags: [KanarieTagA, postgresql]
authors: [KanarieAuthorA]
related: [public-outage]
postmortem:
  status: in-review
  reviewers: [KanarieReviewerA]
---

## Summary

KanarieBodyA the failover took writes down for ten minutes.

<!-- internal -->
KanarieBlockA the password for db3 is in the vault.
<!-- /internal -->
""",
    "public-outage.md": """---
title: KanarieTitleB payments queue fills on worker-7
public_title: Payments outage
visibility: public
severity: SEV1
started: 2013-06-20 09:00
detected: 2013-06-20 09:04
mitigated: 2013-06-20 09:45
resolved: 2013-06-20 10:30
services: [web, payments]
impact:
  - service: payments
    level: outage
    end: 2013-06-20 09:45
cause:
  category: capacity
  summary: The payments queue filled up.
trigger: KanarieTriggerB a retry storm from one partner
timeline:
  - at: "09:10"
    event: PublishedTimelineB we pause the queue consumers
action_items:
  - title: PublishedActionB add an alarm on the queue's depth
    owner: KanarieOwnerB
    link: https://tracker.example.com/OPS-9/KanarieLinkB
tags: [queue]
authors: [KanarieAuthorB]
postmortem:
  status: published
  reviewers: [KanarieReviewerB]
---

## Summary

The payments queue filled up, and payments failed for 45 minutes. PublishedBodyB

<!-- internal -->
KanarieBlockB the on-call engineer's notes from the call.
<!-- /internal -->

## Impact

Payments failed for 45 minutes.
""",
    "open-now.md": """---
title: Checkout is slow
public_summary: Some payments take longer than usual.
severity: SEV3
status: investigating
started: 2013-06-30 22:00
services: [payments]
impact:
  - service: payments
    level: partial
cause: KanarieCauseC a slow card processor
---

KanarieBodyC what the on-call sees right now.
""",
}
OPTIONS = {"internal_fields": ["trigger"]}
BLOCK_B = INCIDENTS["public-outage.md"].split("\n").index("<!-- internal -->") + 1  # the line of its internal block
SITE = {"site_url": "https://status.example.com/"}


@contextlib.contextmanager
def environment(**values: str):
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def site_texts(site: Path) -> dict[str, str]:
    """Every file of a built site, as text (``.gz`` files unpacked): every byte a reader could fetch."""
    texts = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            texts[path.relative_to(site).as_posix()] = data.decode("utf-8", errors="replace")
    return texts


def holding(texts: dict[str, str], value: str) -> list[str]:
    needle = value.casefold()
    return [name for name, text in texts.items() if needle in text.casefold()]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def wiki(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("audience")
    return write_site(root, INCIDENTS, OPTIONS, config=SITE)


@pytest.fixture(scope="module")
def sites(wiki) -> tuple[Path, Path]:
    """The internal site (the option's default) and the public one (POSTMORTEMS_AUDIENCE=public), both strict."""
    internal = build_site(wiki, strict=True, site_dir=wiki.parent / "internal")
    with environment(POSTMORTEMS_AUDIENCE="public"):
        public = build_site(wiki, strict=True, site_dir=wiki.parent / "public")
    return internal, public


# What each site holds ------------------------------------------------------------------------------

def test_the_public_site_holds_no_canary_anywhere(sites):
    texts = site_texts(sites[1])
    assert {"search/search_index.json", "sitemap.xml", "feed.xml", "uptime.json", "incidents.json",
            "api/v2/summary.json", "api/v2/incidents.json", "badges/uptime-30d.svg"} <= set(texts)
    found = {what: holding(texts, value) for what, value in CANARIES.items()}
    assert {what: files for what, files in found.items() if files} == {}
    for value in PUBLISHED:  # while what the incidents publish is there
        assert holding(texts, value), value


def test_the_internal_site_holds_every_canary(sites):
    texts = site_texts(sites[0])
    assert {what for what, value in CANARIES.items() if not holding(texts, value)} == set()


def test_the_public_site_has_no_action_items_backlog_or_tag_pages(sites):
    internal, public = (set(site_texts(site)) for site in sites)
    for page in ("action-items/index.html", "backlog/index.html", "tags/index.html", "tags/queue/index.html"):
        assert page in internal and page not in public
    assert {"api/v2/summary.json", "api/v2/incidents.json"} <= public - internal


def test_an_internal_incident_shows_its_status_facts_and_a_public_one_its_postmortem(sites):
    public = sites[1]
    quiet = (public / "incidents" / "quiet-failover" / "index.html").read_text(encoding="utf-8")
    assert "<h1 id=\"database-failover\">Database failover" in quiet
    assert "The database failed over; writes paused for ten minutes." in quiet
    assert "The postmortem of this incident is not public" in quiet
    assert "pm-timeline" in quiet and "Acknowledged" not in quiet  # acknowledged is not a status fact
    outage = (public / "incidents" / "public-outage" / "index.html").read_text(encoding="utf-8")
    for shown in ("Payments outage", "PublishedBodyB", "PublishedTimelineB", "PublishedActionB",
                  "The payments queue filled up.", "Follow-up actions"):
        assert shown in outage, shown
    assert "pm-owner" not in outage and "tracker.example.com" not in outage
    assert "Written by" not in outage and "Trigger" not in outage  # authors, and trigger (internal_fields)


def test_the_public_ledger_names_an_internal_incident_by_its_public_title(sites):
    ledger = (sites[1] / "uptime" / "ledger" / "site" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="[^"]*quiet-failover/">Database failover</a> <small class="pm-not-public">'
                     r'\(details not public\)</small>', ledger)
    assert re.search(r'<a href="[^"]*public-outage/">public-outage</a>', ledger)
    internal = (sites[0] / "uptime" / "ledger" / "site" / "index.html").read_text(encoding="utf-8")
    assert "details not public" not in internal and re.search(r'quiet-failover/">quiet-failover</a>', internal)


# The same figures -------------------------------------------------------------------------------------

def without_causes(document):
    if isinstance(document, dict):
        return {key: without_causes(value) for key, value in document.items() if key != "by_cause"}
    return document


def causes(document, path=()):
    """Every ``by_cause`` of uptime.json, by where it is."""
    found = {}
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "by_cause":
                found[path] = value
            else:
                found.update(causes(value, (*path, key)))
    return found


def test_both_sites_publish_the_same_uptime_figures(sites):
    internal, public = (json.loads((site / "uptime.json").read_text(encoding="utf-8")) for site in sites)
    assert without_causes(public) == without_causes(internal)
    assert public["site"]["windows"]["all"]["downtime_minutes"] > 0
    inside, outside = causes(internal), causes(public)
    assert inside.keys() == outside.keys() and len(inside) > 10
    for where, counts in inside.items():  # the same counts; a withheld cause is counted as "not public"
        assert sum(outside[where].values()) == sum(counts.values()), where
        assert set(outside[where]) <= set(counts) | {"not public"}
    assert public["site"]["windows"]["all"]["by_cause"] == {"capacity": 1, "not public": 2}
    assert internal["site"]["windows"]["all"]["by_cause"] == {"KanarieCategoryA": 1, "capacity": 1, "uncategorized": 1}


class Cells(HTMLParser):
    """The text of every element with one of ``classes`` (and of every cell of those tables)."""

    def __init__(self, classes: set[str]):
        super().__init__()
        self.classes, self.depth, self.texts, self.current = classes, 0, [], None

    def handle_starttag(self, tag, attrs):
        names = set((dict(attrs).get("class") or "").split())
        if self.depth:
            self.depth += 1
            if tag in ("td", "th", "span"):
                self.current = []
        elif names & self.classes:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            if tag in ("td", "th", "span") and self.current is not None:
                self.texts.append("".join(self.current).strip())
                self.current = None
            self.depth -= 1

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


def dashboard_numbers(site: Path) -> list[str]:
    parser = Cells({"pm-figures", "pm-uptime", "pm-budget"})
    parser.feed((site / "uptime" / "index.html").read_text(encoding="utf-8"))
    return parser.texts


def test_both_dashboards_and_badges_show_the_same_numbers(sites):
    internal, public = (dashboard_numbers(site) for site in sites)
    assert internal == public
    windows = json.loads((sites[1] / "uptime.json").read_text(encoding="utf-8"))["site"]["windows"]
    # each figure reads: its value, its window, its downtime
    assert [internal[3 * n] for n in range(len(windows))] == [window["display"] for window in windows.values()]
    assert "payments" in internal and len(internal) > 30  # the services table and the error budget too
    badges = [{path.relative_to(site).as_posix(): path.read_bytes() for path in (site / "badges").rglob("*.svg")}
              for site in sites]
    assert badges[0] == badges[1] and len(badges[0]) >= 15


# The status page ----------------------------------------------------------------------------------------

def test_summary_json_has_the_shape_statuspage_documents(sites):
    summary = json.loads((sites[1] / "api" / "v2" / "summary.json").read_text(encoding="utf-8"))
    jsonschema.validate(summary, SCHEMA)
    assert summary["status"] == {"indicator": "minor", "description": "Minor Service Outage"}  # SEV3 of SEV1..4
    assert {c["name"]: c["status"] for c in summary["components"]} == {
        "database": "operational", "payments": "partial_outage", "web": "operational"}
    [current] = summary["incidents"]
    assert (current["name"], current["status"], current["resolved_at"]) == ("Checkout is slow", "investigating", None)
    assert current["shortlink"] == "https://status.example.com/incidents/open-now/"
    assert current["incident_updates"][-1]["body"] == "Some payments take longer than usual."
    assert summary["page"]["url"] == "https://status.example.com/" and summary["page"]["time_zone"] == "UTC"


def test_incidents_json_lists_every_incident_in_statuspages_shape(sites):
    document = json.loads((sites[1] / "api" / "v2" / "incidents.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, {**SCHEMA, **SCHEMA["$defs"]["incidents"]})
    by_name = {item["name"]: item for item in document["incidents"]}
    assert set(by_name) == {"Checkout is slow", "Payments outage", "Database failover"}
    outage = by_name["Payments outage"]
    assert (outage["impact"], outage["monitoring_at"], outage["resolved_at"]) == (
        "critical", "2013-06-20T09:45:00Z", "2013-06-20T10:30:00Z")
    assert [u["status"] for u in outage["incident_updates"]] == ["resolved", "monitoring", "investigating", "investigating"]
    assert "PublishedTimelineB we pause the queue consumers" in [u["body"] for u in outage["incident_updates"]]
    assert [u["body"] for u in by_name["Database failover"]["incident_updates"]][-1] == \
        "The database failed over; writes paused for ten minutes."


def test_statuspages_own_reader_takes_the_public_api_back_as_written(wiki, sites, tmp_path):
    """``postmortems import statuspage`` reads Statuspage's API as Statuspage writes it: it reads the public
    site's api/v2/incidents.json back with no note, each incident under its public title, with its times."""
    result = run("import", "statuspage", str(sites[1] / "api" / "v2" / "incidents.json"), "--out", str(tmp_path / "back"),
                 "-f", str(wiki))
    assert result.exit_code == 0, result.output
    assert "Not mapped" not in result.stdout and "not imported" not in result.stdout
    from postmortems.incidents.loader import load_directory
    from postmortems.incidents.settings import Settings

    back = load_directory(tmp_path / "back", Settings(), tmp_path)
    assert back.problems == []
    imported = {incident.title: incident for incident in back.incidents}
    assert set(imported) == {"Checkout is slow", "Payments outage", "Database failover"}
    assert imported["Payments outage"].resolved == datetime(2013, 6, 20, 10, 30, tzinfo=timezone.utc)
    assert imported["Checkout is slow"].status == "investigating" and imported["Checkout is slow"].resolved is None
    assert imported["Database failover"].services == ["web", "database"]
    assert imported["Payments outage"].source.url == "https://status.example.com/incidents/public-outage/"


def test_the_schema_refuses_what_statuspage_would_not_write(sites):
    summary = json.loads((sites[1] / "api" / "v2" / "summary.json").read_text(encoding="utf-8"))
    summary["components"][0]["status"] = "down"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(summary, SCHEMA)
    summary = json.loads((sites[1] / "api" / "v2" / "summary.json").read_text(encoding="utf-8"))
    del summary["incidents"][0]["incident_updates"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(summary, SCHEMA)


# The leak check -------------------------------------------------------------------------------------------

SMUGGLED = "\n{% for other in wiki.sources %}<p hidden>{{ other.cause_summary }}</p>{% endfor %}\n"


@pytest.mark.parametrize("where", ["template override", "page of docs_dir"])
def test_the_leak_check_stops_a_public_build_with_a_smuggled_canary(tmp_path, where):
    docs = {"index.md": "# Home\n"}
    if where == "template override":
        (tmp_path / "templates").mkdir()
        (tmp_path / "templates" / "incident.md").write_text(
            (TEMPLATES / "incident.md").read_text(encoding="utf-8") + SMUGGLED, encoding="utf-8")
    else:
        docs["index.md"] = "# Home\n\nOn call: KanarieOwnerA.\n"
    config = write_site(tmp_path, INCIDENTS, OPTIONS, docs=docs, config=SITE)
    build_site(config, strict=True, site_dir=tmp_path / "internal")  # the internal site shows it all
    logged = Captured()
    logging.getLogger("mkdocs").addHandler(logged)
    try:
        with environment(POSTMORTEMS_AUDIENCE="public"), pytest.raises(Abort):
            build_site(config, strict=True, site_dir=tmp_path / "public")
    finally:
        logging.getLogger("mkdocs").removeHandler(logged)
    [message] = [line for line in logged.messages if "leak check" in line]
    if where == "template override":
        assert "holds the cause.summary of incidents/quiet-failover.md, which the public site withholds: " \
               "'KanarieCauseA pgpool sent writes to the replica on db3.'" in message
        assert "cause.summary of incidents/open-now.md" in message  # the open incident's too
    else:
        assert "index.html holds the action_items[0].owner of incidents/quiet-failover.md" in message
    # postmortems check finds it without building, and generate writes nothing
    checked = run("check", "--audience", "public", "--quick", "-f", str(config))
    assert checked.exit_code == 1 and "leak check" in checked.stderr and "KanarieOwnerA" not in checked.stdout
    generated = run("generate", "--audience", "public", "--out", str(tmp_path / "out"), "-f", str(config))
    assert generated.exit_code == 1 and "leak check" in generated.stderr
    assert not (tmp_path / "out" / "docs").exists()
    assert run("check", "--quick", "-f", str(config)).exit_code == 0  # the internal wiki has no leak to find


def test_generate_for_the_public_audience_writes_the_status_page(wiki, tmp_path):
    result = run("generate", "--audience", "public", "--out", str(tmp_path / "out"), "-f", str(wiki))
    assert result.exit_code == 0, result.output
    docs = tmp_path / "out" / "docs"
    assert (docs / "api" / "v2" / "summary.json").is_file() and not (docs / "action-items.md").exists()
    texts = {path.relative_to(docs).as_posix(): path.read_text(encoding="utf-8")
             for path in docs.rglob("*") if path.suffix in (".md", ".json", ".xml", ".svg")}
    assert {what: holding(texts, value) for what, value in CANARIES.items() if holding(texts, value)} == {}


def test_the_leak_rules_find_a_value_however_it_is_written():
    [incident] = [publish_one("quiet-failover.md")]
    found = Canaries(canary for withheld in incident.withheld for canary in canaries_of(withheld, outline()))
    cause = "KanarieCauseA pgpool sent writes to the replica on db3."
    escaped = [("a.html", "<p>kanariecausea <em>pgpool</em> sent writes to the&#32;replica on db3</p>"),
               ("b.json", json.dumps({"text": "KanarieCauseA pgpool sent writes to the replica on db3"}, ensure_ascii=True)),
               ("c.xml", "<content type=\"html\">&lt;p&gt;KanarieCauseA pgpool sent writes to the replica on db3.&lt;/p&gt;</content>"),
               ("d.html", '<a title="KanarieCauseA pgpool sent writes to the replica on db3">x</a>')]
    for name, text in escaped:
        assert [leak.canary.text for leak in scan([(name, text)], found)] == [cause], name
    # A word inside another word, a label of one word, a short value and an outline heading are not leaks.
    assert scan([("e.html", "<p>KanarieOwnerAB KanarieTagA db3</p><h2>Summary</h2>")], found) == []
    assert scan([("f.html", "<p>KanarieOwnerA</p>")], found)[0].canary.withheld.field == "action_items[0].owner"
    # A one-word value in an attribute is the site's own markup (a theme's id="config"); two words are a leak.
    assert scan([("g.html", '<div id="KanarieOwnerA"></div>')], found) == []


def publish_one(name: str):
    from postmortems.incidents.loader import load_text
    from postmortems.incidents.settings import Settings

    incident, problems, _ = load_text(INCIDENTS[name].encode(), Settings(), f"incidents/{name}", Path(name).stem)
    assert incident is not None, problems
    return publish(incident, ("trigger",))


def test_a_value_the_public_site_publishes_anyway_is_not_a_leak(tmp_path):
    # The public incident's own timeline names Marcus; the internal one lists him as its author.
    named = INCIDENTS["public-outage.md"].replace("PublishedTimelineB", "PublishedTimelineB Marcus Wiley")
    internal = INCIDENTS["quiet-failover.md"].replace("authors: [KanarieAuthorA]", "authors: [Marcus Wiley]")
    config = write_site(tmp_path, {**INCIDENTS, "public-outage.md": named, "quiet-failover.md": internal}, OPTIONS,
                        config=SITE)
    with environment(POSTMORTEMS_AUDIENCE="public"):
        site = build_site(config, strict=True, site_dir=tmp_path / "public")
    assert "Marcus Wiley" in (site / "incidents" / "public-outage" / "index.html").read_text(encoding="utf-8")


# Choosing the audience ----------------------------------------------------------------------------------

def test_the_audience_comes_from_the_option_the_variable_or_the_command_line(wiki, tmp_path):
    data = yaml.safe_load(wiki.read_text(encoding="utf-8"))
    parent = tmp_path / "mkdocs.yml"
    for folder in ("docs", "incidents"):
        shutil.copytree(wiki.parent / folder, tmp_path / folder)
    data["plugins"] = {"search": {}, "postmortems": data["plugins"][1]["postmortems"]}  # a mapping: INHERIT merges it
    parent.write_text(yaml.safe_dump(data), encoding="utf-8")
    child = tmp_path / "mkdocs.public.yml"
    child.write_text("INHERIT: mkdocs.yml\nplugins:\n  postmortems:\n    audience: public\n", encoding="utf-8")

    def stats(*args, **env):
        with environment(**env):
            result = run("stats", "--json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    public = stats("-f", str(child))
    assert public["site"]["windows"]["all"]["by_cause"] == {"capacity": 1, "not public": 2}
    assert stats("--audience", "public", "-f", str(parent)) == public
    assert stats("-f", str(parent), POSTMORTEMS_AUDIENCE="public") == public
    assert stats("--audience", "internal", "-f", str(child)) == stats("-f", str(parent))
    assert stats("-f", str(parent))["site"]["windows"]["all"]["by_cause"]["KanarieCategoryA"] == 1
    with environment(POSTMORTEMS_AUDIENCE="everyone"):
        wrong = run("check", "--quick", "-f", str(parent))
    assert wrong.exit_code == 2
    assert "option 'audience': POSTMORTEMS_AUDIENCE 'everyone' is not one of internal, public" in wrong.stderr


def test_check_lists_what_each_incident_publishes(wiki):
    result = run("check", "--audience", "public", "--quick", "-f", str(wiki))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("public: ")]
    assert lines == [
        "public: incidents/open-now.md: its status facts (severity, status, started, services, impact, "
        "public_summary), as \"Checkout is slow\"; withholds cause, body",
        "public: incidents/public-outage.md: the whole postmortem, as \"Payments outage\" (public_title); withholds "
        "trigger, authors, action items' owners and links, the postmortem's due day and reviewers, "
        f"1 internal block of the body (lines {BLOCK_B}-{BLOCK_B + 2})",
        "public: incidents/quiet-failover.md: its status facts (severity, status, started, detected, mitigated, "
        "resolved, services, downtime_minutes, public_summary), as \"Database failover\" (public_title); withholds "
        "acknowledged, detection, cause, trigger, contributing_factors, timeline, action_items, tags, authors, "
        "related, postmortem, body",
    ]
    assert "public:" not in run("check", "--quick", "-f", str(wiki)).stdout


@pytest.mark.parametrize("fields, problem", [
    (["services"], "'services' is public on every incident"),
    (["trigerr"], "'trigerr' is not a field of an incident; did you mean 'trigger'?"),
])
def test_internal_fields_names_fields_that_can_be_withheld(tmp_path, fields, problem):
    config = write_site(tmp_path, INCIDENTS, {"internal_fields": fields})
    result = run("check", "--quick", "-f", str(config))
    assert result.exit_code == 2 and f"option 'internal_fields': {problem}" in result.stderr
    with pytest.raises(Abort):
        build_site(config)


def test_the_public_caveats_do_not_name_the_teams_files(tmp_path):
    broken = {**INCIDENTS, "2013-06-05-acme-corp-import.md": "---\ntitle: x\nseverity: SEV9\nstarted: 2013-06-05 10:00\n"
                                                             "resolved: 2013-06-05 11:00\nservices: [web]\n"
                                                             "downtime_minutes: 5\n---\n"}
    config = write_site(tmp_path, broken, OPTIONS, config=SITE)
    internal = build_site(config, site_dir=tmp_path / "internal")
    with environment(POSTMORTEMS_AUDIENCE="public"):
        public = build_site(config, site_dir=tmp_path / "public")
    for site, named in ((internal, True), (public, False)):
        dashboard = (site / "uptime" / "index.html").read_text(encoding="utf-8")
        assert "These figures include unverified incidents" in dashboard
        assert ("acme-corp-import" in dashboard) is named


# Internal blocks -------------------------------------------------------------------------------------------

def test_internal_blocks_withhold_more_when_a_marker_is_unclear():
    body = ("Public.\n<!-- internal -->\nSecret.\n```\n<!-- /internal -->\n```\nStill secret.\n<!-- /internal -->\n"
            "Public again.\n<!--INTERNAL-->\nNever closed.\n")
    public, blocks, problems = split_body(body, 10, "incidents/x.md")
    assert public == "Public.\nPublic again.\n"
    assert [(block.line, block.end) for block in blocks] == [(11, 17), (19, 21)]
    assert "<!-- /internal -->" in blocks[0].text  # in a code block it is text
    assert [(problem.line, problem.message.split(":")[0]) for problem in problems] == [
        (19, "<!-- internal --> is never closed")]
    public, blocks, problems = split_body("Above.\n<!-- /internal -->\nBelow, then <!-- internal --> a note.\n", 1, "x.md")
    assert public == "" and [block.text for block in blocks] == ["Above.", "Below, then  a note."]
    assert [problem.line for problem in problems] == [2, 3, 3]


def test_an_unclosed_marker_is_a_warning_of_both_audiences(tmp_path):
    broken = INCIDENTS["public-outage.md"].replace("<!-- /internal -->\n", "")
    config = write_site(tmp_path, {**INCIDENTS, "public-outage.md": broken}, OPTIONS, config=SITE)
    for audience in ("internal", "public"):
        result = run("check", "--quick", "--audience", audience, "-f", str(config))
        assert result.exit_code == 1
        assert f"incidents/public-outage.md:{BLOCK_B}: <!-- internal --> is never closed" in result.stderr
    with environment(POSTMORTEMS_AUDIENCE="public"):
        site = build_site(config, site_dir=tmp_path / "public")  # not strict: built, the rest withheld
    page = (site / "incidents" / "public-outage" / "index.html").read_text(encoding="utf-8")
    assert "PublishedBodyB" in page and "KanarieBlockB" not in page and "Payments failed for 45 minutes." not in page


# The example wiki -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def example_public(example_wiki) -> Path:
    """``mkdocs build --strict -f mkdocs.public.yml`` of the example: its status page."""
    from test_builders import build

    site = example_wiki.parent / "site-public"
    build("mkdocs", example_wiki, site, "-f", "mkdocs.public.yml")
    return site


def test_the_example_builds_its_status_page_with_the_wikis_figures(mkdocs_site, example_public):
    internal, public = (json.loads((site / "uptime.json").read_text(encoding="utf-8")) for site in (mkdocs_site, example_public))
    assert without_causes(public) == without_causes(internal)
    assert dashboard_numbers(mkdocs_site) == dashboard_numbers(example_public)
    certificate = (example_public / "incidents" / "2013-02-14-api-certificate-expired" / "index.html").read_text(encoding="utf-8")
    assert "A one-year certificate with a reminder" in certificate and "old password export" not in certificate
    assert "old password export" in (mkdocs_site / "incidents" / "2013-02-14-api-certificate-expired" / "index.html").read_text(
        encoding="utf-8")
    backups = (example_public / "incidents" / "2013-06-06-nightly-backups-stopped-uploading" / "index.html").read_text(
        encoding="utf-8")
    assert "Database backups delayed" in backups and "S3" not in backups
    texts = site_texts(example_public)
    for internal_only in ("derecho", "pgpool", "Marcus", "contractor left"):
        assert holding(texts, internal_only) == [], internal_only
    assert not (example_public / "action-items").exists()
    jsonschema.validate(json.loads((example_public / "api" / "v2" / "summary.json").read_text(encoding="utf-8")), SCHEMA)


def test_check_of_the_examples_status_page_builds_it_strictly(example_wiki):
    result = run("check", "-f", str(example_wiki / "mkdocs.public.yml"))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("public: incidents/") == len(list((example_wiki / "incidents").glob("*.md")))
    assert result.stdout.endswith("mkdocs build --strict passes\n")


# In a browser ----------------------------------------------------------------------------------------------

def test_an_open_incident_is_the_public_sites_banner(sites):
    from test_browser import checked_page, launched, serve

    with serve(sites[1]) as server, launched() as browser, checked_page(browser) as page:
        page.goto(f"{server}/uptime/")
        banner = page.locator(".pm-status-banner")
        assert banner.is_visible()
        assert banner.locator(".pm-status-headline").inner_text().startswith("Minor Service Outage")
        assert banner.locator(".pm-open-incidents li").count() == 1
        assert "Some payments take longer than usual." in banner.inner_text()
        assert page.locator(".pm-component-partial_outage td").all_inner_texts() == ["payments", "partial outage"]
        banner.locator(".pm-open-incidents a").click()
        page.wait_for_url("**/incidents/open-now/")
        assert page.locator("h1").inner_text().startswith("Checkout is slow")
        assert page.locator(".pm-not-public").is_visible()
