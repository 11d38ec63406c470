"""Timestamps as writers type them: YAML datetimes, ISO strings, ``HH:MM`` clock times."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EXAMPLE = "write it like 2013-07-12 02:10 or 2013-07-12T02:10:00-04:00"
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``, or ValueError naming it."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("timezone must be an IANA name such as Europe/Berlin")
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as America/New_York)") from None


def to_instant(value: object, tz: tzinfo) -> datetime:
    """An aware datetime for ``value``; naive values are read in ``tz``.

    Raises ValueError with the rest of a sentence that starts with the field's name.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        raise ValueError(f"needs a time of day ({EXAMPLE})")
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(f"needs a time of day ({EXAMPLE})")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"is not a timestamp: {value!r} ({EXAMPLE})") from None
    else:
        raise ValueError(f"should be a timestamp, not {describe(value)} ({EXAMPLE})")
    if parsed.tzinfo is None:
        return _local(parsed, tz)
    return parsed


def _local(naive: datetime, tz: tzinfo) -> datetime:
    """``naive`` read in ``tz``; a wall time that happens twice, or never, needs an offset."""
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    shown = naive.strftime("%Y-%m-%d %H:%M")
    offsets = " or ".join(_offset(moment) for moment in (first, second))
    back_again = first.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
    if back_again != naive:
        raise ValueError(f"({shown}) does not exist in {tz}: clocks skip that hour; write the time with its offset")
    raise ValueError(f"({shown}) happens twice in {tz} as clocks go back; add the offset you mean ({offsets})")


def _offset(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def to_clock(value: object) -> time | None:
    """``HH:MM`` as a time of day, or None when ``value`` is no clock time."""
    if isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    return None


def next_clock(clock: time, after: datetime, tz: tzinfo) -> datetime:
    """The first instant at or after ``after`` whose local time in ``tz`` is ``clock``."""
    local = after.astimezone(tz)
    candidate = datetime.combine(local.date(), clock, tzinfo=tz)
    if candidate < local:
        candidate = datetime.combine(local.date() + timedelta(days=1), clock, tzinfo=tz)
    return candidate


def describe(value: object) -> str:
    """A writer's word for the YAML type of ``value``."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"yes/no ({value!r})"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a set of key: value lines"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime):
        return f"the timestamp {value.isoformat()}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    return type(value).__name__


def local_text(moment: datetime, tz: tzinfo) -> str:
    """``2013-07-12 02:10`` in the site time zone (seconds only when not zero)."""
    local = moment.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, stable across machines."""
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
