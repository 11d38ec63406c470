"""The writer's loop: `postmortems new` asks for (or requires) what it cannot guess, its outline never
repeats a heading the page makes, and `check` says when a published page keeps the outline's placeholders,
an empty section, or a file name whose date is not the day the incident started."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from postmortems.cli.main import main
from postmortems.incidents.practice import OUTLINE, PLACEHOLDERS
from sitebuilder import build_and_capture, incident, write_site

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "plugins" / "postmortems" / "site" / "templates"
OPTIONS = {"timezone": "America/New_York", "since": "2013-01-01 00:00", "as_of": "2013-07-20 00:00"}


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def wiki(tmp_path, monkeypatch):
    write_site(tmp_path, {}, options=OPTIONS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _new(*args) -> Path:
    result = run("new", "Replica served the old schema", "-s", "web", "-s", "database", "--severity", "SEV2",
                 "--started", "2013-07-12 02:10", *args)
    assert result.exit_code == 0, result.output
    return Path("incidents/2013-07-12-replica-served-the-old-schema.md")


def test_the_outline_repeats_no_heading_the_page_makes(wiki):
    generated = re.findall(r'section\("([^"]+)"', (TEMPLATES / "incident.md").read_text())
    assert {"Timeline", "Follow-up actions", "Downtime by service", "Contributing factors"} <= set(generated)
    path = _new()
    outline = [line[3:] for line in path.read_text().splitlines() if line.startswith("## ")]
    for heading in outline:
        for made in generated:
            assert made.lower() not in heading.lower() and heading.lower() not in made.lower(), (heading, made)
    # The page built from the fresh file: every h2 once, none renamed to keep ids apart (timeline_1).
    site, warnings = build_and_capture(Path("mkdocs.yml"), strict=True)
    assert warnings == []
    html = (site / "incidents" / "2013-07-12-replica-served-the-old-schema" / "index.html").read_text()
    ids = re.findall(r'<h2 id="([^"]+)"', html)
    assert len(ids) == len(set(ids)) and not [i for i in ids if re.search(r"_\d+$", i)]
    assert ids.count("timeline") == 1 and "action-items" not in ids


def test_every_placeholder_of_the_outline_is_known_and_warned_about_once_published(wiki):
    path = _new()
    text = path.read_text()
    body = text.split("\n---\n", 1)[1]
    prose = [line for line in body.splitlines() if line.strip() and not line.startswith("#")]
    assert sorted(prose) == sorted(PLACEHOLDERS)  # each sentence of the outline is a placeholder, and only those
    assert [line[3:] for line in body.splitlines() if line.startswith("## ")] == list(OUTLINE)
    assert run("check", "--quick").exit_code == 0  # a draft: nothing is checked yet
    path.write_text(text.replace("  status: draft", "  status: published"))
    result = run("check", "--quick")
    assert result.exit_code == 1
    lines = text.splitlines()
    for sentence in PLACEHOLDERS:
        number = lines.index(sentence) + 1
        assert (f"warning: {path}:{number}: still has the template's placeholder {sentence!r}, and its postmortem is "
                "published: replace it with what happened") in result.output
    # A placeholder removed but nothing written: the heading stands over an empty section.
    path.write_text(text.replace("  status: draft", "  status: published").replace("How the service came back.\n", ""))
    result = run("check", "--quick")
    number = lines.index("## Resolution") + 1
    assert (f"warning: {path}:{number}: section '## Resolution' is empty, and its postmortem is published: write it, "
            "or remove the heading") in result.output
    assert result.output.count("is empty") == 1


def test_a_published_page_without_a_block_is_checked_too(tmp_path):
    body = ("## Summary\n\nWhat happened, in two or three sentences.\n\n## Resolution\n\n### Later\n\nDone.\n\n"
            "## Notes\n\n## Where we got lucky\n")
    config = write_site(tmp_path, {"2013-06-20-x.md": incident(body=body)}, options=OPTIONS)
    _site, warnings = build_and_capture(config)
    mine = [w for w in warnings if "placeholder" in w or "empty" in w]
    assert mine == [
        "postmortems: incidents/2013-06-20-x.md:12: still has the template's placeholder 'What happened, in two or three "
        "sentences.', and it has no postmortem: block, so it is published: replace it with what happened",
        "postmortems: incidents/2013-06-20-x.md:22: section '## Where we got lucky' is empty, and it has no postmortem: "
        "block, so it is published: write it, or remove the heading",
    ]  # a section holding only a subsection is not empty, and '## Notes' is the writer's own


@pytest.mark.parametrize("name, started, extra, expected", [
    # 23:50 in New York on the 11th: the name says the 12th (the date in UTC).
    ("2013-07-12-replica.md", "2013-07-11 23:50", "", "incidents/2013-07-12-replica.md:4: the file name "
     "'2013-07-12-replica' says 2013-07-12, but started (2013-07-11 23:50) is on 2013-07-11 in America/New_York: rename "
     "the file to 2013-07-11-replica.md (its address changes), or correct started"),
    ("2013-07-12-replica.md", "2013-07-12T02:30:00Z", "", "is on 2013-07-11 in America/New_York"),
    ("2013-07-12-replica.md", "2013-07-12T23:30:00-04:00", "", None),  # the 13th in UTC, the 12th here: right
    ("replica.md", "2013-07-11 23:50", "", None),  # no date in the name: nothing to disagree with
    ("x.md", "2013-07-11 23:50", "id: 2013-07-12-replica", "incidents/x.md:8: id '2013-07-12-replica' says "
     "2013-07-12, but started (2013-07-11 23:50) is on 2013-07-11 in America/New_York: write id: 2013-07-11-replica"),
])
def test_a_date_in_the_name_that_is_not_the_day_started_is_a_warning(tmp_path, name, started, extra, expected):
    config = write_site(tmp_path, {name: incident(started=started, resolved="2013-07-13 01:00", downtime=5, extra=extra)},
                        options=OPTIONS)
    result = run("check", "--quick", "-f", str(config))
    if expected is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1 and expected in result.output and "\nwarning: incidents/" in "\n" + result.output
    assert "1 incidents valid, 0 errors, 1 warnings" in result.output  # published all the same


def test_new_without_a_terminal_names_everything_it_cannot_guess(wiki):
    result = run("new", "Only a title")
    assert result.exit_code == 2
    assert ("Error: missing -s/--service, --severity, --started: postmortems new cannot guess them (run it in a terminal "
            "to be asked, or give them; --started now for the current minute)") in result.output
    result = run("new", "-s", "web")
    assert "Error: missing TITLE, --severity, --started" in result.output
    assert not list((wiki / "incidents").iterdir())  # nothing written, web never picked for you


def test_new_started_now_is_the_current_minute(wiki):
    assert run("new", "Now", "-s", "web", "--severity", "SEV4", "--started", "now").exit_code == 0
    (path,) = (wiki / "incidents").iterdir()
    assert re.search(r"\nstarted: 20\d\d-\d\d-\d\d[ T]\d\d:\d\d", path.read_text())


def _expect(fd: int, text: str, seen: list[str], timeout: float = 30) -> None:
    """Read the terminal until ``text`` has been printed (since the last match)."""
    deadline = time.monotonic() + timeout
    while text not in seen[0]:
        left = deadline - time.monotonic()
        assert left > 0, f"never printed {text!r}; got {seen[0]!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen[0] += os.read(fd, 4096).decode("utf-8", "replace")
            except OSError:
                break
    assert text in seen[0], f"never printed {text!r}; got {seen[0]!r}"
    seen[0] = seen[0][seen[0].index(text) + len(text):]


def test_new_in_a_terminal_asks_for_what_it_is_not_given_and_checks_each_answer(tmp_path):
    write_site(tmp_path, {}, options={**OPTIONS, "services": ["web", "api", "database"]})
    primary, secondary = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "NO_MKDOCS_2_WARNING": "1", "COLUMNS": "200"}
    process = subprocess.Popen([sys.executable, "-c", "from postmortems.cli.main import main; main()", "new"],
                               stdin=secondary, stdout=secondary, stderr=secondary, cwd=tmp_path, env=env)
    os.close(secondary)
    seen = [""]
    try:
        for prompt, answer in (("Title: ", "Scores lag behind the games"),
                               ("Services, separated by commas (web, api, database): ", "api, webb"),
                               ("did you mean 'web'?", None),
                               ("Services, separated by commas (web, api, database): ", "api, web"),
                               ("Severity (SEV1, SEV2, SEV3, SEV4): ", "SEV5"),
                               ("Severity (SEV1, SEV2, SEV3, SEV4): ", "SEV3"),
                               ("Started (YYYY-MM-DD HH:MM in America/New_York, or now) [now]: ", "2013-07-12"),
                               ("started needs a time of day", None),
                               ("Started (YYYY-MM-DD HH:MM in America/New_York, or now) [now]: ", "2013-07-12 21:05")):
            _expect(primary, prompt, seen)
            if answer is not None:
                os.write(primary, answer.encode() + b"\n")
        _expect(primary, "Wrote ", seen)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    text = (tmp_path / "incidents" / "2013-07-12-scores-lag-behind-the-games.md").read_text()
    assert 'title: "Scores lag behind the games"' in text and 'services: ["api", "web"]' in text
    assert "severity: SEV3  #" in text and "\nstarted: 2013-07-12 21:05  #" in text
    assert run("check", "--quick", "-f", str(tmp_path / "mkdocs.yml")).exit_code == 0
