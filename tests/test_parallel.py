"""The overview pages made in a worker process: the same bytes as one process makes, and safe fallbacks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.commands.build import build
from mkdocs.exceptions import Abort

from postmortems.mkdocs_plugin.background import Job, Shared, Worker
from postmortems.incidents.loader import incident_files, load_directory
from postmortems.site.wiki import Wiki
from postmortems.incidents.settings import Settings
from postmortems.uptime.report import compute
from postmortems.site.layout import Layout
from sitebuilder import Captured, incident, write_site

SERVICES = ["web", "api", "database", "cdn", "search"]
CAUSES = ["database", "deploy", "provider", "config"]


def many_incidents(count: int = 36) -> dict[str, str]:
    files = {}
    for n in range(count):
        month, day = 1 + n % 6, 1 + (n * 7) % 27
        services = [SERVICES[n % 5], SERVICES[(n + 2) % 5]][: 1 + n % 2]
        extra = "\n".join([
            "cause:", f"  category: {CAUSES[n % 4]}", f'  summary: "cause number {n} & <friends>"',
            f"tags: [t{n % 3}, shared]",
            "action_items:", f'  - title: "Follow-up {n}"', "    owner: Ana",
            f"    status: {'open' if n % 3 else 'done'}", f"    due: 2013-0{month}-28",
            *([f"related: [2013-{1 + (n - 7) % 6:02d}-x{n - 7:02d}]"] if n >= 7 and n % 7 == 0 else []),
        ])
        files[f"2013-{month:02d}-x{n:02d}.md"] = incident(
            title=f'"Incident {n}: {services[0]} trouble"', severity=f"SEV{1 + n % 4}",
            started=f"2013-{month:02d}-{day:02d} {n % 24:02d}:05", resolved=f"2013-{month:02d}-{day:02d} {n % 24:02d}:50",
            services="[" + ", ".join(services) + "]", downtime=n % 40, extra=extra)
    return files


WAIT_HOOK = """
from mkdocs.plugins import event_priority

@event_priority(-200)  # after the wiki has asked its worker for the pages
def on_nav(nav, config, files):
    config.plugins["postmortems"].shared.wait()  # so every incident page the worker can convert comes from it
"""


def _build(config_file: Path, site_dir: Path, strict: bool = True):
    config = load_config(str(config_file), site_dir=str(site_dir), strict=strict)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return config.plugins["postmortems"]


def _with_links(incidents: dict[str, str]) -> dict[str, str]:
    """Bodies that link to another incident (with an anchor), to the home page and to themselves."""
    names = sorted(incidents)
    return {name: text.replace("Too many app servers.\n", f"Too many app servers, like [before]({names[n - 1]}#summary).\n\n"
                               f"See [home](../index.md) and [this summary](#summary).\n\n### Notes\n\n- `code` & <b>bold</b>\n")
            for n, (name, text) in enumerate(sorted(incidents.items()))}


def _worker_site(root: Path, incidents: dict[str, str], hook: str = WAIT_HOOK) -> Path:
    """A wiki that uses the worker and waits for it, so its HTML is used for every incident page it can be."""
    config = write_site(root, incidents, options={"parallel": "always"}, config={"hooks": ["hook.py"]})
    (root / "hook.py").write_text(hook)
    return config


def _messages(config_file: Path, site_dir: Path, level: int = logging.ERROR, aborts: bool = True) -> list[str]:
    """What a build logs at ``level`` and above; it must abort (``aborts``) or finish."""
    handler = Captured()
    handler.setLevel(level)
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        if aborts:
            with pytest.raises(Abort):
                _build(config_file, site_dir)
        else:
            _build(config_file, site_dir, strict=False)
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    return handler.messages


def _tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_the_worker_makes_the_same_site_byte_for_byte(tmp_path):
    incidents = many_incidents()
    one = write_site(tmp_path / "one", incidents, options={"parallel": "never"})
    two = write_site(tmp_path / "two", incidents, options={"parallel": "always"})
    assert _build(one, tmp_path / "site-one").shared.used_worker is False
    assert _build(two, tmp_path / "site-two").shared.used_worker is True  # the worker's text was used
    a, b = _tree(tmp_path / "site-one"), _tree(tmp_path / "site-two")
    assert a.keys() == b.keys() and len(a) > 60
    assert [name for name in a if a[name] != b[name]] == []
    index = b["incidents/index.html"].decode()
    assert "Incident 35: web trouble" in index and "data-pm-island" not in index
    assert "cause number 3 &amp; &lt;friends&gt;" in b["incidents/2013-04-x03/index.html"].decode()
    assert "Incident 4: search trouble" in b["causes/database/index.html"].decode()


def test_incident_html_converted_by_the_worker_is_the_same_byte_for_byte(tmp_path):
    incidents = _with_links(many_incidents(120))  # three chunks of 50
    one = write_site(tmp_path / "one", incidents, options={"parallel": "never"})
    assert _build(one, tmp_path / "site-one").converted_by_worker == 0
    two = _worker_site(tmp_path / "two", incidents)
    assert _build(two, tmp_path / "site-two").converted_by_worker == 120  # every incident page's HTML came from the worker
    a, b = _tree(tmp_path / "site-one"), _tree(tmp_path / "site-two")
    assert a.keys() == b.keys() and [name for name in a if a[name] != b[name]] == []
    page = b["incidents/2013-02-x01/index.html"].decode()
    assert '<a href="../2013-01-x96/#summary">before</a>' in page and '<a href="../../">home</a>' in page and "<code>code</code> &amp; <b>bold</b>" in page
    assert 'id="notes"' in page and 'href="#notes"' in page  # the table of contents came along


def test_a_page_whose_conversion_warns_is_converted_again_here_and_warns_once(tmp_path):
    incidents = _with_links(many_incidents(60))
    incidents["2013-03-x02.md"] = incidents["2013-03-x02.md"].replace("[home](../index.md)", "[gone](nowhere.md)")
    one = write_site(tmp_path / "one", incidents, options={"parallel": "never"})
    warnings = _messages(one, tmp_path / "site-one", logging.WARNING)
    assert warnings[0] == ("Doc file 'incidents/2013-03-x02.md' contains a link 'nowhere.md', "
                           "but the target 'incidents/nowhere.md' is not found among documentation files.")
    two = _worker_site(tmp_path / "two", incidents)
    assert _messages(two, tmp_path / "site-two", logging.WARNING) == warnings  # --strict stops both builds
    assert _build(two, tmp_path / "site-three", strict=False).converted_by_worker == 59


def test_markdown_another_plugin_changes_is_converted_here(tmp_path):
    incidents = many_incidents(60)
    hook = WAIT_HOOK + """
def on_page_markdown(markdown, page, config, files):
    return markdown + "\\n\\nAdded by *a hook*.\\n" if page.file.src_uri.endswith("x03.md") else markdown
"""
    assert _build(_worker_site(tmp_path, incidents, hook), tmp_path / "site").converted_by_worker == 59
    assert "Added by <em>a hook</em>." in (tmp_path / "site" / "incidents" / "2013-04-x03" / "index.html").read_text()
    assert "Added by" not in (tmp_path / "site" / "incidents" / "2013-05-x04" / "index.html").read_text()


def test_a_file_changed_while_loading_voids_the_worker_result(tmp_path):
    config = write_site(tmp_path, many_incidents(8))
    directory, settings, layout = tmp_path / "incidents", Settings(timezone="UTC"), Layout()
    paths = incident_files(directory)
    notes: list[str] = []
    worker = Worker()
    try:
        overview = Shared(worker, paths, Job("t", directory, tmp_path, settings, layout, None, "", "Wiki"), note=notes.append)
        overview.queue()
        target = paths[0]
        target.write_text(target.read_text().replace("Incident 0: web trouble", "Renamed while loading"))
        collection = load_directory(directory, settings, base=tmp_path)
        wiki = Wiki(collection.incidents, compute(collection.incidents, settings), settings, layout)
        overview.loaded(wiki)
        index = next(item for item in wiki.plan() if item.uri == layout.index)
        assert "Renamed while loading" in wiki.fill(layout.index, overview.text(index))
        renamed = next(item for item in collection.incidents if item.file.endswith(target.name))
        assert "\n# Renamed while loading\n" in overview.incident(renamed)
        assert not overview.used_worker
        assert notes == ["an incident file changed while the wiki was loading: rendering every page here"]
    finally:
        worker.close()
    assert config.exists()


@pytest.mark.parametrize("parallel", ["never", "always"])
def test_a_template_error_in_the_worker_stops_the_build_with_its_message(tmp_path, parallel):
    config = write_site(tmp_path, many_incidents(6), options={"parallel": parallel})
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tags.md").write_text("# Tags\n\n{{ no_such_thing.name }}\n")
    assert "postmortems: template tags.md: 'no_such_thing' is undefined" in _messages(config, tmp_path / "site")


@pytest.mark.parametrize("parallel", ["never", "always"])
def test_a_template_syntax_error_stops_the_build_before_any_page(tmp_path, parallel):
    config = write_site(tmp_path, many_incidents(6), options={"parallel": parallel})
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "ledger.md").write_text("# Ledger\n{% if %}\n")
    assert _messages(config, tmp_path / "site") == [
        "postmortems: template ledger.md:2: Expected an expression, got 'end of statement block' "
        f"(in {tmp_path / 'templates' / 'ledger.md'})"]


def test_incident_pages_from_the_worker_match_this_process(tmp_path):
    write_site(tmp_path, many_incidents(12))
    directory, settings, layout = tmp_path / "incidents", Settings(timezone="UTC"), Layout()
    paths = incident_files(directory)
    worker = Worker()
    try:
        shared = Shared(worker, paths, Job("t", directory, tmp_path, settings, layout, None, "", "Wiki"), note=pytest.fail)
        shared.queue()
        collection = load_directory(directory, settings, base=tmp_path)
        here = tmp_path / "here"  # a template only this process uses: it shows which process made a page
        here.mkdir()
        (here / "incident.md").write_text("# MADE HERE\n")
        wiki = Wiki(collection.incidents, compute(collection.incidents, settings), settings, layout, here, secret="t")
        shared.loaded(wiki)
        shared.wait()  # for every page the worker was asked for
        reference = Wiki(collection.incidents, compute(collection.incidents, settings), settings, layout, secret="t")
        for incident in collection.incidents:
            uri = wiki.incident_uri(incident)
            markdown, expected = shared.incident(incident), reference.incident_page(incident)
            assert markdown == expected and "MADE HERE" not in markdown
            assert wiki.islands[uri] == reference.islands[uri] and len(wiki.islands[uri]) >= 3
            assert wiki.fill(uri, wiki.searchable(uri, markdown)) == reference.fill(uri, reference.searchable(uri, expected))
    finally:
        worker.close()


def test_problems_read_the_same_whichever_process_loaded_the_file(tmp_path):
    incidents = many_incidents(20)
    # Files sort by name and the worker loads the last ones: put problems on both sides.
    incidents["2013-00-first-typo.md"] = incident(title="Typo here", extra="downtime_minute: 3")
    incidents["2013-99-last-typo.md"] = incident(title="Typo there", extra="severty: SEV2")
    incidents["2013-99-last-dup.md"] = incident(title="Same id", extra="id: 2013-01-x00")
    incidents["2013-99-last-link.md"] = incident(title="Dangling", extra="related: [nowhere]")
    messages = {}
    for parallel in ("never", "always"):
        config = write_site(tmp_path / parallel, incidents, options={"parallel": parallel})
        messages[parallel] = _messages(config, tmp_path / f"site-{parallel}", logging.WARNING, aborts=False)
    assert messages["always"] == messages["never"]
    text = "\n".join(messages["never"])
    for words in ("2013-00-first-typo.md", "2013-99-last-typo.md", "also used by", "names no incident"):
        assert words in text
    index = (tmp_path / "site-always" / "incidents" / "index.html").read_text()
    assert "Dangling" in index and "Typo there" not in index and "Incident 19" in index
