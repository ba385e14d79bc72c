"""Timestamp parsing into UTC microseconds."""

import datetime as dt

import pytest

from toolkit.ingest.timestamps import TimestampError, parse_timestamp, to_datetime

UTC = dt.UTC
NOON = int(dt.datetime(2026, 9, 1, 12, 0, tzinfo=UTC).timestamp()) * 1_000_000  # 2026-09-01T12:00Z


@pytest.mark.parametrize(
    "value",
    [
        "2026-09-01T12:00:00.000Z",
        "2026-09-01T12:00:00Z",
        "2026-09-01T14:00:00+02:00",
        "2026-09-01 12:00:00",  # naive = UTC
        "2026-09-01 07:00:00 CDT",
        "2026-09-01 06:00:00 CST",
        "2026-09-01 14:00:00 CEST",
        "2026-09-01 13:00:00 BST",
        "Tue Sep 01 12:00:00 +0000 2026",
        "Tue, 01 Sep 2026 12:00:00 GMT",
        1788264000,
        1788264000.0,
        "1788264000",
        1788264000000,  # milliseconds
        "1788264000000000",  # microseconds
        dt.datetime(2026, 9, 1, 12, 0),
        dt.datetime(2026, 9, 1, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    ],
)
def test_same_instant_in_every_accepted_form(value):
    assert parse_timestamp(value) == NOON


def test_fractional_seconds_kept():
    assert parse_timestamp("2026-09-01T12:00:00.123456Z") == NOON + 123456
    assert parse_timestamp(1788264000.5) == NOON + 500_000


def test_explicit_format_first():
    assert parse_timestamp("01/09/2026 12:00", "%d/%m/%Y %H:%M") == NOON


def test_unknown_zone_abbreviation_has_its_own_reason():
    with pytest.raises(TimestampError) as info:
        parse_timestamp("2026-09-01 12:00:00 IST")  # ambiguous: not mapped on purpose
    assert info.value.reason == "unknown_timezone:IST"


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "",
        "   ",
        None,
        True,
        [],
        "2026-13-45T10:00:00Z",
        float("nan"),
        -5,
        "1899-01-01T00:00:00Z",
        "2200-01-01",
    ],
)
def test_bad_values(value):
    with pytest.raises(TimestampError) as info:
        parse_timestamp(value)
    assert info.value.reason == "bad_timestamp"


def test_eight_digits_are_a_date():
    assert to_datetime("20260901") == dt.datetime(2026, 9, 1, tzinfo=UTC)
