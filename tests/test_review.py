"""Classes of input a hostile review found: each fixed, each kept fixed here.

Every test builds a real wiki and reads what a reader, a program or the command line sees.
"""

from __future__ import annotations

import json
import os
import re
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from mkdocs.exceptions import Abort

from postmortems.cli.main import main
from sitebuilder import build_and_capture, build_site, incident, write_site

GOOD = {"2013-06-20-x.md": incident(services="[web]")}


def run(folder: Path, *args: str, env: dict | None = None):
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner(env=env).invoke(main, list(args))
    finally:
        os.chdir(cwd)


def strict_fails(config: Path, tmp_path: Path) -> bool:
    try:
        build_site(config, strict=True, site_dir=tmp_path / "strict")
        return False
    except Abort:
        return True


# Figures -------------------------------------------------------------------------------------------
def test_incomplete_figures_are_marked_wherever_they_are_published(tmp_path):
    config = write_site(tmp_path, {**GOOD, "z.md": "---\ntitle: [broken\n---\n"})
    site, _ = build_and_capture(config)
    for badge in ("badges/uptime-all.svg", "badges/web/uptime-all.svg"):
        assert "(incomplete)" in (site / badge).read_text(), badge
    for page in ("services/index.html", "services/web/index.html", "uptime/index.html"):
        assert "These figures are incomplete" in (site / page).read_text(), page


def test_json_numbers_never_overstate_uptime_nor_understate_downtime(tmp_path):
    # 1 µs of downtime over half a year; and 120 min over 30 days, whose nearest float is above the exact value.
    config = write_site(tmp_path, {
        "2013-02-01-x.md": incident(services="[web]", downtime="0.00000001", started="2013-02-01 10:00",
                                    resolved="2013-02-01 11:00"),
        "2013-06-21-y.md": incident(services="[api]", downtime=120, started="2013-06-21 10:00",
                                    resolved="2013-06-21 12:00")})
    document = json.loads((build_site(config, strict=True) / "uptime.json").read_text())
    tiny = document["services"]["web"]["windows"]["all"]
    assert tiny["downtime_minutes"] > 0 and tiny["uptime"] < 100 and tiny["display"].startswith(">")
    window = document["services"]["api"]["windows"]["30d"]
    exact = 100 - Fraction(100 * 120, 30 * 24 * 60)
    assert Fraction(window["uptime"]) <= exact and Fraction(window["downtime_minutes"]) >= 120


def test_a_figure_at_the_start_of_a_line_keeps_its_sign_and_markup_is_left_alone(tmp_path):
    home = ('# Home\n\n{{ uptime("all") }} is our uptime.\n\n<!-- {{ uptime("nope") }} -->\n\n'
            '<pre>{{ uptime("7d") }}</pre>\n')
    site, warnings = build_and_capture(write_site(tmp_path, GOOD, docs={"index.md": home}), strict=True)
    document = json.loads((site / "uptime.json").read_text())
    html = (site / "index.html").read_text()
    shown = document["site"]["windows"]["all"]["display"]
    assert shown.startswith(">") and f"<p>{shown.replace('>', '&gt;')} is our uptime.</p>" in html
    assert "<blockquote>" not in html
    assert '<!-- {{ uptime("nope") }} -->' in html and '<pre>{{ uptime("7d") }}</pre>' in html
    assert warnings == []


# Names and titles ---------------------------------------------------------------------------------
def test_titles_are_escaped_once_and_cannot_leave_the_title_element(tmp_path):
    title = '</title><script>alert(9)</script> R&D "5%"'
    config = write_site(tmp_path, {"2013-06-20-x.md": incident(title=title.replace('"', '\\"').join('""'))})
    html = (build_site(config, strict=True) / "incidents" / "2013-06-20-x" / "index.html").read_text()
    assert "<script>alert(9)" not in html
    assert re.search(r"<title>&lt;/title&gt;&lt;script&gt;alert\(9\)&lt;/script&gt; R&amp;D \"5%\" - ", html)
    assert re.search(r'<h1 id="[^"]*">&lt;/title&gt;&lt;script&gt;alert\(9\)&lt;/script&gt; R&amp;D "5%"</h1>', html)
    assert "&amp;amp;" not in html and "&amp;lt;" not in html


def test_names_that_would_share_a_page_are_a_warning_in_check_and_the_build(tmp_path):
    config = write_site(tmp_path, {
        "2013-06-20-a.md": incident(services="[web]", downtime=600, started="2013-06-20 01:00",
                                    resolved="2013-06-20 12:00"),
        "2013-06-21-b.md": incident(services="[Web]", downtime=0, started="2013-06-21 10:00",
                                    resolved="2013-06-21 11:00")})
    result = run(tmp_path, "check", "--quick")
    assert result.exit_code == 1
    assert ("incidents/2013-06-21-b.md:6: service 'Web' and 'web' (incidents/2013-06-20-a.md) would share one page "
            "and badge; write the name the same way everywhere") in result.stderr
    assert strict_fails(config, tmp_path)


# Templates ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("template, message", [
    ("# X\n\n{{ 1/0 }}\n", "template dashboard.md:3: ZeroDivisionError: division by zero"),
    ('{% include "dashboard.md" %}\n', "template dashboard.md: includes or calls itself without end"),
])
def test_a_template_that_fails_while_rendering_is_a_message_in_the_build_and_in_check(tmp_path, template, message):
    config = write_site(tmp_path, GOOD)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "dashboard.md").write_text(template)
    result = run(tmp_path, "check", "--quick")
    assert result.exit_code == 1 and f"error: {message}" in result.stderr
    with pytest.raises(Abort):
        build_site(config, site_dir=tmp_path / "site")


# What only the strict build finds ------------------------------------------------------------------
@pytest.mark.parametrize("incidents, docs, config, found", [
    ({"2013-06-20-x.md": incident(body="See [the runbook](runbook.md).\n")}, None, None,
     "contains a link 'runbook.md', but the target 'incidents/runbook.md' is not found"),
    (GOOD, None, {"nav": ["index.md", "incidents/zzz.md"]}, "'incidents/zzz.md' is included in the 'nav'"),
    (GOOD, {"index.md": "# Home\n", "bad.md": None}, None, "docs/bad.md is not UTF-8 text"),
])
def test_check_fails_exactly_when_the_strict_build_fails(tmp_path, incidents, docs, config, found):
    wiki = write_site(tmp_path, incidents, docs={name: text or "" for name, text in (docs or {"index.md": "# Home\n"}).items()},
                      config=config)
    if docs and "bad.md" in docs:
        (tmp_path / "docs" / "bad.md").write_bytes(b"# Bad \xff\n")
    result = run(tmp_path, "check")
    assert result.exit_code == 1 and found in result.stderr, result.output
    assert run(tmp_path, "check", "--quick").exit_code == 0  # the wiki's own checks pass: the build finds it
    assert strict_fails(wiki, tmp_path)
    site, _ = build_and_capture(wiki)
    assert (site / "index.html").exists() and (site / "incidents" / "2013-06-20-x" / "index.html").exists()


def test_an_unusable_source_date_epoch_is_a_configuration_error_not_a_traceback(tmp_path, monkeypatch):
    config = write_site(tmp_path, GOOD)
    result = run(tmp_path, "check", env={"SOURCE_DATE_EPOCH": ""})
    assert result.exit_code == 2 and "SOURCE_DATE_EPOCH '' is not a whole number of seconds" in result.output
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    with pytest.raises(Abort, match="configuration error"):
        build_site(config)


def test_option_numbers_in_ambiguous_forms_are_configuration_errors(tmp_path):
    config = write_site(tmp_path, GOOD)
    config.write_text(config.read_text().replace("    timezone: UTC\n", "    timezone: UTC\n    windows: [07, 030]\n"))
    result = run(tmp_path, "check")
    assert result.exit_code == 2
    assert "030 is ambiguous: write 30 (or 24 if you meant the octal number 030)" in result.output
    with pytest.raises(Abort, match="configuration error"):
        build_site(config)


# Files and messages -------------------------------------------------------------------------------
def test_a_named_pipe_is_listed_as_skipped_and_never_read(tmp_path):
    write_site(tmp_path, GOOD)
    os.mkfifo(tmp_path / "incidents" / "pipe.md")
    result = run(tmp_path, "check")
    assert result.exit_code == 0, result.output
    assert "skipped: incidents/pipe.md (not a regular file (a pipe, socket or device): never read)" in result.stderr


def test_odd_inputs_get_clear_messages(tmp_path):
    write_site(tmp_path, {**GOOD, "2013-06-20-\u202eevil.md": incident(downtime="1e-400"),
                          "2013-06-20-zero.md": incident(downtime="0." + "0" * 400 + "1")},
               options={"templates_dir": "nope"})
    result = run(tmp_path, "check", "--quick")
    assert result.exit_code == 1
    assert "\u202e" not in result.output and "incidents/2013-06-20-\\u202eevil.md:7: downtime_minutes 1e-400 is too small" in result.stderr
    assert "is too small to tell from 0" in result.stderr.split("2013-06-20-zero.md")[1]
    assert "warning: templates_dir 'nope' is not a folder" in result.stderr


def test_new_keeps_letters_of_any_script_in_the_file_name(tmp_path):
    write_site(tmp_path, GOOD)
    first = run(tmp_path, "new", "障害", "-s", "web", "--severity", "SEV4", "--started", "2013-06-25 10:00")
    second = run(tmp_path, "new", "停電", "-s", "web", "--severity", "SEV4", "--started", "2013-06-25 10:00")
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert (tmp_path / "incidents" / "2013-06-25-障害.md").exists() and (tmp_path / "incidents" / "2013-06-25-停電.md").exists()
