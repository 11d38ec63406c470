"""A wiki's own templates: an override may include what it replaces, and the outline `check` holds
published postmortems to is the scaffold the wiki really uses (the example's templates/ folder too)."""

from __future__ import annotations

import os
import re

from click.testing import CliRunner

from conftest import ROOT
from postmortems.cli.main import main
from postmortems.incidents.practice import OUTLINE
from postmortems.incidents.settings import Settings
from postmortems.site.scaffold import outline
from postmortems.site.templating import environment
from sitebuilder import build_site, incident, write_site
from test_builders import example_copy


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_packaged_scaffold_is_the_packaged_outline():
    """practice.OUTLINE and site/templates/new-incident.md cannot drift apart."""
    assert outline(environment(None), Settings()) == OUTLINE


def _published(body: str) -> str:
    return incident(title='"Published one"', extra="postmortem: {status: published}", body=body)


def test_check_holds_published_postmortems_to_the_wiki_s_own_scaffold(tmp_path, monkeypatch):
    (tmp_path / "templates").mkdir(parents=True)
    (tmp_path / "templates" / "new-incident.md").write_text(
        '{% include "postmortems/new-incident.md" %}\n\n## Customer notes\n\nWho we told, and when.\n', encoding="utf-8")
    body = ("## Summary\n\nA real summary.\n\n## Impact\n\nWho noticed, what they saw, for how long.\n\n"
            "## Customer notes\n\nWho we told, and when.\n")
    write_site(tmp_path, {"2013-06-20-published.md": _published(body)})
    monkeypatch.chdir(tmp_path)
    ours = outline(environment(tmp_path / "templates"), Settings())
    assert ours == {**OUTLINE, "Customer notes": "Who we told, and when."}
    result = run("check", "--quick")
    assert result.exit_code == 1
    for sentence in ("Who noticed, what they saw, for how long.", "Who we told, and when."):
        assert f"still has the template's placeholder {sentence!r}" in result.output
    # The same page without the wiki's own scaffold: its section is the writer's, not a placeholder.
    os.remove(tmp_path / "templates" / "new-incident.md")
    result = run("check", "--quick")
    assert "Who noticed" in result.output and "Who we told" not in result.output


def test_the_example_has_its_own_scaffold_and_dashboard_note(tmp_path, monkeypatch):
    wiki = example_copy(tmp_path / "wiki")
    monkeypatch.chdir(wiki)
    made = run("new", "Scoreboard stalls", "-s", "web", "--severity", "SEV3", "--started", "2013-06-29 10:00")
    assert made.exit_code == 0, made.output
    text = (wiki / "incidents" / "2013-06-29-scoreboard-stalls.md").read_text(encoding="utf-8")
    packaged_headings = [f"## {heading}" for heading in OUTLINE]
    assert [line for line in text.splitlines() if line.startswith("## ")] == [*packaged_headings, "## What we told fans"]
    site = build_site(wiki / "mkdocs.yml", strict=True)
    dashboard = (site / "uptime" / "index.html").read_text(encoding="utf-8")
    weights = Settings(policy="statuspage").level_weights()
    note = re.search(r'<h2 id="how-we-count">.*?</h2>\s*<p>(.*?)</p>', dashboard, re.S).group(1)
    assert f"a partial outage counts {int(weights['partial'] * 100)}% of its minutes" in note
    assert 'class="pm-figures"' in dashboard  # the packaged dashboard is all there, above the note
    assert (ROOT / "templates" / "new-incident.md").is_file() and (ROOT / "templates" / "dashboard.md").is_file()
