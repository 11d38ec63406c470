"""Timestamps as writers type them: one strict parser, the same on every Python from 3.10.

A timestamp is ``YYYY-MM-DD HH:MM`` (or ``T`` for the space), with optional ``:SS`` and
``.ffffff`` (1 to 6 digits), and an optional offset: ``Z``, ``±HH:MM``, ``±HHMM`` or ``±HH``.
Quoted or not, YAML hands the text over as written and this module reads it; nothing else
is accepted (``datetime.fromisoformat`` differs between Python versions). Without an
offset the time is read in the wiki's time zone, and a wall time that zone skips or
repeats needs its offset. Dates and timestamps lie between 1970-01-01 and 2999-12-31 as
written, so every instant, and every instant a window or a day away, stays far inside
what ``datetime`` and the uptime engine (microseconds since 1970) can hold.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .yamlsource import Bool, Float, Int, Null, Timestamp

EXAMPLE = "write it like 2013-07-12 02:10 or 2013-07-12T02:10:00-04:00"
EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)
RANGE = f"between {EARLIEST} and {LATEST}"

_FORM = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")

# The same forms as JSON Schema patterns (ECMA 262 and Python ``re`` alike), for editors:
# the calendar (month lengths, leap years) and the range are in the patterns too.
_YEAR = r"(?:19[7-9][0-9]|2[0-9]{3})"
_LEAP_YEAR = r"(?:19(?:7[26]|8[048]|9[26])|2[0-9](?:0[48]|[2468][048]|[13579][26])|2[048]00)"
_MONTH_DAY = (r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
              r"|02-(?:0[1-9]|1[0-9]|2[0-8]))")
_DATE = rf"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_OFFSET = r"(?:Z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)"
DATE_PATTERN = rf"^{_DATE}$"
TIMESTAMP_PATTERN = rf"^{_DATE}[T ]{_TIME}{_OFFSET}?$"
CLOCK_PATTERN = r"^(?:[01]?[0-9]|2[0-3]):[0-5][0-9]$"


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
        _check_range(value.date(), _written(value), "timestamps")
        parsed = value
    elif isinstance(value, date):
        raise ValueError(f"needs a time of day ({EXAMPLE})")
    elif isinstance(value, str) and not isinstance(value, (Null, Bool, Int, Float)):
        parsed = _parse(value)
    else:
        raise ValueError(f"should be a timestamp, not {describe(value)} ({EXAMPLE})")
    if parsed.tzinfo is None:
        return _local(parsed, tz)
    return parsed


def to_date(value: object) -> date:
    """A calendar date (``due``), or ValueError with the rest of a sentence."""
    if isinstance(value, datetime):
        raise ValueError("should be a date like 2013-08-01, without a time")
    if isinstance(value, date):
        _check_range(value, value.isoformat(), "dates")
        return value
    if isinstance(value, str) and not isinstance(value, (Null, Bool, Int, Float)):
        match = _FORM.fullmatch(value)
        if match and match.group(4) is not None:
            raise ValueError("should be a date like 2013-08-01, without a time")
        if match:
            return _calendar_day(match, value, "dates")
    raise ValueError(f"should be a date like 2013-08-01, not {describe(value)}")


def _parse(text: str) -> datetime:
    match = _FORM.fullmatch(text)
    if not match:
        raise ValueError(f"is not a timestamp: {shown(text)!r} ({EXAMPLE})")
    day = _calendar_day(match, text, "timestamps")
    if match.group(4) is None:
        raise ValueError(f"needs a time of day ({EXAMPLE})")
    hour, minute, second = int(match.group(4)), int(match.group(5)), int(match.group(6) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"({text}) is not a time of day: hours run from 00 to 23, minutes and seconds from 00 to 59")
    micro = int((match.group(7) or "0").ljust(6, "0"))
    return datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=_fixed(match.group(8), text))


def _calendar_day(match: re.Match, text: str, what: str) -> date:
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if not 1 <= month <= 12:
        raise ValueError(f"({text}) is not a real date: there is no month {month}")
    if not 1 <= day <= 28 and (day < 1 or day > calendar.monthrange(year or 2000, month)[1]):
        length = calendar.monthrange(year or 2000, month)[1]
        raise ValueError(f"({text}) is not a real date: {calendar.month_name[month]} {year} has {length} days")
    if not EARLIEST.year <= year <= LATEST.year:  # the range's ends are whole years
        raise ValueError(f"({text}) is out of range: {what} must lie {RANGE}")
    return date(year, month, day)


def _check_range(day: date, text: str, what: str) -> None:
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"({text}) is out of range: {what} must lie {RANGE}")


_OFFSETS: dict[str, tzinfo] = {"Z": timezone.utc}


def _fixed(offset: str | None, text: str) -> tzinfo | None:
    if offset is None or offset in _OFFSETS:
        return offset and _OFFSETS[offset]
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"({text}) has an impossible UTC offset, {offset}: offsets lie between -23:59 and +23:59")
    delta = timedelta(hours=hours, minutes=minutes)
    return _OFFSETS.setdefault(offset, timezone(-delta if offset[0] == "-" else delta))


def _written(moment: datetime) -> str:
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"
            + (f" {_offset(moment)}" if moment.utcoffset() is not None else ""))


def _local(naive: datetime, tz: tzinfo) -> datetime:
    """``naive`` read in ``tz``; a wall time that happens twice, or never, needs an offset."""
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    shown_time = naive.strftime("%Y-%m-%d %H:%M")
    offsets = " or ".join(_offset(moment) for moment in (first, second))
    back_again = first.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
    if back_again != naive:
        raise ValueError(f"({shown_time}) does not exist in {tz}: clocks skip that hour; write the time with its offset")
    raise ValueError(f"({shown_time}) happens twice in {tz} as clocks go back; add the offset you mean ({offsets})")


def _offset(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def to_clock(value: object) -> time | None:
    """``HH:MM`` as a time of day, or None when ``value`` is no clock time."""
    if isinstance(value, str):
        match = _CLOCK.fullmatch(value)
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    return None


@lru_cache(maxsize=64)  # the rules check each clock time, then the timeline is built with the same ones
def next_clock(clock: time, after: datetime, tz: tzinfo) -> datetime:
    """The first minute ``clock`` (local time in ``tz``) at or after the minute of ``after``.

    Raises ValueError (the rest of a sentence) when that day's ``clock`` is a wall time
    ``tz`` skips or repeats, as for a timestamp without an offset.
    """
    local = after.astimezone(tz)
    day = local.date()
    if datetime.combine(day, clock) < local.replace(tzinfo=None, second=0, microsecond=0):
        day += timedelta(days=1)
    return _local(datetime.combine(day, clock), tz)


def shown(text: str, limit: int = 40) -> str:
    """``text`` shortened for a message: a 5,000-digit number is not repeated in full."""
    if len(text) <= limit:
        return text
    return f"{text[:limit // 2]}…{text[-8:]} ({len(text)} characters)"


def describe(value: object) -> str:
    """A writer's word for the YAML type of ``value``."""
    if value is None or isinstance(value, Null):
        return "nothing"
    if isinstance(value, Bool):
        return f"yes/no ({value})"
    if isinstance(value, (Int, Float)):
        return f"the number {shown(value)}"
    if isinstance(value, Timestamp):
        return f"the {'date' if len(value) == 10 else 'timestamp'} {shown(value)}"
    if isinstance(value, bool):
        return f"yes/no ({value!r})"
    if isinstance(value, int):
        return f"the number {value!r}" if value.bit_length() < 128 else f"a number with {value.bit_length()} bits"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {shown(value)!r}"
    if isinstance(value, dict):
        return "a set of key: value lines"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime):
        return f"the timestamp {_written(value)}"
    if isinstance(value, date):
        return f"the date {value.year:04d}-{value.month:02d}-{value.day:02d}"
    return type(value).__name__


def local_text(moment: datetime, tz: tzinfo) -> str:
    """``2013-07-12 02:10`` in the site time zone (seconds only when not zero)."""
    local = moment.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, stable across machines."""
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
