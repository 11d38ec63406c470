"""The one interval union and the one rounding of minutes, against the plainest possible definitions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction

from hypothesis import given, strategies as st

from postmortems.incidents.intervals import ceil_us, covered, union

spans = st.lists(st.tuples(st.integers(-50, 50), st.integers(-50, 50)), max_size=12)


@given(spans)
def test_the_union_covers_exactly_the_points_some_span_covers(pairs):
    points = {x for start, end in pairs for x in range(start, end)}
    merged = union(pairs)
    assert covered(pairs) == len(points)
    assert {x for start, end in merged for x in range(start, end)} == points
    assert all(end > start for start, end in merged)
    assert all(left[1] <= right[0] for left, right in zip(merged, merged[1:]))  # disjoint, in order


@given(spans)
def test_datetimes_are_covered_as_integers_are(pairs):
    base = datetime(2013, 6, 20, tzinfo=timezone.utc)
    moments = [(base + timedelta(minutes=start), base + timedelta(minutes=end)) for start, end in pairs]
    assert covered(moments, timedelta()) == timedelta(minutes=covered(pairs))


@given(st.integers(0, 10**6), st.integers(0, 6))
def test_typed_minutes_round_up_to_whole_microseconds_whatever_their_type(whole, places):
    text = f"{whole}.{'7' * places}" if places else str(whole)
    exact = Fraction(text) * 60_000_000
    expected = -(-exact.numerator // exact.denominator)
    assert ceil_us(text) == ceil_us(Fraction(text)) == expected
    if str(float(text)) == text:  # a float is read as the decimal it prints as, not its binary value
        assert ceil_us(float(text)) == expected
    if not places:
        assert ceil_us(whole) == expected
