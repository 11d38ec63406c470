"""The incident format: one pydantic model gives validation, messages and the JSON Schema.

Timestamps without an offset are read in the site time zone, passed to validation
as ``context={"tz": ZoneInfo(...)}``. Rules across fields live in ``rules``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from .escaping import safe_url
from .timeparse import describe, to_clock, to_instant

STATUSES = ("investigating", "identified", "monitoring", "resolved")
MILESTONES = ("started", "detected", "acknowledged", "mitigated", "resolved")
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
LINK_SCHEMES = ("http", "https", "mailto")


def _tz(info: ValidationInfo):
    return (info.context or {}).get("tz", timezone.utc)


def _instant(value: Any, info: ValidationInfo) -> datetime:
    return to_instant(value, _tz(info))


def _instant_or_clock(value: Any, info: ValidationInfo) -> datetime | time:
    clock = to_clock(value)
    if clock is not None:
        return clock
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"should be a timestamp or HH:MM in quotes, not {describe(value)}")
    return to_instant(value, _tz(info))


def _text(value: Any) -> Any:
    """Numbers written where text is expected (a tag ``2012``) become text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool) or isinstance(value, str):
        raise ValueError(f"should be a number, not {describe(value)}")
    return value


Timestamp = Annotated[datetime, BeforeValidator(_instant, json_schema_input_type=Union[datetime, str])]
Text = Annotated[str, BeforeValidator(_text), Field(min_length=1)]
Number = Annotated[float, BeforeValidator(_number)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Impact(Strict):
    """Part of the incident's effect on one service, for the uptime math."""

    service: Text
    level: Literal["outage", "partial", "degraded"]
    start: Optional[Timestamp] = Field(None, description="Defaults to the incident's started.")
    end: Optional[Timestamp] = Field(None, description="Defaults to resolved, or the build's as-of while open.")
    fraction: Optional[Annotated[Number, Field(ge=0, le=1)]] = Field(
        None, description="Share of users affected (0 to 1); overrides the level's weight."
    )


class Cause(Strict):
    category: Optional[Text] = None
    summary: Text


class TimelineEntry(Strict):
    at: Annotated[
        Union[datetime, time],
        BeforeValidator(_instant_or_clock, json_schema_input_type=Union[datetime, str]),
        Field(description="A timestamp, or HH:MM: the first such time at or after started, in the site time zone."),
    ]
    event: Text


class ActionItem(Strict):
    title: Text
    owner: Optional[Text] = None
    type: Optional[Literal["detect", "mitigate", "prevent", "process"]] = None
    status: Literal["open", "done", "wontfix"] = "open"
    due: Optional[date] = None
    link: Optional[Text] = None

    @field_validator("due", mode="before")
    @classmethod
    def _plain_date(cls, value: Any) -> Any:
        if isinstance(value, datetime):
            raise ValueError("should be a date like 2013-08-01, without a time")
        return value

    @field_validator("link")
    @classmethod
    def _safe_link(cls, value: str | None) -> str | None:
        if value is not None and safe_url(value, LINK_SCHEMES) is None:
            raise ValueError(f"{value!r} is not a web address (use https://..., mailto: or a relative path)")
        return value


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
    services: Annotated[list[Text], Field(min_length=1)]
    downtime_minutes: Optional[Annotated[Number, Field(ge=0)]] = Field(
        None, description="Full-outage minutes from started. Required unless impact is given."
    )
    impact: list[Impact] = []
    maintenance: bool = False
    cause: Optional[Union[Cause, Text]] = None
    trigger: Optional[Text] = None
    contributing_factors: list[Text] = []
    timeline: list[TimelineEntry] = []
    action_items: list[ActionItem] = []
    tags: list[Text] = []
    authors: list[Text] = []
    related: list[Text] = []
    id: Optional[Annotated[str, Field(pattern=ID_PATTERN, max_length=120)]] = None

    @field_validator("cause", mode="after")
    @classmethod
    def _cause_as_record(cls, value: Cause | str | None) -> Cause | None:
        return Cause(summary=value) if isinstance(value, str) else value


class Incident(Frontmatter):
    """A validated incident: its frontmatter plus where it came from and its narrative."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    id: str  # type: ignore[assignment]
    source: str = ""
    body: str = ""

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
