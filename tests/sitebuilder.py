"""Build real MkDocs sites in temporary folders, as a user would."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

INCIDENT = """---
title: {title}
severity: {severity}
started: {started}
resolved: {resolved}
services: {services}
downtime_minutes: {downtime}
{extra}
---
{body}
"""


def incident(title="Launch-day connection storm", severity="SEV1", started="2013-06-20 11:05",
             resolved="2013-06-20 12:00", services="[web, database]", downtime=18, extra="", body="## Summary\n\nToo many app servers.\n"):
    return INCIDENT.format(title=title, severity=severity, started=started, resolved=resolved, services=services,
                           downtime=downtime, extra=textwrap.dedent(extra).strip(), body=body)


def write_site(root: Path, incidents: dict[str, str], options: dict | None = None, docs: dict[str, str] | None = None,
               config: dict | None = None) -> Path:
    """A wiki in ``root``: mkdocs.yml, docs/, incidents/. Returns the mkdocs.yml path."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "incidents").mkdir(exist_ok=True)
    for name, text in (docs or {"index.md": "# Home\n"}).items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, text in incidents.items():
        path = root / "incidents" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    plugin = {"timezone": "UTC", "since": "2013-01-01 00:00", "as_of": "2013-07-01 00:00"}
    plugin.update(options or {})
    data = {"site_name": "Test wiki", "theme": {"name": "material", "font": False},
            "plugins": ["search", {"postmortems": plugin}]}
    data.update(config or {})
    path = root / "mkdocs.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def build_site(config_file: Path, strict: bool = False, site_dir: Path | None = None) -> Path:
    overrides = {"strict": strict}
    if site_dir is not None:
        overrides["site_dir"] = str(site_dir)
    config = load_config(str(config_file), **overrides)
    build(config)
    return Path(config.site_dir)


class Captured(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def build_and_capture(config_file: Path, strict: bool = False) -> tuple[Path, list[str]]:
    handler = Captured()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        return build_site(config_file, strict=strict), handler.messages
    finally:
        logger.removeHandler(handler)
