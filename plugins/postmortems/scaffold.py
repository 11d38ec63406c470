"""``postmortems new``: a fresh incident file from the new-incident template."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Protocol

from .settings import Settings
from .templating import environment
from .timeparse import to_instant


class Wiki(Protocol):
    incidents_dir: Path
    templates_dir: Path
    settings: Settings


def file_slug(title: str) -> str:
    """``Replica served the old schema!`` -> ``replica-served-the-old-schema``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-") or "incident"


def scaffold(wiki: Wiki, title: str, services: list[str], severity: str | None, started: str | None,
             now: datetime | None = None) -> Path:
    """Write ``incidents/YYYY-MM-DD-slug.md`` and return its path; never overwrites."""
    settings = wiki.settings
    tz = settings.tz
    if not title.strip():
        raise ValueError("the title is empty")
    severity = severity or settings.severities[-1]
    if severity not in settings.severities:
        raise ValueError(f"severity {severity!r} is not one of {', '.join(settings.severities)}")
    try:
        moment = to_instant(started, tz) if started else (now or datetime.now(tz))
    except ValueError as error:
        raise ValueError(f"--started {error}") from None
    local = moment.astimezone(tz).replace(second=0, microsecond=0)
    path = wiki.incidents_dir / f"{local:%Y-%m-%d}-{file_slug(title)}.md"
    if path.exists():
        raise FileExistsError(f"{path} already exists; pick another title or edit that file")
    text = environment(wiki.templates_dir).get_template("new-incident.md").render(
        title=title.strip(),
        services=services or ["web"],
        severity=severity,
        severities=settings.severities,
        started=local.strftime("%Y-%m-%d %H:%M"),
        clock=local.strftime("%H:%M"),
        date=local.strftime("%Y-%m-%d"),
        timezone=settings.timezone,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as stream:
        stream.write(text)
    return path
