"""Bad input never loses an incident, never breaks the site; builds are reproducible and private."""

from __future__ import annotations

import json
import re
import shutil
import string
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.exceptions import Abort

from conftest import DATA, ROOT
from postmortems.incidents.loader import load_text
from postmortems.incidents.model import FIELDS
from postmortems.incidents.settings import Settings
from sitebuilder import build_and_capture, build_site, incident, write_site

BAD = sorted((DATA / "bad").glob("*.md"))
GOOD = {f"2013-06-{day:02d}-good.md": incident(title=f"Good incident {day}", started=f"2013-06-{day:02d} 10:00",
                                                 resolved=f"2013-06-{day:02d} 11:00", downtime=day)
        for day in range(1, 6)}


@pytest.fixture(scope="module")
def corpus_wiki(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    big = incident(title="A very long postmortem", started="2013-06-10 10:00", resolved="2013-06-10 11:00",
                   body=("We looked everywhere. " * 50 + "\n\n") * 5000)
    config = write_site(root, {**GOOD, "2013-06-10-big.md": big}, options={"timezone": "America/New_York"})
    for path in BAD:
        shutil.copy(path, root / "incidents" / path.name)
    return config


def test_bad_corpus_warns_for_each_file_and_publishes_every_good_incident(corpus_wiki):
    site, warnings = build_and_capture(corpus_wiki)
    for path in BAD:
        assert any(f"incidents/{path.name}" in warning for warning in warnings), path.name
    left_out = next(warning for warning in warnings if "left out of the wiki" in warning)
    assert all(f"incidents/{path.name}" in left_out for path in BAD)
    for name in [*GOOD, "2013-06-10-big.md"]:
        assert (site / "incidents" / name[:-3] / "index.html").exists()
    index = (site / "incidents" / "index.html").read_text()
    assert index.count("<tr><td>") == len(GOOD) + 1
    assert "Traceback" not in "\n".join(warnings)


def test_bad_corpus_fails_strict(corpus_wiki, tmp_path):
    with pytest.raises(Abort):
        build_site(corpus_wiki, strict=True, site_dir=tmp_path / "site")


# Random frontmatter, valid and invalid: the loader returns an incident or clear errors, never raises.
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(["SEV1", "SEV9", "outage", "partial", "11:05", "25:99", "2013-07-12 02:10", "2013-07-12",
                     "web", "resolved", "monitoring", "javascript:alert(1)", "https://x.test/", "<script>"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                      max_leaves=12)
keys = st.one_of(st.sampled_from(FIELDS), st.text(string.ascii_lowercase + "_", min_size=1, max_size=15))
impact_entry = st.fixed_dictionaries({"service": st.sampled_from(["web", "db"]),
                                      "level": st.sampled_from(["outage", "partial", "degraded", "x"])},
                                     optional={"fraction": st.floats(-1, 2), "end": scalars})
plausible = st.fixed_dictionaries(
    {"title": st.text(min_size=1, max_size=40), "severity": st.sampled_from(["SEV1", "SEV4", "SEV9"]),
     "started": st.sampled_from(["2013-07-12 02:10", "2013-07-12T02:10:00-04:00", "2013-07-12", "nope"]),
     "services": st.one_of(st.lists(st.sampled_from(["web", "db"]), max_size=2), st.text(max_size=5))},
    optional={"resolved": st.sampled_from(["2013-07-12 03:10", "2013-07-12 01:00", None]),
              "downtime_minutes": st.one_of(st.floats(-5, 200), st.integers(-5, 200), st.text(max_size=4)),
              "impact": st.lists(impact_entry, max_size=3), "status": st.sampled_from(["resolved", "monitoring", "x"]),
              "timeline": st.lists(st.fixed_dictionaries({"at": scalars, "event": scalars}), max_size=3),
              "related": st.lists(st.text(max_size=8), max_size=2)},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(plausible, st.dictionaries(keys, values, max_size=8)))
def test_loader_returns_an_incident_or_clear_errors(front):
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\nBody\n"
    result, problems, _ = load_text(text.encode("utf-8"), Settings(), "incidents/random.md", "random")
    errors = [problem for problem in problems if problem.is_error]
    if result is None:
        assert errors, "an incident left out without an error"
    else:
        assert not errors
        assert result.started.tzinfo is not None
        assert result.downtime_minutes is not None or result.impact
    for problem in problems:
        assert str(problem).startswith("incidents/random.md")
        assert problem.message and "Traceback" not in problem.message


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_loader_survives_any_bytes(raw):
    result, problems, _ = load_text(b"---\n" + raw, Settings(), "incidents/bytes.md", "bytes")
    assert result is not None or any(problem.is_error for problem in problems)


# Reproducible builds.
def _tree(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def test_two_builds_of_the_same_input_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1372636800")  # 2013-07-01 00:00 UTC
    config = write_site(tmp_path, GOOD, options={"as_of": None, "since": "2013-01-01 00:00"})
    first = _tree(build_site(config, site_dir=tmp_path / "one"))
    second = _tree(build_site(config, site_dir=tmp_path / "two"))
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert different == []
    for name in ("uptime.json", "incidents.json", "feed.xml", "badges/uptime-30d.svg", "uptime/index.html",
                 "incidents/2013-06-01-good/index.html"):
        assert name in first
    assert json.loads(first["uptime.json"])["as_of"] == "2013-07-01T00:00:00Z"


# Privacy: the built example makes no request to another host.
class _Requests(HTMLParser):
    """URLs a browser would fetch on its own (not plain links)."""

    FETCHING = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("video", "src"),
                ("audio", "src"), ("embed", "src"), ("object", "data"), ("image", "href"), ("use", "href"),
                ("input", "src"), ("track", "src"), ("img", "srcset"), ("source", "srcset")}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value and ((tag, name) in self.FETCHING or name == "style"):
                self.urls.extend(re.findall(r"url\(\s*['\"]?([^'\")]+)", value) if name == "style" else value.split(","))
        if tag == "link" and attrs.get("href") and set((attrs.get("rel") or "").split()) & {
                "stylesheet", "preconnect", "dns-prefetch", "preload", "prefetch", "icon", "manifest", "modulepreload"}:
            self.urls.append(attrs["href"])


def _foreign(url: str) -> bool:
    url = url.strip().split()[0] if url.strip() else ""
    host = urlsplit(url).hostname if url.startswith(("http:", "https:", "//")) else None
    return host not in (None, "127.0.0.1", "localhost")


def test_the_example_site_requests_nothing_from_another_host(tmp_path):
    site = build_site(ROOT / "mkdocs.yml", strict=True, site_dir=tmp_path / "site")
    offenders = []
    for path in site.rglob("*"):
        if path.suffix in (".html", ".svg"):
            parser = _Requests()
            parser.feed(path.read_text(encoding="utf-8"))
            offenders += [(path.name, url) for url in parser.urls if _foreign(url)]
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8")
            urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", text) + re.findall(r"@import\s+['\"]([^'\"]+)", text)
            offenders += [(path.name, url) for url in urls if _foreign(url)]
    assert offenders == []
    html = (site / "uptime" / "index.html").read_text()
    assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html
