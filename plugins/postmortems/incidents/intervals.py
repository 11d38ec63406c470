"""The one interval union, and the one rounding of typed minutes to microseconds.

Intervals are ``[start, end)`` pairs of anything ordered that subtracts: integer
microseconds in the uptime engine, datetimes in the incident checks. Kept at the bottom
of the layers so that both the incidents' rules and the uptime engine use it.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import compress
from operator import le

US_PER_MINUTE = 60_000_000


def disjoint(starts: list, ends: list) -> tuple[list, list]:
    """The disjoint spans ``(froms, tos)`` covered by intervals, from their sorted starts and sorted ends.

    The i-th start (in order) opens a new span exactly when the i-th smallest end is at or
    before it: then every interval that started earlier has ended. Each span closes at the
    largest end before the next opening. Intervals must not be empty (``end > start``).
    """
    if not starts:
        return [], []
    opens = list(map(le, ends[:-1], starts[1:]))
    return [starts[0], *compress(starts[1:], opens)], [*compress(ends, opens), ends[-1]]


def union(spans) -> list[tuple]:
    """The disjoint ``(start, end)`` spans some spans cover, in order (empty ones ignored)."""
    kept = [(start, end) for start, end in spans if end > start]
    froms, tos = disjoint(sorted(start for start, _ in kept), sorted(end for _, end in kept))
    return list(zip(froms, tos))


def covered(spans, zero=0):
    """The length of the union of some ``(start, end)`` spans; ``zero`` is the empty length
    (``timedelta()`` for datetimes)."""
    return sum((end - start for start, end in union(spans)), zero)


def ceil_us(minutes: Fraction | float | int | str) -> int:
    """Minutes as whole microseconds, rounded up so that downtime is never understated. A float or
    text is read as the decimal written (``8.64``), never as its binary approximation."""
    if isinstance(minutes, int):
        return minutes * US_PER_MINUTE
    if isinstance(minutes, Fraction):
        us = minutes * US_PER_MINUTE
        return -(-us.numerator // us.denominator)
    text = str(minutes)
    whole, _, decimals = text.partition(".")
    if not (whole.isdigit() and (decimals.isdigit() or not decimals)):  # exponents, signs: the slow way
        return ceil_us(Fraction(text))
    return -(-int(whole + decimals) * US_PER_MINUTE // 10 ** len(decimals))
