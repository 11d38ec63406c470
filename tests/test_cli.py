"""The postmortems command: check, new, schema, against real folders."""

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import DATA
from postmortems.cli.main import main

MKDOCS_YML = """site_name: Test wiki
theme: {{name: material}}
plugins:
  - search
  - postmortems:
      timezone: America/New_York
{extra}
"""


@pytest.fixture
def wiki(tmp_path, monkeypatch):
    (tmp_path / "incidents").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML.format(extra=""))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_passes_on_good_files_and_fails_on_bad(wiki):
    shutil.copy(DATA / "good" / "2013-07-01-good-outage.md", wiki / "incidents")
    shutil.copy(DATA / "good" / "2013-07-02-good-partial.md", wiki / "incidents")
    (wiki / "incidents" / "2013-07-02-good-partial.md").write_text(
        (DATA / "good" / "2013-07-02-good-partial.md").read_text().replace("no-such-incident", "2013-07-01-good-outage")
    )
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "2 incidents valid, 0 errors, 0 warnings" in result.output

    shutil.copy(DATA / "bad" / "typo-key.md", wiki / "incidents")
    result = run("check")
    assert result.exit_code == 1
    assert "incidents/typo-key.md:7: unknown field 'downtime_minute'; did you mean 'downtime_minutes'?" in result.output
    assert "left out of the wiki: incidents/typo-key.md" in result.output


def test_check_reports_every_bad_file_in_one_pass(wiki):
    for path in (DATA / "bad").glob("*.md"):
        shutil.copy(path, wiki / "incidents")
    result = run("check")
    assert result.exit_code == 1
    for path in (DATA / "bad").glob("*.md"):
        assert f"incidents/{path.name}" in result.output
    assert "Traceback" not in result.output


def test_check_with_explicit_config_file_and_wrong_option(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML.format(extra="      policy: generous"))
    result = run("check", "-f", str(tmp_path / "mkdocs.yml"))
    assert result.exit_code == 2
    assert "Config value 'plugins': Plugin 'postmortems' option 'policy'" in result.output
    assert "generous" in result.output


def test_new_writes_a_valid_incident_and_refuses_to_overwrite(wiki):
    result = run("new", "Replica served the old schema!", "-s", "web", "-s", "database", "--severity", "SEV2",
                 "--started", "2013-07-12 02:10")
    assert result.exit_code == 0, result.output
    path = wiki / "incidents" / "2013-07-12-replica-served-the-old-schema.md"
    text = path.read_text()
    assert 'title: "Replica served the old schema!"' in text
    assert 'services: ["web", "database"]' in text
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["Summary", "Impact", "Root cause", "Resolution", "What went well", "What went wrong",
                        "Where we got lucky"]  # the timeline and the action items are the page's own sections
    assert run("check").exit_code == 0

    result = run("new", "Replica served the old schema!", "-s", "web", "--severity", "SEV2", "--started", "2013-07-12 02:10")
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert path.read_text() == text


def test_new_uses_the_wikis_template(wiki):
    (wiki / "templates").mkdir()
    (wiki / "templates" / "new-incident.md").write_text("---\ntitle: {{ title|tojson }}\n---\nOur own outline\n")
    assert run("new", "Custom", "-s", "web", "--severity", "SEV4", "--started", "2013-07-12 02:10").exit_code == 0
    assert (wiki / "incidents" / "2013-07-12-custom.md").read_text() == '---\ntitle: "Custom"\n---\nOur own outline\n'


def test_new_rejects_unknown_severity_and_bare_date(wiki):
    result = run("new", "X", "-s", "web", "--severity", "SEV9", "--started", "now")
    assert result.exit_code == 1 and "severity 'SEV9' is not one of SEV1, SEV2, SEV3, SEV4" in result.output
    result = run("new", "X", "-s", "web", "--severity", "SEV4", "--started", "2013-07-12")
    assert result.exit_code == 1 and "--started needs a time of day" in result.output


def test_schema_is_json_schema_with_configured_severities(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML.format(extra="      severities: [P1, P2]"))
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["properties"]["severity"]["enum"] == ["P1", "P2"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"title", "severity", "started", "services"}
    assert "downtime_minutes" in schema["properties"]


def _jsonable(value):
    from datetime import date

    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value.isoformat() if isinstance(value, date) else value


def test_schema_accepts_every_example_incident_and_rejects_a_typo():
    import frontmatter
    import jsonschema

    from conftest import ROOT

    schema = json.loads(run("schema", "-f", str(ROOT / "mkdocs.yml")).output)
    validator = jsonschema.Draft202012Validator(schema)
    examples = sorted((ROOT / "incidents").glob("*.md"))
    assert len(examples) >= 10
    for path in examples:
        data = _jsonable(frontmatter.load(path).metadata)
        assert list(validator.iter_errors(data)) == [], path.name
    typo = _jsonable(frontmatter.load(examples[0]).metadata)
    typo["downtime_minute"] = typo.pop("downtime_minutes", 5)
    assert any("downtime_minute" in error.message for error in validator.iter_errors(typo))
