"""What an incident publishes on the public site, and what it withholds (no site, no MkDocs).

A build is for an audience: ``internal`` (the team's wiki: every incident as written) or
``public`` (the status page). On the public site each incident shows its *public form*:

- ``visibility: internal`` (the default: nothing is public unless a writer says so): its status
  facts only (``STATUS_FACTS``), under its ``public_title`` when it has one, with its
  ``public_summary``. Its body, cause, trigger, contributing factors, timeline, action items,
  authors, tags and related incidents stay internal.
- ``visibility: public``: the whole postmortem, but for its internal parts: the body's blocks
  between ``<!-- internal -->`` and ``<!-- /internal -->`` lines, ``authors``, the action items'
  ``owner`` and ``link``, the postmortem's reviewers, the import record (``source``), and every
  field the ``internal_fields`` option names.

``publish`` is a pure function from an incident (and those options) to its ``Publication``: the
public form, an ``Incident`` the page templates read as they read any other, and every text value
it withholds, which the public build's leak check then looks for in what it wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Iterable, Iterator

from pydantic import BaseModel

from .model import FIELDS, Frontmatter, Incident, Postmortem
from .problems import WARNING, Problem

STATUS_FACTS = ("title", "severity", "status", "started", "detected", "mitigated", "resolved", "services", "impact",
                "downtime_minutes", "maintenance", "public_summary")
"""What every incident publishes: an internal one nothing else (its title as ``public_title`` when given)."""
ALWAYS_PUBLIC = (*STATUS_FACTS, "id", "visibility", "public_title")
"""Never withheld (``internal_fields`` may not name them): the figures and the status of both sites stand on them."""
ALWAYS_INTERNAL = ("authors", "source")
"""Withheld from every incident, with the action items' ``owner`` and ``link`` and the postmortem's reviewers."""
NOT_TEXT = {"status", "type", "detection", "level", "system", "fields", "related", "id", "url"}
"""Withheld values that are not the writer's prose (a choice from a list, ids, the import's bookkeeping): the
leak check does not look for them."""

_OPEN = re.compile(r"<!--\s*internal\s*-->", re.IGNORECASE)
_CLOSE = re.compile(r"<!--\s*/\s*internal\s*-->", re.IGNORECASE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
OPEN_MARKER, CLOSE_MARKER = "<!-- internal -->", "<!-- /internal -->"


@dataclass(frozen=True)
class Withheld:
    """One text value the public site leaves out: which incident file and field it comes from."""

    file: str
    field: str  # e.g. cause.summary, action_items[1].owner, body, internal block
    value: str
    markdown: bool = False  # Markdown (a body, an internal block): read line by line
    line: int | None = None  # the file's line where it starts, for Markdown

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Block:
    """The Markdown between an ``<!-- internal -->`` line and its ``<!-- /internal -->``."""

    line: int  # the file's line of the opening marker (or of the body's first line, before a lone closer)
    end: int  # the file's line of the closing marker (or of the body's last line, when it is not closed)
    text: str


@dataclass(frozen=True)
class Publication:
    """An incident as the public site shows it, and what it withholds."""

    incident: Incident  # the public form
    source: Incident  # as written
    withheld: tuple[Withheld, ...]  # every text value left out, for the leak check
    withheld_fields: tuple[str, ...]  # what is left out, in words (for postmortems check)
    blocks: tuple[Block, ...]  # the body's internal blocks

    @property
    def full(self) -> bool:
        """The whole postmortem is published (``visibility: public``), not its status facts alone."""
        return self.source.visibility == "public"

    @property
    def published_fields(self) -> tuple[str, ...]:
        """The fields the public form shows, in the frontmatter's order, ``body`` last."""
        names = [name for name in FIELDS if name not in ("id", "visibility", "public_title")
                 and _given(getattr(self.incident, name, None))]
        return (*names, "body") if self.incident.body.strip() else tuple(names)


def publish(incident: Incident, internal_fields: Iterable[str] = ()) -> Publication:
    """``incident``'s public form and what it withholds (see the module's docstring)."""
    public_body, blocks, _ = split_body(incident.body, incident.body_line, incident.file)
    title = incident.public_title or incident.title
    withheld: list[Withheld] = []
    if title != incident.title:
        withheld.append(Withheld(incident.file, "title", incident.title))
    if incident.visibility == "public":
        internal = {*ALWAYS_INTERNAL, *internal_fields}
        hidden = [name for name in FIELDS if name in internal]
        update: dict = {"title": title, "body": public_body}
        for name in hidden:
            withheld += _leaves(incident.file, name, getattr(incident, name))
            update[name] = _default(name)
        named = [name for name in hidden if _given(getattr(incident, name))]
        if "action_items" not in hidden and incident.action_items:
            items = []
            for index, item in enumerate(incident.action_items):
                for part in ("owner", "link"):
                    withheld += _leaves(incident.file, f"action_items[{index}].{part}", getattr(item, part))
                items.append(item.model_copy(update={"owner": None, "link": None}))
            update["action_items"] = items
            if any(item.owner or item.link for item in incident.action_items):
                named.append("action items' owners and links")
        if "postmortem" not in hidden and incident.postmortem is not None:
            withheld += _leaves(incident.file, "postmortem.reviewers", incident.postmortem.reviewers)
            update["postmortem"] = Postmortem.model_construct(status=incident.postmortem.status, due=None,
                                                              reviewers=[], reviewed=None)
            if incident.postmortem.reviewers or incident.postmortem.due or incident.postmortem.reviewed:
                named.append("the postmortem's due day and reviewers")
        for block in blocks:
            withheld.append(Withheld(incident.file, "internal block", block.text, True, block.line))
        if blocks:
            named.append(f"{len(blocks)} internal block{'s' if len(blocks) != 1 else ''} of the body "
                         f"(lines {', '.join(f'{b.line}-{b.end}' for b in blocks)})")
        form = incident.model_copy(update=update)
    else:
        facts = {name: getattr(incident, name) for name in STATUS_FACTS}
        facts["title"] = title
        form = Incident.model_construct(**facts, id=incident.id, file=incident.file, body="", body_line=incident.body_line,
                                        visibility="internal", public_title=incident.public_title)
        named = []
        for name in FIELDS:
            if name in ALWAYS_PUBLIC:
                continue
            value = getattr(incident, name)
            withheld += _leaves(incident.file, name, value)
            if _given(value):
                named.append(name)
        if incident.body.strip():
            withheld.append(Withheld(incident.file, "body", incident.body, True, incident.body_line))
            named.append("body")
    return Publication(form, incident, tuple(withheld), tuple(named), tuple(blocks))


def publications(incidents: Iterable[Incident], internal_fields: Iterable[str] = ()) -> list[Publication]:
    fields = tuple(internal_fields)
    return [publish(incident, fields) for incident in incidents]


def split_body(body: str, first_line: int = 1, file: str = "") -> tuple[str, list[Block], list[Problem]]:
    """The body without its internal blocks, the blocks, and what is wrong with the markers (warnings).

    A marker is a line of its own: ``<!-- internal -->`` opens a block, ``<!-- /internal -->`` closes
    it. Inside fenced code blocks they are text. When a marker is unclear, more is withheld, never
    less: an unclosed block runs to the end of the body, a closer with no opener withholds the body up
    to it, and a line holding a marker besides other text is withheld whole.
    """
    lines = body.split("\n")
    kept: list[str] = []
    blocks: list[Block] = []
    problems: list[Problem] = []
    fence = ""  # the opening fence while inside a fenced code block
    opened: int | None = None  # the line of the open block's marker
    inside: list[str] = []

    def warn(number: int, message: str) -> None:
        problems.append(Problem(file, message, "body", number, WARNING))

    for index, line in enumerate(lines):
        number = first_line + index
        target = inside if opened is not None else kept
        if fence:
            if re.match(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$", line):
                fence = ""
            target.append(line)
            continue
        start = _FENCE.match(line)
        if start:
            fence = start.group(1)
            target.append(line)
            continue
        opens, closes = _OPEN.search(line), _CLOSE.search(line)
        if not opens and not closes:
            target.append(line)
            continue
        rest = _CLOSE.sub("", _OPEN.sub("", line)).strip()
        if rest:
            warn(number, f"{OPEN_MARKER if opens else CLOSE_MARKER} shares its line with other text: put each marker "
                         "on a line of its own (the public site leaves this whole line out)")
        if opens and closes and (opened is not None or opens.start() < closes.start()):
            # A block opened and closed on one line (or an open block's closer after a second opener).
            if opened is None:
                blocks.append(Block(number, number, rest))
            else:
                inside.append(rest)
                blocks.append(Block(opened, number, "\n".join(inside)))
                opened, inside = None, []
            continue
        if opens:
            if opened is not None:
                warn(number, f"{OPEN_MARKER} inside the internal block opened at line {opened}: close that one with "
                             f"{CLOSE_MARKER} first (the public site leaves out both)")
                inside.append(rest)
                continue
            opened, inside = number, [rest] if rest else []
            continue
        # closes
        if opened is None:
            warn(number, f"{CLOSE_MARKER} closes no {OPEN_MARKER}: put {OPEN_MARKER} where the internal part starts "
                         "(the public site leaves out the body up to here)")
            text = "\n".join([*kept, rest]).strip("\n")
            blocks.append(Block(first_line, number, text))
            kept = []
            continue
        if rest:
            inside.append(rest)
        blocks.append(Block(opened, number, "\n".join(inside)))
        opened, inside = None, []
    if opened is not None:
        last = first_line + len(lines) - 1
        warn(opened, f"{OPEN_MARKER} is never closed: put a line {CLOSE_MARKER} where the internal part ends "
                     "(the public site leaves out the rest of the body)")
        blocks.append(Block(opened, last, "\n".join(inside).strip("\n")))
    return "\n".join(kept).strip("\n") + "\n" if any(line.strip() for line in kept) else "", blocks, problems


def marker_problems(incidents: Iterable[Incident]) -> list[Problem]:
    """Warnings about the internal markers in every incident's body (the same in both audiences)."""
    problems: list[Problem] = []
    for incident in incidents:
        if "<!--" in incident.body:
            problems += split_body(incident.body, incident.body_line, incident.file)[2]
    return problems


def describe(publication: Publication) -> str:
    """What an incident publishes and withholds, in a line (``postmortems check`` in the public audience)."""
    incident, source = publication.incident, publication.source
    title = f'as "{incident.title}"' + (" (public_title)" if source.public_title else "")
    if publication.full:
        what = f"the whole postmortem, {title}"
    else:
        what = f"its status facts ({', '.join(name for name in publication.published_fields if name != 'title')}), {title}"
    withheld = f"; withholds {', '.join(publication.withheld_fields)}" if publication.withheld_fields else ""
    return f"{source.file}: {what}{withheld}"


def _given(value) -> bool:
    """A field is given: a number (0 too), or a value other than nothing, an empty list or ``false``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return value not in (None, [], "", False)


def _default(name: str):
    field = Frontmatter.model_fields[name]
    return field.default_factory() if field.default_factory is not None else field.default


def _leaves(file: str, field: str, value) -> Iterator[Withheld]:
    """Every text of ``value`` (the field ``field``), each with where it sits (``timeline[2].event``)."""
    key = field.rsplit(".", 1)[-1].split("[", 1)[0]
    if value is None or key in NOT_TEXT or isinstance(value, (bool, int, float, date, datetime, time)):
        return
    if isinstance(value, str):
        if value.strip():
            yield Withheld(file, field, value)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _leaves(file, f"{field}.{name}", getattr(value, name))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _leaves(file, f"{field}[{index}]", item)
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _leaves(file, f"{field}.{name}", item)
