"""The JSON Schema agrees with ``postmortems check`` on every single-field rule (issue #12, D).

Each fixture's frontmatter is read with the project's ``yamlsource`` and shown to the
schema as an editor's YAML 1.2 reading gives it (``yamlsource.editor_view``): timestamps
are the text written, ``yes`` is text, ``045`` the number 45. Every good file passes;
every bad file fails, except the ones listed below with the reason the schema cannot see.
"""

from __future__ import annotations

import json

import frontmatter
import jsonschema
import pytest

from conftest import DATA, ROOT
from postmortems.incidents import yamlsource
from postmortems.incidents.loader import load_text
from postmortems.incidents.schema import frontmatter_schema
from postmortems.incidents.settings import Settings

SETTINGS = Settings(timezone="America/New_York")
VALIDATOR = jsonschema.Draft202012Validator(frontmatter_schema(SETTINGS))

# Bad files the schema accepts: their only problems are rules across fields, or across files, or
# depend on the time zone's rules, or on how a number is written rather than its value.
SCHEMA_BLIND = {
    "ambiguous-timestamp": "a wall time skipped or repeated depends on the time zone's daylight-saving rules",
    "clock-after-resolved": "a clock time earlier than started, read after resolved: started, at and resolved together",
    "clock-in-dst-gap": "a clock time on a skipped hour: started's date and the time zone's rules",
    "downtime-too-long": "downtime_minutes longer than resolved - started",
    "duplicate-key": "a key given twice: once parsed, only one value is left to see",
    "end-before-start": "milestones out of order",
    "impact-rules": "impact outside started..resolved, on a service not listed",
    "ambiguous-octal": "045: YAML 1.2 (editors) reads the number 45; check refuses the form, which the value cannot show",
}
# Files with no frontmatter to show: not YAML, not UTF-8, or YAML the loader refuses before any value exists.
NOT_YAML = {  # name: (reason, what reading its frontmatter raises)
    "alias-bomb": ("YAML aliases are refused", yamlsource.YamlProblem),
    "deep-nesting": ("nesting deeper than an incident", yamlsource.YamlProblem),
    "malformed-yaml": ("not valid YAML", yamlsource.YamlProblem),
    "python-tag": ("the tag !!python/...", yamlsource.YamlProblem),
    "set-tag": ("the tag !!set", yamlsource.YamlProblem),
    "binary-tag": ("the tag !!binary", yamlsource.YamlProblem),
    "empty": ("no frontmatter", ValueError),
    "no-frontmatter": ("no frontmatter", ValueError),
    "unclosed-frontmatter": ("frontmatter not closed", ValueError),
    "not-utf8": ("not UTF-8", UnicodeDecodeError),
}

BAD = sorted((DATA / "bad").glob("*.md"))
GOOD = sorted([*(DATA / "good").rglob("*.md"), *(ROOT / "incidents").glob("*.md")])

# More good frontmatter: values YAML 1.1 would rewrite, at the edges of every range.
GOOD_TEXTS = {
    "text-as-written": "title: yes\ntags: [007, ~, No, on, 1.10, null]\nauthors: [0x1F]\ncause: 045\ntrigger: 2013-02-30",
    "edges": "id: 2013.10\nmaintenance: TRUE\naction_items:\n  - title: t\n    due: 2012-02-29\n    owner: ~\n"
             "    link: mailto:ops@example.com\n  - title: u\n    link: ../runbooks/db.md\n  - title: v\n    link: HTTPS://x.test/",
    "clock-and-offsets": "timeline:\n  - at: 10:30\n    event: a\n  - at: 2013-07-12T10:40:00+0530\n    event: b\n"
                         "  - at: '2013-07-12 10:45:00.5Z'\n    event: c\n  - at: 10:55\n    event: d",
    "impact-edges": "impact:\n  - service: web\n    level: partial\n    fraction: 1\n  - service: web\n    level: outage\n"
                    "    fraction: 0\n    start: 2013-07-12 10:00\n    end: 2013-07-12T11:00-04",
}
BAD_TEXTS = {  # single-field rules no fixture shows
    "link-with-a-hidden-scheme": 'action_items:\n  - title: t\n    link: "java\\tscript:alert(1)"',
    "data-link": "action_items:\n  - title: t\n    link: data:text/html,hi",
    "blank-title": "title: '   '",
    "resolved-but-null": "resolved: ~",
    "downtime-null": "downtime_minutes: ~",
    "leap-day-in-2100": "detected: 2100-02-29 10:00",
    "maintenance-yes": "maintenance: on",
    "fraction-above-one": "impact:\n  - service: web\n    level: partial\n    fraction: 1.0001",
    "downtime-beyond-100-years": "downtime_minutes: 52596001",
    "clock-with-seconds": "timeline:\n  - at: '10:30:00'\n    event: x",
    "unknown-nested-key": "cause:\n  summary: s\n  categry: c",
    "name-too-long": f"services: [web, {'w' * 101}]",
}
BLIND_TEXTS = {  # single-field rules the schema cannot express
    "downtime-nan": ("downtime_minutes: .nan", "NaN compares false with minimum and maximum, and JSON has no NaN to exclude"),
    "numeric-name-too-long": (f"tags: [{'9' * 101}]", "a 101-digit number: editors see its value, not how many characters it has"),
    "hex-fraction": ("impact:\n  - service: web\n    level: partial\n    fraction: 0x1",
                     "0x1: YAML 1.2 reads the number 1; check refuses the form"),
}
BASE = ("title: Base\nseverity: SEV2\nstarted: 2013-07-12 10:00\nresolved: 2013-07-12 11:00\nservices: [web]\n"
        "downtime_minutes: 5\n")


def with_base(extra: str) -> str:
    keys = {line.split(":")[0] for line in extra.splitlines() if line and not line.startswith(" ")}
    base = "".join(line + "\n" for line in BASE.splitlines() if line.split(":")[0] not in keys)
    return f"---\n{base}{extra}\n---\nBody.\n"


def editor_data(text: str):
    """The frontmatter as an editor's YAML 1.2 sees it."""
    metadata, _ = frontmatter.YAMLHandler().split(text.replace("\r\n", "\n"))
    data, _, _ = yamlsource.parse(metadata)
    return yamlsource.editor_view(data)


def schema_errors(text: str) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(editor_data(text))]


def check_errors(text: str) -> list[str]:
    _, problems, _ = load_text(text.encode("utf-8"), SETTINGS, "incidents/x.md", "x")
    return [problem.message for problem in problems if problem.is_error]


def test_the_exception_lists_name_real_fixtures():
    names = {path.stem for path in BAD}
    assert set(SCHEMA_BLIND) <= names and set(NOT_YAML) <= names
    assert not set(SCHEMA_BLIND) & set(NOT_YAML)


@pytest.mark.parametrize("path", GOOD, ids=lambda path: path.name)
def test_every_good_file_passes_check_and_the_schema(path):
    text = path.read_bytes().decode("utf-8-sig")
    assert check_errors(text) == []
    assert schema_errors(text) == []


@pytest.mark.parametrize("name", GOOD_TEXTS)
def test_good_values_yaml_1_1_would_rewrite_pass_check_and_the_schema(name):
    text = with_base(GOOD_TEXTS[name])
    assert check_errors(text) == []
    assert schema_errors(text) == []


@pytest.mark.parametrize("path", BAD, ids=lambda path: path.stem)
def test_every_bad_file_fails_the_schema_unless_listed(path):
    raw = path.read_bytes()
    assert load_text(raw, SETTINGS, f"incidents/{path.name}", path.stem)[0] is None  # check refuses it
    if path.stem in NOT_YAML:
        with pytest.raises(NOT_YAML[path.stem][1]):
            editor_data(raw.decode("utf-8-sig"))
        return
    errors = schema_errors(raw.decode("utf-8-sig"))
    if path.stem in SCHEMA_BLIND:
        assert errors == [], f"the schema now sees {path.stem}: take it off SCHEMA_BLIND"
    else:
        assert errors, f"the schema accepts {path.stem}, which check refuses"


@pytest.mark.parametrize("name", BAD_TEXTS)
def test_more_single_field_rules_fail_check_and_the_schema(name):
    text = with_base(BAD_TEXTS[name])
    assert check_errors(text)
    assert schema_errors(text)


def test_the_schema_is_valid_json_schema_with_no_pydantic_leftovers():
    schema = frontmatter_schema(SETTINGS)
    jsonschema.Draft202012Validator.check_schema(schema)
    text = json.dumps(schema)
    for keyword in ('"ge"', '"le"', '"gt"', '"lt"', '"format": "date-time"'):
        assert keyword not in text
    minutes = schema["properties"]["downtime_minutes"]["anyOf"][0]
    assert (minutes["minimum"], minutes["maximum"]) == (0, 52596000)


def test_configured_severities_as_an_editor_reads_them():
    schema = frontmatter_schema(Settings(severities=("P1", "1", "2")))
    assert schema["properties"]["severity"]["enum"] == ["P1", "1", 1, "2", 2]


@pytest.mark.parametrize("name", BLIND_TEXTS)
def test_single_field_rules_the_schema_cannot_see(name):
    text = with_base(BLIND_TEXTS[name][0])
    assert check_errors(text)
    assert schema_errors(text) == [], f"the schema now sees {name}: move it to BAD_TEXTS"
