"""The postmortem practice: which write-ups the policy requires, which are late, and what a published
one should hold (no MkDocs here).

An incident's postmortem is ``draft``, ``in-review`` or ``published`` (its ``postmortem`` block; without
one, published). With the option ``require_postmortem``, a resolved incident that is not maintenance and
matches a trigger (its severity is listed, its own downtime reaches ``min_downtime_minutes``, or it has
``data_loss: true``) needs a published postmortem: until its due day (``postmortem.due``, else the day it
started plus ``within_days``) it is *missing*, from the next day on *overdue*. Lateness is news, never a
problem: the backlog page and ``postmortems backlog`` show it, the build does not warn about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from .model import Incident
from .problems import WARNING, Problem
from .settings import Settings

# The scaffold's outline (site/templates/new-incident.md): each heading with its placeholder sentence.
# A published postmortem should have replaced every sentence, and left none of these sections empty.
OUTLINE = {
    "Summary": "What happened, in two or three sentences.",
    "Impact": "Who noticed, what they saw, for how long.",
    "Root cause": "Why it happened, and what made it worse or slower to fix.",
    "Resolution": "How the service came back.",
    "What went well": "What helped us find or fix it.",
    "What went wrong": "What slowed us down or made it worse.",
    "Where we got lucky": "What could have made it much worse, and did not.",
}
PLACEHOLDERS = tuple(OUTLINE.values())

_SRE = "Google SRE book, 'Postmortem Culture: Learning from Failure'"
_DEKKER = "Sidney Dekker, 'The Field Guide to Understanding Human Error'"
_ETSY = "John Allspaw, 'Blameless PostMortems and a Just Culture'"
BLAMELESS = {
    "human error": f"names a person, not the system that let the error through ({_SRE})",
    "should have": f"hindsight: judges a decision by what was learned only afterwards ({_DEKKER})",
    "should've": f"hindsight: judges a decision by what was learned only afterwards ({_DEKKER})",
    "failed to": f"counterfactual: tells what did not happen instead of what did, and why it made sense then ({_DEKKER})",
    "careless": f"judges a person; describe what made the slip easy to make ({_ETSY})",
    "negligent": f"judges a person; describe what made the slip easy to make ({_ETSY})",
    "forgot to": f"names a lapse of memory; ask why the system relied on someone remembering ({_SRE})",
    "fault of": f"assigns fault to someone; a blameless postmortem looks for causes in the system ({_ETSY})",
    "'s fault": f"assigns fault to someone; a blameless postmortem looks for causes in the system ({_ETSY})",
}
_OTHER_PHRASE = f"assigns blame to a person rather than describing the system ({_SRE})"

# Fenced code blocks and code spans are not prose: they are blanked (newlines kept) before any check.
_CODE = re.compile(r"^[ \t]{0,3}(?P<mark>`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}(?P=mark)[ \t]*$|\Z)"
                   r"|(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^##[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_TOP = re.compile(r"^#{1,2}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)  # what ends a ## section


def prose(markdown: str) -> str:
    """``markdown`` with code blocks and spans blanked out, every line where it was."""
    return _CODE.sub(lambda match: re.sub(r"[^\n]", " ", match.group(0)), markdown)


@dataclass(frozen=True)
class Entry:
    """One incident on the backlog."""

    incident: Incident
    state: str  # overdue | missing (required, not published) | draft | in-review | published (late action items)
    started: date
    age_days: int
    due: date | None = None
    days_overdue: int = 0
    reasons: tuple[str, ...] = ()  # why the policy requires a postmortem
    items: tuple = ()  # open action items past due (published postmortems)

    def to_json(self, layout, today: date) -> dict:
        block = self.incident.postmortem
        return {
            "id": self.incident.id, "title": self.incident.title, "file": self.incident.file,
            "url": layout.address(layout.incident(self.incident.id)), "severity": self.incident.severity,
            "started": self.started.isoformat(), "status": self.incident.postmortem_status, "state": self.state,
            "due": self.due.isoformat() if self.due else None, "age_days": self.age_days,
            "days_overdue": self.days_overdue, "required_because": list(self.reasons),
            "reviewers": list(block.reviewers) if block else [],
            "action_items": [{"title": item.title, "owner": item.owner, "due": item.due.isoformat(),
                              "days_overdue": (today - item.due).days} for item in self.items],
        }


@dataclass
class Backlog:
    today: date
    policy: object = None
    required: list[Entry] = field(default_factory=list)  # overdue first (the latest first), then missing by due day
    drafts: list[Entry] = field(default_factory=list)  # drafts and reviews the policy does not (yet) require, oldest first
    actions: list[Entry] = field(default_factory=list)  # published postmortems with action items past due

    @property
    def overdue(self) -> int:
        return sum(entry.state == "overdue" for entry in self.required)

    @property
    def count(self) -> int:
        return len(self.required) + len(self.drafts) + len(self.actions)

    def to_json(self, layout) -> dict:
        states = [entry.state for entry in self.required + self.drafts]
        return {
            "as_of": self.today.isoformat(),
            "policy": self.policy.to_json() if self.policy else None,
            "counts": {"overdue": states.count("overdue"), "missing": states.count("missing"),
                       "draft": states.count("draft"), "in-review": states.count("in-review"),
                       "late_action_items": sum(len(entry.items) for entry in self.actions)},
            "required": [entry.to_json(layout, self.today) for entry in self.required],
            "drafts": [entry.to_json(layout, self.today) for entry in self.drafts],
            "action_items": [entry.to_json(layout, self.today) for entry in self.actions],
        }


def required_because(incident: Incident, settings: Settings, downtime: Fraction) -> tuple[str, ...]:
    """Why the policy requires a postmortem of ``incident`` (empty: it does not, or not yet)."""
    policy = settings.require_postmortem
    if policy is None or incident.maintenance or incident.is_open:
        return ()
    reasons = []
    if incident.severity in policy.severities:
        reasons.append(f"severity {incident.severity}")
    if policy.min_downtime_minutes is not None and downtime >= Fraction(str(policy.min_downtime_minutes)):
        reasons.append(f"downtime of {float(downtime):g} min (at least {policy.min_downtime_minutes:g})")
    if incident.data_loss:
        reasons.append("data loss")
    return tuple(reasons)


def backlog(incidents: list[Incident], settings: Settings, today: date, downtime: dict[str, Fraction]) -> Backlog:
    """The postmortems still to write or review, and the published ones with action items past due."""
    result = Backlog(today, settings.require_postmortem)
    tz = settings.tz
    for incident in incidents:
        started = incident.started.astimezone(tz).date()
        age = (today - started).days
        status = incident.postmortem_status
        own_due = incident.postmortem.due if incident.postmortem else None
        reasons = required_because(incident, settings, downtime.get(incident.id, Fraction(0)))
        if reasons and status != "published":
            due = own_due or started + timedelta(days=settings.require_postmortem.within_days)
            late = (today - due).days
            result.required.append(Entry(incident, "overdue" if late > 0 else "missing", started, age, due,
                                         max(late, 0), reasons))
        elif status != "published":
            result.drafts.append(Entry(incident, status, started, age, own_due))
        else:
            items = tuple(item for item in incident.action_items
                          if item.status == "open" and item.due is not None and item.due < today)
            if items:
                result.actions.append(Entry(incident, "published", started, age, items=items))
    result.required.sort(key=lambda e: (e.state != "overdue", -e.days_overdue, e.due, e.started, e.incident.id))
    result.drafts.sort(key=lambda e: (e.started, e.incident.id))
    result.actions.sort(key=lambda e: (min(item.due for item in e.items), e.started, e.incident.id))
    return result


def checked_as_published(incident: Incident, settings: Settings, downtime: Fraction) -> bool:
    """A published postmortem whose text is checked: an explicit ``status: published``, or (only when the
    policy requires it) an incident without a ``postmortem`` block."""
    if incident.postmortem is not None:
        return incident.postmortem.status == "published"
    return bool(required_because(incident, settings, downtime))


def body_problems(incidents: list[Incident], settings: Settings, downtime: dict[str, Fraction],
                  outline: dict[str, str] | None = None) -> list[Problem]:
    """Warnings about published postmortems' text: required sections, the scaffold's placeholders and
    its sections left empty, and (with ``blameless: true``) phrases that assign blame. Each names the
    file's line. ``outline``: the headings and placeholder sentences of the scaffold the wiki uses
    (its own ``new-incident.md``, see ``site.scaffold.outline``); default the packaged ``OUTLINE``.

    Required sections are checked when the postmortem is published explicitly, or when the policy
    requires it (``checked_as_published``); placeholders and empty outline sections on every published page,
    with a block or without one (drafts and reviews are not checked)."""
    problems: list[Problem] = []
    outline = OUTLINE if outline is None else outline
    sections = settings.sections_required
    phrases = settings.blameless_phrases if settings.blameless_phrases is not None else tuple(BLAMELESS)
    pattern = _phrases(phrases) if settings.blameless and phrases else None
    for incident in incidents:
        if incident.postmortem_status != "published":
            continue
        own = downtime.get(incident.id, Fraction(0))
        explicit = incident.postmortem is not None
        checked = checked_as_published(incident, settings, own)
        text = prose(incident.body)
        first = incident.body_line

        def line_of(position: int) -> int:
            return first + text.count("\n", 0, position)

        why = ("its postmortem is published" if explicit else "the policy requires its postmortem" if checked
               else "it has no postmortem: block, so it is published")
        if checked:
            headings = [match.group(1).strip().lower() for match in _HEADING.finditer(text)]
            for section in sections:
                if not any(heading.startswith(section.lower()) for heading in headings):
                    problems.append(Problem(incident.file, f"has no '## {section}' section, and {why}: add the section "
                                            "(required_sections), or mark the postmortem a draft (postmortem: {status: draft})",
                                            "body", first, WARNING))
        for sentence in outline.values():
            position = text.find(sentence)
            if position >= 0:
                problems.append(Problem(incident.file, f"still has the template's placeholder {sentence!r}, and {why}: "
                                        "replace it with what happened", "body", line_of(position), WARNING))
        for heading, position in empty_sections(incident.body, text):
            if heading not in outline:  # a heading of the writer's own may stand alone on purpose
                continue
            problems.append(Problem(incident.file, f"section '## {heading}' is empty, and {why}: write it, or remove "
                                    "the heading", "body", line_of(position), WARNING))
        if pattern is not None:
            for match in pattern.finditer(text):
                phrase = match.group(0)
                reason = BLAMELESS.get(phrase.lower(), _OTHER_PHRASE)
                problems.append(Problem(incident.file, f"{phrase!r} {reason}; say what in the system made it possible "
                                        "(blameless: true)", "body", line_of(match.start()), WARNING))
    return problems


def empty_sections(body: str, text: str | None = None) -> list[tuple[str, int]]:
    """``(heading, position)`` of each ``## `` section of ``body`` with nothing under it before the next
    heading of level 1 or 2 (a subsection, a code block or a line of text is something). ``text`` is
    ``prose(body)``, where headings are looked for."""
    text = prose(body) if text is None else text
    tops = list(_TOP.finditer(text))
    empty = []
    for index, match in enumerate(tops):
        if not match.group(0).startswith("##"):  # a level-1 heading only ends the section before it
            continue
        end = tops[index + 1].start() if index + 1 < len(tops) else len(body)
        if not body[match.end():end].strip():
            empty.append((match.group(1).strip(), match.start()))
    return empty


def _phrases(phrases: tuple[str, ...]) -> re.Pattern:
    alternatives = sorted({phrase.strip() for phrase in phrases if phrase.strip()}, key=len, reverse=True)
    words = [(r"\b" if phrase[0].isalnum() else "") + re.escape(phrase) + (r"\b" if phrase[-1].isalnum() else "")
             for phrase in alternatives]
    return re.compile("|".join(words), re.IGNORECASE)
