"""What is broken now: the open incidents at as-of, as the dashboard, the service pages, ``{{ status() }}``
and ``uptime.json`` show them; and the status bars reaching the as-of day. Real sites, built in temporary
folders, read back as HTML and JSON."""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import markdown
import pytest
from mkdocs.exceptions import Abort

from postmortems.incidents.model import Impact, Incident
from postmortems.uptime.status import levels_now, ongoing
from sitebuilder import build_and_capture, build_site, incident, write_site

NY = {"timezone": "America/New_York", "since": "2013-01-01 00:00", "as_of": "2013-07-01 00:00"}
# Open since Sunday night: web out for 8 minutes, then api slow and still open at as-of.
OPEN = incident(
    title='Scoreboard <script>alert(1)</script> & "friends"', severity="SEV2", started="2013-06-30 20:41",
    resolved="~", services="[web, api]", downtime="~",
    extra="""
    status: monitoring
    impact:
      - service: web
        level: outage
        end: 2013-06-30 20:49
      - service: api
        level: partial
        start: 2013-06-30 20:49
    """)
CLOSED = incident(title="CDN hiccup", severity="SEV3", started="2013-06-02 10:00", resolved="2013-06-02 10:30",
                  services="[cdn]", downtime=5)
WIKI = {"2013-06-30-scoreboard.md": OPEN, "2013-06-02-cdn.md": CLOSED}
HOME = ("# Home\n\nRight now:\n\n{{ status() }}\n\nThe API alone:\n\n{{ status(\"api\") }}\n\n"
        "Written as `{{ status() }}`, in code:\n\n```\n{{ status(\"web\") }}\n```\n")
NESTED = "# Now\n\n{{ status('web') }}\n"


def _read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def _block(html: str) -> str:
    """The first status block of a page."""
    match = re.search(r'<div class="admonition [a-z]+ pm-current[^"]*" role="status">.*?</div>', html, re.S)
    assert match, "no status block"
    return match.group(0)


def _resolves(site: Path, page: str, href: str) -> Path:
    """The file a relative link of the page ``page`` (a site path like ``team/now/index.html``) leads to."""
    target = (site / page).parent.joinpath(href.split("#")[0]).resolve()
    return target / "index.html" if target.is_dir() else target


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("status")
    config = write_site(root, WIKI, options=NY, docs={"index.md": HOME, "team/now.md": NESTED})
    site, warnings = build_and_capture(config, strict=True)
    return site, warnings


def test_the_dashboard_opens_with_the_open_incident(built):
    site, warnings = built
    assert warnings == []
    block = _block(_read(site, "uptime/index.html"))
    assert 'class="admonition warning pm-current pm-current-open"' in block  # the worst level now: partial
    assert '<p class="admonition-title">1 open incident</p>' in block
    # The title is escaped once, and links to the incident's page.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;friends&quot;" in block and "<script>" not in block
    href = re.search(r'<a href="([^"]+)">Scoreboard', block).group(1)
    assert _resolves(site, "uptime/index.html", href) == (site / "incidents/2013-06-30-scoreboard/index.html").resolve()
    text = unescape(re.sub(r"<[^>]+>", "", block))
    assert "SEV2 monitoring" in text
    assert "web: no impact now, api: partial outage" in text  # web's outage ended at 20:49
    assert "since 2013-06-30 20:41 EDT (3 h 19 min)" in text
    assert "As of 2013-07-01 00:00 EDT (America/New_York)." in text
    assert '<time datetime="2013-07-01T00:41:00Z">' in block


def test_service_pages_show_the_incidents_open_on_them(built):
    site, _ = built
    for service in ("web", "api"):
        block = _block(_read(site, f"services/{service}/index.html"))
        assert f"1 open incident on {service}" in block and "2013-06-30-scoreboard" in block
    quiet = _block(_read(site, "services/cdn/index.html"))
    assert "pm-current-ok" in quiet and "No open incidents on cdn" in quiet and "<li" not in quiet


def test_status_figures_in_pages_link_from_where_they_stand_and_leave_code_alone(built):
    site, _ = built
    home = _read(site, "index.html")
    blocks = re.findall(r'<div class="admonition [a-z]+ pm-current[^"]*" role="status">.*?</div>', home, re.S)
    assert len(blocks) == 2 and "1 open incident</p>" in blocks[0] and "1 open incident on api</p>" in blocks[1]
    assert "<p><div" not in home  # a raw block, not inside a paragraph
    assert "<code>{{ status() }}</code>" in home and "<code>{{ status(&quot;web&quot;) }}" in home  # span and fence
    nested = _read(site, "team/now/index.html")
    href = re.search(r'<a href="([^"]+)">Scoreboard', _block(nested)).group(1)
    assert href == "../../incidents/2013-06-30-scoreboard/"
    assert _resolves(site, "team/now/index.html", href).is_file()


def test_uptime_json_lists_the_same_open_incident(built):
    site, _ = built
    document = json.loads(_read(site, "uptime.json"))
    assert document["ongoing"] == [{
        "id": "2013-06-30-scoreboard", "title": 'Scoreboard <script>alert(1)</script> & "friends"',
        "file": "incidents/2013-06-30-scoreboard.md", "severity": "SEV2", "status": "monitoring",
        "started": "2013-07-01T00:41:00Z", "level": "partial", "services": {"web": None, "api": "partial"},
        "maintenance": False, "unverified": False}]


def test_nothing_open_says_so_with_the_as_of_instant(tmp_path):
    config = write_site(tmp_path, {"2013-06-02-cdn.md": CLOSED}, options=NY, docs={"index.md": "# Home\n\n{{ status() }}\n"})
    site = build_site(config, strict=True)
    block = _block(_read(site, "uptime/index.html"))
    assert "pm-current-ok" in block and "No open incidents</p>" in block
    assert "As of" in block and "2013-07-01 00:00 EDT" in block
    assert json.loads(_read(site, "uptime.json"))["ongoing"] == []


def test_a_status_that_cannot_be_shown_is_a_warning_with_its_line(tmp_path):
    page = "# Home\n\n{{ status(\"nope\") }}\n\n{{ status(web) }}\n"
    config = write_site(tmp_path, WIKI, options=NY, docs={"index.md": page})
    site, warnings = build_and_capture(config)
    assert "postmortems: docs/index.md:3: {{ status(\"nope\") }}: unknown service 'nope' (services: api, cdn, web)" in warnings
    assert ("postmortems: docs/index.md:5: {{ status( that does not read as a figure: write {{ status() }} or "
            "{{ status(\"web\") }}") in warnings
    assert "<p>n/a</p>" in _read(site, "index.html")
    with pytest.raises(Abort):
        build_site(config, strict=True)


def test_an_invalid_open_file_is_in_the_status_as_its_worst_case(tmp_path):
    broken = incident(title="Broken", started="2013-06-29 10:00", resolved="~", services="[web]",
                      downtime="~", extra="status: investigating\nseverity_typo: 1")
    config = write_site(tmp_path, {"2013-06-29-broken.md": broken}, options=NY)
    site, _ = build_and_capture(config)
    block = _block(_read(site, "uptime/index.html"))
    assert "1 open incident" in block and "<code>incidents/2013-06-29-broken.md</code>" in block
    assert "counted as its worst case" in block and "<a href" not in block  # it has no page
    assert "web: outage" in unescape(re.sub(r"<[^>]+>", "", block))


def test_the_level_now_follows_the_impact_entries_and_downtime_minutes():
    tz = ZoneInfo("America/New_York")
    as_of = datetime(2013, 7, 1, 0, 0, tzinfo=tz)

    def make(**fields) -> Incident:
        base = dict(id="x", title="x", severity="SEV1", status="investigating", started=datetime(2013, 6, 30, 20, 0, tzinfo=tz),
                    resolved=None, services=["web", "api"], impact=[], downtime_minutes=None, maintenance=False)
        base.update(fields)
        return Incident.model_construct(**base)

    assert levels_now(make(), as_of) == (("web", "outage"), ("api", "outage"))  # no figure: the whole time
    assert levels_now(make(downtime_minutes=239.0), as_of) == (("web", ""), ("api", ""))  # ran out at 23:59
    assert levels_now(make(downtime_minutes=241.0), as_of) == (("web", "outage"), ("api", "outage"))
    entries = [Impact(service="web", level="degraded"), Impact(service="web", level="partial", end=as_of),
               Impact(service="api", level="outage", start=as_of)]
    assert levels_now(make(impact=entries), as_of) == (("web", "degraded"), ("api", "outage"))  # [start, end)
    later = make(id="later", started=datetime(2013, 7, 1, 0, 1, tzinfo=tz))
    closed = make(id="closed", resolved=datetime(2013, 6, 30, 21, 0, tzinfo=tz))
    assert [item.id for item in ongoing([make(), later, closed], as_of)] == ["x"]  # not started yet, or resolved


def test_the_status_bars_reach_the_as_of_day(tmp_path):
    today = incident(title="Today", started="2013-07-01 09:00", resolved="~", services="[web]", downtime="~",
                     extra="status: investigating\nimpact: [{service: web, level: outage}]")
    options = {**NY, "as_of": "2013-07-01 12:00"}
    site = build_site(write_site(tmp_path, {"2013-07-01-today.md": today}, options=options), strict=True)
    bars = re.findall(r'<svg[^>]*class="pm-statusbar".*?</svg>', _read(site, "uptime/index.html"), re.S)
    assert bars
    for bar in bars:  # the site's and web's: the last day is the as-of day, three hours down so far
        days = re.findall(r'<rect class="pm-day (pm-[a-z]+)"[^>]*><title>([^<]*)</title>', bar)
        assert len(days) == 90
        assert days[-1][0] == "pm-critical"
        assert days[-1][1].startswith("2013-07-01: ") and days[-1][1].endswith(" uptime, 180 min downtime\nToday")
        assert days[-2][1].startswith("2013-06-30: ")
    # At midnight the as-of day has no tracked minute yet: the bar ends with the day before.
    midnight = build_site(write_site(tmp_path / "midnight", {"2013-06-30-cdn.md": CLOSED.replace(
        "2013-06-02", "2013-06-30")}, options=NY), strict=True)
    bar = re.search(r'<svg[^>]*class="pm-statusbar".*?</svg>', _read(midnight, "uptime/index.html"), re.S).group(0)
    days = re.findall(r'<rect class="pm-day (pm-[a-z]+)"[^>]*><title>([^<]*)</title>', bar)
    assert days[-1][0] == "pm-minor" and days[-1][1].startswith("2013-06-30: ")  # its 5 minutes


def test_the_markdown_extension_shows_the_status_with_links_from_the_root(tmp_path):
    config = write_site(tmp_path, WIKI, options=NY)
    html = markdown.markdown("Now:\n\n{{ status() }}\n\n`{{ status() }}`\n",
                             extensions=["postmortems.markdown"],
                             extension_configs={"postmortems.markdown": {"config_file": str(config)}})
    assert '<div class="admonition warning pm-current pm-current-open" role="status">' in html
    assert '<a href="incidents/2013-06-30-scoreboard/">' in html
    assert "<code>{{ status() }}</code>" in html


# The example wiki: a newcomer sees an open incident and coloured days -------------------------------------
def test_the_example_shows_its_open_incident_and_coloured_days(mkdocs_site):
    dashboard = _read(mkdocs_site, "uptime/index.html")
    block = _block(dashboard)
    assert "1 open incident" in block and "2013-06-30-live-scoreboard-runs-app-servers-out-of-memory" in block
    assert "since 2013-06-30 20:41 EDT" in unescape(re.sub(r"<[^>]+>", "", block))
    bar = re.search(r'<svg[^>]*class="pm-statusbar".*?</svg>', dashboard, re.S).group(0)
    days = re.findall(r'<rect class="pm-day (pm-[a-z]+)"', bar)
    assert days[-1] == "pm-major" and days.count("pm-ok") < 90  # the day of the outage, in colour
    assert "1 open incident" in _block(_read(mkdocs_site, "index.html"))  # {{ status() }} on the home page
    document = json.loads(_read(mkdocs_site, "uptime.json"))
    assert document["site"]["windows"]["all"]["display"] == ">99.98%"  # the home page's claim still holds
    assert [item["id"] for item in document["ongoing"]] == ["2013-06-30-live-scoreboard-runs-app-servers-out-of-memory"]


def test_the_example_passes_check(example_wiki, monkeypatch):
    from click.testing import CliRunner

    from postmortems.cli.main import main

    monkeypatch.chdir(example_wiki)
    result = CliRunner().invoke(main, ["check", "--quick"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output



def test_in_a_browser_the_dashboard_opens_with_the_banner_and_it_leads_to_the_incident(tmp_path):
    from test_browser import checked_page, launched, serve

    site = build_site(write_site(tmp_path, WIKI, options=NY, docs={"index.md": HOME}), strict=True)
    with serve(site) as url, launched() as browser, checked_page(browser) as page:
        page.goto(f"{url}/uptime/")
        banner = page.locator("article .pm-current").first
        assert banner.is_visible()
        # The banner comes before every figure: the first thing a reader sees under the title.
        assert page.evaluate("""() => {
            const banner = document.querySelector('.pm-current'), figures = document.querySelector('.pm-figures');
            return !!(banner.compareDocumentPosition(figures) & Node.DOCUMENT_POSITION_FOLLOWING); }""")
        text = banner.inner_text()
        assert "1 open incident" in text and 'Scoreboard <script>alert(1)</script> & "friends"' in text
        assert "api: partial outage" in text and "since 2013-06-30 20:41 EDT" in text
        banner.get_by_role("link").click()
        page.wait_for_url("**/incidents/2013-06-30-scoreboard/")
        assert page.locator(".pm-status-monitoring").first.is_visible()
        page.goto(f"{url}/")
        assert page.locator("article .pm-current").count() == 2


def test_a_status_in_an_incident_body_links_from_the_incident_page(tmp_path):
    body = "## Summary\n\nWhile this was being written:\n\n{{ status(\"web\") }}\n"
    wiki = {**WIKI, "2013-06-02-cdn.md": CLOSED.replace("## Summary\n\nToo many app servers.\n", body)}
    site = build_site(write_site(tmp_path, wiki, options=NY), strict=True)
    html = _read(site, "incidents/2013-06-02-cdn/index.html")
    assert "1 open incident on web" in _block(html)
    assert '<a href="../2013-06-30-scoreboard/">' in _block(html)


@pytest.mark.parametrize("order", [["search", "macros", "postmortems"], ["search", "postmortems", "macros"]])
def test_status_with_mkdocs_macros_in_either_order(tmp_path, order):
    plugins = [name if name != "postmortems" else {"postmortems": NY} for name in order]
    # mkdocs-macros renders the page as a template after the block is in: a title's braces stay text.
    wiki = {"2013-06-30-scoreboard.md": OPEN.replace("title: Scoreboard", "title: Scoreboard {{ 7 * 7 }} {% raw %}")}
    config = write_site(tmp_path, wiki, docs={"index.md": "# Home\n\n{{ status() }}\n\nOn {{ config.site_name }}.\n"},
                        config={"plugins": plugins})
    site, warnings = build_and_capture(config, strict=True)
    assert warnings == []
    home = _read(site, "index.html")
    assert "1 open incident" in _block(home) and "On Test wiki." in home
    assert "Scoreboard &#123;&#123; 7 * 7 &#125;&#125; &#123;% raw %&#125;" in _block(home) and "49" not in _block(home)
    assert "Macro Rendering Error" not in home
