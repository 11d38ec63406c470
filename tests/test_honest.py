"""Honest under any input (#12): no option, config file or layout of files crashes a build or the
command line; `postmortems check` passes exactly when `mkdocs build --strict` passes; a normal build
writes the home page and every valid incident, or stops with a configuration error; nothing is
dropped without a word."""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from mkdocs.exceptions import Abort, ConfigurationError

from postmortems.incidents import loader
from postmortems.site.addresses import Addresses
from postmortems.cli.main import main
from postmortems.incidents.loader import find_incidents, load_paths
from postmortems.site.wiki import Wiki
from postmortems.incidents.settings import Settings
from postmortems.uptime.report import compute
from postmortems.site.layout import Layout
from sitebuilder import Captured, build_site, incident, write_site

GOOD = {"2013-06-01-good.md": incident(title="A good incident", started="2013-06-01 10:00", resolved="2013-06-01 11:00")}


def other(title: str, day: int = 2) -> str:
    return incident(title=title, started=f"2013-06-{day:02d} 10:00", resolved=f"2013-06-{day:02d} 11:00")


@dataclass
class Outcome:
    check: object  # click's Result
    strict_passed: bool
    site: Path | None  # the normal build's site, None when it stopped
    messages: list[str]  # what the normal build logged at WARNING and above


def _build(config: Path, strict: bool, site_dir: Path) -> tuple[Path | None, list[str], bool]:
    """(site or None, messages, whether it stopped on its configuration)."""
    handler = Captured()
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        return build_site(config, strict=strict, site_dir=site_dir), handler.messages, False
    except ConfigurationError as error:  # MkDocs' own refusal of a config file that is no mapping
        return None, [*handler.messages, str(error)], True
    except Abort:
        return None, handler.messages, any("Config value" in message for message in handler.messages)
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)


def outcome(config: Path, tmp_path: Path) -> Outcome:
    """Check, build and build --strict one wiki, asserting the invariants of #12."""
    check = CliRunner().invoke(main, ["check", "-f", str(config)], catch_exceptions=False)
    assert "Traceback" not in check.output
    assert check.exit_code in (0, 1, 2), check.output
    site, messages, config_error = _build(config, strict=False, site_dir=tmp_path / "site")
    assert "Traceback" not in "\n".join(messages)
    if site is None:
        assert config_error, messages  # a normal build stops only on a configuration error
        assert check.exit_code == 2, check.output
        strict_passed = False  # strict mode reads the same configuration, and refuses more
    else:
        assert (site / "index.html").exists()
        published = json.loads((site / "incidents.json").read_text())["incidents"] if (site / "incidents.json").exists() else []
        valid = re.search(r"(\d+) incidents valid", check.output)
        assert valid is None or int(valid.group(1)) == len(published), check.output
        for item in published:  # every valid incident has its page
            page = site / unquote(item["url"])
            assert (page / "index.html" if item["url"].endswith("/") else page).exists(), item["url"]
        strict_site, strict_messages, _ = _build(config, strict=True, site_dir=tmp_path / "strict")
        strict_passed = strict_site is not None
    assert (check.exit_code == 0) == strict_passed, (check.output, messages)
    return Outcome(check, strict_passed, site, messages)


# 1. No option value crashes a build --------------------------------------------------------------
FAR = "between 1970-01-01 and 2999-12-31"
BAD_OPTIONS = [
    # timestamps: out of range, odd offsets, since after as_of (or after now)
    ({"as_of": "0001-01-01 00:00"}, f"as_of (0001-01-01 00:00) is not {FAR}"),
    ({"as_of": "9999-12-31 23:59"}, f"as_of (9999-12-31 23:59) is not {FAR}"),
    ({"since": "0001-01-01 00:00", "timezone": "Asia/Tokyo"}, f"since (0001-01-01 00:00) is not {FAR}"),
    ({"as_of": "2013-07-01T00:00:00+24:00"}, "as_of (2013-07-01T00:00:00+24:00) has an impossible UTC offset, +24:00"),
    ({"since": "2013-08-01 00:00"}, "since (2013-08-01 00:00) is after as_of (2013-07-01 00:00)"),
    ({"since": "2999-01-01 00:00", "as_of": None}, "is after the as-of instant"),
    # windows, numbers
    ({"windows": [10**9]}, "windows: 1000000000 days is more than 36500"),
    ({"windows": [True]}, "windows: True is not a whole number of days"),
    ({"precision": float("inf")}, "option 'precision'"),
    ({"precision": True}, "precision must be a whole number from 0 to 6"),
    ({"precision": 10**30}, "precision must be a whole number from 0 to 6"),
    ({"slo": float("nan")}, "slo must be a percentage above 0 and below 100"),
    ({"slo": float("inf")}, "slo must be a percentage above 0 and below 100"),
    ({"slo": True}, "slo must be a percentage above 0 and below 100"),
    ({"weights": {"partial": float("nan")}}, "weights: partial must be a number from 0 to 1"),
    ({"weights": {"partial": 10**400}}, "weights: partial must be a number from 0 to 1"),
    ({"weights": {"partial": True}}, "weights: partial must be a number from 0 to 1"),
    # names
    ({"timezone": ""}, "option 'timezone'"),
    ({"severities": [1, 2]}, "option 'severities'"),
    ({"severities": [""]}, "severities: a severity is empty"),
    # where things are
    ({"url_prefix": "../.."}, "'../..' is not a folder inside the site"),
    ({"url_prefix": "/abs/"}, "'/abs/' is not a folder inside the site"),
    ({"url_prefix": "a b?#/"}, "'a b?#/' is not a folder inside the site"),
    ({"url_prefix": "services/"}, "'services/' is where the wiki puts a service's page"),
    ({"incidents_dir": ""}, "option 'incidents_dir': is empty"),
    ({"incidents_dir": "docs"}, "is docs_dir"),
    ({"incidents_dir": "."}, "contains docs_dir"),
    ({"incidents_dir": "/"}, "is the root of the file system"),
    ({"templates_dir": "tem\0plates"}, "option 'templates_dir': contains a NUL character"),
]


@pytest.mark.parametrize("options, message", BAD_OPTIONS, ids=[str(options)[:60] for options, _ in BAD_OPTIONS])
def test_a_wrong_option_is_a_configuration_error_in_the_build_and_in_check(tmp_path, options, message):
    result = outcome(write_site(tmp_path, GOOD, options=options), tmp_path)
    assert result.site is None
    assert message in result.check.output
    assert any(message in line and "Plugin 'postmortems'" in line for line in result.messages), result.messages


@pytest.mark.parametrize("options", [
    {"as_of": "2013-07-01T00:00:00+23:59", "since": "1970-01-01 00:00"},
    {"url_prefix": "", "windows": [36500], "weights": {"partial": 0}},
], ids=["edge-timestamps", "edge-values"])
def test_edge_values_that_are_fine_build_strict(tmp_path, options):
    result = outcome(write_site(tmp_path, GOOD, options=options), tmp_path)
    assert result.check.exit_code == 0 and result.strict_passed


@pytest.mark.parametrize("options, expected", [
    ({"incidents_dir": "x" * 300}, "is not a folder"),  # a name too long for the file system
    ({"incidents_dir": "nowhere"}, "incidents_dir 'nowhere' is not a folder"),
    ({"window": [7]}, "option 'window': Unrecognised configuration name: window; did you mean 'windows'?"),
])
def test_a_warning_about_the_options_fails_check_and_strict_but_not_the_build(tmp_path, options, expected):
    result = outcome(write_site(tmp_path, GOOD, options=options), tmp_path)
    assert result.site is not None and not result.strict_passed
    assert result.check.exit_code == 1
    assert "warning: " in result.check.output and expected in result.check.output
    assert any(expected in message for message in result.messages)


BASE = "site_name: x\ntheme: {name: material, font: false}\n"
OPTIONS = "as_of: '2013-07-01 00:00', since: '2013-01-01 00:00'"
CONFIG_FILES = {
    "plugins-a-number": (BASE + "plugins: 5\n", 2),
    "options-a-number": (BASE + "plugins: [ {postmortems: 5} ]\n", 2),
    "options-a-list": (BASE + "plugins: [ {postmortems: [a]} ]\n", 2),
    "a-list-of-lists": (BASE + "plugins: [[postmortems]]\n", 2),
    "dict-form": (BASE + f"plugins: {{search: {{}}, postmortems: {{{OPTIONS}}}}}\n", 0),
    "dict-form-bad": (BASE + "plugins: {postmortems: {windows: [0]}}\n", 2),
    "env-tag": (BASE + "plugins:\n  - postmortems:\n      as_of: !ENV [PM_NOT_SET, '2013-07-01 00:00']\n"
                       "      since: '2013-01-01 00:00'\n", 0),
    "env-tag-bad": (BASE + "plugins:\n  - postmortems:\n      precision: !ENV [PM_NOT_SET, 9]\n", 2),
    "inherit": ("INHERIT: base.yml\nsite_name: x\n", 0),
    "inherit-bad": ("INHERIT: base.yml\nplugins:\n  - postmortems:\n      windows: [7, month]\n", 2),
    "inherit-missing": ("INHERIT: nowhere.yml\nsite_name: x\n", 2),
    "twice": (BASE + "plugins: [postmortems, postmortems]\n", 1),
    "not-a-mapping": ("- site_name\n- plugins\n", 2),
    "empty": ("", 2),
    "broken-yaml": (BASE + "plugins: [\n", 2),
    "no-plugin": (BASE + "plugins: [search]\n", 0),
    "disabled": (BASE + "plugins: [{postmortems: {enabled: false}}]\n", 0),
}


@pytest.mark.parametrize("name", list(CONFIG_FILES))
def test_any_config_file_is_read_as_mkdocs_reads_it(tmp_path, name):
    text, exit_code = CONFIG_FILES[name]
    config = write_site(tmp_path, GOOD)
    (tmp_path / "base.yml").write_text(BASE + f"plugins:\n  - postmortems: {{{OPTIONS}}}\n")
    config.write_text(text)
    result = outcome(config, tmp_path)
    assert result.check.exit_code == exit_code, result.check.output


def test_a_time_offset_mkdocs_itself_cannot_read_is_an_error_from_check(tmp_path):
    # PyYAML raises ValueError on `+99:00`, and `mkdocs build` shows that traceback itself.
    config = write_site(tmp_path, GOOD)
    config.write_text(BASE + "plugins:\n  - postmortems:\n      as_of: 2013-01-01 00:00:00 +99:00\n")
    result = CliRunner().invoke(main, ["check", "-f", str(config)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "mkdocs.yml: cannot be read: ValueError: offset must be a timedelta" in result.output


# 4. The command line finds the right configuration ------------------------------------------------
@pytest.mark.parametrize("names, used", [
    (["mkdocs.yaml"], "mkdocs.yaml"),
    (["properdocs.yml"], "properdocs.yml"),
    (["properdocs.yaml"], "properdocs.yaml"),
    (["mkdocs.yml", "properdocs.yml"], "properdocs.yml"),  # ProperDocs' order
    (["mkdocs.yaml", "mkdocs.yml"], "mkdocs.yml"),
])
def test_the_commands_find_the_config_file_as_properdocs_does(tmp_path, monkeypatch, names, used):
    written = write_site(tmp_path, GOOD)
    for number, name in enumerate(names):
        text = written.read_text().replace("2013-07-01 00:00", f"2013-07-0{number + 2} 00:00")
        (tmp_path / name).write_text(text)
    if "mkdocs.yml" not in names:
        written.unlink()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["stats", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    expected = (tmp_path / used).read_text().split("as_of: ")[1][:16]
    assert json.loads(result.output[result.output.index("{"):])["as_of"].startswith(expected.replace(" ", "T"))


@pytest.mark.parametrize("command", [["check"], ["stats"], ["new", "Title"]])
def test_without_a_config_file_the_commands_say_so(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, command, catch_exceptions=False)
    assert result.exit_code == 2
    assert "no properdocs.yml, properdocs.yaml, mkdocs.yml, mkdocs.yaml or zensical.toml in" in result.output
    assert not (tmp_path / "incidents").exists()


def test_schema_without_a_config_file_uses_the_defaults_and_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "the schema uses the default options" in result.output
    assert '"SEV4"' in result.output


# 2. Nothing is dropped without a word --------------------------------------------------------------
def _ids(extra: str) -> str:
    return other("Clash").replace("title: Clash", f"title: Clash\n{extra}")


LAYOUTS = {
    "generated-names": (
        {"uptime.md": other("Uptime"), "feed.xml.md": other("Feed", 3), "action-items.md": other("Actions", 4),
         "sitemap.xml.md": other("Sitemap", 5), "search.md": other("Search is free", 6)},
        {"url_prefix": ""}, {},
        ["incidents/uptime.md: id 'uptime' is taken: the uptime dashboard is at uptime/index.html",
         "incidents/feed.xml.md: id 'feed.xml' is taken: the Atom feed is at feed.xml",
         "incidents/action-items.md: id 'action-items' is taken: the action items page",
         "incidents/sitemap.xml.md: id 'sitemap.xml' is taken: the theme's sitemap.xml is at sitemap.xml"]),
    "index-and-readme": (
        {"a.md": _ids("id: index"), "b.md": _ids("id: README"), "index.md": other("Not an incident", 7)}, {}, {},
        ["incidents/a.md:3: id 'index' is taken: the incident index is at incidents/index.html",
         "incidents/b.md:3: id 'README' is taken: the incident index"]),
    "plain-urls": (
        {"404.md": other("Not found"), "index.html.md": other("Odd but free", 3)}, {"url_prefix": ""},
        {"use_directory_urls": False}, ["incidents/404.md: id '404' is taken: the theme's 404.html is at 404.html"]),
    "a-page-of-your-own": (
        {"2013-06-09-own.md": other("Own", 9)}, {}, {},
        ["incidents/2013-06-09-own.md: id '2013-06-09-own' is taken: your page docs/incidents/2013-06-09-own.md "
         "is at incidents/2013-06-09-own/index.html"]),
    "the-same-but-for-case": (
        {"Outage.md": other("Upper"), "outage.md": other("Lower", 3), "Uptime.md": other("Dashboard", 4)},
        {"url_prefix": ""}, {},
        ["incidents/Uptime.md: id 'Uptime' is taken: the uptime dashboard is at uptime/index.html",
         "incidents/outage.md: id 'outage' is taken: the page of incident 'Outage' (incidents/Outage.md), "
         "the same but for case, is at Outage/index.html"]),
    "links-to-nothing": (
        {}, {}, {}, ["incidents/dangling.md: is a link to gone.md, which cannot be read (No such file or directory)",
                     "incidents/loop.md: is a link to loop.md, which cannot be read (Too many levels of symbolic links)"]),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_an_incident_without_an_address_of_its_own_is_an_error_naming_it(tmp_path, name):
    incidents, options, config_options, expected = LAYOUTS[name]
    docs = {"index.md": "# Home\n", "incidents/2013-06-09-own.md": "# My own page\n"} if name == "a-page-of-your-own" else None
    config = write_site(tmp_path, {**GOOD, **incidents}, options=options, docs=docs, config=config_options)
    if name == "links-to-nothing":
        os.symlink("gone.md", tmp_path / "incidents" / "dangling.md")
        os.symlink("loop.md", tmp_path / "incidents" / "loop.md")
    result = outcome(config, tmp_path)
    assert result.check.exit_code == 1 and result.site is not None
    for message in expected:
        assert f"error: {message}" in result.check.output
        assert any(message in logged for logged in result.messages), (message, result.messages)
    left_out = [message for message in result.messages if "left out of the wiki" in message]
    assert len(left_out) == 1 and f" {len(expected)} incident file(s) left out" in left_out[0]
    if name == "a-page-of-your-own":
        assert "My own page" in (result.site / "incidents" / "2013-06-09-own" / "index.html").read_text()


def test_every_kind_of_generated_page_holds_its_own_name_against_an_incident():
    """The addresses come from the Layout: an id equal to any generated page's name is refused."""
    layout = Layout("", directory_urls=True)
    addresses = Addresses(layout)
    names = {uri.removesuffix(".md").removesuffix("/index") for uri in layout.generated() if "{}" not in uri}
    names = {name for name in names if "/" not in name}
    assert {"index", "uptime", "services", "causes", "tags", "action-items", "uptime.json", "feed.xml"} <= names
    for name in names:
        assert addresses.holder(name) is not None, name
    assert addresses.holder("2013-07-12-replica") is None
    # Plain URLs: the incident `uptime` is uptime.html, next to uptime/index.html; `index` is index.html.
    plain = Addresses(Layout("", directory_urls=False))
    assert plain.holder("uptime") is None and plain.holder("index") == ("the incident index", "index.html")


def test_the_layout_knows_every_page_the_wiki_makes(tmp_path):
    """A page added to Wiki.plan() but not to Layout.generated() would make the address check stale."""
    from postmortems.incidents.loader import load_directory

    write_site(tmp_path, {**GOOD, "2012-06-02-old.md": incident(
        title="Old", started="2012-06-02 10:00", resolved="2012-06-02 11:00",
        extra="cause: {category: capacity, summary: x}\ntags: [one]")})
    settings = Settings(as_of=Settings.from_options({"as_of": "2013-07-01 00:00"}).as_of, index_limit=1)
    incidents = load_directory(tmp_path / "incidents", settings).incidents
    layout = Layout()
    wiki = Wiki(incidents, compute(incidents, settings), settings, layout)
    kinds = [re.compile(re.escape(uri).replace(r"\{\}", "[a-z0-9-]+") + "$") for uri in layout.generated()]
    planned = [item.uri for item in wiki.plan()]
    assert any("years/" in uri for uri in planned)
    for uri in planned:
        assert any(kind.match(uri) for kind in kinds), uri


def test_files_that_are_not_incidents_follow_one_rule_and_are_listed(tmp_path):
    incidents = {"_draft-x.md": other("Draft"), "_drafts/y.md": other("Drafts"), ".hidden.md": other("Hidden"),
                 "README.md": "# Notes\n", "Index.md": "# Index\n", "z.markdown": other("Markdown"),
                 "2013-06-03-loud.MD": other("Upper case", 3), "deeper/2013-06-04-deep.md": other("Deep", 4),
                 "picture.png": "not an incident"}
    config = write_site(tmp_path, {**GOOD, **incidents})
    os.symlink("/etc/hostname", tmp_path / "incidents" / "outside.md")
    (tmp_path / "incidents" / "inside.md").symlink_to(tmp_path / "incidents" / "2013-06-01-good.md")
    info, logger = Captured(), logging.getLogger("mkdocs")
    info.setLevel(logging.INFO)
    level = logger.level
    logger.addHandler(info)
    logger.setLevel(logging.INFO)
    try:
        result = outcome(config, tmp_path)
    finally:
        logger.removeHandler(info)
        logger.setLevel(level)
    assert result.check.exit_code == 0 and result.strict_passed
    skipped = {
        "incidents/_draft-x.md": "starts with _: a draft", "incidents/_drafts": "starts with _: a draft, with everything in it",
        "incidents/.hidden.md": "starts with .: hidden", "incidents/README.md": "README.md holds notes about the folder",
        "incidents/Index.md": "Index.md holds notes about the folder",
        "incidents/z.markdown": "not a .md file: rename it to .md", "incidents/outside.md": "a link to /etc/hostname, outside",
    }
    for path, reason in skipped.items():
        assert f"skipped: {path} ({reason}" in result.check.output
        assert any(f"skipped: {path} ({reason}" in message for message in info.messages), path
    assert "picture.png" not in result.check.output
    assert f"{len(skipped)} skipped (not incidents)" in result.check.output
    for page in ("2013-06-03-loud", "2013-06-04-deep", "inside"):
        assert (result.site / "incidents" / page / "index.html").exists(), page


def test_an_unreadable_folder_is_an_error_and_its_incidents_are_left_out(tmp_path, monkeypatch):
    # Tests run as root, for whom chmod 000 changes nothing: the folder refuses to be listed instead.
    config = write_site(tmp_path, {**GOOD, "locked/2013-06-05-hidden.md": other("Locked away", 5)})
    locked, scandir = str(tmp_path / "incidents" / "locked"), os.scandir

    def refusing(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    found = find_incidents(tmp_path / "incidents")
    assert Path(locked) in found.paths
    [item] = [item for item in load_paths(found.paths, Settings(), tmp_path) if item.incident is None]
    assert str(item.problems[0]) == ("incidents/locked: is a folder that cannot be read (Permission denied); "
                                     "the incidents in it are left out")
    result = outcome(config, tmp_path)
    assert result.check.exit_code == 1
    assert "error: incidents/locked: is a folder that cannot be read (Permission denied)" in result.check.output
    assert any("left out of the wiki until fixed: incidents/locked" in message for message in result.messages)


def test_non_ascii_file_names_get_distinct_ids_and_reachable_linked_pages(tmp_path):
    names = {"障害.md": other("Shougai", 2), "café-outage.md": other("Cafe", 3), "cafe-outage.md": other("Plain cafe", 4),
             "hi\u0301.md": other("Decomposed", 5)}
    result = outcome(write_site(tmp_path, {**GOOD, **names}), tmp_path)
    assert result.check.exit_code == 0 and result.strict_passed
    assert "5 incidents valid" in result.check.output
    index = (result.site / "incidents" / "index.html").read_text()
    for page, title in (("障害", "Shougai"), ("café-outage", "Cafe"), ("cafe-outage", "Plain cafe"), ("hí", "Decomposed")):
        assert title in (result.site / "incidents" / page / "index.html").read_text()
        links = [unquote(href) for href in re.findall(r'href="([^"]+)"', index)]
        assert f"{page}/" in links, page  # linked from the index, percent-encoded


def test_the_loader_lists_what_it_skips_without_reading_it(tmp_path):
    (tmp_path / "_drafts").mkdir()
    (tmp_path / "_drafts" / "x.md").write_text("---\n")
    (tmp_path / "a.Md").write_text("---\n")
    found = loader.find_incidents(tmp_path)
    assert found.paths == [tmp_path / "a.Md"]
    assert [(skipped.path.name, skipped.reason) for skipped in found.skipped] == [
        ("_drafts", "starts with _: a draft, with everything in it")]


def test_check_warns_about_live_figures_in_your_pages_as_the_build_does(tmp_path):
    docs = {"index.md": '# Home\n\n{{ uptime("13d") }}, {{ uptime("all", service="nope") }}, {{ uptime("30d") }}\n'}
    result = outcome(write_site(tmp_path, GOOD, docs=docs), tmp_path)
    assert result.check.exit_code == 1 and result.site is not None
    for message in ("docs/index.md:3: {{ uptime(\"13d\") }}: unknown window '13d'",
                    "docs/index.md:3: {{ uptime(\"all\", service=\"nope\") }}: unknown service 'nope'"):
        assert f"warning: {message}" in result.check.output
        assert any(message in logged for logged in result.messages)
    assert "30d" not in result.check.output.split("unknown service")[1]


def test_check_fails_on_a_template_of_yours_that_stops_the_build(tmp_path):
    config = write_site(tmp_path, GOOD)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "dashboard.md").write_text("{% if %}\n")
    result = CliRunner().invoke(main, ["check", "-f", str(config)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "error: template dashboard.md:1: Expected an expression" in result.output
    site, messages, config_error = _build(config, strict=False, site_dir=tmp_path / "site")
    assert site is None and not config_error
    assert any("template dashboard.md:1: Expected an expression" in message for message in messages)
