"""Parse the timestamps platforms write into UTC, as integer microseconds since the epoch.

Accepted: ISO 8601 (with `Z`, an offset, or naive = UTC), epoch seconds / milliseconds /
microseconds / nanoseconds (numbers or digit strings), CrowdTangle's `2026-09-03 09:05:00 CDT`
(zone abbreviations mapped explicitly, see `ZONE_OFFSETS_HOURS`), Twitter v1.1's
`Wed Oct 10 20:19:24 +0000 2018`, RFC 2822 dates, and datetime objects.
Anything else raises `TimestampError`, whose `reason` is the reject reason.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import re

import pandas as pd

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = dt.timedelta(microseconds=1)
#: Posts outside these bounds are certainly parse errors (or placeholder zeros far in the past).
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=UTC)
_EARLIEST_NS = 0
_LATEST_NS = (LATEST - EPOCH) // ONE_MICROSECOND * 1000

#: Zone abbreviation -> UTC offset in hours. Only unambiguous, common US/EU (and a few other)
#: abbreviations; ambiguous ones such as IST (India/Irish/Israel) are deliberately absent.
ZONE_OFFSETS_HOURS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2,
    "MET": 1, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
    "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "ACST": 9.5, "ACDT": 10.5, "AWST": 8,
    "NZST": 12, "NZDT": 13,
}  # fmt: skip

_ABBREVIATED = re.compile(
    r"^(\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s+([A-Za-z]{1,5})$"
)
_TWITTER_V1 = "%a %b %d %H:%M:%S %z %Y"


class TimestampError(ValueError):
    """A value that is not a usable timestamp; `reason` is the reject reason."""

    def __init__(self, reason: str = "bad_timestamp"):
        super().__init__(reason)
        self.reason = reason


def parse_timestamp(value: object, fmt: str | None = None) -> int:
    """Microseconds since 1970-01-01 UTC for one raw timestamp value.

    Parameters
    ----------
    value : str, int, float or datetime
        The raw value. Naive date-times are taken as UTC.
    fmt : str, optional
        An explicit `strptime` format (from a config's `timestamp_format`), tried first.

    Raises
    ------
    TimestampError
        With reason "bad_timestamp", or "unknown_timezone:<ABBR>" for an unmapped abbreviation.
    """
    try:
        moment = to_datetime(value, fmt)
    except OverflowError as exc:
        raise TimestampError() from exc
    if not EARLIEST <= moment < LATEST:
        raise TimestampError()
    return (moment - EPOCH) // ONE_MICROSECOND


def to_datetime(value: object, fmt: str | None = None) -> dt.datetime:
    """An aware UTC datetime for one raw timestamp value (see `parse_timestamp`)."""
    if isinstance(value, dt.datetime):
        return _as_utc(value)
    if isinstance(value, bool) or value is None:
        raise TimestampError()
    if isinstance(value, int | float):
        return _from_epoch(value)
    if not isinstance(value, str):
        raise TimestampError()
    text = value.strip()
    if not text:
        raise TimestampError()
    if fmt:
        try:
            return _as_utc(dt.datetime.strptime(text, fmt))
        except ValueError:
            pass
    return _from_string(text)


def _from_string(text: str) -> dt.datetime:
    if _looks_numeric(text) and not (len(text) == 8 and text.isdigit()):  # 8 digits: YYYYMMDD
        return _from_epoch(int(text) if text.isdigit() else float(text))
    try:
        return _as_utc(dt.datetime.fromisoformat(text))
    except ValueError:
        pass
    match = _ABBREVIATED.match(text)
    if match:
        return _from_abbreviated(match.group(1), match.group(2).upper())
    for parse in (_twitter_v1, _rfc2822):
        try:
            return _as_utc(parse(text))
        except (ValueError, TypeError, IndexError):
            continue
    raise TimestampError()


def _from_abbreviated(local: str, zone: str) -> dt.datetime:
    if zone not in ZONE_OFFSETS_HOURS:
        raise TimestampError(f"unknown_timezone:{zone}")
    try:
        naive = dt.datetime.fromisoformat(local)
    except ValueError as exc:
        raise TimestampError() from exc
    offset = dt.timezone(dt.timedelta(hours=ZONE_OFFSETS_HOURS[zone]))
    return naive.replace(tzinfo=offset).astimezone(UTC)


def _from_epoch(number: float) -> dt.datetime:
    """Epoch seconds, or milli/micro/nanoseconds recognised by magnitude."""
    if not math.isfinite(number) or number < 0:
        raise TimestampError()
    for divisor in (1, 1e3, 1e6, 1e9):
        seconds = number / divisor
        if seconds < 1e11:  # about the year 5138: larger means a finer unit
            if divisor == 1 and isinstance(number, int):
                return EPOCH + dt.timedelta(seconds=number)
            return EPOCH + dt.timedelta(microseconds=round(number * (1e6 / divisor)))
    raise TimestampError()


def _looks_numeric(text: str) -> bool:
    head = text[1:] if text[0] == "+" else text
    return head.replace(".", "", 1).isdigit()


def _twitter_v1(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, _TWITTER_V1)


def _rfc2822(text: str) -> dt.datetime:
    return email.utils.parsedate_to_datetime(text)


def _as_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_timestamps(values: list, fmt: str | None = None) -> tuple[list, list]:
    """Vectorised `parse_timestamp` over many values: (microseconds, reasons), one per value.

    ISO 8601 strings are parsed in one pandas call; every value that call does not settle
    (numbers, zone abbreviations, other formats, out-of-range dates) goes through
    `parse_timestamp`, so results and reject reasons match it.

    Parameters
    ----------
    values : list
        Raw timestamp values.
    fmt : str, optional
        strptime format tried first (as in `parse_timestamp`).

    Returns
    -------
    (list of int or None, list of str or None)
        Microseconds since the epoch (None where the value failed) and the reject reason
        (None where it parsed).
    """
    micros: list = [None] * len(values)
    reasons: list = [None] * len(values)
    iso = [] if fmt else [i for i, v in enumerate(values) if type(v) is str and v[4:5] == "-"]
    if iso:
        parsed = pd.to_datetime(
            pd.Series([values[i] for i in iso], dtype=object),
            format="ISO8601",
            utc=True,
            errors="coerce",
        )
        nanos = parsed.to_numpy(dtype="datetime64[ns]").view("int64")
        good = (~parsed.isna().to_numpy()) & (nanos >= _EARLIEST_NS) & (nanos < _LATEST_NS)
        for i, ok, ns in zip(iso, good.tolist(), (nanos // 1000).tolist(), strict=True):
            if ok:
                micros[i] = ns
    for i, value in enumerate(values):
        if micros[i] is None:
            try:
                micros[i] = parse_timestamp(value, fmt)
            except TimestampError as exc:
                reasons[i] = exc.reason
    return micros, reasons
