"""The postmortem practice (issue #18): postmortem blocks, the require_postmortem policy at its edges, the
backlog page, `postmortems backlog`, required sections, placeholders and blameless language."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from postmortems.cli.main import main
from postmortems.incidents.practice import PLACEHOLDERS
from sitebuilder import build_and_capture, incident, write_site

POLICY = {"severities": ["SEV1"], "min_downtime_minutes": 30, "within_days": 14}
OPEN = """---
title: Still burning
severity: SEV1
status: investigating
started: 2013-05-01 10:00
services: [web]
downtime_minutes: 10
postmortem: {status: draft}
---
## Summary

Ongoing.
"""

# As of 2013-07-01 (UTC): each incident sits at one edge of the policy.
EDGES = {
    # started + 14 days is 2013-07-01, today: due today, missing but not overdue
    "at-due.md": incident("At the due day", "SEV1", "2013-06-17 10:00", "2013-06-17 11:00", downtime=5,
                          extra="postmortem: {status: draft}"),
    # due yesterday: overdue by one day
    "day-after.md": incident("A day late", "SEV1", "2013-06-16 10:00", "2013-06-16 11:00", downtime=5,
                             extra="postmortem: {status: draft, reviewers: [Ana]}"),
    # the block's own due overrides the policy's day, later...
    "due-later.md": incident("Own due later", "SEV1", "2013-05-01 10:00", "2013-05-01 11:00", downtime=5,
                             extra="postmortem: {status: in-review, due: 2013-07-10, reviewers: [Ana, Bo]}"),
    # ...or earlier; and 45 minutes of downtime trigger the policy on a SEV3
    "due-earlier.md": incident("Own due earlier", "SEV3", "2013-06-25 10:00", "2013-06-25 11:00", downtime=45,
                               extra="postmortem: {status: draft, due: 2013-06-28}"),
    # below the downtime threshold, not a listed severity: not required, a plain draft
    "below.md": incident("Below the threshold", "SEV3", "2013-05-02 10:00", "2013-05-02 11:00", downtime=29,
                         extra="postmortem: {status: draft}"),
    # maintenance is never required
    "maintenance.md": incident("Planned work", "SEV1", "2013-05-03 10:00", "2013-05-03 13:00", downtime=120,
                               extra="maintenance: true\npostmortem: {status: draft}"),
    # an open incident is not required until resolved
    "open.md": OPEN,
    # data loss requires one; published (no block) with an action item past due
    "lost.md": incident("Lost data", "SEV4", "2013-05-04 10:00", "2013-05-04 11:00", downtime=0, extra="""
        data_loss: true
        action_items:
          - {title: Verify restores weekly, owner: Bo, due: 2013-06-01}
          - {title: Done already, status: done, due: 2013-05-10}
        """),
    "published.md": incident("Published on time", "SEV1", "2013-06-01 10:00", "2013-06-01 11:00", downtime=5,
                             extra="postmortem: {status: published, reviewed: 2013-06-10}"),
}


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def edges(tmp_path_factory):
    root = tmp_path_factory.mktemp("edges")
    config = write_site(root, EDGES, options={"require_postmortem": POLICY, "required_sections": ["Summary"]})
    site, warnings = build_and_capture(config, strict=True)
    assert warnings == []  # lateness is never a warning
    return config, site


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_backlog_json_at_every_edge(edges):
    config, _site = edges
    result = run("backlog", "--json", "-f", str(config))
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["as_of"] == "2013-07-01"
    assert data["policy"] == {"severities": ["SEV1"], "min_downtime_minutes": 30, "within_days": 14}
    required = {entry["id"]: entry for entry in data["required"]}
    assert [entry["id"] for entry in data["required"]] == ["due-earlier", "day-after", "at-due", "due-later"]
    assert required["at-due"]["state"] == "missing" and required["at-due"]["due"] == "2013-07-01"
    assert required["at-due"]["days_overdue"] == 0
    assert required["day-after"]["state"] == "overdue" and required["day-after"]["days_overdue"] == 1
    assert required["day-after"]["reviewers"] == ["Ana"]
    assert required["due-later"]["state"] == "missing" and required["due-later"]["due"] == "2013-07-10"
    assert required["due-earlier"]["state"] == "overdue" and required["due-earlier"]["days_overdue"] == 3
    assert required["due-earlier"]["required_because"] == ["downtime of 45 min (at least 30)"]
    assert required["at-due"]["age_days"] == 14
    drafts = {entry["id"]: entry["state"] for entry in data["drafts"]}
    assert drafts == {"below": "draft", "maintenance": "draft", "open": "draft"}
    assert [entry["id"] for entry in data["action_items"]] == ["lost"]
    assert data["action_items"][0]["action_items"] == [
        {"title": "Verify restores weekly", "owner": "Bo", "due": "2013-06-01", "days_overdue": 30}]
    assert data["counts"] == {"overdue": 2, "missing": 2, "draft": 3, "in-review": 0, "late_action_items": 1}
    assert "published" not in json.dumps(data["required"] + data["drafts"])


def test_fail_on_overdue_exits_1_only_when_something_is_overdue(edges, tmp_path):
    config, _site = edges
    result = run("backlog", "--fail-on-overdue", "-f", str(config))
    assert result.exit_code == 1
    assert "overdue by 3 day(s): incidents/due-earlier.md" in result.output
    on_time = write_site(tmp_path, {name: EDGES[name] for name in ("at-due.md", "due-later.md", "below.md")},
                         options={"require_postmortem": POLICY, "required_sections": ["Summary"]})
    result = run("backlog", "--fail-on-overdue", "-f", str(on_time))
    assert result.exit_code == 0
    assert result.output.startswith("Postmortem backlog as of 2013-07-01: 0 overdue, 3 in all")


def test_backlog_page_lists_overdue_first_and_the_dashboard_links_to_it(edges):
    _config, site = edges
    html = (site / "backlog" / "index.html").read_text()
    required = html[html.index("pm-backlog-required"):html.index("</table>", html.index("pm-backlog-required"))]
    order = [name for name in ("Own due earlier", "A day late", "At the due day", "Own due later") if name in required]
    assert order == ["Own due earlier", "A day late", "At the due day", "Own due later"]
    assert sorted(order, key=required.index) == order
    text = text_of(required)
    assert "overdue by 3 days" in text and "overdue by 1 day " in text
    drafts = text_of(html[html.index("pm-backlog-drafts"):])
    assert "Below the threshold" in drafts and "Planned work" in drafts and "Still burning" in drafts
    assert "Verify restores weekly" in html and "Done already" not in html
    assert "Published on time" not in html
    dashboard = (site / "uptime" / "index.html").read_text()
    assert re.search(r'<a href="\.\./backlog/">Postmortem backlog: 8</a> \(2 overdue\)', dashboard)


def test_banners_until_published(edges):
    _config, site = edges
    draft = text_of((site / "incidents" / "day-after" / "index.html").read_text())
    assert "Draft postmortem" in draft and "overdue by 1 day" in draft and "Reviewers: Ana" in draft
    review = text_of((site / "incidents" / "due-later" / "index.html").read_text())
    assert "In review" in review and "being reviewed by Ana, Bo" in review and "Due 2013-07-10" in review
    for name in ("published", "lost"):
        assert "pm-postmortem-banner" not in (site / "incidents" / name / "index.html").read_text()


def test_index_rows_carry_the_postmortem_state(edges):
    _config, site = edges
    html = (site / "incidents" / "index.html").read_text()
    assert 'data-pm-filter="postmortem"' in html
    assert html.count('data-pm-postmortem="draft"') == 6
    assert html.count('data-pm-postmortem="in-review"') == 1


def test_no_policy_no_block_changes_nothing(tmp_path):
    config = write_site(tmp_path, {"a.md": incident(body="Just a story.\n")})
    site, warnings = build_and_capture(config, strict=True)
    assert warnings == []
    result = run("backlog", "--json", "-f", str(config))
    data = json.loads(result.output)
    assert data["policy"] is None and data["required"] == [] and data["drafts"] == []


def test_published_postmortems_need_their_sections_and_no_placeholders(tmp_path):
    body = "## Summary\n\n" + PLACEHOLDERS[0] + "\n\n## Impact\n\nNone.\n"
    config = write_site(tmp_path, {
        "required.md": incident("Required, no block", "SEV1", body=body),           # checked: the policy requires it
        "explicit.md": incident("Explicitly published", "SEV3", downtime=1, body=body,
                                extra="postmortem: {status: published}"),
        "draft.md": incident("A draft", "SEV1", body=body, extra="postmortem: {status: draft}"),  # not checked
        "minor.md": incident("Not required", "SEV3", downtime=1, body=body),        # not checked
    }, options={"require_postmortem": POLICY})
    _site, warnings = build_and_capture(config)
    mine = sorted(w.removeprefix("postmortems: ") for w in warnings if "section" in w or "placeholder" in w)
    required = [w for w in mine if w.startswith("incidents/required.md:")]
    assert len(required) == 2  # Root cause, the placeholder (action items live in the frontmatter: no section)
    assert any("required.md:10: has no '## Root cause' section, and the policy requires its postmortem" in w for w in required)
    assert any("required.md:12: still has the template's placeholder 'What happened, in two or three sentences.'" in w
               for w in required)
    assert len([w for w in mine if w.startswith("incidents/explicit.md:")]) == 2
    assert any("explicit.md:10: has no '## Root cause' section, and its postmortem is published" in w for w in mine)
    assert not [w for w in mine if "Action items" in w]
    # Not required, but published (no postmortem: block): its placeholder is news too; its sections are not checked.
    assert [w for w in mine if "minor.md" in w] == [
        "incidents/minor.md:12: still has the template's placeholder 'What happened, in two or three sentences.', "
        "and it has no postmortem: block, so it is published: replace it with what happened"]
    assert not [w for w in mine if "draft.md" in w]
    result = run("check", "--quick", "-f", str(config))
    assert result.exit_code == 1


def test_placeholders_are_the_scaffolds_own():
    scaffold = (Path(__file__).parent.parent / "plugins" / "postmortems" / "site" / "templates" / "new-incident.md").read_text()
    for sentence in PLACEHOLDERS:
        assert sentence in scaffold


def test_blameless_phrases_with_their_reasons_outside_code(tmp_path):
    body = ("## Summary\n\nThe outage was human error.\nOps should have seen it.\n\n"
            "Run `failed to start` in the logs:\n\n```\ncareless_flag=1  # human error\n```\n")
    incidents = {"a.md": incident(body=body), "draft.md": incident("Draft", body=body, extra="postmortem: {status: draft}")}
    config = write_site(tmp_path, incidents, options={"blameless": True})
    _site, warnings = build_and_capture(config)
    warnings = [w.removeprefix("postmortems: ") for w in warnings]
    assert warnings == [
        "incidents/a.md:12: 'human error' names a person, not the system that let the error through (Google SRE book, "
        "'Postmortem Culture: Learning from Failure'); say what in the system made it possible (blameless: true)",
        "incidents/a.md:13: 'should have' hindsight: judges a decision by what was learned only afterwards (Sidney Dekker, "
        "'The Field Guide to Understanding Human Error'); say what in the system made it possible (blameless: true)",
    ]
    (tmp_path / "mkdocs.yml").unlink()
    config = write_site(tmp_path, incidents, options={"blameless": True, "blameless_phrases": ["the outage"]})
    _site, warnings = build_and_capture(config)
    assert len(warnings) == 1 and warnings[0].startswith("postmortems: incidents/a.md:12: 'The outage' assigns blame")
    (tmp_path / "mkdocs.yml").unlink()
    config = write_site(tmp_path, incidents)  # opt-in
    assert build_and_capture(config)[1] == []


@pytest.mark.parametrize("block, message", [
    ("postmortem: {statuss: draft}", "did you mean 'status'?"),
    ("postmortem: {status: drafted}", "postmortem.status"),
    ("postmortem: {status: draft, due: 2013-02-30}", "not a real date"),
    ("postmortem: draft", "postmortem"),
    ("data_loss: yes", "write true or false"),
])
def test_check_fails_on_a_malformed_postmortem_block(tmp_path, block, message):
    config = write_site(tmp_path, {"a.md": incident(extra=block)})
    result = CliRunner().invoke(main, ["check", "--quick", "-f", str(config)])
    assert result.exit_code == 1
    assert message in result.stderr


@pytest.mark.parametrize("option, message", [
    ({"within_day": 3}, "did you mean 'within_days'?"),
    ({"severities": ["SEV9"]}, "severity 'SEV9' is not one of"),
    ({"min_downtime_minutes": -1}, "min_downtime_minutes should be a number of minutes"),
])
def test_a_wrong_policy_is_a_configuration_error(tmp_path, option, message):
    config = write_site(tmp_path, {"a.md": incident()}, options={"require_postmortem": option})
    result = CliRunner().invoke(main, ["check", "--quick", "-f", str(config)])
    assert result.exit_code == 2
    assert message in result.stderr


def test_new_incidents_start_as_drafts_so_their_placeholders_pass(tmp_path, monkeypatch):
    config = write_site(tmp_path, {}, options={"require_postmortem": POLICY, "since": "2013-01-01 00:00"})
    monkeypatch.chdir(tmp_path)
    assert run("new", "Fresh outage", "-s", "web", "--severity", "SEV1", "--started", "2013-06-30 10:00").exit_code == 0
    result = run("backlog", "--json", "-f", str(config))
    data = json.loads(result.output)
    assert data["drafts"][0]["id"] == "2013-06-30-fresh-outage"  # open (investigating): not required yet
    assert run("check", "--quick", "-f", str(config)).exit_code == 0
