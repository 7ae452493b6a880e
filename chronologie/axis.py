"""The overview axis: where each year tick, era band and event mark goes, for a build-time SVG (no JavaScript)."""

from __future__ import annotations

import bisect
import datetime as dt
import operator
from dataclasses import dataclass

from .config import Era
from .dates import PartialDate
from .content import Event
from .model import Timeline

WIDTH, HEIGHT = 1000, 132
MARGIN = 16
AXIS_Y = 92
ROWS = (76, 60, 44)  # marks that would overlap climb to the next row
# Distinct on the light and the dark background alike.
PALETTE = ("#0a58b5", "#c2410c", "#15803d", "#9333ea", "#be123c", "#0e7490", "#a16207", "#4d7c0f", "#db2777")
NO_TAG = "#6b7280"
_END = operator.attrgetter("date.end")


def _START_DAY(event: Event) -> dt.date:
    return event.sort_key[0]  # the first day it can mean


@dataclass(frozen=True)
class Mark:
    """One event on the axis."""

    event: Event
    x: float
    y: float
    width: float  # 0 for a point; the span of a range
    colour: str


@dataclass(frozen=True)
class Band:
    """One era on the axis."""

    era: Era
    x: float
    width: float
    linked: bool  # whether the list has a section (and so an anchor) for this era


@dataclass(frozen=True)
class Bucket:
    """A month of a large timeline: one bar, as tall as the month is busy, linking to its first event."""

    first: Event
    month: PartialDate
    count: int
    x: float
    width: float
    height: float


@dataclass(frozen=True)
class Axis:
    """Everything the template draws."""

    width: int
    height: int
    axis_y: int
    ticks: tuple[tuple[float, str], ...]
    bands: tuple[Band, ...]
    marks: tuple[Mark, ...]
    legend: tuple[tuple[str, str], ...]  # (tag name, colour)
    buckets: tuple[Bucket, ...] = ()  # instead of marks, on a timeline too large for one mark per event


def tag_colours(timeline: Timeline) -> dict[str, str]:
    """A colour per tag slug, in a stable order."""
    return {group.tag.slug: PALETTE[index % len(PALETTE)] for index, group in enumerate(timeline.tags)}


def layout(timeline: Timeline, eras: tuple[Era, ...], aggregate: bool = False) -> Axis | None:
    """Place years, eras and events to scale (or months, with ``aggregate``); None for a timeline with no events."""
    events = timeline.chronological
    if not events:
        return None
    # Oldest first by start day: the first event starts earliest, the last starts latest, and only a range ends later.
    first = events[0].date.start.year
    last = max([events[-1].date.start.year, *(end.year for end in map(_END, events) if end is not None)])
    start, stop = dt.date(first, 1, 1), dt.date(last + 1, 1, 1)
    days = (stop - start).days

    def x(day: dt.date) -> float:
        clamped = min(max(day, start), stop)
        return round(MARGIN + (clamped - start).days / days * (WIDTH - 2 * MARGIN), 1)

    every = max(1, (last - first + 1) // 12)  # at most about a dozen labels
    ticks = tuple((x(dt.date(year, 1, 1)), str(year) if (year - first) % every == 0 else "") for year in range(first, last + 2))
    # An event belongs to the first era holding its start, as in the list.
    used = {next((era for era in eras if era.contains(e.date.start.first_day())), None) for e in timeline.events} if eras else set()
    bands = tuple(
        Band(era, x(era.start.first_day()), round(x(era.end.last_day() + dt.timedelta(days=1) if era.end else stop) - x(era.start.first_day()), 1), era in used)
        for era in eras
        if era.start.first_day() < stop and (era.end is None or era.end.last_day() >= start)
    )
    if aggregate:
        return Axis(WIDTH, HEIGHT, AXIS_Y, ticks, bands, (), (), _buckets(events, x))
    colours = tag_colours(timeline)
    marks, taken = [], {row: -100.0 for row in ROWS}
    for event in events:
        left = x(event.date.start.first_day())
        width = round(x(event.date.end.last_day() + dt.timedelta(days=1)) - left, 1) if event.date.end else 0.0
        row = next((r for r in ROWS if left - taken[r] >= 14), ROWS[0])
        taken[row] = left + width
        colour = colours[event.tags[0].slug] if event.tags else NO_TAG
        marks.append(Mark(event, left, row, width, colour))
    legend = tuple((group.tag.name, colours[group.tag.slug]) for group in timeline.tags if any(e.tags and e.tags[0].slug == group.tag.slug for e in events))
    return Axis(WIDTH, HEIGHT, AXIS_Y, ticks, bands, tuple(marks), legend)


def _buckets(events: tuple[Event, ...], x) -> tuple[Bucket, ...]:
    # Events come oldest first by start day (the first day of their year or month at a coarser precision), so
    # each month's events are a run, found by bisection rather than by visiting each event in Python.
    days = list(map(_START_DAY, events))
    runs = []  # (first index, count, first day of the month, first day of the next)
    index = 0
    while index < len(days):
        start = days[index].replace(day=1)
        stop = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        end = bisect.bisect_left(days, stop, index)
        runs.append((index, end - index, start, stop))
        index = end
    busiest = max(count for _, count, _, _ in runs)
    return tuple(
        Bucket(events[index], PartialDate(start.year, start.month), count, x(start), max(round(x(stop) - x(start), 1), 2.0), round(6 + 60 * count / busiest, 1))
        for index, count, start, stop in runs
    )
