"""The invariants, over generated wikis: whatever the frontmatter holds, from YAML's whole scalar zoo,

- nothing raises a traceback;
- `postmortems check` passes exactly when `mkdocs build --strict` passes;
- a normal build writes the home page and a page for every valid incident;
(That no figure is higher than the truth is the property of `test_left_out.py`.)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.exceptions import Abort

from postmortems.cli.main import load_wiki, main
from postmortems.mkdocs_plugin.config import read_wiki_config
from sitebuilder import build_site, write_site

# Scalars as a writer may type them, exactly as text: YAML 1.1 reads many of them as something else.
ZOO = [
    "", "~", "null", "Null", "yes", "no", "on", "off", "y", "n", "true", "False", "NO",
    "0", "007", "045", "0o17", "0x1F", "0b101", "1_000", "1:30", "11:05", "25:99", "-1", "1e3", "1e400", ".inf",
    "-.Inf", ".nan", "3.14", "1.10", "9" * 5000, "-0",
    "2013-02-30", "2013-07-12", "0000-01-01", "0001-01-01 00:00", "9999-12-31 23:59", "9999-12-31T20:00:00-12:00",
    "2013-07-12 02:10", "2013-07-12T02:10:00-04:00", "2013-07-12T02:10:00Z", '"2013-07-12T02:10:00Z"',
    "2013-07-12T10:00:00+25:00", "2013-03-10 02:30", "2013-11-03 01:30",
    "!!set {a, b}", "!!binary aGk=", "!!str 1", '!!int "3"', "!!float 1", "!!timestamp 2013-07-12", "!!python/none ''",
    "'quoted'", '"two  spaces"', "[a, a]", "{a: 1}", "[]", "{}", "SEV1", "SEV9", "web", "outage", "resolved",
    "<script>alert(1)</script>", "javascript:alert(1)", "//evil.test/x", "https://x.test/", "&anchor value", "*alias",
    "障害", "..", "feed.xml", "index",
]
FIELDS = ["title", "severity", "status", "started", "detected", "resolved", "services", "downtime_minutes",
          "maintenance", "tags", "authors", "related", "id", "cause", "trigger", "detection"]
VALID = {"title": "Fine", "severity": "SEV2", "started": "2013-06-01 10:00", "resolved": "2013-06-01 11:00",
         "services": "[web]", "downtime_minutes": "30"}

front_matter = st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(ZOO), max_size=6).map(
    lambda fields: {**VALID, **fields})
as_list = st.sampled_from(["tags", "authors", "related", "services"])


def _text(front: dict) -> str:
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in front.items()) + "---\n## Summary\n\nBody.\n"


def _strict_passes(config: Path, site_dir: Path) -> bool:
    try:
        build_site(config, strict=True, site_dir=site_dir)
        return True
    except Abort:
        return False


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(fronts=st.lists(front_matter, min_size=1, max_size=3), in_list=as_list, item=st.sampled_from(ZOO))
def test_check_agrees_with_strict_and_every_valid_incident_is_published(tmp_path_factory, monkeypatch, fronts,
                                                                        in_list, item):
    root = tmp_path_factory.mktemp("wiki")
    fronts = [*fronts, {**VALID, in_list: f"[{item}]"}]
    incidents = {f"2013-06-0{n + 1}-case.md": _text(front) for n, front in enumerate(fronts)}
    incidents["2013-05-01-good.md"] = _text({**VALID, "started": "2013-05-01 10:00", "resolved": "2013-05-01 11:00"})
    config = write_site(root, incidents)
    monkeypatch.chdir(root)
    check = CliRunner().invoke(main, ["check"])
    assert check.exception is None or isinstance(check.exception, SystemExit), check.output
    assert check.exit_code in (0, 1), check.output
    strict = _strict_passes(config, root / "strict")
    assert (check.exit_code == 0) == strict, check.output
    site = build_site(config, site_dir=root / "site")
    assert (site / "index.html").exists()
    collection, _ = load_wiki(read_wiki_config(config))  # the incidents as the build loads them
    for incident in collection.incidents:
        assert (site / "incidents" / incident.id / "index.html").exists(), incident.id
    assert (site / "incidents" / "2013-05-01-good" / "index.html").exists()
    document = json.loads((site / "uptime.json").read_text(encoding="utf-8"))
    assert document["complete"] == (not collection.left_out)
    assert document["left_out"] == sorted(collection.left_out)
    shutil.rmtree(root)
