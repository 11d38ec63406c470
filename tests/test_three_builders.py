"""The example wiki built three ways: `mkdocs build`, `properdocs build`, and `postmortems generate --out DIR`
followed by `zensical build` in DIR (the sites: conftest.py, each built once a session).

For each site: the same uptime.json byte for byte, every internal link resolves, each incident page shows
its card and sections once, and in a real browser (test_browser.py's helpers: Debian's Chromium) the home
page shows the all-time figure and a search for a word of one incident finds that incident.
Zensical needs Python 3.11 or later: its cases carry the zensical mark (on 3.10, -m "not zensical").
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import ROOT

BUILDERS = [pytest.param("mkdocs"), pytest.param("properdocs"), pytest.param("zensical", marks=pytest.mark.zensical)]
SCHEMA_NIGHT = "incidents/2012-08-14-schema-upgrade-stale-replica/"  # the one incident that names pgpool
URL = re.compile(r"""\s(?:href|src)=(["'])(.*?)\1""")
H2_ID = re.compile(r'<h2 id="([^"]+)"')


@pytest.fixture
def site(request, builder) -> Path:
    """The folder that ``builder`` built (conftest.py)."""
    return request.getfixturevalue(f"{builder}_site")


@pytest.mark.zensical
def test_uptime_json_is_byte_identical_across_the_three_builders(mkdocs_site, properdocs_site, zensical_site):
    published = {name: (site / "uptime.json").read_bytes()
                 for name, site in (("mkdocs", mkdocs_site), ("properdocs", properdocs_site), ("zensical", zensical_site))}
    assert published["properdocs"] == published["mkdocs"]
    assert published["zensical"] == published["mkdocs"]
    figures = json.loads(published["mkdocs"])
    assert figures["complete"] is True and figures["site"]["windows"]["all"]["display"] == ">99.98%"


@pytest.mark.parametrize("builder", BUILDERS)
def test_every_internal_link_resolves(site):
    """Every href and src of every page, relative or site-absolute (``x/`` is ``x/index.html``), names a file
    of the site. Links to other hosts, mailto: and data: are left out, and so are links to an anchor of the
    page itself (MkDocs and Zensical check anchors under --strict)."""
    checked, broken = 0, []
    for page in sorted(site.rglob("*.html")):
        for _quote, url in URL.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(html.unescape(url))
            if parts.scheme or parts.netloc or not parts.path:
                continue
            path = unquote(parts.path)
            target = Path(os.path.normpath(site / path.lstrip("/") if path.startswith("/") else page.parent / path))
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_file() or not target.is_relative_to(site):
                broken.append(f"{page.relative_to(site)}: {url}")
    assert checked > 1000
    assert broken == []


@pytest.mark.parametrize("builder", BUILDERS)
def test_each_incident_page_shows_its_card_and_sections_once(site):
    incidents = sorted(path.stem for path in (ROOT / "incidents").glob("*.md"))
    assert len(incidents) >= 10
    for name in incidents:
        text = (site / "incidents" / name / "index.html").read_text(encoding="utf-8")
        assert text.count('<div class="pm-card">') == 1, name
        headings = H2_ID.findall(text)
        assert "timeline" in headings, name  # every incident of the example has one
        # Once each: no heading twice, which Markdown's toc would number (timeline, timeline_1).
        assert len(headings) == len(set(headings)) and not [h for h in headings if re.search(r"_\d+$", h)], (name, headings)


# In a real browser ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    from test_browser import launched  # skips as test_browser.py does: without Chromium, unless it is required

    with launched() as browser:
        yield browser


@pytest.fixture
def page(browser):
    from test_browser import checked_page  # no request to another host, no error in the console

    with checked_page(browser) as page:
        yield page


@pytest.fixture(scope="module")
def servers():
    """Each site served once for the module, on 127.0.0.1: ``servers(site)`` is its address."""
    from test_browser import serve

    with contextlib.ExitStack() as stack:
        running: dict[Path, str] = {}

        def address(site: Path) -> str:
            if site not in running:
                running[site] = stack.enter_context(serve(site))
            return running[site]

        yield address


@pytest.mark.parametrize("builder", BUILDERS)
def test_home_page_shows_the_all_time_figure(site, servers, page):
    page.goto(f"{servers(site)}/")
    assert "we have kept >99.98% uptime" in " ".join(page.inner_text("article").split())  # {{ uptime("all") }}


@pytest.mark.parametrize("builder", BUILDERS)
def test_search_for_pgpool_finds_the_schema_night_incident(builder, site, servers, page):
    from test_browser import MATERIAL_SEARCH, ZENSICAL_SEARCH, search

    results = search(page, servers(site), "pgpool", ZENSICAL_SEARCH if builder == "zensical" else MATERIAL_SEARCH)
    links = [urljoin(page.url, link.get_attribute("href")) for link in results.locator("a[href]").all()]
    assert links and {urlsplit(link).path for link in links} == {f"/{SCHEMA_NIGHT}"}  # that page, and only that one
    results.first.locator("a[href]").first.click()
    page.wait_for_url(lambda url: urlsplit(url).path == f"/{SCHEMA_NIGHT}")
    assert page.locator(".pm-card").is_visible()
