"""A spreadsheet of incidents, saved as CSV with a header row.

Columns are found by their header (case, spaces and ``_`` aside), or named with
``--column field=Header``. Times without an offset are read in the wiki's time zone.
A row without downtime is counted as a full outage from started to resolved (the worst
case: the wiki never shows better uptime than the sheet can support), and says so.
Columns that map to no field are kept in each incident's body, and summarised.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import tzinfo
from pathlib import PurePath

from ..incidents.timeparse import local_text, to_instant
from .common import IMPACT_ORDER, BadInput, Draft, Reading, Span, fit, severity_for, web_address

FIELDS = ("id", "title", "started", "resolved", "services", "severity", "downtime_minutes", "cause", "summary", "url")
DEFAULTS = {
    "id": ("id", "incident id", "key", "ticket", "number", "#", "ref", "reference"),
    "title": ("title", "name", "incident", "incident title", "subject", "headline"),
    "started": ("started", "start", "started at", "start time", "began", "from", "date", "opened", "created"),
    "resolved": ("resolved", "resolved at", "end", "ended", "end time", "until", "to", "closed", "fixed"),
    "services": ("services", "service", "components", "component", "systems", "system", "affected", "affected services"),
    "severity": ("severity", "sev", "priority", "level"),
    "downtime_minutes": ("downtime_minutes", "downtime", "downtime minutes", "downtime (minutes)", "downtime (min)",
                         "minutes down", "outage minutes", "duration", "duration (minutes)", "minutes"),
    "cause": ("cause", "root cause", "reason", "cause summary"),
    "summary": ("summary", "description", "details", "notes", "what happened"),
    "url": ("url", "link", "ticket url", "postmortem", "postmortem url"),
}
REQUIRED = ("title", "started")
_MINUTES = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_CLOCK = re.compile(r"([0-9]+):([0-5][0-9])(?::([0-5][0-9]))?")


def _key(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header.strip().lower())


def read(raw: bytes, name: str, tz: tzinfo, severities: tuple[str, ...], columns: dict[str, str]) -> Reading:
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(f"{name} is not UTF-8 text (byte {error.start}): save the spreadsheet as CSV UTF-8") from None
    if not content.strip():
        raise BadInput(f"{name} is empty: expected a header row and a row per incident")
    try:
        dialect = csv.Sniffer().sniff(content[:4096].split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(content, newline=""), dialect))
    header, rows = rows[0], rows[1:]
    if len(header) < 2 or not any(cell.strip() for cell in header):
        raise BadInput(f"{name} has no header row with column names (title, started, ...)")
    positions = _columns(header, columns, name)
    reading = Reading()
    unmapped = [index for index, cell in enumerate(header) if index not in positions.values() and cell.strip()]
    if unmapped:
        reading.unmapped.append(f"columns kept in each incident's body, not mapped to a field: "
                                f"{', '.join(repr(header[i].strip()) for i in unmapped)}")
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            raise BadInput(f"{name} row {number}: {len(row)} cells under {len(header)} column names")
        cells = {field: row[index].strip() if index < len(row) else "" for field, index in positions.items()}
        extra = [(header[i].strip(), row[i].strip()) for i in unmapped if i < len(row) and row[i].strip()]
        draft = _draft(cells, extra, number, name, tz, severities)
        if draft.id in seen:
            raise BadInput(f"{name} row {number}: id {draft.id!r} is also on row {seen[draft.id]}; each row needs its own")
        seen[draft.id] = number
        reading.drafts.append(draft)
    reading.what = f"{len(reading.drafts)} row(s)"
    return reading


def _columns(header: list[str], columns: dict[str, str], name: str) -> dict[str, int]:
    by_key: dict[str, int] = {}
    for index, cell in enumerate(header):
        by_key.setdefault(_key(cell), index)
    positions: dict[str, int] = {}
    for field, wanted in columns.items():
        if field not in FIELDS:
            raise BadInput(f"--column {field}={wanted}: unknown field {field!r} (fields: {', '.join(FIELDS)})")
        if _key(wanted) not in by_key:
            raise BadInput(f"--column {field}={wanted}: {name} has no column {wanted!r} "
                           f"(its columns: {', '.join(repr(cell.strip()) for cell in header)})")
        positions[field] = by_key[_key(wanted)]
    for field in FIELDS:
        if field in positions:
            continue
        for candidate in DEFAULTS[field]:
            index = by_key.get(candidate)
            if index is not None and index not in positions.values():
                positions[field] = index
                break
    missing = [field for field in REQUIRED if field not in positions]
    if missing:
        raise BadInput(f"{name} has no column for {' and '.join(missing)} (its columns: "
                       f"{', '.join(repr(cell.strip()) for cell in header)}); name it with "
                       + " ".join(f"--column {field}=Header" for field in missing))
    return positions


def _draft(cells: dict[str, str], extra: list[tuple[str, str]], number: int, name: str, tz: tzinfo,
           severities: tuple[str, ...]) -> Draft:
    title = cells.get("title", "")
    where = f"{name} row {number}"
    if not title:
        raise BadInput(f"{where}: the title is empty")
    started = _time(cells.get("started", ""), tz, f"{where} ({title!r}): started")
    if started is None:
        raise BadInput(f"{where} ({title!r}): started is empty: an incident needs its times")
    resolved = _time(cells.get("resolved", ""), tz, f"{where} ({title!r}): resolved")
    key = cells.get("id") or f"{started.astimezone(tz):%Y-%m-%dT%H:%M} {title}"[:200]
    label = f"{where} (csv {key})"
    when = lambda moment: local_text(moment, tz)  # noqa: E731
    if resolved is not None and resolved < started:
        raise BadInput(f"{label}: resolved ({when(resolved)}) is before started ({when(started)})")
    notes: list[str] = []
    services = list(dict.fromkeys(fit(part.strip(), notes) for part in re.split(r"[,;\n]", cells.get("services", ""))
                                  if part.strip()))
    if not services:
        raise BadInput(f"{label}: no services (the wiki needs at least one); give a services column, or name it "
                       "with --column services=Header")
    severity = _severity(cells.get("severity", ""), severities, label, notes)
    impact, downtime = [], None
    written = cells.get("downtime_minutes", "")
    if written:
        downtime = _minutes(written, label)
        if resolved is not None and downtime * 60 > (resolved - started).total_seconds() + 1e-6:
            raise BadInput(f"{label}: downtime ({written} minutes) is longer than the incident "
                           f"({when(started)} to {when(resolved)})")
    else:
        impact = [Span(service, "outage", started, resolved) for service in services]
        notes.append("the spreadsheet gives no downtime: counted as a full outage from started to "
                     f"{'resolved' if resolved else 'now'} (the worst case); set downtime_minutes or impact if it was less")
    sections = []
    if cells.get("summary"):
        sections.append(("Summary", cells["summary"]))
    if extra:
        sections.append(("From the spreadsheet", "\n".join(f"- **{header}**: {value}" for header, value in extra)))
    url = cells.get("url", "")
    url = web_address(url, notes) or ""
    link = f" (<{url}>)" if url else ""
    return Draft(
        system="csv", id=key, url=url or None, title=title, severity=severity, started=started, resolved=resolved,
        services=services, status="resolved" if resolved is not None else "investigating", impact=impact,
        downtime_minutes=downtime, cause=cells.get("cause") or None,
        intro=f"Imported from the spreadsheet {PurePath(name).name}, row {number} (id `{key}`){link}.",
        sections=sections, notes=notes,
    )


def _time(value: str, tz: tzinfo, what: str):
    if not value:
        return None
    try:
        return to_instant(value, tz)
    except ValueError as error:
        raise BadInput(f"{what} {error}") from None


def _minutes(value: str, label: str) -> float:
    """``45``, ``2.5`` or ``1:30`` (hours and minutes, optionally :SS) as minutes."""
    if _MINUTES.fullmatch(value):
        return float(value)
    clock = _CLOCK.fullmatch(value)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2)) + int(clock.group(3) or 0) / 60
    raise BadInput(f"{label}: downtime {value!r} is not a number of minutes (45, 2.5) or hours:minutes (1:30)")


def _severity(value: str, severities: tuple[str, ...], label: str, notes: list[str]) -> str:
    if not value:
        notes.append(f"the spreadsheet gives no severity: written as {severities[-1]}, the least severe")
        return severities[-1]
    for severity in severities:
        if severity.lower() == value.lower():
            return severity
    if value.lower() in IMPACT_ORDER:
        return severity_for(value.lower(), severities)
    raise BadInput(f"{label}: severity {value!r} is not one of {', '.join(severities)} "
                   f"(nor {', '.join(IMPACT_ORDER)}); change it in the spreadsheet")
