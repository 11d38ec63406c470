"""Upptime's incidents: the JSON ``gh issue list --state all --json
number,title,body,createdAt,closedAt,labels,comments`` prints for an Upptime repository.

Each issue is a full outage of its site from ``createdAt`` to ``closedAt``, as Upptime
itself counts it (a "degraded performance" issue too). The site is the issue's label
besides ``status`` (Upptime labels each issue ``status`` and the site's slug), else the
name in the title (``🛑 Example Site is down``, ``⚠️ Example Site has degraded performance``),
slugged as Upptime slugs it. Comments become timeline entries. An issue labelled
``maintenance`` is planned maintenance: the HTML comment in its body (``start:``, ``end:``,
``expectedDown:`` and ``expectedDegraded:`` lines) gives its times, and its sites down (an
outage) or degraded.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from ..incidents.timeparse import local_text
from .common import BadInput, Draft, Reading, Span, clamp, fit, parse_time, severity_for, text, web_address

SHAPE = ("the JSON of `gh issue list --state all --json number,title,body,createdAt,closedAt,labels,comments` "
         "for an Upptime repository (a list of issues)")
NOT_SITES = {"status", "maintenance"}
_TITLE = re.compile(r"^[^\w]*(?P<name>.+?)\s+(?P<what>is down|has degraded performance|is degraded|is up)\s*[.!]?\s*$",
                    re.IGNORECASE | re.UNICODE)
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_MARK = re.compile(r"^\s*(start|end|expectedDown|expectedDegraded)\s*:\s*(.*?)\s*$", re.IGNORECASE | re.MULTILINE)


def slugify(name: str) -> str:
    """A site name as Upptime slugs it (``Example Site`` -> ``example-site``)."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", plain)  # camelCase splits, as @sindresorhus/slugify does
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def read(data: object, name: str, tz: tzinfo, severities: tuple[str, ...]) -> Reading:
    if not isinstance(data, list):
        raise BadInput(f"{name} is not {SHAPE}")
    reading = Reading()
    seen: set[str] = set()
    for index, issue in enumerate(data):
        if not isinstance(issue, dict) or "number" not in issue or "createdAt" not in issue:
            raise BadInput(f"{name}: item {index} is not a GitHub issue with number and createdAt; expected {SHAPE}")
        key = text(issue.get("number")).strip()
        if not key:
            raise BadInput(f"{name}: item {index} has no issue number")
        if key in seen:
            reading.skipped.append(f"upptime {key}: listed twice in {name}; the first is imported")
            continue
        seen.add(key)
        draft = _draft(issue, key, tz, severities)
        if draft is None:
            reading.skipped.append(f"upptime {key} ({text(issue.get('title'))!r}): a maintenance issue naming no site "
                                   "(expectedDown, expectedDegraded or a label): nothing to count")
        else:
            reading.drafts.append(draft)
    reading.drafts.sort(key=lambda draft: draft.started)
    counts = [sum(not d.maintenance for d in reading.drafts), sum(d.maintenance for d in reading.drafts)]
    reading.what = f"{counts[0]} issue(s) and {counts[1]} maintenance issue(s)"
    return reading


def _labels(issue: dict, label: str) -> list[str]:
    names = []
    for item in issue.get("labels") or []:
        value = item.get("name") if isinstance(item, dict) else item
        if not isinstance(value, str):
            raise BadInput(f"{label}: labels should be names, or objects with a name")
        names.append(value.strip())
    return [name for name in names if name]


def _draft(issue: dict, key: str, tz: tzinfo, severities: tuple[str, ...]) -> Draft | None:
    label = f"upptime issue #{key}"
    when = lambda moment: local_text(moment, tz)  # noqa: E731
    title = text(issue.get("title")).strip()
    if not title:
        raise BadInput(f"{label} has no title")
    body = text(issue.get("body"))
    labels = _labels(issue, label)
    maintenance = any(name.lower() == "maintenance" for name in labels)
    notes: list[str] = []
    marks = {mark.lower(): value for comment in _COMMENT.findall(body) for mark, value in _MARK.findall(comment)}
    created = parse_time(issue.get("createdAt"), tz, f"{label}: createdAt")
    closed = parse_time(issue["closedAt"], tz, f"{label}: closedAt") if issue.get("closedAt") else None
    started, resolved = created, closed
    if maintenance:
        for mark in ("start", "end"):
            if marks.get(mark):
                moment = parse_time(marks[mark], tz, f"{label}: {mark}: in its comment")
                started, resolved = (moment, resolved) if mark == "start" else (started, moment)
            else:
                notes.append(f"the maintenance comment gives no {mark}: the issue's "
                             f"{'opening' if mark == 'start' else 'closing'} is used")
    if resolved is not None and resolved < started:
        raise BadInput(f"{label}: it ends ({when(resolved)}) before it starts ({when(started)})")

    match = _TITLE.match(title)
    site_name = match.group("name").strip() if match else ""
    sites = [name for name in labels if name.lower() not in NOT_SITES]
    levels: dict[str, str] = {}
    if maintenance and (marks.get("expecteddown") or marks.get("expecteddegraded")):
        for mark, level in (("expecteddegraded", "degraded"), ("expecteddown", "outage")):
            levels.update({part.strip(): level for part in marks.get(mark, "").split(",") if part.strip()})
        sites = list(levels)
    elif len(sites) > 1 and site_name and slugify(site_name) in sites:
        sites = [slugify(site_name)]
    elif not sites and site_name:
        sites = [slugify(site_name) or site_name]
    if not sites:
        if maintenance:
            return None
        raise BadInput(f"{label} ({title!r}) names no site: neither a label besides status nor a title like "
                       "'🛑 Example Site is down'")
    if len(sites) > 1 and not maintenance:
        notes.append(f"the labels name several sites ({', '.join(sites)}): each is counted down for the whole issue")
    degraded = bool(match) and "degraded" in match.group("what").lower()
    if degraded:
        notes.append("Upptime counts an issue of degraded performance as downtime, like any other: so does this "
                     "import (a full outage); change the impact level if that overstates it")
    if match and match.group("what").lower() == "is up":
        notes.append("the title says the site is up: the issue is still counted as downtime, as Upptime counts it")
    levels = {fit(site, []): level for site, level in levels.items()}
    sites = list(dict.fromkeys(fit(site, notes) for site in sites))
    spans, cut = clamp([Span(site, levels.get(site, "outage"), started, resolved) for site in sites],
                       started, resolved, tz)
    notes.extend(cut)

    timeline = [(created, f"Issue opened: {title}")]
    for index, comment in enumerate(issue.get("comments") or []):
        if not isinstance(comment, dict):
            raise BadInput(f"{label}: comments[{index}] should be an object")
        at = parse_time(comment.get("createdAt"), tz, f"{label}: comments[{index}].createdAt")
        author = comment.get("author") or {}
        login = text(author.get("login") if isinstance(author, dict) else author).strip()
        words = text(comment.get("body")).strip() or "(an empty comment)"
        timeline.append((at, f"{login}: {words}" if login else words))
    if closed is not None:
        timeline.append((closed, "Issue closed"))

    url = text(issue.get("url")).strip()
    if not url:  # gh prints the issue's address only with --json url; a comment's address holds it
        comment_url = next((text(c.get("url")) for c in issue.get("comments") or [] if isinstance(c, dict) and c.get("url")), "")
        url = comment_url.split("#", 1)[0]
    url = web_address(url, notes) or ""
    link = f" (<{url}>)" if url else ""
    kind = "maintenance issue" if maintenance else "issue"
    intro = f"Imported from Upptime: {kind} #{key}{link}, {title!r}, labels {', '.join(labels) or 'none'}."
    sections = [("The issue", body.strip())] if body.strip() else []
    impact_word = "none" if maintenance else ("minor" if degraded else "critical")
    return Draft(
        system="upptime", id=key, url=url or None, title=title, severity=severity_for(impact_word, severities),
        started=started, resolved=resolved, services=sites,
        status="resolved" if resolved is not None else "investigating", impact=spans,
        downtime_minutes=None if spans else 0, maintenance=maintenance, timeline=timeline,
        intro=intro, sections=sections, notes=notes,
    )
