"""The incident page tells the whole story: each service's impact (level, span with its time zone,
weight) and links to the ledger rows the incident is counted in, which exist and name it."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from sitebuilder import build_site, incident, write_site

OPTIONS = {"timezone": "America/New_York", "since": "2013-01-01 00:00", "as_of": "2013-12-01 00:00"}
# Across the night clocks go back (EDT to EST), and across the end of October: two months, two zones.
NIGHT = incident(
    title="Failover across the clock change", started="2013-10-31 23:30", resolved="2013-11-03T01:30:00-05:00",
    services="[web, database]", downtime="~",
    extra="""
    impact:
      - service: web
        level: outage
        end: 2013-11-01 00:30
      - service: database
        level: partial
        fraction: 0.25
    """)
PLAIN = incident(title="Plain outage", started="2013-06-20 11:05", resolved="2013-06-20 12:00", services="[web, api]",
                 downtime=18)
MAINTENANCE = incident(title="Planned", started="2013-05-05 06:00", resolved="2013-05-05 07:00", services="[web]",
                       downtime=60, extra="maintenance: true")
WIKI = {"2013-10-31-night.md": NIGHT, "2013-06-20-plain.md": PLAIN, "2013-05-05-planned.md": MAINTENANCE}


def _section(html: str) -> str:
    start = html.index('id="downtime-by-service"')
    return html[start:html.index("</table>", start) + len("</table>") + 400]


def _rows(section: str) -> list[list[str]]:
    body = section[section.index("<tbody>"):section.index("</tbody>")]
    return [[cell for cell in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _target(site: Path, page: Path, href: str) -> tuple[Path, str]:
    path, _, anchor = href.partition("#")
    folder = (page.parent / path).resolve()
    return (folder / "index.html" if folder.is_dir() else folder), anchor


def test_each_entry_with_level_span_zone_weight_and_its_ledger_rows(tmp_path):
    site = build_site(write_site(tmp_path, WIKI, options=OPTIONS), strict=True)
    page = site / "incidents" / "2013-10-31-night" / "index.html"
    html = page.read_text()
    section = _section(html)
    assert "Times in America/New_York." in section
    rows = _rows(section)
    assert [_text(row[0]) for row in rows] == ["web", "database"]
    web, database = rows
    assert [_text(cell) for cell in web[1:6]] == ["outage", "2013-10-31 23:30 EDT", "2013-11-01 00:30 EDT", "1",
                                                  "60 × 1 = 60"]
    # The database's partial, with its fraction, to resolved: past the night clocks went back (EST).
    assert [_text(cell) for cell in database[1:5]] == ["partial (fraction)", "2013-10-31 23:30 EDT",
                                                       "2013-11-03 01:30 EST", "0.25"]
    assert _text(database[5]) == "3,060 × 0.25 = 765"  # 51 hours: the night has 25
    # Ledger links: web's row in October and in November; each exists and its row names the incident.
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', web[6])
    assert [text for _, text in links] == ["web 2013-10", "web 2013-11"]
    site_links = re.findall(r'<a href="([^"]+)">(2013-1[01])</a>', section[section.index("</table>"):])
    assert [text for _, text in site_links] == ["2013-10", "2013-11"]
    for href, _ in links + re.findall(r'<a href="([^"]+)">([^<]+)</a>', database[6]) + site_links:
        target, anchor = _target(site, page, href)
        ledger = target.read_text()
        row = re.search(rf'<tr id="{re.escape(anchor)}">(.*?)</tr>', ledger, re.S)
        assert row, (href, "no such row")
        assert "2013-10-31-night" in row.group(1)
        assert anchor.startswith(("month-2013-10-at-", "month-2013-11-at-"))
    assert links[0][0].endswith("uptime/ledger/service-web/#month-2013-10-at-20131101T033000Z")  # its start in UTC
    # The card's times carry the zone too.
    card = html[html.index('class="pm-facts"'):html.index("</dl>")]
    assert "2013-10-31 23:30 EDT" in card and "2013-11-03 01:30 EST" in card


def test_an_incident_without_impact_shows_the_outage_its_minutes_make(tmp_path):
    site = build_site(write_site(tmp_path, WIKI, options=OPTIONS), strict=True)
    section = _section((site / "incidents" / "2013-06-20-plain" / "index.html").read_text())
    assert "(from <code>downtime_minutes</code>: a full outage of each service)" in section
    rows = _rows(section)
    assert [[_text(cell) for cell in row[:6]] for row in rows] == [
        ["web", "outage", "2013-06-20 11:05 EDT", "2013-06-20 11:23 EDT", "1", "18 × 1 = 18"],
        ["api", "outage", "2013-06-20 11:05 EDT", "2013-06-20 11:23 EDT", "1", "18 × 1 = 18"],
    ]


def test_what_the_figures_do_not_count_links_to_no_ledger_row(tmp_path):
    site = build_site(write_site(tmp_path, WIKI, options=OPTIONS), strict=True)
    section = _section((site / "incidents" / "2013-05-05-planned" / "index.html").read_text())
    assert "Here: not counted: planned maintenance." in section
    assert _text(_rows(section)[0][6]) == "not counted"
    assert "In the ledger of all services" not in section


def test_ledger_rows_keep_their_ids_when_other_incidents_come(tmp_path):
    first = build_site(write_site(tmp_path / "a", {"2013-06-20-plain.md": PLAIN}, options=OPTIONS), strict=True)
    second = build_site(write_site(tmp_path / "b", WIKI, options=OPTIONS), strict=True)
    ids = [re.findall(r'<tr id="(month-2013-06-at-[^"]+)"', (site / "uptime" / "ledger" / "site" / "index.html").read_text())
           for site in (first, second)]
    assert ids[0] == ids[1] == ["month-2013-06-at-20130620T150500Z"]
