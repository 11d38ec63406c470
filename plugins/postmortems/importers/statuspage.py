"""Statuspage's public API v2 (``/api/v2/incidents.json``, ``summary.json``,
``scheduled-maintenances.json``, or a saved copy) as drafts.

Impact per component is accounted as Statuspage does: a component holds the level of an
update's ``new_status`` from that update until the next update that changes it, or until
``resolved_at``. An incident that records no component changes counts its ``impact``
(critical: outage, major: partial, minor: degraded, none: nothing) on its components from
``started_at`` (else ``created_at``) to ``resolved_at``.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from ..incidents.timeparse import local_text, zone
from .common import BadInput, Draft, Reading, Span, clamp, fit, parse_time, severity_for, text, web_address

INCIDENT_STATUSES = {"investigating": "investigating", "identified": "identified", "monitoring": "monitoring",
                     "resolved": "resolved", "postmortem": "resolved"}
MAINTENANCE_STATUSES = {"in_progress": "identified", "verifying": "monitoring", "completed": "resolved"}
NOT_STARTED = "scheduled"  # a maintenance still to come: nothing to import yet
COMPONENT_LEVELS = {"major_outage": "outage", "partial_outage": "partial", "degraded_performance": "degraded",
                    "under_maintenance": "maintenance", "operational": None}
IMPACT_LEVELS = {"critical": "outage", "major": "partial", "minor": "degraded", "none": None}
LEVEL_WORDS = {"outage": "an outage", "partial": "a partial outage", "degraded": "degraded performance"}
SHAPE = ("Statuspage JSON: an object with incidents and/or scheduled_maintenances, as /api/v2/incidents.json, "
         "summary.json and scheduled-maintenances.json give it")


def read(data: object, name: str, tz: tzinfo, severities: tuple[str, ...]) -> Reading:
    """Every incident and scheduled maintenance in ``data`` (the parsed JSON of file ``name``)."""
    page: dict = {}
    if isinstance(data, dict) and isinstance(data.get("incident"), dict):  # /api/v2/incidents/<id>.json
        data = {**data, "incidents": [data["incident"]]}
    if isinstance(data, list):
        incidents, maintenances = [i for i in data if not _is_maintenance(i)], [i for i in data if _is_maintenance(i)]
    elif isinstance(data, dict) and ("incidents" in data or "scheduled_maintenances" in data):
        incidents, maintenances = data.get("incidents") or [], data.get("scheduled_maintenances") or []
        page = data.get("page") if isinstance(data.get("page"), dict) else {}
    else:
        raise BadInput(f"{name} is not {SHAPE}")
    for key, items in (("incidents", incidents), ("scheduled_maintenances", maintenances)):
        if not isinstance(items, list):
            raise BadInput(f"{name}: {key} should be a list, not {type(items).__name__}")
    page_tz = tz
    if page.get("time_zone"):
        try:
            page_tz = zone(str(page["time_zone"]))
        except ValueError as error:
            raise BadInput(f"{name}: page time_zone: {error}") from None
    reading = Reading()
    seen: dict[str, dict] = {}
    for maintenance, items in ((False, incidents), (True, maintenances)):
        for index, raw in enumerate(items):
            if not isinstance(raw, dict):
                raise BadInput(f"{name}: {'scheduled_maintenances' if maintenance else 'incidents'}[{index}] "
                               f"should be an object, not {type(raw).__name__}")
            key = text(raw.get("id")).strip()
            if not key:
                raise BadInput(f"{name}: {'scheduled_maintenances' if maintenance else 'incidents'}[{index}] "
                               f"({text(raw.get('name'))[:60]!r}) has no id")
            if key in seen:  # summary.json and incidents.json overlap: the latest copy wins
                if text(raw.get("updated_at")) > text(seen[key].get("updated_at")):
                    seen[key] = raw
                reading.skipped.append(f"statuspage {key}: listed twice in {name}; the copy updated last is imported")
                continue
            seen[key] = raw
    for key, raw in seen.items():
        maintenance = _is_maintenance(raw) or any(raw is item for item in maintenances)
        draft = _draft(raw, key, maintenance, page, page_tz, tz, severities, reading)
        if draft is not None:
            reading.drafts.append(draft)
    reading.drafts.sort(key=lambda draft: draft.started)
    counts = [sum(not d.maintenance for d in reading.drafts), sum(d.maintenance for d in reading.drafts)]
    reading.what = f"{counts[0]} incident(s) and {counts[1]} scheduled maintenance(s)"
    return reading


def _is_maintenance(raw: object) -> bool:
    return isinstance(raw, dict) and (raw.get("scheduled_for") is not None or raw.get("impact") == "maintenance"
                                      or raw.get("status") in (*MAINTENANCE_STATUSES, NOT_STARTED))


def _draft(raw: dict, key: str, maintenance: bool, page: dict, page_tz: tzinfo, tz: tzinfo,
           severities: tuple[str, ...], reading: Reading) -> Draft | None:
    label = f"statuspage {'maintenance' if maintenance else 'incident'} {key}"
    when = lambda moment: local_text(moment, tz)  # noqa: E731
    notes: list[str] = []
    title = text(raw.get("name")).strip()
    if not title:
        raise BadInput(f"{label} has no name")
    updates = _updates(raw, label, page_tz)
    statuses = MAINTENANCE_STATUSES if maintenance else INCIDENT_STATUSES
    last = updates[-1]["status"] if updates else text(raw.get("status"))
    resolved = _time(raw, "resolved_at", label, page_tz)
    if maintenance and last == NOT_STARTED and resolved is None:
        reading.skipped.append(f"{label} ({title!r}): still scheduled"
                               f"{' for ' + text(raw.get('scheduled_for')) if raw.get('scheduled_for') else ''}, "
                               "not started: nothing to import yet")
        return None
    started = (_time(raw, "started_at", label, page_tz)
               or (_time(raw, "scheduled_for", label, page_tz) if maintenance else None)
               or _time(raw, "created_at", label, page_tz))
    if started is None:
        raise BadInput(f"{label} ({title!r}) has no started_at or created_at: an incident needs its times")

    impact_name = text(raw.get("impact")) or "none"
    known_impacts = (*IMPACT_LEVELS, "maintenance")
    if impact_name not in known_impacts:
        raise BadInput(f"{label}: unknown impact {impact_name!r} (Statuspage's are {', '.join(known_impacts)})")

    # Status: the last update's; resolved once Statuspage resolved it.
    if resolved is None and statuses.get(last) == "resolved":
        closing = next((u["at"] for u in updates if statuses.get(u["status"]) == "resolved"), None)
        if closing is None:
            raise BadInput(f"{label} is {last} but has no resolved_at and no resolving update")
        resolved = closing
        notes.append(f"Statuspage gives no resolved_at: resolved is the first {last} update ({when(closing)})")
    if resolved is not None:
        status = "resolved"
        if last and statuses.get(last) != "resolved":
            notes.append(f"the last update's status is {last!r}, but the incident has resolved_at: written as resolved")
    else:
        status = statuses.get(last)
        if status is None:
            known = [*statuses, *([NOT_STARTED] if maintenance else [])]
            raise BadInput(f"{label}: unknown status {last!r} (Statuspage's are {', '.join(known)})")
    if resolved is not None and resolved < started:
        raise BadInput(f"{label}: resolved_at ({when(resolved)}) is before it started ({when(started)})")
    for update in updates:
        if update["status"] and update["status"] not in statuses and not (maintenance and update["status"] == NOT_STARTED):
            notes.append(f"the update of {when(update['at'])} has the status {update['status']!r}, which Statuspage "
                         "does not define: kept in the timeline as written")

    page_name = text(page.get("name")).strip() or "status page"
    services = list(dict.fromkeys(fit(name, notes) for name in
        [text(c.get("name")).strip() for c in (raw.get("components") or []) if isinstance(c, dict) and text(c.get("name")).strip()]
        + [entry["name"] for update in updates for entry in update["components"]]))
    if not services:
        services = [fit(page_name, notes)]
        notes.append(f"Statuspage names no component: the incident is counted on a service named after the page, {services[0]!r}")

    spans = _spans_from_updates(updates, started, resolved, maintenance, when, notes)
    accounting = ""
    if spans is None:  # no component changes recorded: the incident's impact, over its whole span
        level = "outage" if impact_name == "maintenance" else IMPACT_LEVELS[impact_name]
        spans = [Span(service, level, started, resolved) for service in services] if level else []
        until = "resolved" if resolved else "now"
        accounting = (f" Statuspage records no component changes, so its impact ({impact_name}) is counted as "
                      f"{LEVEL_WORDS[level] if level else 'no downtime'}"
                      f"{' of ' + ', '.join(services) + ' from started to ' + until if level else ''}.")
    spans = [Span(fit(span.service, []), span.level, span.start, span.end) for span in spans]  # as in services
    spans, cut = clamp(spans, started, resolved, tz)
    notes.extend(cut)

    mitigated = _time(raw, "monitoring_at", label, page_tz)
    if mitigated is not None and (mitigated < started or (resolved is not None and mitigated > resolved)):
        notes.append(f"monitoring_at ({when(mitigated)}) lies outside the incident: not used as mitigated")
        mitigated = None

    url = text(raw.get("shortlink")).strip() or (
        f"{text(page.get('url')).rstrip('/')}/incidents/{key}" if text(page.get("url")).strip() else "")
    url = web_address(url, notes) or ""
    severity = severity_for("none" if impact_name == "maintenance" else impact_name, severities)
    timeline = [(u["at"], _event(u, maintenance)) for u in updates]
    kind = "scheduled maintenance" if maintenance else "incident"
    link = f" (<{url}>)" if url else ""
    intro = (f"Imported from Statuspage ({page_name}): {kind} `{key}`{link}, "
             f"impact {impact_name}. Every update is in the timeline.{accounting}")
    sections = []
    if text(raw.get("postmortem_body")).strip():
        sections.append(("Postmortem on Statuspage", text(raw.get("postmortem_body")).strip()))
    return Draft(
        system="statuspage", id=key, url=url or None, title=title, severity=severity, started=started,
        resolved=resolved, services=services, status=status, mitigated=mitigated, impact=spans,
        downtime_minutes=None if spans else 0, maintenance=maintenance, timeline=timeline,
        intro=intro, sections=sections, notes=notes,
    )


def _time(raw: dict, key: str, label: str, tz: tzinfo) -> datetime | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    return parse_time(value, tz, f"{label}: {key}")


def _updates(raw: dict, label: str, tz: tzinfo) -> list[dict]:
    """The incident's updates, oldest first: time (display_at, else created_at), status, body, components."""
    items = raw.get("incident_updates") or []
    if not isinstance(items, list):
        raise BadInput(f"{label}: incident_updates should be a list, not {type(items).__name__}")
    updates = []
    for index, item in enumerate(items):
        where = f"{label}: incident_updates[{index}]"
        if not isinstance(item, dict):
            raise BadInput(f"{where} should be an object, not {type(item).__name__}")
        value = item.get("display_at") or item.get("created_at")
        if not value:
            raise BadInput(f"{where} has no display_at or created_at")
        at = parse_time(value, tz, f"{where}.{'display_at' if item.get('display_at') else 'created_at'}")
        components = []
        for entry in item.get("affected_components") or []:
            if not isinstance(entry, dict) or not (text(entry.get("name")).strip() or text(entry.get("code")).strip()):
                raise BadInput(f"{where}: affected_components should name each component")
            components.append({"name": text(entry.get("name")).strip() or text(entry.get("code")).strip(),
                               "old": text(entry.get("old_status")) or None, "new": text(entry.get("new_status")) or None})
        updates.append({"at": at, "status": text(item.get("status")), "body": text(item.get("body")).strip(),
                        "components": components, "order": index})
    # Statuspage lists the newest first; equal times keep the later-listed (older) one first.
    return sorted(updates, key=lambda update: (update["at"], -update["order"]))


def _spans_from_updates(updates: list[dict], started: datetime, resolved: datetime | None, maintenance: bool,
                        when, notes: list[str]) -> list[Span] | None:
    """The levels the updates give each component, or None when they record no component change."""
    entries = [entry for update in updates for entry in update["components"]]
    if not any(entry["new"] not in (None, "operational") or entry["old"] not in (None, "operational") for entry in entries):
        return None
    spans: list[Span] = []
    state: dict[str, tuple[str, datetime]] = {}

    def close(name: str, status: str, since: datetime, until: datetime | None) -> None:
        if until is not None and until <= since or status == "operational":
            return
        shown_until = when(until) if until else "now"
        if status not in COMPONENT_LEVELS:
            notes.append(f"{name} was {status!r} from {when(since)} to {shown_until}: not a component status the "
                         "import knows, so not counted")
            return
        level = COMPONENT_LEVELS[status]
        if level == "maintenance":
            if maintenance:
                spans.append(Span(name, "outage", since, until))
            else:
                notes.append(f"{name} was under maintenance from {when(since)} to {shown_until}: not counted, as "
                             "Statuspage does not count it (the wiki has no maintenance level inside an incident)")
            return
        spans.append(Span(name, level, since, until))

    for update in updates:
        for entry in update["components"]:
            name, old, new = entry["name"], entry["old"], entry["new"]
            if name not in state:
                if old not in (None, "operational"):
                    notes.append(f"{name} was already {old} at the first update that names it ({when(update['at'])}): "
                                 "counted from the start of the incident")
                    state[name] = (old, started)
                else:
                    state[name] = ("operational", started)
            current, since = state[name]
            if new is None or new == current:
                continue
            close(name, current, since, update["at"])
            state[name] = (new, update["at"])
    for name, (current, since) in state.items():
        close(name, current, since, resolved)
    return spans


def _event(update: dict, maintenance: bool) -> str:
    word = update["status"].replace("_", " ").capitalize() or "Update"
    changes = [f"{entry['name']}: {_shown(entry['old'])} → {_shown(entry['new'])}" for entry in update["components"]
               if entry["new"] and entry["new"] != entry["old"]]
    event = f"{word}: {update['body']}" if update["body"] else word
    return f"{event} ({'; '.join(changes)})" if changes else event


def _shown(status: str | None) -> str:
    return (status or "unknown").replace("_", " ")
