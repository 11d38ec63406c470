"""`postmortems generate`: the wiki as plain files, built by Zensical; and the wiki read from zensical.toml."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT
from postmortems.cli.main import main
from postmortems.cli.generate import MARKER, finished, unsearchable
from postmortems.site.templating import Island, Rendered
from sitebuilder import incident, write_site

# zensical_site (conftest.py): the example generated and built by Zensical, once a session.
# Zensical needs Python 3.11 or later: on 3.10, CI deselects these with -m "not zensical" (never a skip).
needs_zensical = pytest.mark.zensical
SCHEMA_NIGHT = "2012-08-14-schema-upgrade-stale-replica"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """The repository's example wiki, generated."""
    out = tmp_path_factory.mktemp("generated") / "build"
    result = run("generate", "--out", str(out), "-f", str(ROOT / "mkdocs.yml"))
    assert result.exit_code == 0, result.output
    return out


# The generated files ------------------------------------------------------------------------------
def test_generated_pages_hold_their_html_and_link_source_files(example):
    docs = example / "docs"
    page = (docs / "incidents" / f"{SCHEMA_NIGHT}.md").read_text(encoding="utf-8")
    assert page.startswith('---\ntitle: "Schema upgrade night')  # the page's title, escaped once, in its meta
    body = page.split("---\n", 2)[2].lstrip("\n")
    assert body.startswith("# Schema upgrade night")
    assert body.split("\n", 2)[2].lstrip("\n").startswith('<div class="pm-card">')  # the card right below the title
    assert "\n\n## Timeline\n\n<ol class=\"pm-timeline\">" in page  # each section under its heading, after the body
    assert page.index("## Summary") < page.index("## Timeline") < page.index("## Follow\\-up actions")
    for once in ('<div class="pm-card">', "## Timeline", "## Related incidents"):  # not again after a check's render
        assert page.count(once) == 1, once
    assert 'href="../services/web.md"' in page and 'href="../causes/database.md"' in page
    assert 'href="2012-12-04-replica-falls-behind-stale-reads.md"' in page
    assert '<ul class="pm-related" data-search-exclude>' in page  # search=False: out of the search index
    dashboard = (docs / "uptime" / "index.md").read_text(encoding="utf-8")
    assert 'href="ledger/site.md#window-30d"' in dashboard and 'href="../services/web.md"' in dashboard
    assert f'href="{SCHEMA_NIGHT}.md"' in (docs / "incidents" / "index.md").read_text(encoding="utf-8")
    for path in docs.rglob("*"):
        if path.is_file() and path.suffix in (".md", ".json", ".xml", ".svg"):
            text = path.read_text(encoding="utf-8")
            assert "data-pm-island" not in text, path  # never a placeholder
            assert "{{ uptime(" not in text or path.name != "index.md", path
    home = (docs / "index.md").read_text(encoding="utf-8")
    assert "kept &gt;99.98% uptime" in home and "{{ uptime" not in home  # &gt;: never a quote at a line start
    assert (docs / "images" / "dashboard.png").read_bytes() == (ROOT / "docs" / "images" / "dashboard.png").read_bytes()
    for name in ("uptime.json", "incidents.json", "feed.xml", "badges/uptime-30d.svg", "badges/web/uptime-30d.svg",
                 "assets/postmortems/postmortems.css", "assets/postmortems/postmortems.js"):
        assert (docs / name).is_file(), name
    assert (example / MARKER).is_file()


def test_the_derived_configuration_leaves_the_plugin_out(example):
    original = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    derived = yaml.safe_load((example / "mkdocs.yml").read_text())
    assert derived["docs_dir"] == "docs"
    assert derived["plugins"] == {"search": {}}  # the example's mapping, without postmortems
    assert derived["nav"] == original["nav"]
    for entry in derived["nav"]:
        assert (example / "docs" / next(iter(entry.values()))).is_file()
    assert original["extra_css"] == ["stylesheets/extra.css"]  # the example's own stylesheet stays, before the plugin's
    assert derived["extra_css"] == ["stylesheets/extra.css", "assets/postmortems/postmortems.css"]
    assert derived["extra_javascript"] == ["assets/postmortems/postmortems.js"]
    assert derived["markdown_extensions"] == original["markdown_extensions"]
    assert "/incidents/*.md\n!/incidents/index.md" in derived["not_in_nav"]


def test_islands_go_where_their_placeholders_stand_and_out_of_search_when_asked():
    islands = {"T1": Island("T1", "<div>card</div>", True), "T2": Island("T2", "\n<p>x</p>\n", True),
               "T3": Island("T3", "<ol></ol>", False)}
    text = finished(Rendered("---\nsearch: {exclude: true}\n---\n\n# Title\n\nT1\n\nT2\n\n## Time\\*line\n\nT3\n", islands))
    assert text == ("---\nsearch: {exclude: true}\n---\n\n# Title\n\n<div>card</div>\n\n<p>x</p>\n\n"
                    "## Time\\*line\n\n<ol data-search-exclude></ol>\n")
    assert unsearchable("<table></table>\n<p>note</p>") == "<div data-search-exclude>\n<table></table>\n<p>note</p>\n</div>"


# Built by Zensical ----------------------------------------------------------------------------------
@needs_zensical
def test_zensical_builds_the_same_figures(zensical_site, mkdocs_site):
    """uptime.json: test_three_builders.py compares it across all three builders, with every link and search."""
    badges = sorted(path.relative_to(mkdocs_site).as_posix() for path in (mkdocs_site / "badges").rglob("*.svg"))
    assert len(badges) > 10
    for name in ("incidents.json", "feed.xml", *badges):
        assert (zensical_site / name).read_bytes() == (mkdocs_site / name).read_bytes(), name

    def pages(site):
        return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))

    assert pages(zensical_site) == pages(mkdocs_site)  # the same pages at the same addresses
    assert "kept &gt;99.98% uptime" in (zensical_site / "index.html").read_text(encoding="utf-8")


@needs_zensical
def test_zensical_shows_the_incident_page_and_indexes_it(zensical_site):
    page = (zensical_site / "incidents" / SCHEMA_NIGHT / "index.html").read_text(encoding="utf-8")
    assert '<div class="pm-card">' in page and '<ol class="pm-timeline">' in page
    assert 'href="../../services/web/"' in page  # rewritten from ../services/web.md
    assert "data-pm-island" not in page
    index = json.loads((zensical_site / "search.json").read_text(encoding="utf-8"))  # Zensical's search index
    found = [item["location"] for item in index["items"] if "pgpool" in item["text"]]
    assert found and found[0].startswith(f"incidents/{SCHEMA_NIGHT}/")
    related = " ".join(item["text"] for item in index["items"] if item["location"].startswith(f"incidents/{SCHEMA_NIGHT}/"))
    assert "Replica falls behind" not in related  # the related incidents' titles find those incidents only
    assert not [item for item in index["items"] if item["location"] == "incidents/"]  # search: exclude


# The command --------------------------------------------------------------------------------------
@pytest.fixture
def small(tmp_path):
    config = write_site(tmp_path / "wiki", {"2013-06-20-connection-storm.md": incident()},
                        docs={"index.md": '# Home\n\nUptime: {{ uptime("all") }}, `{{ uptime("all") }}` as code.\n'})
    return config


def test_generate_refuses_folders_it_would_overwrite(small, tmp_path):
    root = small.parent
    for out, expected in ((root, "is the wiki's own folder"), (root / "docs" / "out", "is inside docs_dir"),
                          (root / "incidents", "is inside"), (tmp_path, "contains")):
        result = run("generate", "-f", str(small), "--out", str(out))
        assert result.exit_code == 2 and expected in result.output, result.output
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine")
    result = run("generate", "-f", str(small), "--out", str(stranger))
    assert result.exit_code == 2 and "not empty" in result.output
    assert [path.name for path in stranger.iterdir()] == ["notes.txt"]
    assert not list((root / "docs").glob("*.json"))  # nothing ever goes into docs_dir


def test_generate_again_replaces_the_previous_generation_only(small, tmp_path):
    out = tmp_path / "out"
    assert run("generate", "-f", str(small), "--out", str(out)).exit_code == 0
    assert (out / "docs" / "index.md").read_text() == "# Home\n\nUptime: &gt;99.99%, `{{ uptime(\"all\") }}` as code.\n"
    (out / "site").mkdir()
    (out / "site" / "index.html").write_text("built")  # a builder's output stays
    (small.parent / "incidents" / "2013-06-20-connection-storm.md").rename(small.parent / "incidents" / "2013-06-20-renamed.md")
    result = run("generate", "-f", str(small), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert not (out / "docs" / "incidents" / "2013-06-20-connection-storm.md").exists()
    assert (out / "docs" / "incidents" / "2013-06-20-renamed.md").is_file()
    assert (out / "site" / "index.html").read_text() == "built"


def test_generate_fails_with_the_messages_of_check(small, tmp_path):
    (small.parent / "incidents" / "typo.md").write_text(incident().replace("downtime_minutes", "downtime_minute"))
    check = run("check", "-f", str(small))
    result = run("generate", "-f", str(small), "--out", str(tmp_path / "out"))
    assert result.exit_code == check.exit_code == 1
    assert "incidents/typo.md:7: unknown field 'downtime_minute'" in result.output
    assert check.output in result.output  # the same messages, then what was written
    assert (tmp_path / "out" / "docs" / "incidents" / "2013-06-20-connection-storm.md").is_file()
    small.write_text(small.read_text().replace("timezone: UTC", "timezone: Mars/Olympus"))
    result = run("generate", "-f", str(small), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "Mars/Olympus" in result.output


def test_generate_watch_follows_an_edited_incident(small, tmp_path):
    out = tmp_path / "out"
    page = out / "docs" / "incidents" / "2013-06-20-connection-storm.md"
    source = small.parent / "incidents" / "2013-06-20-connection-storm.md"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-c", "from postmortems.cli.main import main; main()", "generate",
                                "-f", str(small), "--out", str(out), "--watch"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in process.stdout:  # the first generation, then the watcher's first look
            if line.startswith("Watching"):
                break
        assert "connection storm" in page.read_text()
        source.write_text(source.read_text().replace("Launch-day connection storm", "Edited while watching"))
        _wait(lambda: "Edited while watching" in page.read_text())
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output = process.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0]
    assert process.returncode == 0, output
    assert output.count("incidents valid") == 1, output  # the second generation (the first was read above)


def _wait(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("the output did not change in time")


# zensical.toml --------------------------------------------------------------------------------------
TOML = """[project]
site_name = "Toml wiki"
docs_dir = "docs"
use_directory_urls = {directory_urls}

[project.plugins.postmortems]
timezone = "UTC"
since = "2013-01-01 00:00"
as_of = "2013-07-01 00:00"
{extra}
"""


@pytest.fixture
def toml_wiki(small, monkeypatch):
    root = small.parent
    small.unlink()
    (root / "zensical.toml").write_text(TOML.format(directory_urls="false", extra=""))
    monkeypatch.chdir(root)
    return root


def test_the_commands_read_zensical_toml(toml_wiki, tmp_path):
    result = run("check")
    assert result.exit_code == 0 and "1 incidents valid, 0 errors, 0 warnings" in result.output, result.output
    assert json.loads(run("stats", "--json").output)["as_of"].startswith("2013-07-01T00:00")
    result = run("generate", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    derived = yaml.safe_load((tmp_path / "out" / "mkdocs.yml").read_text())
    assert derived["site_name"] == "Toml wiki" and derived["use_directory_urls"] is False
    assert "plugins" not in derived
    incidents_json = json.loads((tmp_path / "out" / "docs" / "incidents.json").read_text())
    assert incidents_json["incidents"][0]["url"] == "incidents/2013-06-20-connection-storm.html"


def test_zensical_toml_options_are_checked_like_mkdocs_yml(toml_wiki):
    (toml_wiki / "zensical.toml").write_text(TOML.format(directory_urls="true", extra="window = [7]"))
    result = run("check")
    assert result.exit_code == 1
    assert "Plugin 'postmortems' option 'window': Unrecognised configuration name: window; did you mean 'windows'?" in result.output
    (toml_wiki / "zensical.toml").write_text(TOML.format(directory_urls="true", extra="precision = 9"))
    result = run("check")
    assert result.exit_code == 2 and "precision" in result.output
    (toml_wiki / "zensical.toml").write_text("[project\n")
    result = run("check")
    assert result.exit_code == 2 and "zensical.toml: not valid TOML" in result.output
    (toml_wiki / "zensical.toml").write_text('[project]\nsite_name = "x"\n[project.plugins.search]\n')
    assert "lists no postmortems" in run("check").output


def test_a_yaml_config_comes_before_zensical_toml(toml_wiki):
    (toml_wiki / "zensical.toml").write_text(TOML.format(directory_urls="true", extra="precision = 9"))  # wrong
    write_site(toml_wiki, {})
    assert run("check").exit_code == 0


def test_the_derived_configuration_keeps_tags_inherits_and_moves_folders(tmp_path):
    from postmortems.cli.generate import derived_config, dump_yaml
    from postmortems.mkdocs_plugin.config import raw_config

    (tmp_path / "base.yml").write_text(
        "site_name: Base\ntheme: {name: material, custom_dir: overrides}\nmarkdown_extensions:\n"
        "  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n")
    (tmp_path / "mkdocs.yml").write_text(
        "INHERIT: base.yml\nsite_url: !ENV [SITE_URL, 'https://example.com/']\ntheme: {font: false}\n"
        "plugins: {search: {}, postmortems: {timezone: UTC}}\nhooks: [hooks/x.py]\nmarkdown_extensions: [toc, postmortems.markdown]\n"
        "extra_css: [assets/postmortems/postmortems.css]\n")
    config = derived_config(raw_config(tmp_path / "mkdocs.yml"), root=tmp_path, out=tmp_path / "build")
    text = dump_yaml(config)
    assert "site_url: !ENV\n- SITE_URL\n- https://example.com/\n" in text
    assert config["markdown_extensions"] == ["toc"]  # the child's list replaces the parent's, as in MkDocs
    base = derived_config(raw_config(tmp_path / "base.yml"), root=tmp_path, out=tmp_path / "build")
    assert "emoji_index: !!python/name:material.extensions.emoji.twemoji" in dump_yaml(base)
    assert config["theme"] == {"name": "material", "custom_dir": "../overrides", "font": False}
    assert config["plugins"] == {"search": {}} and config["hooks"] == ["../hooks/x.py"]
    assert config["extra_css"] == ["assets/postmortems/postmortems.css"]  # not twice
    assert "INHERIT" not in config
