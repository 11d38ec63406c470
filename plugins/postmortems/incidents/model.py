"""The incident format: one pydantic model gives validation, messages and the JSON Schema.

Timestamps without an offset are read in the site time zone, passed to validation
as ``context={"tz": ZoneInfo(...)}``. Rules across fields live in ``rules``.

Values mean what the writer wrote. ``yamlsource`` hands every plain scalar over as its
text (a :class:`~postmortems.yamlsource.Scalar` when YAML would read it as a number,
yes/no, null or a date), and each field reads that text its own way: a text field keeps
it (``007``, ``1.10``, ``No``); a number field takes plain decimals and refuses forms
YAML versions read differently (``045``, ``0x1F``, ``1_000``, ``1:30``); ``maintenance``
takes ``true`` or ``false``; ``~`` as a field's value means the field is not given.
Every type carries its JSON Schema, so ``postmortems schema`` checks what ``check`` does.
"""

from __future__ import annotations

import math
from fractions import Fraction
import re
from datetime import date, datetime, time, timezone
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, WithJsonSchema, field_validator, model_validator

from .links import safe_url
from .timeparse import CLOCK_PATTERN, DATE_PATTERN, TIMESTAMP_PATTERN, describe, shown, to_clock, to_date, to_instant
from .yamlsource import Bool, Float, Int, Null

STATUSES = ("investigating", "identified", "monitoring", "resolved")
MILESTONES = ("started", "detected", "acknowledged", "mitigated", "resolved")
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
LINK_SCHEMES = ("http", "https", "mailto")
MAX_DOWNTIME_MINUTES = 36525 * 1440  # 100 years of minutes: a bound for open incidents, far from any overflow
MAX_NAME = 100  # characters in a service, tag or cause category
_TRUE, _FALSE = ("true", "True", "TRUE"), ("false", "False", "FALSE")

# A link browsers would not run: relative, or http(s)/mailto, whatever blanks hide in the scheme (see escaping).
_BLANK = r"[\x00-\x20\x7f]*"
_ALLOWED_SCHEME = "|".join(_BLANK.join(f"[{c.lower()}{c.upper()}]" for c in scheme) for scheme in ("https", "http", "mailto"))
LINK_PATTERN = (rf"^(?!{_BLANK}[a-zA-Z](?:{_BLANK}[a-zA-Z0-9+.\-])*{_BLANK}:)|^{_BLANK}(?:{_ALLOWED_SCHEME}){_BLANK}:")


def _tz(info: ValidationInfo):
    return (info.context or {}).get("tz", timezone.utc)


def _instant(value: Any, info: ValidationInfo) -> datetime:
    return to_instant(value, _tz(info))


def _instant_or_clock(value: Any, info: ValidationInfo) -> datetime | time:
    clock = to_clock(value)
    if clock is not None:
        return clock
    if isinstance(value, (Int, Float)) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        raise ValueError(f"should be a timestamp or a clock time HH:MM, not {describe(value)}")
    return to_instant(value, _tz(info))


def _text(value: Any) -> Any:
    """Text as written: ``007``, ``1.10``, ``yes`` or ``~`` in a list stay the characters typed."""
    if isinstance(value, str):
        return str.strip(value)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() <= 64:
        return str(value)  # from Python callers; YAML numbers arrive as their text
    if isinstance(value, float):
        return repr(value)
    return value


def _name(value: Any) -> Any:
    return str(value) if isinstance(value, str) else value


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, Bool) and (value in _TRUE or value in _FALSE):
        return value in _TRUE
    if isinstance(value, Bool):
        raise ValueError(f"is {value}: write true or false (YAML 1.2 and editors read {value} as text)")
    raise ValueError(f"should be true or false, not {describe(value)}")


_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_BASE_60 = re.compile(r"[-+]?[0-9]+(?::[0-5]?[0-9])+")


def ambiguity(text: str, unit: str) -> str | None:
    """How to write ``text`` when YAML 1.1 and YAML 1.2 (and people) read it as different numbers."""
    sign = text[0] if text[:1] in ("-", "+") else ""
    body = text[len(sign):]
    if len(body) > 40:
        return "write it in plain decimal digits" if not _DECIMAL.fullmatch(text) or re.match(r"0[0-9]", body) else None
    if "_" in body:
        plain = text.replace("_", "")
        return f"write {plain}, without '_'" if _DECIMAL.fullmatch(plain) and not re.match(r"0[0-9]", plain.lstrip("+-")) \
            else "write it in plain decimal digits, without '_'"
    for prefix, base, name in (("0x", 16, "hexadecimal"), ("0o", 8, "octal"), ("0b", 2, "binary")):
        if body.startswith(prefix):
            return f"write it in decimal digits ({sign}{int(body[2:], base)} if you meant the {name} number {text})"
    if re.fullmatch(r"0[0-9]+", body):
        if set(body) <= set("01234567") and int(body) != int(body, 8):
            return f"write {sign}{int(body)} (or {sign}{int(body, 8)} if you meant the octal number {text})"
        return f"write {sign}{int(body)}, without the leading zero"
    if _BASE_60.fullmatch(text):
        parts = [int(part) for part in body.split(":")]
        if unit == "minutes" and len(parts) == 2:
            return (f"write the minutes as one number ({sign}{parts[0] * 60 + parts[1]} for {parts[0]} h {parts[1]} min, "
                    f"{sign}{parts[0] + parts[1] / 60:g} for {parts[0]} min {parts[1]} s)")
        return f"write it as one number (YAML 1.1 reads it in base 60, as {sign}{sum(p * 60 ** i for i, p in enumerate(reversed(parts)))})"
    return None


def _read_number(value: Any, unit: str) -> tuple[float, str]:
    """``(number, text as written)`` for a number field, or ValueError with the rest of a sentence."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # from Python callers
        if isinstance(value, int) and value.bit_length() > 64:
            return math.inf, describe(value)
        if not math.isfinite(value):
            raise ValueError(f"is {value!r}, not a finite number")
        return float(value), repr(value)
    if isinstance(value, (Int, Float)) or (isinstance(value, str) and _BASE_60.fullmatch(value)):
        text = str(value)
        problem = ambiguity(text, unit)
        if problem:
            raise ValueError(f"{shown(text)} is ambiguous: {problem}")
        if text.lstrip("+-").lower() in (".inf", ".nan"):
            raise ValueError(f"is {text}, not a {'finite ' if 'inf' in text.lower() else ''}number")
        if _DECIMAL.fullmatch(text):
            number = float(text)
            if number == 0 and Fraction(text) != 0:  # below what a float holds: it would count as nothing
                raise ValueError(f"{shown(text)} is too small to tell from 0: write 0, or a number of at least 1e-300")
            return number, shown(text)
    raise ValueError(f"should be a number, not {describe(value)}")


def _number(minimum: float, maximum: float, note: str = "", unit: str = ""):
    def validate(value: Any) -> float:
        number, text = _read_number(value, unit)
        if number < minimum:
            raise ValueError(f"must be at least {minimum}, not {text}")
        if number > maximum:
            raise ValueError(f"must be at most {maximum}{note}, not {text}")
        return number

    return BeforeValidator(validate)


_TEXT = {"type": ["string", "number", "boolean"], "pattern": r"\S",
         "description": "Text; a number or true/false is kept as the characters written."}
_ITEM = {**_TEXT, "type": ["string", "number", "boolean", "null"]}  # in a list, ~ is the text "~"
_TIMESTAMP = {"type": "string", "pattern": TIMESTAMP_PATTERN,
              "description": "YYYY-MM-DD HH:MM[:SS[.ffffff]] (or T for the space), optionally Z, ±HH:MM, ±HHMM or ±HH; "
                             "between 1970-01-01 and 2999-12-31."}

Timestamp = Annotated[datetime, BeforeValidator(_instant), WithJsonSchema(_TIMESTAMP)]
Text = Annotated[str, BeforeValidator(_text), Field(min_length=1), WithJsonSchema(_TEXT)]
Item = Annotated[str, BeforeValidator(_text), Field(min_length=1), WithJsonSchema(_ITEM)]
# Services, tags and cause categories become page and file names: a name, not a paragraph.
Name = Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=MAX_NAME), WithJsonSchema({**_TEXT, "maxLength": MAX_NAME})]
NameItem = Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=MAX_NAME),
                     WithJsonSchema({**_ITEM, "maxLength": MAX_NAME})]
Flag = Annotated[bool, BeforeValidator(_flag), WithJsonSchema({"type": "boolean"})]
Day = Annotated[date, BeforeValidator(to_date), WithJsonSchema({"type": "string", "pattern": DATE_PATTERN})]
Minutes = Annotated[float, _number(0, MAX_DOWNTIME_MINUTES, " (100 years)", "minutes"),
                    WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_DOWNTIME_MINUTES})]
Share = Annotated[float, _number(0, 1), WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1})]
Link = Annotated[str, BeforeValidator(_text), Field(min_length=1), WithJsonSchema({**_TEXT, "allOf": [{"pattern": LINK_PATTERN}]})]
Id = Annotated[str, BeforeValidator(_name), Field(pattern=ID_PATTERN, max_length=120),
               WithJsonSchema({"type": ["string", "number", "boolean"], "pattern": ID_PATTERN, "maxLength": 120})]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_not_given(cls, data: Any) -> Any:
        """``field: ~`` (or ``null``, or nothing) leaves the field out; in a list, ``~`` stays text."""
        if isinstance(data, dict) and Null in map(type, data.values()):
            return {key: None if isinstance(value, Null) else value for key, value in data.items()}
        return data


class Impact(Strict):
    """Part of the incident's effect on one service, for the uptime math."""

    service: Name
    level: Literal["outage", "partial", "degraded"]
    start: Optional[Timestamp] = Field(None, description="Defaults to the incident's started.")
    end: Optional[Timestamp] = Field(None, description="Defaults to resolved, or the build's as-of while open.")
    fraction: Optional[Share] = Field(None, description="Share of users affected (0 to 1); overrides the level's weight.")


class Cause(Strict):
    category: Optional[Name] = None
    summary: Text


class TimelineEntry(Strict):
    at: Annotated[
        Union[datetime, time],
        BeforeValidator(_instant_or_clock),
        WithJsonSchema({"type": "string", "anyOf": [{"pattern": TIMESTAMP_PATTERN}, {"pattern": CLOCK_PATTERN}]}),
        Field(description="A timestamp, or HH:MM: the first such time at or after started, in the site time zone."),
    ]
    event: Text


class ActionItem(Strict):
    title: Text
    owner: Optional[Text] = None
    type: Optional[Literal["detect", "mitigate", "prevent", "process"]] = None
    status: Literal["open", "done", "wontfix"] = "open"
    due: Optional[Day] = None
    link: Optional[Link] = None

    @field_validator("link")
    @classmethod
    def _safe_link(cls, value: str | None) -> str | None:
        if value is not None and safe_url(value, LINK_SCHEMES) is None:
            raise ValueError(f"{shown(value)!r} is not a web address (use https://..., mailto: or a relative path)")
        return value


SOURCE_SYSTEMS = ("statuspage", "upptime", "csv")
IMPORTED_FIELDS = ("title", "severity", "status", "started", "mitigated", "resolved", "services", "downtime_minutes",
                   "impact", "maintenance", "cause", "timeline", "body")
"""What an importer writes, and may refresh with ``postmortems import --update`` (``body`` is the Markdown)."""
HASH_PATTERN = r"^[0-9a-f]{8}$"
ShortHash = Annotated[str, Field(pattern=HASH_PATTERN), WithJsonSchema({"type": ["string", "number"], "pattern": HASH_PATTERN})]
WEB_PATTERN = r"^[hH][tT][tT][pP][sS]?://[^\s<>]+$"
WebLink = Annotated[str, BeforeValidator(_text), Field(pattern=WEB_PATTERN),
                    WithJsonSchema({"type": "string", "pattern": WEB_PATTERN})]


class Source(Strict):
    """Where an imported incident came from (``postmortems import``), and what the import wrote."""

    system: Literal[SOURCE_SYSTEMS]
    id: Text = Field(description="The incident's id in that system.")
    url: Optional[WebLink] = Field(None, description="The incident's address in that system (https://...).")
    fields: dict[Literal[IMPORTED_FIELDS], ShortHash] = Field(
        {}, description="Each imported field's short hash (8 hex digits of sha256 of its canonical JSON), as imported: "
                        "--update refreshes only the fields that still match.")


POSTMORTEM_STATUSES = ("draft", "in-review", "published")


class Postmortem(Strict):
    """The write-up's own state, apart from the incident's: a draft, in review, or published."""

    status: Literal[POSTMORTEM_STATUSES] = Field(description="draft | in-review | published")
    due: Optional[Day] = Field(None, description="When the write-up should be published; overrides the wiki's policy.")
    reviewers: list[Item] = []
    reviewed: Optional[Day] = Field(None, description="The day the review happened.")


class Frontmatter(Strict):
    """The YAML frontmatter of one incident file."""

    title: Text
    severity: Text
    status: Literal["investigating", "identified", "monitoring", "resolved"] = "resolved"
    started: Timestamp = Field(description="Start of impact.")
    detected: Optional[Timestamp] = None
    acknowledged: Optional[Timestamp] = None
    mitigated: Optional[Timestamp] = None
    resolved: Optional[Timestamp] = Field(None, description="Required when status is resolved.")
    detection: Optional[Literal["monitoring", "customer", "internal"]] = None
    services: Annotated[list[NameItem], Field(min_length=1)]
    downtime_minutes: Optional[Minutes] = Field(
        None, description="Full-outage minutes from started, at most 100 years and at most resolved - started. "
                          "Required unless impact is given."
    )
    impact: list[Impact] = []
    maintenance: Flag = False
    cause: Optional[Union[Cause, Text]] = None
    trigger: Optional[Text] = None
    contributing_factors: list[Item] = []
    timeline: list[TimelineEntry] = []
    action_items: list[ActionItem] = []
    tags: list[NameItem] = []
    authors: list[Item] = []
    related: list[Item] = []
    id: Optional[Id] = None
    source: Optional[Source] = Field(None, description="Where an imported incident came from (postmortems import).")
    data_loss: Flag = Field(False, description="Data was lost: the policy may require a postmortem.")
    postmortem: Optional[Postmortem] = Field(None, description="The postmortem's own state; without it, published.")
    visibility: Literal["internal", "public"] = Field(
        "internal", description="public: the public site shows the whole postmortem (but its internal parts); "
                                "internal: only its status facts, under public_title and with public_summary.")
    public_title: Optional[Text] = Field(None, description="The title on the public site (default: title).")
    public_summary: Optional[Text] = Field(None, description="What the public site says about the incident, in a "
                                                               "sentence or two.")

    @field_validator("cause", mode="after")
    @classmethod
    def _cause_as_record(cls, value: Cause | str | None) -> Cause | None:
        return Cause(summary=value) if isinstance(value, str) else value


class Incident(Frontmatter):
    """A validated incident: its frontmatter plus the file it was read from and its narrative."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    id: str  # type: ignore[assignment]
    file: str = ""  # the file it was read from, as shown in messages (incidents/x.md)
    body: str = ""
    body_line: int = 1  # the file's line where the (stripped) body starts, for messages about the body

    @property
    def postmortem_status(self) -> str:
        """draft, in-review or published (an incident without a ``postmortem`` block is published)."""
        return self.postmortem.status if self.postmortem else "published"

    @property
    def end(self) -> datetime | None:
        return self.resolved

    @property
    def is_open(self) -> bool:
        return self.resolved is None

    @property
    def cause_category(self) -> str:
        return (self.cause.category if self.cause and self.cause.category else "") or ""

    @property
    def cause_summary(self) -> str:
        return self.cause.summary if self.cause else ""

    def milestone(self, name: str) -> datetime | None:
        return getattr(self, name)


FIELDS = tuple(Frontmatter.model_fields)
