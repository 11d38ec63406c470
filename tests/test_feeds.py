"""Feeds a reader can find: every page announces the Atom feed in its head, each service has a feed of its
own, and ids are unique and stable, built from site_url (or the site's name without one)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

from click.testing import CliRunner

from postmortems.cli.main import main
from sitebuilder import build_site, incident, write_site

A = "{http://www.w3.org/2005/Atom}"
BASE = "{http://www.w3.org/XML/1998/namespace}base"
SITE_URL = "https://status.example.com/pm/"
WIKI = {
    "2013-06-20-web.md": incident(title="Web & <friends>", services="[web]"),
    "2013-06-21-api.md": incident(title="API", started="2013-06-21 10:00", resolved="2013-06-21 11:00", services="[api]"),
    "2013-06-22-both.md": incident(title="Both", started="2013-06-22 10:00", resolved="2013-06-22 11:00",
                                   services="[web, api]"),
}


def _feed_links(html: str) -> list[tuple[str, str]]:
    head = html[:html.index("</head>")]
    return re.findall(r'<link rel="alternate" type="application/atom\+xml" title="([^"]*)" href="([^"]*)">', head)


def _pages(site: Path) -> list[Path]:
    return [path for path in site.rglob("*.html") if path.name != "404.html"]


def test_every_page_announces_the_feed_and_a_service_page_its_own(tmp_path):
    site = build_site(write_site(tmp_path, WIKI, config={"site_url": SITE_URL}), strict=True)
    pages = _pages(site)
    assert len(pages) > 15
    for page in pages:
        links = _feed_links(page.read_text())
        assert links[0][0] == "Test wiki: incidents", page
        assert (page.parent / links[0][1]).resolve() == (site / "feed.xml").resolve(), page
        service = page.parent.name if page.parent.parent == site / "services" else None
        if service is None:
            assert len(links) == 1, page
        else:
            assert links[1] == (f"Test wiki: incidents on {service}", "feed.xml")
            assert (page.parent / "feed.xml").is_file()


def test_a_service_feed_holds_that_services_incidents_with_ids_from_site_url(tmp_path):
    site = build_site(write_site(tmp_path, WIKI, config={"site_url": SITE_URL}), strict=True)
    ids = set()
    for name, titles in (("web", ["Both", "Web & <friends>"]), ("api", ["Both", "API"])):
        root = ET.fromstring((site / "services" / name / "feed.xml").read_bytes())
        assert root.findtext(A + "id") == f"{SITE_URL}services/{name}/feed.xml"
        assert root.findtext(A + "title") == f"Test wiki: incidents on {name}"
        links = {link.get("rel"): link.get("href") for link in root.findall(A + "link")}
        assert links == {"alternate": f"{SITE_URL}services/{name}/", "self": f"{SITE_URL}services/{name}/feed.xml"}
        entries = root.findall(A + "entry")
        assert [entry.findtext(A + "title") for entry in entries] == titles
        for entry in entries:
            assert entry.findtext(A + "id") == entry.find(A + "link").get("href")
            assert entry.findtext(A + "id").startswith(SITE_URL + "incidents/")
        ids.add(root.findtext(A + "id"))
    main_feed = ET.fromstring((site / "feed.xml").read_bytes())
    assert main_feed.findtext(A + "id") == SITE_URL + "feed.xml" and SITE_URL + "feed.xml" not in ids
    assert len({entry.findtext(A + "id") for entry in main_feed.findall(A + "entry")}) == 3


def test_without_site_url_ids_name_the_wiki_and_links_read_from_the_sites_root(tmp_path):
    first = build_site(write_site(tmp_path / "a", WIKI), strict=True)
    second = build_site(write_site(tmp_path / "b", WIKI, config={"site_name": "Other wiki"}), strict=True)
    root = ET.fromstring((first / "services" / "web" / "feed.xml").read_bytes())
    assert root.findtext(A + "id") == "urn:postmortems:test-wiki:feed:services/web/feed.xml"
    assert root.get(BASE) == "../../"
    entry = root.find(A + "entry")
    assert entry.findtext(A + "id") == "urn:postmortems:test-wiki:incident:2013-06-22-both"
    # The entry's relative link, read as a feed reader reads it (xml:base against the feed's own address).
    address = urljoin(urljoin("http://host/services/web/feed.xml", root.get(BASE)), entry.find(A + "link").get("href"))
    assert address == "http://host/incidents/2013-06-22-both/"
    assert (first / "incidents" / "2013-06-22-both" / "index.html").is_file()
    other = ET.fromstring((second / "feed.xml").read_bytes())
    assert other.find(A + "entry").findtext(A + "id") == "urn:postmortems:other-wiki:incident:2013-06-22-both"
    assert ET.fromstring((first / "feed.xml").read_bytes()).get(BASE) is None


def test_generate_puts_the_feed_link_in_the_head_through_a_theme_override(tmp_path, monkeypatch):
    config = write_site(tmp_path / "wiki", WIKI, config={"site_name": 'R&D {{ "feeds" }}'})
    monkeypatch.chdir(tmp_path / "wiki")
    result = CliRunner().invoke(main, ["generate", "--out", str(tmp_path / "out")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    override = (tmp_path / "out" / "overrides" / "main.html").read_text()
    assert override == ('{% extends "base.html" %}\n{% block extrahead %}<link rel="alternate" type="application/atom+xml" '
                        'title="R&amp;D &#123;&#123; &quot;feeds&quot; &#125;&#125;: incidents" href="{{ "feed.xml" | url }}">'
                        "{% endblock %}\n")
    assert "custom_dir: overrides" in (tmp_path / "out" / "mkdocs.yml").read_text()
    # A custom_dir of the wiki's own is left as it is: its main.html stays the one used.
    (tmp_path / "wiki" / "theme").mkdir()
    config.write_text(config.read_text().replace("font: false", "font: false\n  custom_dir: theme"))
    result = CliRunner().invoke(main, ["generate", "--out", str(tmp_path / "out")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "out" / "overrides").exists()
    assert "custom_dir: ../wiki/theme" in (tmp_path / "out" / "mkdocs.yml").read_text()


def test_zensical_pages_announce_the_feed(zensical_site):
    links = _feed_links((zensical_site / "index.html").read_text())
    assert links == [("Postmortems: incidents", "./feed.xml")]
    nested = zensical_site / "incidents" / "2012-08-14-schema-upgrade-stale-replica" / "index.html"
    (title, href), = _feed_links(nested.read_text())
    assert (nested.parent / href).resolve() == (zensical_site / "feed.xml").resolve()
