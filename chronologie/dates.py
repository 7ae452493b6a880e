"""Event dates that carry their precision: a year, a month or a day, maybe approximate, maybe a range.

Dates are parsed from the raw YAML text, never from PyYAML's own typing, which turns
``2024`` into an int and ``2024-04-18`` into a ``date``. Nothing is ever filled in from today.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass


PRECISIONS = ("year", "month", "day")

_POINT = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{1,2})(?:-(?P<day>[0-9]{1,2}))?)?")
EXPECTED = "expected YYYY, YYYY-MM or YYYY-MM-DD, '~' before it for an approximate date, or START/END for a range"


class DateError(ValueError):
    """A date the user wrote that cannot be understood; the message says why."""


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar point known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        """'year', 'month' or 'day'."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def first_day(self) -> dt.date:
        """The earliest day this point can mean."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        """The latest day this point can mean."""
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def iso(self) -> str:
        """The ISO 8601 form at this precision, valid in an HTML ``datetime`` attribute."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


@dataclass(frozen=True)
class EventDate:
    """When an event happened: a start point, an optional end point, and whether it is approximate."""

    start: PartialDate
    end: PartialDate | None = None
    approximate: bool = False

    @property
    def precision(self) -> str:
        """The precision of the start point."""
        return self.start.precision

    @property
    def year(self) -> int:
        """The year the event starts in; the timeline groups by it."""
        return self.start.year

    def sort_key(self) -> tuple[dt.date, int]:
        """Start day first, then coarser precision before finer (a month sorts before its days)."""
        return (self.start.first_day(), PRECISIONS.index(self.precision))

    def iso(self) -> str:
        """An EDTF-like text form: ``~2024-05``, ``2023-11-01/2023-12-01``."""
        text = ("~" if self.approximate else "") + self.start.iso()
        return text + (f"/{self.end.iso()}" if self.end else "")


def parse_point(text: str) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise DateError with a precise reason otherwise."""
    match = _POINT.fullmatch(text.strip())
    if not match:
        raise DateError(f"{EXPECTED}, got {text.strip()!r}")
    year = int(match["year"])
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"month {month} in {text.strip()!r} is not between 01 and 12")
    if day is not None:
        assert month is not None
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise DateError(f"{text.strip()!r} does not exist: {year}-{month:02d} has {last} days")
    if year < 1:
        raise DateError(f"year {year} is out of range (1 to 9999)")
    return PartialDate(year, month, day)


# Thousands of events share a date: one object each, which the build cache then stores once per file.
@functools.lru_cache(maxsize=65536)
def parse_event_date(text: str, end_text: str | None = None) -> EventDate:
    """Parse an event date: ``2025``, ``2024-05``, ``2023-12-05``, ``~2024-05``, ``2023-11-01/2023-12-01``.

    ``end_text`` is the optional separate ``end:`` value; it cannot be combined with a range.
    """
    text = text.strip()
    approximate = text.startswith("~")
    body = text[1:].strip() if approximate else text
    start_text, slash, range_end = body.partition("/")
    if slash and not range_end.strip():
        raise DateError(f"the range {text!r} has no end after '/'")
    if slash and end_text is not None:
        raise DateError("give the end either as START/END or with 'end:', not both")
    start = parse_point(start_text)
    end_raw = range_end if slash else end_text
    end = parse_point(end_raw) if end_raw is not None else None
    if end is not None and end.last_day() < start.first_day():
        raise DateError(f"the end {end.iso()} is before the start {start.iso()}")
    return EventDate(start, end, approximate)


@functools.lru_cache(maxsize=65536)  # as parse_event_date: shared, stored once per cache file
def parse_timestamp(text: str) -> dt.datetime:
    """Parse a free-form ISO-like date or date-time (``added:``) into an aware UTC datetime.

    A missing time means midnight UTC, never the current time, so builds stay reproducible.
    """
    try:
        from dateutil import parser as dateutil_parser  # loaded only for an event that has 'added:'

        value = dateutil_parser.isoparse(text.strip())
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        raise DateError(f"expected a date like 2024-04-18 or 2024-04-18T09:30:00+02:00, got {text.strip()!r}") from None
