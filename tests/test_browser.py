"""The example wiki in a real browser: Playwright driving Debian's Chromium.

Serves the repository's own example as `mkdocs build` makes it (the session's build, see
conftest.py) on 127.0.0.1 and checks what a reader sees; test_three_builders.py uses the helpers
here for the ProperDocs and Zensical sites too. Skips when Chromium is missing, unless
POSTMORTEMS_REQUIRE_BROWSER=1 (set by .ci/run, so CI never skips it).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sitebuilder import build_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("POSTMORTEMS_REQUIRE_BROWSER") == "1"
if CHROMIUM is None and not REQUIRED:
    pytest.skip("Chromium is not installed (apt-get install -y chromium); .ci/run installs it", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api") if not REQUIRED else __import__("playwright.sync_api").sync_api

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps"]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """``site`` served on 127.0.0.1 (a free port): its address, without a trailing slash."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def launched():
    """Debian's Chromium, headless, driven by Playwright."""
    assert CHROMIUM, "Chromium is required here (POSTMORTEMS_REQUIRE_BROWSER=1)"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def checked_page(browser):
    """A page in a fresh context; on leaving, it must have made no request to another host and
    printed no error."""
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.console_errors = []
    page.requests = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    hosts = {urlsplit(url).hostname for url in page.requests if not url.startswith(("data:", "blob:"))}
    assert hosts <= {"127.0.0.1"}, f"requests to other hosts: {sorted(h for h in hosts if h != '127.0.0.1')}"
    assert page.console_errors == []
    context.close()


@dataclass(frozen=True)
class SearchUI:
    index: str  # the search index the page loads
    opener: str  # what a reader clicks to search
    input: str
    results: str  # one element per result


MATERIAL_SEARCH = SearchUI("/search/search_index.json", "label.md-search__icon, .md-search__input",
                           "input.md-search__input", ".md-search-result__list > li")
# Zensical's search is a dialog in an open shadow root (Playwright's CSS selectors go through it); each
# result is a section of a page, linked with an absolute URL.
ZENSICAL_SEARCH = SearchUI("/search.json", ".md-search__button", "dialog[aria-label='Search'] input[role='combobox']",
                           "ol[role='listbox'][aria-label='Search results'] > li")


def search(page, server: str, query: str, ui: SearchUI = MATERIAL_SEARCH):
    """Type ``query`` into the home page's search box, as a reader does; the results (a locator)."""
    with page.expect_response(lambda response: response.url.endswith(ui.index)):
        page.goto(f"{server}/")
    page.locator(ui.opener).first.click()
    results = page.locator(ui.results)
    # The search worker indexes in the background: a query typed before it is ready is not
    # answered, so type it again until it is (bounded).
    for _ in range(20):
        page.locator(ui.input).fill("")
        page.locator(ui.input).press_sequentially(query)
        try:
            results.first.wait_for(timeout=1500)
            break
        except sync_api.TimeoutError:
            continue
    # Results come as the query is typed (a prefix such as "pg" matches other pages): wait until they are
    # those of the whole query, that is, until they stop changing (bounded).
    shown = None
    for _ in range(20):
        page.wait_for_timeout(250)
        now = results.all_inner_texts()
        if now == shown and page.locator(ui.input).input_value() == query:
            break
        shown = now
    return results


@pytest.fixture(scope="module")
def server(mkdocs_site):
    with serve(mkdocs_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launched() as browser:
        yield browser


@pytest.fixture
def page(browser):
    with checked_page(browser) as page:
        yield page


def test_dashboard_shows_the_all_time_figure(page, server):
    page.goto(f"{server}/uptime/")
    figures = page.locator(".pm-figure-value")
    assert figures.count() == 5
    assert figures.last.inner_text() == ">99.98%"
    assert page.locator("svg.pm-statusbar").count() >= 3
    page.locator("a.pm-figure").last.click()
    page.wait_for_url("**/uptime/ledger/site/#window-all")
    assert page.locator("#window-all").is_visible()


def test_home_page_embeds_live_figures(page, server):
    page.goto(f"{server}/")
    assert ">99.98%" in page.locator("article").inner_text()


def test_search_for_a_word_in_one_cause_lists_that_incident(page, server):
    results = search(page, server, "pgpool")
    assert results.count() == 1
    link = results.first.locator("a").first.get_attribute("href")
    assert "incidents/2012-08-14-schema-upgrade-stale-replica/" in link


def test_index_filters_narrow_the_table(page, server):
    page.goto(f"{server}/incidents/")
    rows = page.locator("table.pm-incidents tbody tr")
    total = rows.count()
    assert total >= 10
    page.select_option("select[data-pm-filter='services']", "email")
    visible = page.locator("table.pm-incidents tbody tr:not([hidden])")
    assert 0 < visible.count() < total
    for text in visible.all_inner_texts():
        assert "email" in text
    assert page.locator("[data-pm-count]").inner_text() == f"{visible.count()} of {total} incidents"
    assert "#services=email" in page.url
    page.select_option("select[data-pm-filter='year']", "2013")
    both = visible.count()
    page.select_option("select[data-pm-filter='services']", "")
    assert visible.count() >= both
    page.reload()
    assert page.locator("select[data-pm-filter='year']").input_value() == "2013"


def test_follow_an_incident_and_its_related_link(page, server):
    page.goto(f"{server}/incidents/")
    page.locator("table.pm-incidents a[href*='schema-upgrade-stale-replica']").click()
    page.wait_for_url("**/incidents/2012-08-14-schema-upgrade-stale-replica/")
    assert page.locator(".pm-card").is_visible()
    assert page.locator("ol.pm-timeline li").count() >= 3
    page.locator("ul.pm-related a").first.click()
    page.wait_for_url("**/incidents/2012-12-04-replica-falls-behind-stale-reads/")
    assert page.locator("ul.pm-related a[href*='schema-upgrade-stale-replica']").count() == 1


def test_filters_match_names_with_commas_and_double_spaces_exactly(page, tmp_path):
    from sitebuilder import incident, write_site

    odd = {
        "2013-06-01-a.md": incident(title="Comma", started="2013-06-01 10:00", resolved="2013-06-01 11:00",
                                    services='["pay, eu", "web"]', extra="cause: {category: 'disk  full', summary: x}"),
        "2013-06-02-b.md": incident(title="Pay", started="2013-06-02 10:00", resolved="2013-06-02 11:00",
                                    services='["pay", "eu"]', extra="cause: {category: 'disk full', summary: y}"),
        "2013-06-03-c.md": incident(title="Spaces", started="2013-06-03 10:00", resolved="2013-06-03 11:00",
                                    services='["a  b"]'),
    }
    # 'disk  full' and 'disk full' would share a cause page (a warning, so not strict): the filters still tell them apart.
    site = build_site(write_site(tmp_path, odd), site_dir=tmp_path / "site")
    with serve(site) as url:
        page.goto(f"{url}/incidents/")
        visible = page.locator("table.pm-incidents tbody tr:not([hidden]) td:nth-child(2) a")
        for key, value, titles in (("services", "pay, eu", ["Comma"]), ("services", "pay", ["Pay"]),
                                   ("services", "eu", ["Pay"]), ("services", "a  b", ["Spaces"]),
                                   ("cause", "disk  full", ["Comma"]), ("cause", "disk full", ["Pay"])):
            _choose(page, key, value)
            assert page.locator(f"select[data-pm-filter='{key}']").input_value() == value
            assert visible.all_inner_texts() == titles, (key, value)
            _choose(page, key, "")
        _choose(page, "services", "a  b")
        page.reload()  # the exact value survives the URL
        assert page.locator("select[data-pm-filter='services']").input_value() == "a  b"
        assert visible.all_inner_texts() == ["Spaces"]


def _choose(page, key: str, value: str) -> None:
    """Pick the option whose value is exactly ``value``, as a reader does (Playwright's select_option
    matches labels with their white space collapsed, so it cannot tell ``a  b`` from ``a b``)."""
    page.eval_on_selector(f"select[data-pm-filter='{key}']",
                          "(s, v) => { s.value = v; s.dispatchEvent(new Event('change')); }", value)


def test_draft_banner_and_the_backlog_listing_the_overdue_postmortem(page, server):
    page.goto(f"{server}/incidents/2013-06-06-nightly-backups-stopped-uploading/")
    banner = page.locator(".pm-card .pm-postmortem-banner")
    assert banner.is_visible()
    assert "Draft postmortem" in banner.inner_text()
    assert "overdue by 11 days" in banner.inner_text()
    assert "Marcus" in banner.inner_text()
    banner.locator("a").click()
    page.wait_for_url("**/backlog/")
    overdue = page.locator("table.pm-backlog-required tr[data-pm-state='overdue']")
    assert overdue.count() == 1
    assert "Nightly database backups" in overdue.first.inner_text()
    assert "overdue by 11 days" in overdue.first.inner_text()
    assert "in-review" in page.locator("table.pm-backlog-drafts").inner_text()
    page.goto(f"{server}/incidents/2012-08-14-schema-upgrade-stale-replica/")  # published: no banner
    assert page.locator(".pm-postmortem-banner").count() == 0


def test_index_filter_by_postmortem_state_kept_in_the_url(page, server):
    page.goto(f"{server}/incidents/")
    total = page.locator("table.pm-incidents tbody tr").count()
    page.select_option("select[data-pm-filter='postmortem']", "draft")
    visible = page.locator("table.pm-incidents tbody tr:not([hidden])")
    assert visible.count() == 3  # the PostgreSQL upgrade, the backups, the open scoreboard incident
    assert "#postmortem=draft" in page.url
    page.select_option("select[data-pm-filter='postmortem']", "published")
    assert visible.count() == total - 4  # and one in review
    page.reload()
    assert page.locator("select[data-pm-filter='postmortem']").input_value() == "published"
    assert visible.count() == total - 4
