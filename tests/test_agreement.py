"""Every output agrees with every other: counts, downtime, links, figures, across pages and files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

from click.testing import CliRunner

from conftest import ROOT
from postmortems.cli.main import main
from sitebuilder import build_and_capture, build_site, incident, write_site


def read(site: Path, uri: str) -> str:
    return (site / uri).read_text(encoding="utf-8")


def cells(html: str, table_class: str) -> list[list[str]]:
    table = html[html.index(f'<table class="{table_class}">'):]
    table = table[:table.index("</table>")]
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table)]


def test_the_example_counts_each_service_the_same_everywhere(tmp_path, monkeypatch):
    site = build_site(ROOT / "mkdocs.yml", strict=True, site_dir=tmp_path / "site")
    document = json.loads(read(site, "uptime.json"))
    counted = {name: scope["windows"]["all"]["incidents"] for name, scope in document["services"].items()}
    counted["All services"] = document["site"]["windows"]["all"]["incidents"]
    dashboard = {row[0]: int(row[-1]) for row in cells(read(site, "uptime/index.html"), "pm-uptime")[1:] if row}
    services = {row[0]: int(row[-1]) for row in cells(read(site, "services/index.html"), "pm-uptime")[1:] if row}
    assert dashboard == counted
    assert services == {name: count for name, count in counted.items() if name != "All services"}
    monkeypatch.chdir(ROOT)
    table = CliRunner().invoke(main, ["stats"]).stdout
    row = next(line for line in table.splitlines() if line.startswith("incidents (all)")).split()[2:]
    header = next(line for line in table.splitlines() if line.startswith("window")).split()[1:]
    assert dict(zip(["All services", *header[2:]], map(int, row))) == counted
    # Causes: the causes page counts what the dashboard's chart and uptime.json count.
    by_cause = document["site"]["windows"]["all"]["by_cause"]
    causes = read(site, "causes/index.html")
    shown = dict(re.findall(r'<a href="[^"]+/">([^<]+)</a> <span class="pm-count">(\d+)</span>', causes))
    assert {name: int(count) for name, count in shown.items() if int(count)} == by_cause
    chart = read(site, "uptime/index.html")
    for name, count in by_cause.items():
        assert re.search(rf"<title>{re.escape(name)}: {count}</title>", chart), name


def test_rows_say_which_minutes_are_not_counted_and_service_pages_show_their_own(tmp_path):
    incidents = {
        "2012-12-31-before.md": incident(title="Before launch", started="2012-12-31 10:00",
                                         resolved="2012-12-31 11:00", downtime=30, services="[web]"),
        "2012-12-31-across.md": incident(title="Across launch", started="2012-12-31 23:30",
                                         resolved="2013-01-01 01:00", downtime=60, services="[web]"),
        "2013-02-01-planned.md": incident(title="Planned", started="2013-02-01 10:00", resolved="2013-02-01 11:00",
                                          downtime=20, services="[web]", extra="maintenance: true"),
        "2013-03-01-mixed.md": incident(title="Mixed", started="2013-03-01 10:00", resolved="2013-03-01 12:00",
                                        services="[web, database]", downtime=40, extra="""
            impact:
              - {service: web, level: outage, end: 2013-03-01 10:40}
              - {service: database, level: partial}
        """),
    }
    site = build_site(write_site(tmp_path, incidents), strict=True)
    rows = {row[1]: row[4] for row in cells(read(site, "incidents/index.html"), "pm-incidents")[1:]}
    assert rows["Before launch"] == "30 min (not counted: before tracking began)"
    assert rows["Across launch"] == "1 h 00 min (partly before tracking began)"
    assert rows["Planned (maintenance)"] == "20 min (not counted: planned maintenance)"
    assert rows["Mixed"] == "1 h 04 min"  # 40 min outage, then 80 min at 0.3 on the database
    web = {row[1]: row[4] for row in cells(read(site, "services/web/index.html"), "pm-incidents")[1:]}
    database = {row[1]: row[4] for row in cells(read(site, "services/database/index.html"), "pm-incidents")[1:]}
    assert web["Mixed"] == "40 min" and database["Mixed"] == "36 min"  # 120 min at 0.3


def test_live_figures_work_in_incident_bodies_but_not_in_code(tmp_path):
    body = ('## Summary\n\nThat month we kept {{ uptime("30d") }}; web kept {{ uptime("30d", "web") }}.\n\n'
            'Write `{{ uptime("30d") }}` in a page.\n\n```\n{{ uptime("all") }}\n```\n')
    config = write_site(tmp_path, {"2013-06-20-x.md": incident(body=body)})
    site, warnings = build_and_capture(config, strict=True)
    document = json.loads(read(site, "uptime.json"))
    html = read(site, "incidents/2013-06-20-x/index.html")
    thirty = document["site"]["windows"]["30d"]["display"].replace(">", "&gt;")
    web = document["services"]["web"]["windows"]["30d"]["display"].replace(">", "&gt;")
    assert f"That month we kept {thirty}; web kept {web}." in html
    assert '<code>{{ uptime("30d") }}</code>' in html
    assert '{{ uptime("all") }}' in unescape(html[html.index("<pre"):])
    assert warnings == []


def test_figures_that_cannot_be_shown_warn_in_pages_and_bodies_and_check_agrees(tmp_path, monkeypatch):
    config = write_site(tmp_path, {"2013-06-20-x.md": incident(body='We kept {{ uptime("31d") }}.\n')},
                        docs={"index.md": '# Home\n\n{{ uptime(90d) }} and {{ uptime("all", service="nope") }}\n'})
    site, warnings = build_and_capture(config)
    assert "We kept n/a." in read(site, "incidents/2013-06-20-x/index.html")
    assert any(w.startswith("postmortems: docs/index.md:3: {{ uptime( that does not read as a figure") for w in warnings)
    assert any("docs/index.md:3: {{ uptime(\"all\", service=\"nope\") }}: unknown service 'nope'" in w for w in warnings)
    assert any("incidents/2013-06-20-x.md: body line 1: {{ uptime(\"31d\") }}: unknown window '31d'" in w
               for w in warnings)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert "incidents/2013-06-20-x.md: body line 1" in result.stderr


def test_a_wiki_without_a_30_day_window_builds_strict(tmp_path):
    config = write_site(tmp_path, {"2013-06-20-x.md": incident()}, options={"windows": [7, 90]})
    site = build_site(config, strict=True)
    assert "badges/uptime-7d.svg" in read(site, "uptime/index.html")
    assert (site / "badges" / "uptime-7d.svg").exists() and not (site / "badges" / "uptime-30d.svg").exists()


def test_action_item_links_lead_to_one_place_from_every_page(tmp_path):
    extra = """
        action_items:
          - {title: Runbook, link: runbooks/replication/}
          - {title: Anchor, link: "guide.html#lag"}
    """
    site = build_site(write_site(tmp_path, {"2013-06-20-x.md": incident(extra=extra)},
                                 docs={"index.md": "# Home\n", "runbooks/replication.md": "# R\n"}), strict=True)
    page, items = read(site, "incidents/2013-06-20-x/index.html"), read(site, "action-items/index.html")
    assert 'href="../../runbooks/replication/"' in page and 'href="../runbooks/replication/"' in items
    assert 'href="../../guide.html#lag"' in page and 'href="../guide.html#lag"' in items
    for name, html, base in (("incident", page, "incidents/2013-06-20-x/"), ("items", items, "action-items/")):
        for href in re.findall(r'href="([^"]*runbooks[^"]*)"', html):
            assert (site / base / href / "index.html").resolve() == (site / "runbooks/replication/index.html"), name


def test_links_to_another_host_without_a_scheme_are_refused(tmp_path, monkeypatch):
    for n, link in enumerate(["//evil.test/x", "\\\\\\\\evil.test\\\\x", "/\\\\evil.test"]):
        write_site(tmp_path / str(n), {"2013-06-20-x.md": incident(extra=f'action_items: [{{title: T, link: "{link}"}}]')})
        monkeypatch.chdir(tmp_path / str(n))
        result = CliRunner().invoke(main, ["check"])
        assert result.exit_code == 1 and "is not a web address" in result.stderr, link


def test_related_twice_is_listed_once(tmp_path):
    site = build_site(write_site(tmp_path, {
        "2013-06-20-a.md": incident(title="A", extra="related: [2013-06-21-b, 2013-06-21-b]"),
        "2013-06-21-b.md": incident(title="B", started="2013-06-21 10:00", resolved="2013-06-21 11:00")}))
    assert read(site, "incidents/2013-06-20-a/index.html").count('href="../2013-06-21-b/"') == 1
    assert json.loads(read(site, "incidents.json"))["incidents"][1]["related"] == ["2013-06-21-b"]


def test_a_body_cannot_address_the_plugins_placeholders(tmp_path):
    forged = "".join(f'<div data-pm-island="{n}"></div>\n<div data-pm-island=":{n}"></div>\n' for n in range(6))
    site = build_site(write_site(tmp_path, {"2013-06-20-x.md": incident(body=f"## Summary\n\n{forged}\n")}))
    html = read(site, "incidents/2013-06-20-x/index.html")
    assert html.count('class="pm-card"') == 1 and html.count('class="pm-timeline"') == 1
    assert html.count('data-pm-island="0"') == 1  # the writer's own markup, as written


def test_dirty_builds_refresh_live_figures_in_hand_written_pages(tmp_path):
    config = write_site(tmp_path, {"2013-06-20-x.md": incident(downtime=18)},
                        docs={"index.md": '# Home\n\nWe kept {{ uptime("30d") }}.\n', "other.md": "# Other\n"})
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-f", str(config)]
    subprocess.run(mkdocs, check=True, env=env, capture_output=True)
    home = tmp_path / "site" / "index.html"
    before = re.search(r"We kept ([^<]*)\.", home.read_text()).group(1)
    time.sleep(0.05)
    (tmp_path / "incidents" / "2013-06-20-x.md").write_text(incident(downtime=50), encoding="utf-8")
    subprocess.run([*mkdocs, "--dirty"], check=True, env=env, capture_output=True)
    after = re.search(r"We kept ([^<]*)\.", home.read_text()).group(1)
    clean = tmp_path / "clean"
    subprocess.run([*mkdocs, "-d", str(clean)], check=True, env=env, capture_output=True)
    assert after == re.search(r"We kept ([^<]*)\.", (clean / "index.html").read_text()).group(1) != before


def test_urls_are_percent_encoded_alike_in_pages_json_and_feed(tmp_path):
    site = build_site(write_site(tmp_path, {"café-outage.md": incident(title="Café")},
                                 config={"site_url": "https://status.example.com/"}), strict=True)
    assert (site / "incidents" / "café-outage" / "index.html").exists()
    index = read(site, "incidents/index.html")
    assert 'href="caf%C3%A9-outage/"' in index
    assert json.loads(read(site, "incidents.json"))["incidents"][0]["url"] == "incidents/caf%C3%A9-outage/"
    feed = read(site, "feed.xml")
    assert 'href="https://status.example.com/incidents/caf%C3%A9-outage/"' in feed
    assert "café-outage/" not in feed


def test_the_markdown_extension_shows_the_same_figures_without_the_plugin(tmp_path, monkeypatch, caplog):
    import markdown

    config = write_site(tmp_path, {"2013-06-20-x.md": incident()})
    site = build_site(config, strict=True)
    document = json.loads(read(site, "uptime.json"))
    text = ('We kept {{ uptime("30d") }}, web {{ uptime("all", "web") }}, database '
            '{{ uptime("90d", service="database") }}.\n\n`{{ uptime("30d") }}`\n\n```\n{{ uptime("all") }}\n```\n\n'
            '{{ uptime("31d") }} {{ uptime(30d) }}\n')
    monkeypatch.chdir(tmp_path)  # found as the command line finds it
    for extension in ("postmortems.markdown", __import__("postmortems.markdown").markdown.makeExtension(config_file=str(config))):
        html = markdown.markdown(text, extensions=[extension, "fenced_code"])
        expected = (f"We kept {document['site']['windows']['30d']['display']}, web "
                    f"{document['services']['web']['windows']['all']['display']}, database "
                    f"{document['services']['database']['windows']['90d']['display']}.")
        assert f"<p>{expected.replace('>', '&gt;')}</p>" in html
        assert '<code>{{ uptime("30d") }}</code>' in html and '{{ uptime(&quot;all&quot;) }}' in html
        assert "<p>n/a {{ uptime(30d) }}</p>" in html
    warned = [record.getMessage() for record in caplog.records if record.name.startswith("mkdocs.plugins.postmortems")]
    assert any("line 9: {{ uptime(\"31d\") }}: unknown window '31d'" in message for message in warned)
    assert any("line 9: {{ uptime( that does not read as a figure" in message for message in warned)
