"""End-to-end: build real sites with the plugin and read the HTML and JSON written."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from mkdocs.exceptions import Abort

from sitebuilder import build_and_capture, build_site, incident, write_site

REPLICA = incident(
    title="Replica served the old schema",
    severity="SEV2",
    started="2013-06-12 02:10",
    resolved="2013-06-12 03:00",
    services="[web, database]",
    downtime=28,
    extra="""
    detected: 2013-06-12 02:15
    detection: customer
    cause:
      category: database
      summary: pgpool sent reads to a replica whose replication was broken
    trigger: Schema migration 23 to 24
    contributing_factors: [Replication was not monitored]
    timeline:
      - at: "02:20"
        event: Pointed the app straight at the primary
    action_items:
      - title: Alert on replication lag
        owner: dana
        type: detect
        due: 2013-06-20
        link: https://tracker.example.com/OPS-7
      - title: Backward-compatible migrations only
        status: done
    tags: [database, deploy]
    related: [2013-06-20-launch]
    """,
    body="## Summary\n\nThe app read schema version 23 and refused to start. Pinot noir helped.\n",
)
LAUNCH = incident(extra="cause: {category: capacity, summary: max_connections exhausted}\ntags: [capacity]")
CSS = incident(
    title="Stylesheet stuck behind the CDN", severity="SEV3", started="2013-05-02 09:00", resolved="2013-05-02 13:00",
    services="[web, cdn]", downtime=0,
    extra="""
    impact:
      - service: cdn
        level: partial
        end: 2013-05-02 10:00
    cause: {category: config, summary: cache period too short}
    """,
)
INCIDENTS = {"2013-06-12-replica.md": REPLICA, "2013-06-20-launch.md": LAUNCH, "2013-05-02-css.md": CSS}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("wiki")
    docs = {"index.md": '# Home\n\nWe kept {{ uptime("all") }} overall and {{ uptime("30d", service="web") }} for web.\n'}
    config = write_site(root, INCIDENTS, docs=docs)
    return build_site(config, strict=True)


def read(site, path):
    return (site / path).read_text(encoding="utf-8")


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_incident_page_has_card_timeline_body_actions_and_related(site):
    html = read(site, "incidents/2013-06-12-replica/index.html")
    assert "<h1" in html and "Replica served the old schema" in html
    card = html[html.index('class="pm-card"'):html.index("</dl>")]
    facts = " ".join(text_of(card).split())
    assert "SEV2" in facts and "resolved" in facts
    assert "Started 2013-06-12 02:10" in facts and "Resolved 2013-06-12 03:00" in facts
    assert "Duration 50 min" in facts
    assert "Downtime 28 min" in facts
    assert "Services web , database" in facts or "Services web, database" in facts
    assert "Cause database : pgpool sent reads to a replica" in facts
    assert 'href="../../services/database/"' in card
    assert 'href="../../causes/database/"' in card
    assert "Pinot noir helped." in html  # the body
    timeline = text_of(html[html.index('class="pm-timeline"'):])
    order = [timeline.index(word) for word in ("Started", "Detected", "Pointed the app", "Resolved")]
    assert order == sorted(order)
    assert 'href="https://tracker.example.com/OPS-7"' in html
    assert "overdue" in html  # due 2013-06-20, open, as of 2013-07-01
    assert 'href="../2013-06-20-launch/"' in html


def test_related_links_go_both_ways(site):
    html = read(site, "incidents/2013-06-20-launch/index.html")
    assert 'href="../2013-06-12-replica/"' in html
    assert "links here" in html


def test_index_lists_newest_first_with_filter_columns(site):
    html = read(site, "incidents/index.html")
    table = html[html.index('<table class="pm-incidents">'):html.index("</table>")]
    rows = [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table)[1:]]
    assert rows == [
        ["2013-06-20", "Launch-day connection storm", "SEV1", "web, database", "18 min", "capacity"],
        ["2013-06-12", "Replica served the old schema", "SEV2", "web, database", "28 min", "database"],
        ["2013-05-02", "Stylesheet stuck behind the CDN", "SEV3", "web, cdn", "18 min", "config"],
    ]
    keys = re.findall(r'<th data-pm-key="(\w+)">', table)
    assert keys == ["year", "severity", "services", "cause"]
    assert 'data-pm-filter="services"' in html and "<option value=\"cdn\">cdn</option>" in html
    assert "assets/postmortems/postmortems.js" in html


def test_dashboard_shows_figures_from_the_engine(site, tmp_path):
    html = read(site, "uptime/index.html")
    data = json.loads(read(site, "uptime.json"))
    for key, window in data["site"]["windows"].items():
        assert f'<span class="pm-figure-value">{unescape(window["display"])}</span>'.replace(">", "&gt;", 0) in unescape(html) or \
            window["display"].replace(">", "&gt;") in html
    # 28 + 18 minutes of outage on web, 60 minutes at 0.3 on cdn; as of 2013-07-01, since 2013-01-01.
    all_time = data["site"]["windows"]["all"]
    assert all_time["downtime_minutes"] == 28 + 18 + 18
    assert all_time["display"] == ">99.97%"
    assert data["services"]["cdn"]["windows"]["all"]["downtime_minutes"] == 18
    assert "&gt;99.97%" in html
    assert 'href="../uptime/ledger/site/#window-all"' in html or 'href="ledger/site/#window-all"' in html
    assert html.count('class="pm-statusbar') >= 4  # all services, web, database, cdn
    assert "Downtime per month" in html and "<svg" in html


def test_ledger_shows_the_math(site):
    html = read(site, "uptime/ledger/site/index.html")
    assert 'id="window-all"' in html and 'id="month-2013-06"' in html
    all_time = html[html.index('id="window-all"'):html.index('id="month-2013-01"')]
    assert "&gt;99.97%" in all_time and "those of the calendar months below" in all_time
    months = html[html.index('id="month-2013-05"'):]
    assert "2013-06-12-replica" in months and "2013-05-02-css" in months
    assert "0.3" in months
    recent = html[html.index('id="window-30d"'):html.index('id="window-90d"')]
    assert "2013-06-12-replica" in recent and "2013-05-02-css" not in recent


def test_service_cause_tag_and_action_pages(site):
    web = read(site, "services/web/index.html")
    assert "Replica served the old schema" in web and "Stylesheet stuck behind the CDN" in web
    assert "Stylesheet" not in read(site, "services/database/index.html")
    causes = text_of(read(site, "causes/index.html"))
    assert "capacity" in causes and "database" in causes and "config" in causes
    assert "pgpool sent reads" in read(site, "causes/database/index.html")
    assert "Launch-day connection storm" in read(site, "tags/capacity/index.html")
    actions = read(site, "action-items/index.html")
    assert "Alert on replication lag" in actions and "dana" in actions
    open_table = actions[:actions.index("Recently done and dropped")]
    assert "Backward-compatible migrations only" not in open_table


def test_machine_readable_outputs(site):
    incidents = json.loads(read(site, "incidents.json"))
    assert [i["id"] for i in incidents["incidents"]] == ["2013-06-20-launch", "2013-06-12-replica", "2013-05-02-css"]
    replica = incidents["incidents"][1]
    assert replica["url"] == "incidents/2013-06-12-replica/"
    assert replica["started"] == "2013-06-12T02:10:00Z"
    assert replica["cause"] == {"category": "database", "summary": "pgpool sent reads to a replica whose replication was broken"}
    feed = ET.fromstring(read(site, "feed.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.find("a:title", ns).text for e in feed.findall("a:entry", ns)] == [
        "Launch-day connection storm", "Replica served the old schema", "Stylesheet stuck behind the CDN"]
    badge = ET.fromstring(read(site, "badges/uptime-all.svg"))
    assert ">99.97%" in "".join(badge.itertext())
    assert (site / "badges" / "web" / "uptime-30d.svg").exists()


def test_markdown_pages_embed_live_figures(site):
    html = read(site, "index.html")
    data = json.loads(read(site, "uptime.json"))
    expected_all = data["site"]["windows"]["all"]["display"].replace(">", "&gt;")
    expected_web = data["services"]["web"]["windows"]["30d"]["display"].replace(">", "&gt;")
    assert f"We kept {expected_all} overall and {expected_web} for web." in html


def test_incidents_are_not_in_the_sidebar_but_are_searchable(site):
    home = read(site, "index.html")
    nav = home[home.index('class="md-nav md-nav--primary"'):home.index('md-sidebar--secondary')]
    assert "Uptime" in nav and "Incidents" in nav
    assert "2013-06-12-replica" not in nav
    index = json.loads(read(site, "search/search_index.json"))
    docs = [doc for doc in index["docs"] if doc["location"].startswith("incidents/2013-06-12-replica/")]
    text = " ".join(doc["title"] + " " + doc["text"] for doc in docs)
    for words in ("Replica served the old schema", "pgpool", "Pinot noir", "Pointed the app straight at the primary", "database"):
        assert words in text
    # the related incident is linked from the page, but searching its title finds that incident, not this one
    assert "Launch-day connection storm" in read(site, "incidents/2013-06-12-replica/index.html")
    assert "Launch-day connection storm" not in text


def test_the_cli_prints_the_same_uptime_json(site, tmp_path):
    from click.testing import CliRunner

    from postmortems.cli.main import main

    config = site.parent / "mkdocs.yml"
    result = CliRunner().invoke(main, ["stats", "--json", "-f", str(config)])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads(read(site, "uptime.json"))
    table = CliRunner().invoke(main, ["stats", "-f", str(config)]).output
    assert ">99.97%" in table and "cdn" in table


def test_invalid_incidents_warn_publish_the_rest_and_fail_strict(tmp_path):
    broken = {"2013-06-01-typo.md": incident(title="Typo", extra="downtime_minute: 3"),
              "2013-06-02-empty.md": ""}
    config = write_site(tmp_path, {**INCIDENTS, **broken})
    site, warnings = build_and_capture(config)
    assert any("incidents/2013-06-01-typo.md:8: unknown field 'downtime_minute'" in w for w in warnings)
    assert any("incidents/2013-06-02-empty.md: is empty" in w for w in warnings)
    assert any("left out of the wiki" in w and "2013-06-01-typo.md" in w and "2013-06-02-empty.md" in w for w in warnings)
    for name in INCIDENTS:
        assert (site / "incidents" / name[:-3] / "index.html").exists()
    assert not (site / "incidents" / "2013-06-01-typo").exists()
    with pytest.raises(Abort):
        build_site(config, strict=True, site_dir=tmp_path / "strict-site")


def test_hostile_values_are_escaped_everywhere(tmp_path):
    hostile = incident(
        title='<script>alert(1)</script> "><img src=x onerror=alert(2)>',
        services='["<b>web</b>", "api\\"><svg onload=alert(3)>"]',
        extra="""
        cause: {category: "</script><script>alert(4)</script>", summary: "]]> <iframe src=javascript:alert(5)>"}
        tags: ["<i>tag</i>"]
        action_items:
          - title: "<img src=x onerror=alert(6)>"
            owner: "</td><script>alert(7)</script>"
        timeline:
          - at: "11:30"
            event: "<script>alert(8)</script>"
        """,
    )
    config = write_site(tmp_path, {"2013-06-20-hostile.md": hostile})
    site = build_site(config, strict=True)
    for path in site.rglob("*"):
        if path.suffix not in (".html", ".json", ".xml", ".svg") or "assets" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("<script>alert", "<img src=x", "<svg onload", "<iframe", "<b>web</b>", "<i>tag</i>", "onerror=alert(6)>"):
            assert needle not in text, f"{needle} unescaped in {path.relative_to(site)}"
    page = read(site, "incidents/2013-06-20-hostile/index.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<script>" not in title


def test_template_override_and_theme_override_both_apply(tmp_path):
    config = write_site(tmp_path, INCIDENTS, config={"theme": {"name": "material", "font": False, "custom_dir": "overrides"}})
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "incident.md").write_text("# {{ md(incident.title) }}\n\nOUR-OWN-LAYOUT {{ incident.severity }}\n")
    (tmp_path / "overrides").mkdir()
    (tmp_path / "overrides" / "main.html").write_text(
        '{% extends "base.html" %}{% block announce %}THEME-OVERRIDE{% endblock %}')
    site = build_site(config, strict=True)
    page = read(site, "incidents/2013-06-12-replica/index.html")
    assert "OUR-OWN-LAYOUT SEV2" in page and "pm-card" not in page
    assert "THEME-OVERRIDE" in page
    assert "pm-card" not in read(site, "incidents/index.html") and "pm-incidents" in read(site, "incidents/index.html")


def test_an_override_can_include_the_packaged_template_it_replaces(tmp_path):
    config = write_site(tmp_path, INCIDENTS)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "dashboard.md").write_text(
        '{% include "postmortems/dashboard.md" %}\n\n## How we count\n\nOUR-NOTE for {{ report.services|length }} services.\n')
    site = build_site(config, strict=True)
    dashboard = read(site, "uptime/index.html")
    packaged = read(build_site(write_site(tmp_path / "plain", INCIDENTS), strict=True), "uptime/index.html")
    services = len(json.loads(read(site, "uptime.json"))["services"])
    assert f"OUR-NOTE for {services} services." in dashboard and 'id="how-we-count"' in dashboard
    for part in ("pm-figures", "pm-statusbar", "pm-chart"):  # what the packaged dashboard shows is still there
        assert part in packaged and part in dashboard
    assert dashboard.count("OUR-NOTE") == 1


def test_broken_override_template_fails_with_one_clear_error(tmp_path):
    config = write_site(tmp_path, INCIDENTS)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "dashboard.md").write_text("# Uptime\n{% for x in %}\n")
    with pytest.raises(Abort):
        build_and_capture(config)
    _, messages = _build_logging_errors(config)
    assert messages == ["postmortems: template dashboard.md:2: Expected an expression, got 'end of statement block' "
                        f"(in {tmp_path / 'templates' / 'dashboard.md'})"]


def _build_logging_errors(config):
    """Build, returning (aborted, the messages logged at ERROR)."""
    import logging

    from sitebuilder import Captured

    handler = Captured()
    handler.setLevel(logging.ERROR)
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        build_site(config)
        return False, handler.messages
    except Abort:
        return True, handler.messages
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"timezone": "Mars/Olympus"}, "option 'timezone': unknown time zone 'Mars/Olympus'"),
        ({"weights": {"meltdown": 1}}, "unknown level 'meltdown'"),
        ({"policy": "generous"}, "option 'policy': Expected one of: ('statuspage', 'binary') but received: 'generous'"),
        ({"windows": [7, "month"]}, "option 'windows'"),
        ({"since": "2013-01-01"}, "since needs a time of day"),
        ({"slo": 120}, "slo must be a percentage above 0 and below 100"),
    ],
)
def test_wrong_option_fails_with_mkdocs_config_error(tmp_path, options, message):
    config = write_site(tmp_path, INCIDENTS, options=options)
    aborted, messages = _build_logging_errors(config)
    assert aborted
    assert any(message in m and "Plugin 'postmortems'" in m for m in messages), messages


def test_url_prefix_and_plain_urls(tmp_path):
    config = write_site(tmp_path, INCIDENTS, options={"url_prefix": "postmortems/"}, config={"use_directory_urls": False})
    site = build_site(config, strict=True)
    assert (site / "postmortems" / "2013-06-12-replica.html").exists()
    index = read(site, "postmortems/index.html")
    assert 'href="2013-06-12-replica.html"' in index
    assert json.loads(read(site, "incidents.json"))["incidents"][1]["url"] == "postmortems/2013-06-12-replica.html"


def test_incidents_folder_inside_docs_is_not_published_twice(tmp_path):
    config = write_site(tmp_path, {}, options={"incidents_dir": "docs/incidents"})
    for name, text in INCIDENTS.items():
        (tmp_path / "docs" / "incidents" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "docs" / "incidents" / name).write_text(text)
    site = build_site(config, strict=True)
    assert "pm-card" in read(site, "incidents/2013-06-12-replica/index.html")


def test_unknown_figure_in_markdown_warns(tmp_path):
    config = write_site(tmp_path, INCIDENTS, docs={"index.md": '# Home\n\n{{ uptime("13d") }} and {{ uptime("all", service="nope") }}\n'})
    site, warnings = build_and_capture(config)
    assert any("unknown window '13d'" in w for w in warnings)
    assert any("unknown service 'nope'" in w for w in warnings)
    assert "n/a and n/a" in read(site, "index.html")


def test_html_islands_are_all_put_back(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        assert "data-pm-island" not in path.read_text(encoding="utf-8"), path
    dashboard = read(site, "uptime/index.html")
    assert dashboard.count('<table class="pm-uptime">') == 1 and "<svg" in dashboard


def test_an_incident_before_since_says_it_is_not_counted(tmp_path):
    early = incident(title="Before launch", started="2012-12-30 10:00", resolved="2012-12-30 15:00", downtime=300)
    config = write_site(tmp_path, {**INCIDENTS, "2012-12-30-early.md": early})
    site = build_site(config, strict=True)
    card = text_of(read(site, "incidents/2012-12-30-early/index.html"))
    assert "not counted: before tracking began on 2013-01-01" in " ".join(card.split())
    assert "not counted" not in text_of(read(site, "incidents/2013-06-12-replica/index.html"))


def test_a_long_history_lists_recent_years_on_the_index_and_older_years_on_their_own_pages(tmp_path):
    def dated(year, n):
        return incident(title=f"Incident {year}-{n}", started=f"{year}-03-0{n} 10:00", resolved=f"{year}-03-0{n} 11:00",
                        services="[web]", downtime=5)

    incidents = {f"{year}-03-0{n}-x.md": dated(year, n) for year in (2011, 2012, 2013) for n in (1, 2, 3)}
    incidents["2013-04-01-y.md"] = dated(2013, 4).replace("2013-03-04", "2013-04-01")
    config = write_site(tmp_path, incidents, options={"since": "2011-01-01 00:00", "index_limit": 5})
    site = build_site(config, strict=True)
    index = read(site, "incidents/index.html")
    # 2013 (4 incidents) fits in 5; 2012 would not: it gets a page, and so does every older year
    assert "Incident 2013-4" in index and "Incident 2013-1" in index and "Incident 2012-3" not in index
    assert 'href="years/2012/">2012</a> (3)' in index and 'href="years/2011/">2011</a> (3)' in index
    older = read(site, "incidents/years/2011/index.html")
    assert all(f"Incident 2011-{n}" in older for n in (1, 2, 3)) and "Incident 2012" not in older
    assert 'href="../../2011-03-01-x/"' in older and 'href="../../"' in older
    assert read(site, "incidents/2011-03-01-x/index.html")  # every incident keeps its page
    assert '<option value="2011">2011</option>' in older and '<option value="2012">' not in older
