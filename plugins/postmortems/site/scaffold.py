"""``postmortems new``: a fresh incident file from the new-incident template."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Protocol

from ..incidents.catalog import unknown
from ..incidents.practice import OUTLINE
from ..incidents.slugs import file_slug
from ..incidents.settings import Settings
from .templating import environment
from ..incidents.timeparse import next_clock, to_clock, to_instant


class Wiki(Protocol):
    incidents_dir: Path
    templates_dir: Path
    settings: Settings


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
    services = list(dict.fromkeys(name.strip() for name in services if name.strip()))
    if not services:
        raise ValueError("name at least one service (-s web)")
    if settings.services is not None:
        listed = {service.name for service in settings.services}
        for name in services:
            if name not in listed:
                raise ValueError(f"service {name!r} {unknown(name, settings.services)}")
    try:
        written, moment = _started(started, tz, now)
    except ValueError as error:
        raise ValueError(f"--started {error}") from None
    local = moment.astimezone(tz)
    path = wiki.incidents_dir / f"{local:%Y-%m-%d}-{file_slug(title)}.md"
    if path.exists():
        raise FileExistsError(f"{path} already exists; pick another title or edit that file")
    text = _render(environment(wiki.templates_dir), settings, title.strip(), services, severity, written,
                   _clock(moment, tz) or written, local.strftime("%Y-%m-%d"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as stream:
        stream.write(text)
    return path


def started_instant(started: str, tz) -> datetime | None:
    """The instant ``--started`` means (None for ``now``); ValueError with the rest of a sentence."""
    text = started.strip()
    return None if text.lower() == "now" else to_instant(text, tz)


def _started(started: str | None, tz, now: datetime | None) -> tuple[str, datetime]:
    """``started`` as the file will say it, and the instant it means: the text given, exactly
    (offset and seconds included), or (None or ``now``) the current minute, with its offset when the
    wall time is ambiguous."""
    if started and started_instant(started, tz) is not None:
        text = started.strip()
        return text, to_instant(text, tz)
    moment = (now or datetime.now(tz)).astimezone(tz).replace(second=0, microsecond=0)
    text = moment.strftime("%Y-%m-%d %H:%M")
    try:
        if to_instant(text, tz) == moment:
            return text, moment
    except ValueError:
        pass
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%dT%H:%M}{offset[:3]}:{offset[3:]}", moment


def _clock(moment: datetime, tz) -> str | None:
    """``HH:MM`` for the timeline when it means ``moment`` exactly, else None (seconds, an ambiguous hour)."""
    clock = moment.astimezone(tz).strftime("%H:%M")
    try:
        return clock if next_clock(to_clock(clock), moment, tz) == moment else None
    except ValueError:
        return None


def _render(env, settings: Settings, title: str, services: list[str], severity: str, started: str, clock: str,
            date: str) -> str:
    return env.get_template("new-incident.md").render(
        title=title, services=services, severity=severity, severities=settings.severities, started=started,
        clock=clock, date=date, timezone=settings.timezone,
    )


_SECTION = re.compile(r"^## +(.+?)[ \t#]*\n+((?:[^#\n][^\n]*\n)+)", re.MULTILINE)


def outline(env, settings: Settings) -> dict[str, str]:
    """The headings of the scaffold the wiki uses (its own ``new-incident.md``, else the packaged one),
    each with its placeholder: the one paragraph under it. ``check`` warns when a published postmortem
    still holds one. The packaged outline when the template cannot be rendered (``check`` says why)."""
    try:
        text = _render(env, settings, "Title", [settings.services[0].name if settings.services else "web"],
                       settings.severities[-1], "2013-06-20 11:05", "11:05", "2013-06-20")
    except Exception:  # noqa: BLE001 (a template of the wiki's may fail in any way: the build says so)
        return dict(OUTLINE)
    body = text.split("\n---", 2)[-1] if text.startswith("---") else text
    found = {heading.strip(): paragraph.strip() for heading, paragraph in _SECTION.findall(body + "\n")
             if "\n\n" not in paragraph.strip() and not paragraph.lstrip().startswith(("<", "-", "*", "|", "`"))}
    return found or dict(OUTLINE)
