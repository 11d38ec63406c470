"""The site people read: every page type, at desktop and phone widths, in Material's light and dark schemes.

The example wiki is built once (with a small ``index_limit``, so that it has a page for an older year too)
and served on 127.0.0.1; Playwright drives Debian's Chromium as in test_browser.py. For every page type at
1366 and 390 px, in the light scheme and the dark one (Material's palette follows the reader's
``prefers-color-scheme``: the example lists a light and a dark palette), tests/look.js measures in the page:

- the page does not scroll sideways;
- no table is clipped: one wider than its box scrolls within a box a reader can scroll;
- no word in the plugin's table cells breaks across lines;
- every text node in the plugin's blocks (elements whose class starts with ``pm-``) has a WCAG contrast of at
  least 4.5 against the background it is drawn on (3 for large text), computed from the colours the browser
  resolved;
- the charts' text is drawn at 11 CSS pixels or more;

and axe-core (axe-playwright-python) finds no serious or critical violation, but for the one Material
itself has on every page (KNOWN). Further tests drive the index's sorting and status filter, and read what
used to be in hover tooltips as visible text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from postmortems.site.formatting import duration
from sitebuilder import build_site, incident, write_site
from test_browser import REQUIRED, launched, serve
from test_builders import build, example_copy

if REQUIRED:
    from axe_playwright_python.sync_playwright import Axe
else:
    Axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe

LOOK = (Path(__file__).parent / "look.js").read_text(encoding="utf-8")
WIDTHS = {"desktop": 1366, "phone": 390}
SCHEMES = {"light": "default", "dark": "slate"}  # the reader's preference, and Material's scheme for it
PAGES = {
    "home": "/",
    "index": "/incidents/",
    "year": "/incidents/years/2012/",
    "incident": "/incidents/2012-08-14-schema-upgrade-stale-replica/",
    "draft incident": "/incidents/2013-06-06-nightly-backups-stopped-uploading/",
    "dashboard": "/uptime/",
    "ledger": "/uptime/ledger/site/",
    "service": "/services/web/",
    "services": "/services/",
    "cause": "/causes/database/",
    "causes": "/causes/",
    "tag": "/tags/postgresql/",
    "tags": "/tags/",
    "action items": "/action-items/",
    "backlog": "/backlog/",
}
CHARTS = {"dashboard", "service"}
# Material's own markup, on every page, which the example cannot change without overriding Material's
# templates: its search box is a role="dialog" without a name.
KNOWN = {("aria-dialog-name", ".md-search")}


@pytest.fixture(scope="module")
def look_site(tmp_path_factory) -> Path:
    """``mkdocs build --strict`` of the example, with ``index_limit: 1``: the index lists the newest
    year and 2012 gets a page of its own."""
    wiki = example_copy(tmp_path_factory.mktemp("look") / "wiki")
    config = wiki / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    match = re.search(r"^(\s*)(?:- )?postmortems:\s*\n(\s+)", text, re.M)
    assert match, "the example's mkdocs.yml lists the postmortems plugin with options"
    config.write_text(text[:match.end(1)] + text[match.end(1):match.end()] + "index_limit: 1\n" + match.group(2)
                      + text[match.end():], encoding="utf-8")
    site = wiki.parent / "site"
    build("mkdocs", wiki, site)
    return site


@pytest.fixture(scope="module")
def server(look_site):
    with serve(look_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launched() as browser:
        yield browser


@pytest.fixture(scope="module")
def tabs(browser):
    """One page per scheme and width, reused by every test of that scheme and width."""
    opened = {}

    def tab(scheme: str, width: str):
        if (scheme, width) not in opened:
            context = browser.new_context(service_workers="block", color_scheme=scheme,
                                          viewport={"width": WIDTHS[width], "height": 900})
            page = context.new_page()
            page.errors = []
            page.on("pageerror", lambda error: page.errors.append(str(error)))
            opened[scheme, width] = page
        return opened[scheme, width]

    yield tab
    for page in opened.values():
        page.context.close()


@pytest.fixture(scope="module")
def axe():
    return Axe()


def serious(axe, page) -> list[str]:
    """axe-core's serious and critical violations on the page, but the KNOWN ones of Material."""
    found = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        for node in violation["nodes"]:
            target = " ".join(map(str, node["target"]))
            if (violation["id"], target) not in KNOWN:
                found.append(f"{violation['id']} ({violation['impact']}): {target}: {node.get('failureSummary', '')[:160]}")
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_reads_in_both_schemes_at_both_widths(tabs, server, axe, name, scheme, width):
    page = tabs(scheme, width)
    response = page.goto(server + PAGES[name])
    assert response.ok, f"{PAGES[name]}: HTTP {response.status}"
    found = page.evaluate(LOOK)
    assert found["scheme"] == SCHEMES[scheme]  # Material applied the palette of the reader's preference
    assert found["overflow"] <= 0, f"the page scrolls sideways by {found['overflow']} px"
    assert found["tables"] == []
    assert found["brokenWords"] == []
    assert found["contrast"]["failures"] == []
    if name != "home":  # the home page is the example's own Markdown, with a live figure as plain text
        assert found["contrast"]["checked"] > 5
    assert found["charts"]["small"] == []
    if name in CHARTS:
        assert found["charts"]["checked"] > 20
    assert serious(axe, page) == []
    assert page.errors == []


def test_the_home_page_title_is_the_site_name(look_site):
    html = (look_site / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<title>(.*?)</title>", html) == ["Postmortems"]
    assert re.findall(r"<title>(.*?)</title>", (look_site / "uptime" / "index.html").read_text(encoding="utf-8"))[0] == \
        "Uptime - Postmortems"


# What a pointer finds in a tooltip, a keyboard and a touch screen find too -------------------------------

def test_no_plugin_block_hides_text_in_a_title_attribute(tabs, server):
    page = tabs("light", "desktop")
    for name in ("dashboard", "service", "index", "incident", "action items"):
        page.goto(server + PAGES[name])
        hidden = page.evaluate("""() => Array.from(document.querySelectorAll('[class*="pm-"][title], [class*="pm-"] [title]'))
                                      .map((el) => el.outerHTML.slice(0, 80))""")
        assert hidden == [], name


def test_response_times_show_the_median_and_90th_percentile(tabs, server, look_site):
    page = tabs("light", "phone")
    page.goto(server + PAGES["dashboard"])
    table = page.locator("table.pm-response")
    text = table.inner_text()
    uptime = json.loads((look_site / "uptime.json").read_text(encoding="utf-8"))
    resolve = uptime["site"]["windows"]["all"]["time_to"]["resolve"]
    assert resolve["n"] > 1
    counted = uptime["site"]["windows"]["all"]["incidents"]  # an open incident has no time to resolve yet
    of = f", of {resolve['n']}" if resolve["n"] != counted else ""
    cell = table.locator("tbody tr").last.locator("td").nth(5)
    assert cell.inner_text().split("\n") == [duration(resolve["mean"]), f"median {duration(resolve['median'])}",
                                             f"p90 {duration(resolve['p90'])}{of}"]
    assert text.count("median") == text.count("p90") == sum(
        1 for window in uptime["site"]["windows"].values() for step in window["time_to"].values() if step["n"])
    for spread in table.locator(".pm-spread").all():  # visible text, not a tooltip
        assert spread.is_visible()


def test_status_bars_have_a_date_axis_a_legend_and_their_days_as_text(tabs, server):
    page = tabs("dark", "phone")
    page.goto(server + PAGES["dashboard"])
    legend = page.locator("ul.pm-legend li")
    assert legend.all_inner_texts() == ["No downtime", "Up to 5 min", "Up to 1 h", "Over 1 h", "Not tracked"]
    legend_fills = set(page.locator("ul.pm-legend rect").evaluate_all("(rects) => rects.map((r) => r.getAttribute('fill'))"))
    rows = page.locator(".pm-statusbar-row")
    assert rows.count() >= 3
    for index in range(rows.count()):
        row = rows.nth(index)
        days = row.locator("svg.pm-statusbar rect").evaluate_all(
            "(rects) => rects.map((r) => [r.getAttribute('fill'), r.getAttribute('class'), r.querySelector('title').textContent])")
        assert len(days) == 90
        assert {fill for fill, _, _ in days} <= legend_fills
        axis = row.locator(".pm-statusbar-axis")
        assert axis.locator(".pm-axis-start").inner_text() == days[0][2][:10]
        assert axis.locator(".pm-axis-end").inner_text() == days[-1][2][:10]
        months = axis.locator(".pm-axis-month").all_inner_texts()
        assert months and all(re.fullmatch(r"[A-Z][a-z]{2} 1", m) for m in months)
        bad = [title for _, css, title in days if css.split()[-1] not in ("pm-ok", "pm-none")]
        details = row.locator("details.pm-days")
        if not bad:
            assert row.locator(".pm-days-none").is_visible()
            continue
        summary = details.locator("summary")
        assert summary.inner_text() == f"{len(bad)} day{'s' if len(bad) != 1 else ''} with downtime"
        items = details.locator("li")
        assert not items.first.is_visible()
        summary.focus()
        page.keyboard.press("Enter")  # a keyboard opens it
        assert items.first.is_visible()
        assert [text.split(":")[0] for text in items.all_inner_texts()] == [title[:10] for title in bad]
        for text, title in zip(items.all_inner_texts(), bad):
            first_line = title.split("\n")[0]  # "2013-06-06: 99.16% uptime, 12 min downtime"
            minutes = re.search(r"([\d.]+) min downtime", first_line).group(1)
            assert f"{minutes} min downtime" in text
            for incident_title in title.split("\n")[1:]:
                assert incident_title in text


def test_the_monthly_chart_has_its_figures_as_a_table(tabs, server):
    page = tabs("light", "desktop")
    page.goto(server + PAGES["dashboard"])
    titles = page.locator("svg.pm-monthly g.pm-month > title").all_text_contents()
    details = page.locator("details.pm-chart-data")
    details.locator("summary").click()
    rows = details.locator("tbody tr")
    assert rows.count() == len(titles) >= 12
    for row, title in zip(rows.all(), titles):
        month, minutes, uptime = row.locator("td").all_inner_texts()
        assert title == f"{month}: {minutes} downtime, uptime {uptime}"
        link = row.locator("a")
        assert link.get_attribute("href").endswith(f"#month-{month}")


def test_action_items_checkboxes_are_named_by_their_titles(tabs, server):
    page = tabs("light", "desktop")
    for name in ("incident", "action items"):
        page.goto(server + PAGES[name])
        boxes = page.locator("li.pm-action input[type=checkbox]")
        assert boxes.count() > 0
        for index in range(boxes.count()):
            title = boxes.nth(index).locator("xpath=following-sibling::span[@class='pm-action-title']").inner_text()
            assert page.get_by_role("checkbox", name=title, exact=True).count() >= 1


def test_phone_tables_scroll_within_their_box_and_the_keyboard_reaches_them(tabs, server):
    page = tabs("light", "phone")
    page.goto(server + PAGES["dashboard"])
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('table[class^="pm-"], .pm-chart'))
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .map((el) => [el.className.baseVal === undefined ? el.className : el.className.baseVal,
                      el.tabIndex >= 0 || !!el.querySelector('a[href], button, input, select, [tabindex]')])""")
    assert any(name.startswith("pm-response") for name, _ in wide)  # seven columns do not fit on a phone
    assert any(name == "pm-chart" for name, _ in wide)  # the monthly chart keeps its text at 11 px and scrolls
    assert all(reachable for _, reachable in wide), wide
    page.set_viewport_size({"width": 1366, "height": 900})  # wide enough again: no extra stop for the keyboard
    page.wait_for_function("() => !document.querySelector('table.pm-response').hasAttribute('tabindex')")
    page.set_viewport_size({"width": 390, "height": 900})


# The index: sortable columns and a status filter, kept in the URL -----------------------------------------

def _column(page, index: int) -> list[str]:
    return page.locator(f"table.pm-incidents tbody tr:not([hidden]) td:nth-child({index})").all_inner_texts()


def test_index_columns_sort_with_aria_sort_and_the_order_is_kept_in_the_url(tabs, server):
    page = tabs("light", "desktop")
    page.goto(server + PAGES["year"])
    headers = page.locator("table.pm-incidents thead th")
    assert headers.locator("button").count() == 6
    assert headers.nth(0).get_attribute("aria-sort") == "descending"  # newest first, as built
    built = _column(page, 2)
    downtime = page.locator("table.pm-incidents tbody tr td:nth-child(5)")
    minutes = lambda: [float(v) for v in downtime.evaluate_all("(cells) => cells.map((c) => c.dataset.pmValue)")]  # noqa: E731

    headers.nth(4).locator("button").click()
    assert headers.nth(4).get_attribute("aria-sort") == "descending"
    assert headers.nth(0).get_attribute("aria-sort") is None
    assert minutes() == sorted(minutes(), reverse=True) and len(set(minutes())) > 1
    assert page.url.endswith("#sort=downtime-desc")
    headers.nth(4).locator("button").press("Enter")  # the keyboard sorts too: the other way
    assert headers.nth(4).get_attribute("aria-sort") == "ascending"
    assert minutes() == sorted(minutes())
    page.reload()
    assert headers.nth(4).get_attribute("aria-sort") == "ascending"
    assert minutes() == sorted(minutes())

    headers.nth(2).locator("button").click()  # severity: SEV1 first
    severities = _column(page, 3)
    assert severities == sorted(severities) and severities[0] == "SEV1"
    headers.nth(1).locator("button").click()  # titles A to Z
    titles = _column(page, 2)
    assert [t.lower() for t in titles] == sorted(t.lower() for t in titles)
    headers.nth(0).locator("button").click()  # dates: newest first, the table's own order (nothing in the URL)
    assert _column(page, 2) == built
    assert "#" not in page.url
    headers.nth(0).locator("button").click()  # then the oldest first
    assert _column(page, 2) == built[::-1]
    assert headers.nth(0).get_attribute("aria-sort") == "ascending"
    assert page.url.endswith("#sort=date-asc")
    headers.nth(0).locator("button").click()

    page.select_option("select[data-pm-filter='severity']", "SEV2")  # a filter and a sort share the URL
    headers.nth(4).locator("button").click()
    assert page.url.endswith("#severity=SEV2&sort=downtime-desc")
    assert set(_column(page, 3)) == {"SEV2"}
    page.select_option("select[data-pm-filter='severity']", "")


@pytest.fixture(scope="module")
def open_site(tmp_path_factory) -> Path:
    """A small wiki with an incident in each status and each severity."""
    root = tmp_path_factory.mktemp("open")
    incidents = {
        "2013-06-30-open.md": incident(title="Still broken", severity="SEV2", started="2013-06-30 10:00", resolved="~",
                                       extra="status: identified"),
        "2013-06-29-watch.md": incident(title="Being watched", severity="SEV3", started="2013-06-29 10:00", resolved="~",
                                        extra="status: monitoring"),
        "2013-06-28-new.md": incident(title="Just noticed", severity="SEV1", started="2013-06-30 23:00", resolved="~",
                                      extra="status: investigating"),
        "2013-06-03-done.md": incident(title="Fixed", severity="SEV4", started="2013-06-03 10:00",
                                       resolved="2013-06-03 11:00"),
    }
    theme = {"name": "material", "font": False, "palette": [  # light and dark, as the reader prefers
        {"media": "(prefers-color-scheme: light)", "scheme": "default", "toggle": {"icon": "material/weather-night", "name": "Dark"}},
        {"media": "(prefers-color-scheme: dark)", "scheme": "slate", "toggle": {"icon": "material/weather-sunny", "name": "Light"}}]}
    return build_site(write_site(root, incidents, config={"theme": theme}), site_dir=root / "site")


def test_status_filter_finds_open_incidents_and_is_kept_in_the_url(browser, open_site):
    with serve(open_site) as url:
        context = browser.new_context(service_workers="block")
        page = context.new_page()
        page.goto(f"{url}/incidents/")
        status = page.locator("select[data-pm-filter='status']")
        assert status.locator("option").all_inner_texts() == ["all", "open", "investigating", "identified", "monitoring",
                                                              "resolved"]
        status.select_option("open")
        assert sorted(_column(page, 2)) == ["Being watched (monitoring)", "Just noticed (investigating)",
                                            "Still broken (identified)"]
        assert page.url.endswith("#status=open")
        status.select_option("resolved")
        assert _column(page, 2) == ["Fixed"]
        status.select_option("monitoring")
        page.reload()
        assert status.input_value() == "monitoring"
        assert _column(page, 2) == ["Being watched (monitoring)"]
        assert page.locator("[data-pm-count]").inner_text() == "1 of 4 incidents"
        context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_severity_and_status_reads_in_both_schemes(browser, open_site, scheme):
    """The severity and status colours reach 4.5:1 on Material's white and on its slate."""
    with serve(open_site) as url:
        context = browser.new_context(service_workers="block", color_scheme=scheme)
        page = context.new_page()
        page.goto(f"{url}/incidents/")
        links = page.locator("table.pm-incidents tbody a").evaluate_all("(links) => links.map((a) => a.href)")
        assert len(links) == 4
        seen = set()
        for address in [f"{url}/incidents/", *links]:
            page.goto(address)
            found = page.evaluate(LOOK)
            assert found["scheme"] == SCHEMES[scheme]
            assert found["contrast"]["failures"] == [], address
            seen.update(page.locator(".pm-badges span, td[class^='pm-sev-']").all_inner_texts())
        assert seen >= {"SEV1", "SEV2", "SEV3", "SEV4", "investigating", "identified", "monitoring", "resolved"}
        context.close()
