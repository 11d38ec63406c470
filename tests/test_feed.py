"""The Atom feed: well-formed Atom 1.0, stable ids, escaped content, joined URLs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from postmortems.site import feed

A = "{http://www.w3.org/2005/Atom}"
NY = timezone(timedelta(hours=-4))
UPDATED = datetime(2013, 7, 20, 12, 0, tzinfo=timezone.utc)
SITE = "https://wiki.example.org/postmortems/"
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "]]>", "</script>", "a'b\"c&d"]
RAW_HOSTILE = ["<script>", "</script>", "<img", "]]>"]


def entry(ident, **extra):
    base = {
        "id": ident,
        "title": f"Incident {ident}",
        "url": f"incidents/{ident}/",
        "published": datetime(2013, 7, 12, 2, 10, tzinfo=NY),
        "updated": datetime(2013, 7, 13, 9, 0, tzinfo=timezone.utc),
        "summary": "Database failover took 42 minutes.",
        "content_html": "<p>The <em>primary</em> died.</p>",
        "authors": ["Ada", "Grace"],
        "categories": ["database", "sev-1"],
    }
    base.update(extra)
    return base


ENTRIES = [entry("2013-07-12-db"), entry("2013-06-30-dns"), entry("2013-05-01-cdn")]


def build(entries=ENTRIES, **kwargs):
    options = {"title": "Postmortems", "site_url": SITE, "feed_url": "feed.xml", "updated": UPDATED}
    options.update(kwargs)
    return feed.atom_feed(entries, **options)


def test_feed_is_atom_with_entries_in_order():
    xml = build()
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">')
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == A + "feed"
    assert root.findtext(A + "id") == SITE + "feed.xml"  # the feed's own address: unique across feeds and wikis
    assert root.findtext(A + "title") == "Postmortems"
    assert root.findtext(A + "updated") == "2013-07-20T12:00:00Z"
    assert root.find(A + "author").findtext(A + "name")
    links = {link.get("rel"): link.get("href") for link in root.findall(A + "link")}
    assert links == {"alternate": SITE, "self": SITE + "feed.xml"}
    entries = root.findall(A + "entry")
    assert [e.findtext(A + "id") for e in entries] == [  # each page's address
        SITE + "incidents/2013-07-12-db/", SITE + "incidents/2013-06-30-dns/", SITE + "incidents/2013-05-01-cdn/",
    ]
    first = entries[0]
    assert first.findtext(A + "title") == "Incident 2013-07-12-db"
    assert first.findtext(A + "published") == "2013-07-12T06:10:00Z"
    assert first.findtext(A + "updated") == "2013-07-13T09:00:00Z"
    assert first.find(A + "link").get("href") == SITE + "incidents/2013-07-12-db/"
    assert [a.findtext(A + "name") for a in first.findall(A + "author")] == ["Ada", "Grace"]
    assert [c.get("term") for c in first.findall(A + "category")] == ["database", "sev-1"]
    assert first.findtext(A + "summary") == "Database failover took 42 minutes."
    content = first.find(A + "content")
    assert content.get("type") == "html" and content.text == "<p>The <em>primary</em> died.</p>"
    assert "CDATA" not in xml


def test_every_entry_has_required_atom_children():
    root = ET.fromstring(build([entry("x", content_html="", url=None, published=None)]))
    for item in root.findall(A + "entry"):
        for name in ("id", "title", "updated"):
            assert item.findtext(A + name)
        assert item.find(A + "content") is not None or item.find(A + "link") is not None


def test_deterministic():
    assert build() == build()


def test_no_site_url_gives_urn_ids_of_the_wiki_and_relative_links():
    root = ET.fromstring(build(site_url="", namespace="baseball"))
    assert root.findtext(A + "id") == "urn:postmortems:baseball:feed:feed.xml"
    assert root.find(A + "entry").findtext(A + "id") == "urn:postmortems:baseball:incident:2013-07-12-db"
    assert root.find(A + "entry").find(A + "link").get("href") == "incidents/2013-07-12-db/"
    assert root.get("{http://www.w3.org/XML/1998/namespace}base") is None  # at the site's root: links read from there
    other = ET.fromstring(build(site_url="", namespace="other-wiki"))
    assert other.find(A + "entry").findtext(A + "id") != root.find(A + "entry").findtext(A + "id")


def test_a_nested_feed_without_site_url_reads_its_links_from_the_sites_root():
    root = ET.fromstring(build(site_url="", feed_url="services/web/feed.xml", namespace="baseball"))
    assert root.get("{http://www.w3.org/XML/1998/namespace}base") == "../../"
    assert root.findtext(A + "id") == "urn:postmortems:baseball:feed:services/web/feed.xml"
    links = {link.get("rel"): link.get("href") for link in root.findall(A + "link")}
    assert links == {"self": "services/web/feed.xml"}  # ../../services/web/feed.xml from the feed itself
    with_site = ET.fromstring(build(feed_url="services/web/feed.xml", page_url="services/web/"))
    assert with_site.get("{http://www.w3.org/XML/1998/namespace}base") is None
    assert with_site.findtext(A + "id") == SITE + "services/web/feed.xml"
    links = {link.get("rel"): link.get("href") for link in with_site.findall(A + "link")}
    assert links == {"alternate": SITE + "services/web/", "self": SITE + "services/web/feed.xml"}


def test_head_links_go_right_before_the_head_ends_escaped():
    page = "<html><head><title>x</title></head><body></head></body></html>"
    out = feed.head_links(page, [('R&D "feed"', "../feed.xml?a=1&b=2")])
    assert out == ('<html><head><title>x</title><link rel="alternate" type="application/atom+xml" '
                   'title="R&amp;D &quot;feed&quot;" href="../feed.xml?a=1&amp;b=2"></head><body></head></body></html>')
    assert feed.head_links("<p>no head</p>", [("t", "feed.xml")]) == "<p>no head</p>"
    assert feed.head_links(page, []) == page


def test_site_url_without_trailing_slash_and_absolute_entry_url():
    root = ET.fromstring(build([entry("a"), entry("b", url="https://elsewhere.example/x")],
                               site_url="https://wiki.example.org/pm"))
    hrefs = [e.find(A + "link").get("href") for e in root.findall(A + "entry")]
    assert hrefs == ["https://wiki.example.org/pm/incidents/a/", "https://elsewhere.example/x"]


def test_ids_are_stable_without_id():
    first = ET.fromstring(build([entry("", url="incidents/z/")])).find(A + "entry").findtext(A + "id")
    assert first == SITE + "incidents/z/"
    hashed = ET.fromstring(build([entry("", url=None)])).find(A + "entry").findtext(A + "id")
    assert hashed.startswith("urn:postmortems:incident:sha1-")
    assert hashed == ET.fromstring(build([entry("", url=None)])).find(A + "entry").findtext(A + "id")
    odd = ET.fromstring(build([entry("a b/c")], site_url="")).find(A + "entry").findtext(A + "id")
    assert odd == "urn:postmortems:incident:a%20b%2Fc"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "  JAVASCRIPT:alert(1)", "java\nscript:alert(1)",
                                 "data:text/html,x"])
def test_unsafe_entry_url_is_dropped(url):
    xml = build([entry("a", url=url)])
    root = ET.fromstring(xml)
    assert root.find(A + "entry").find(A + "link") is None
    assert "javascript" not in xml.lower() and "data:" not in xml


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_are_escaped(hostile):
    item = entry(hostile, title=hostile, summary=hostile, content_html=hostile, authors=[hostile],
                 categories=[hostile], url=f"incidents/?q={hostile}")
    xml = build([item], title=hostile)
    for raw in RAW_HOSTILE:
        assert raw not in xml
    root = ET.fromstring(xml)
    assert root.findtext(A + "title") == hostile
    got = root.find(A + "entry")
    assert got.findtext(A + "title") == hostile
    assert got.findtext(A + "summary") == hostile
    assert got.findtext(A + "content") == hostile
    assert got.find(A + "author").findtext(A + "name") == hostile
    assert got.find(A + "category").get("term") == hostile
    assert got.find(A + "link").get("href") == SITE + f"incidents/?q={hostile}"


def test_control_characters_do_not_break_xml():
    ET.fromstring(build([entry("a", title="bell\x07 and nul\x00", content_html="<p>\x1b[31m</p>")]))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        build(updated=datetime(2013, 7, 20, 12, 0))
    with pytest.raises(ValueError, match="time zone"):
        build([entry("a", published=datetime(2013, 7, 12, 2, 10))])


def test_empty_feed():
    root = ET.fromstring(build([]))
    assert root.findall(A + "entry") == []


def test_feed_module_does_not_import_mkdocs():
    import inspect

    source = inspect.getsource(feed)
    imports = re.findall(r"^\s*(?:from|import)\s+([\w.]+)", source, re.M)
    assert "mkdocs" not in " ".join(imports)
