"""What every importer makes: a :class:`Draft` per incident, in the wiki's terms.

A draft holds instants (aware datetimes), the wiki's impact levels and the notes on what
could not be mapped; ``writing`` turns it into an incident file. Importers raise
:class:`BadInput` with a message naming the source id when the input cannot be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo

from ..incidents.model import MAX_NAME, WEB_PATTERN
from ..incidents.timeparse import EARLIEST, LATEST, local_text
from ..incidents.slugs import name_slug

# Statuspage's incident impact, most severe first: it spreads over the configured severities.
IMPACT_ORDER = ("critical", "major", "minor", "none")
_ISO = re.compile(
    r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?"
    r"\s*(Z|z|UTC|[+-][0-9]{2}(?::?[0-9]{2})?)?\s*"
)


class BadInput(ValueError):
    """The input cannot be imported; the message names the file or the source id."""


@dataclass(frozen=True)
class Span:
    """Part of the impact: ``level`` (outage, partial, degraded) on ``service`` from ``start`` to ``end``
    (None: still going, for an open incident)."""

    service: str
    level: str
    start: datetime
    end: datetime | None


@dataclass
class Draft:
    system: str  # statuspage | upptime | csv
    id: str
    url: str | None
    title: str
    severity: str
    started: datetime
    resolved: datetime | None
    services: list[str]
    status: str = "resolved"
    mitigated: datetime | None = None
    impact: list[Span] = field(default_factory=list)
    downtime_minutes: float | None = None  # only without impact
    maintenance: bool = False
    cause: str | None = None
    timeline: list[tuple[datetime, str]] = field(default_factory=list)
    intro: str = ""  # the body's first paragraph: where it came from
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, Markdown) for the body
    notes: list[str] = field(default_factory=list)  # what could not be mapped as it was: in the body, and summarised

    @property
    def label(self) -> str:
        return f"{self.system} {self.id}"


@dataclass
class Reading:
    """What one source file gave: the drafts, and what was read but not imported (with why)."""

    drafts: list[Draft] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # source-wide (e.g. spreadsheet columns), besides each draft's notes
    what: str = ""  # e.g. "5 incidents and 1 scheduled maintenance"
    unmatched: list[str] = field(default_factory=list)  # --service-map names no incident uses


def severity_for(impact: str, severities: tuple[str, ...]) -> str:
    """Statuspage's impact (critical, major, minor, none) spread over the configured severities, first to last."""
    rank = IMPACT_ORDER.index(impact)
    return severities[round(rank * (len(severities) - 1) / (len(IMPACT_ORDER) - 1))]


def parse_time(value: object, tz: tzinfo, what: str) -> datetime:
    """An ISO 8601 timestamp as the APIs write it (``2013-11-03T01:30:00.123-04:00``, ``...Z``); without an
    offset it is read in ``tz``. BadInput (``what`` names the field and the source id) otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{what} is {_described(value)}, not a timestamp")
    match = _ISO.fullmatch(value)
    if not match:
        raise BadInput(f"{what} is not a timestamp: {value!r}")
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    micro = int((match.group(7) or "0")[:6].ljust(6, "0"))
    offset = match.group(8)
    try:
        moment = datetime(year, month, day, hour, minute, second, micro)
    except ValueError as error:
        raise BadInput(f"{what} is not a real time: {value!r} ({error})") from None
    if offset in (None,):
        moment = _local(moment, tz, what, value)
    elif offset in ("Z", "z", "UTC"):
        moment = moment.replace(tzinfo=timezone.utc)
    else:
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            raise BadInput(f"{what} has an impossible UTC offset: {value!r}")
        delta = timedelta(hours=hours, minutes=minutes)
        moment = moment.replace(tzinfo=timezone(-delta if offset[0] == "-" else delta))
    if not EARLIEST <= moment.date() <= LATEST:
        raise BadInput(f"{what} ({value}) is out of range: the wiki takes times between {EARLIEST} and {LATEST}")
    return moment


def _local(naive: datetime, tz: tzinfo, what: str, text: str) -> datetime:
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    if first.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) != naive:
        raise BadInput(f"{what} ({text}) does not exist in {tz}: clocks skip that hour")
    raise BadInput(f"{what} ({text}) happens twice in {tz} as clocks go back: it needs its UTC offset")


def _described(value: object) -> str:
    if value is None:
        return "missing"
    if isinstance(value, str):
        return "empty"
    return f"{type(value).__name__} {value!r}"[:80]


def clamp(spans: list[Span], started: datetime, resolved: datetime | None, tz: tzinfo) -> tuple[list[Span], list[str]]:
    """``spans`` cut to lie within started..resolved (the model's rule), and a note for each one cut."""
    kept, notes = [], []
    when = lambda moment: local_text(moment, tz)  # noqa: E731
    for span in spans:
        start, end = max(span.start, started), span.end
        if resolved is not None:
            end = resolved if end is None else min(end, resolved)
        if end is not None and end <= start:
            notes.append(f"{span.level} on {span.service} from {when(span.start)} to "
                         f"{when(span.end) if span.end else 'the end'} lies outside the incident "
                         f"({when(started)} to {when(resolved) if resolved else 'now'}): left out")
            continue
        if start != span.start or end != span.end:
            notes.append(f"{span.level} on {span.service} from {when(span.start)} to "
                         f"{when(span.end) if span.end else 'the end'} was cut to the incident: "
                         f"{when(start)} to {when(end) if end else 'now'}")
        kept.append(Span(span.service, span.level, start, end))
    return kept, notes


def map_services(draft: Draft, mapping: dict[str, str]) -> Draft:
    """``draft`` with its services renamed by ``--service-map OLD=NEW`` (two old names may become one)."""
    if not mapping:
        return draft
    rename = lambda name: mapping.get(name, name)  # noqa: E731
    draft.services = list(dict.fromkeys(rename(name) for name in draft.services))
    draft.impact = [Span(rename(span.service), span.level, span.start, span.end) for span in draft.impact]
    return draft


def fit(name: str, notes: list[str]) -> str:
    """A service name cut to the wiki's 100 characters (names become page and file names), saying so."""
    if len(name) <= MAX_NAME:
        return name
    notes.append(f"the name {name!r} is longer than {MAX_NAME} characters: cut to {name[:MAX_NAME]!r}")
    return name[:MAX_NAME]


def web_address(url: str, notes: list[str]) -> str | None:
    """``url`` when it is an http(s) address the ``source.url`` field takes, else None, saying so."""
    if not url:
        return None
    if re.match(WEB_PATTERN, url):
        return url
    notes.append(f"the link {url!r} is not a web address: left out of the source record")
    return None


def text(value: object) -> str:
    """A JSON value as text (``None`` is empty)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def match_names(drafts: list[Draft], known: list[str]) -> list[Draft]:
    """``drafts`` with each service spelled as the wiki (``known``), or the first draft naming it,
    already spells it when the two would share one page (``Web`` and ``web``): one service, one page."""
    spelling: dict[str, str] = {}
    for name in [*known, *(name for draft in drafts for name in draft.services)]:
        spelling.setdefault(name_slug(name), name)
    for draft in drafts:
        renamed = {name: spelling[name_slug(name)] for name in draft.services if spelling[name_slug(name)] != name}
        renamed.update({span.service: spelling[name_slug(span.service)] for span in draft.impact
                        if spelling[name_slug(span.service)] != span.service})
        if renamed:
            for old, new in renamed.items():
                draft.notes.append(f"the service {old!r} is written {new!r}, as the wiki already names it")
            map_services(draft, renamed)
    return drafts
