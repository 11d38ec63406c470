"""ProperDocs (a fork of MkDocs 1.6 that loads MkDocs' plugins) builds the same wiki as MkDocs.

Each build runs as a user runs it: the ``mkdocs`` or ``properdocs`` command of this Python, in a
copy of the example wiki, with this working tree's plugin first on the path (as conftest.py does
for the tests in this process). ProperDocs comes with the ``test`` extra.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from postmortems.cli.main import main
from sitebuilder import write_site
from wikis import many_incidents, with_links

SCRIPTS = Path(sysconfig.get_path("scripts"))
GENERATOR = re.compile(r'<meta name="generator" content="([^"]*)">')
ARTICLE = re.compile(r"<article\b.*</article>", re.S)
EXAMPLE = ["mkdocs.yml", "mkdocs.public.yml", "docs", "docs-public", "incidents", "templates"]  # templates/ when the example has one


def _command(name: str) -> str:
    path = shutil.which(name, path=str(SCRIPTS))
    assert path, f"no `{name}` command in {SCRIPTS}: install the test extra (pip install -e '.[test]')"
    return path


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "plugins"), *filter(None, [os.environ.get("PYTHONPATH")])]))
    env.update(extra)
    return env


def build(builder: str, cwd: Path, site: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``<builder> build --strict`` in ``cwd`` (never with -q: quiet mode makes --strict count nothing)."""
    result = subprocess.run([_command(builder), "build", "--strict", "-d", str(site), *args], cwd=cwd,
                            env=env or _env(NO_MKDOCS_2_WARNING="1"), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{builder} build failed:\n{result.stderr}"
    return result


def tree(site: Path) -> dict[str, bytes]:
    """Every file of a site; gzip files by their content (the header holds a time)."""
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            files[path.relative_to(site).as_posix()] = gzip.decompress(data) if path.suffix == ".gz" else data
    return files


def without_generator(html: bytes) -> str:
    text = html.decode()
    assert len(GENERATOR.findall(text)) == 1
    return GENERATOR.sub("", text)


def example_copy(root: Path) -> Path:
    root.mkdir(parents=True)
    for name in EXAMPLE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.exists():
            shutil.copy2(source, root / name)
    return root


@pytest.fixture(scope="module")
def sites(mkdocs_site, properdocs_build):
    """The example wiki built by MkDocs and by ProperDocs (once a session: conftest.py), with what ProperDocs printed."""
    properdocs_site, printed = properdocs_build
    return tree(mkdocs_site), tree(properdocs_site), printed


def test_properdocs_publishes_the_same_uptime_json_byte_for_byte(sites):
    mkdocs, properdocs, _ = sites
    assert properdocs["uptime.json"] == mkdocs["uptime.json"]
    assert json.loads(mkdocs["uptime.json"])["complete"] is True


def test_properdocs_writes_the_same_files_and_the_same_pages(sites):
    mkdocs, properdocs, _ = sites
    assert properdocs.keys() == mkdocs.keys()
    pages = sorted(name for name in mkdocs if name.endswith(".html"))
    incidents = sorted(path.stem for path in (ROOT / "incidents").glob("*.md"))
    assert [f"incidents/{name}/index.html" for name in incidents] == [page for page in pages if page.count("/") == 2
                                                                      and page.startswith("incidents/2")]
    for name in sorted(set(mkdocs) - set(pages)):  # JSON, the feed, badges, search index, sitemap, assets
        assert properdocs[name] == mkdocs[name], name
    for name in pages:  # the whole page, but for the generator's name in <head>
        assert without_generator(properdocs[name]) == without_generator(mkdocs[name]), name
    assert "ProperDocs" in GENERATOR.search(properdocs["index.html"].decode()).group(1)
    assert "ProperDocs" not in GENERATOR.search(mkdocs["index.html"].decode()).group(1)


def test_each_incident_page_has_the_same_article(sites):
    mkdocs, properdocs, _ = sites
    pages = [name for name in mkdocs if re.fullmatch(r"incidents/\d{4}-[^/]+/index\.html", name)]
    assert len(pages) == len(list((ROOT / "incidents").glob("*.md")))
    for name in pages:
        article = ARTICLE.search(mkdocs[name].decode())
        assert article and 'class="pm-card"' in article.group(0), name
        assert ARTICLE.search(properdocs[name].decode()).group(0) == article.group(0), name


def test_properdocs_prints_no_end_of_life_notice(sites):
    """Material's notice (and ProperDocs' own, which a plugin may ask for) shows under `mkdocs` only."""
    printed = sites[2]
    assert "end of life" not in printed and "MkDocs may break support" not in printed
    assert "WARNING" not in printed


def test_properdocs_and_the_command_line_read_properdocs_yml_first(tmp_path, monkeypatch):
    """With properdocs.yml beside mkdocs.yml, ProperDocs builds from the first, and so do the commands."""
    wiki = example_copy(tmp_path / "wiki")
    text = (wiki / "mkdocs.yml").read_text()
    assert "as_of: 2013-07-01T00:00:00-04:00" in text
    (wiki / "properdocs.yml").write_text(text.replace("as_of: 2013-07-01T00:00:00-04:00", "as_of: 2013-06-01T00:00:00-04:00"))
    build("properdocs", wiki, tmp_path / "site")
    published = json.loads((tmp_path / "site" / "uptime.json").read_text())
    assert published["as_of"] == "2013-06-01T04:00:00Z"
    monkeypatch.chdir(wiki)
    stats = CliRunner().invoke(main, ["stats", "--json"], catch_exceptions=False)
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.output) == published
    check = CliRunner().invoke(main, ["check"], catch_exceptions=False)
    assert check.exit_code == 0, check.output


def test_properdocs_makes_the_same_pages_as_mkdocs(tmp_path):
    """ProperDocs, the drop-in fork of MkDocs 1.6, builds a wiki of linked incidents to the same bytes."""
    incidents = with_links(many_incidents(60))
    sites = {}
    for builder in ("mkdocs", "properdocs"):
        root = tmp_path / builder
        config = write_site(root, incidents)
        build(builder, root, root / "site", "-f", str(config))
        sites[builder] = tree(root / "site")
    mkdocs, properdocs = sites["mkdocs"], sites["properdocs"]
    assert properdocs.keys() == mkdocs.keys() and len(mkdocs) > 100
    for name in mkdocs:
        same = (without_generator(properdocs[name]) == without_generator(mkdocs[name]) if name.endswith(".html")
                else properdocs[name] == mkdocs[name])
        assert same, name
