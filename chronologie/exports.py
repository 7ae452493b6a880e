"""The timeline in other formats: TimelineJS JSON, iCalendar, JSON Feed and CSV.

Every function here is pure: it takes the timeline, the site's settings, ``abs_url`` (a path below the
site root → its absolute URL) and ``body`` (an event → its HTML body, links resolved) and returns bytes.
Nothing reads the clock, so the same content always gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit


from .config import SiteConfig
from .content import Event
from .dates import PartialDate
from .feed import added_at, feed_entries
from .i18n import STRINGS, format_event_date
from .model import Timeline

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ICS_PRODID = "-//timeline//{lang}"


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will show as text: one starting with = + - @ would otherwise run as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
CSV_COLUMNS = ("slug", "date", "precision", "approximate", "title", "summary", "tags", "url", "sources")


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def _timelinejs_date(point: PartialDate) -> dict[str, int]:
    """A TimelineJS start date with only the fields the point's precision knows."""
    date = {"year": point.year}
    if point.month is not None:
        date["month"] = point.month
    if point.day is not None:
        date["day"] = point.day
    return date


def _timelinejs_end(point: PartialDate) -> dict[str, int]:
    """A TimelineJS end date: the end of the point's last day.

    TimelineJS reads {year, month} as midnight on the month's first day, so a band ending in March stopped on
    1 March, a month before the next one began; even the last day's midnight leaves a day's gap.
    """
    last = point.last_day()
    return {"year": last.year, "month": last.month, "day": last.day, "hour": 23, "minute": 59, "second": 59}


def _latest_point(timeline: Timeline) -> PartialDate | None:
    """The latest point any event reaches (its end when it has one), or None without events."""
    points = [event.date.end or event.date.start for event in timeline.chronological]
    return max(points, key=lambda p: (p.last_day(), p.first_day()), default=None)


def _era_json(era: Any, timeline: Timeline) -> dict[str, Any]:
    end = era.end
    if end is None:  # an open era runs to the latest event, and never ends before it starts
        latest = _latest_point(timeline)
        end = latest if latest is not None and latest.last_day() >= era.start.first_day() else era.start
    return {
        "start_date": _timelinejs_date(era.start),
        "end_date": _timelinejs_end(end),
        "text": {"headline": html.escape(era.name, quote=False)},
    }


def timelinejs_json(timeline: Timeline, config: SiteConfig, abs_url: Callable[[str], str], body: Callable[[Event], str]) -> bytes:
    """The timeline as a TimelineJS3 JSON document, events oldest first, on one line."""
    read_more = STRINGS[config.language]["read_more"]

    def slide_of(event: Event) -> dict[str, Any]:
        url = html.escape(abs_url(event.url_path))
        slide: dict[str, Any] = {"start_date": _timelinejs_date(event.date.start)}
        if event.date.end is not None:
            slide["end_date"] = _timelinejs_end(event.date.end)
        # TimelineJS sets innerHTML from every text it shows: headline, text, group, display_date.
        slide["display_date"] = html.escape(format_event_date(event.date, config.language), quote=False)
        slide["text"] = {
            "headline": html.escape(event.title, quote=False),
            "text": f'<p>{html.escape(event.summary, quote=False)}</p>\n<p><a href="{url}">{html.escape(read_more, quote=False)}</a></p>',
        }
        if event.tags:
            slide["group"] = html.escape(event.tags[0].name, quote=False)
        slide["unique_id"] = event.anchor
        return slide

    title = {"text": {"headline": html.escape(config.title, quote=False), "text": f"<p>{html.escape(config.description, quote=False)}</p>"}}
    eras = [_era_json(era, timeline) for era in getattr(config, "eras", ())]
    document = {"title": title, "events": [slide_of(event) for event in timeline.chronological], "eras": eras}
    return (json.dumps(document, ensure_ascii=False) + "\n").encode("utf-8")


def _all_day_span(event: Event) -> tuple[dt.date, dt.date]:
    """First day and the day after the last one: a day, its month, its year, or the whole range."""
    last = (event.date.end or event.date.start).last_day()
    return event.date.start.first_day(), last + dt.timedelta(days=1)


# iCalendar is written here, not by the icalendar package: it took 0.17 ms an event, a sixth of a cold build's
# work at 10,000 events, where these lines take a hundredth of that. The tests hold the output byte for byte to
# what icalendar writes for the same calendar (its property order, escaping and folding).

def _ical_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 (3.3.11) asks, line breaks of any kind written as \\n.

    A byte order mark opening the value goes, as icalendar drops it (it reads its own output as UTF-8-SIG).
    """
    return (value.removeprefix("\ufeff").replace(r"\N", "\n").replace("\\", "\\\\").replace(";", r"\;").replace(",", r"\,")
            .replace("\r\n", r"\n").replace("\n", r"\n").replace("\r", r"\n"))


def _ical_line(line: str) -> bytes:
    """A content line, folded as RFC 5545 (3.1) asks: at most 75 octets a line, a continuation's space included.

    A fold never splits a character, nor leaves a backslash or a caret last on a line (it would read as an escape).
    """
    data = line.encode("utf-8")
    if len(data) < 75:
        return data + b"\r\n"
    parts, start = [], 0
    while len(data) - start > 74:
        cut = start + 74
        while data[cut] & 0xC0 == 0x80:  # inside a character: fold before it
            cut -= 1
        if data[cut - 1] in b"\\^" and cut - 1 > start:
            cut -= 1
        parts.append(data[start:cut])
        start = cut
    parts.append(data[start:])
    return b"\r\n ".join(parts) + b"\r\n"


def _ical_date(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _vevent(event: Event, site: str, url: str) -> bytes:
    """One event's VEVENT block: an all-day span, in icalendar's order (SUMMARY, DTSTART, DTEND, DTSTAMP, UID, the rest)."""
    start, end = _all_day_span(event)
    stamp = added_at(event)  # in UTC, always (see dates.parse_timestamp)
    return b"".join(map(_ical_line, (
        "BEGIN:VEVENT",
        f"SUMMARY:{_ical_text(event.title)}",
        f"DTSTART;VALUE=DATE:{_ical_date(start)}",
        f"DTEND;VALUE=DATE:{_ical_date(end)}",
        f"DTSTAMP:{_ical_date(stamp)}T{stamp.hour:02d}{stamp.minute:02d}{stamp.second:02d}Z",
        f"UID:{_ical_text(f'{event.anchor}@{site}')}",
        f"DESCRIPTION:{_ical_text(event.summary)}",
        f"URL:{url}",
        "END:VEVENT",
    )))


def _calendar_head(config: SiteConfig) -> bytes:
    """What comes before the events in the calendar file."""
    head = ("BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{ICS_PRODID.format(lang=config.language.upper())}", f"X-WR-CALNAME:{_ical_text(config.title)}")
    return b"".join(map(_ical_line, head))


def ics(timeline: Timeline, config: SiteConfig, abs_url: Callable[[str], str], body: Callable[[Event], str]) -> bytes:
    """The timeline as an iCalendar file: one all-day VEVENT per event, oldest first."""
    # The site's path too: two project sites on one github.io host would otherwise share UIDs in a subscriber's calendar.
    # And its port: two sites on one host, on two ports, are two calendars too.
    parts = urlsplit(config.base_url)
    site = (parts.hostname or "localhost") + (f":{parts.port}" if parts.port else "") + parts.path.rstrip("/")
    blocks = [_vevent(event, site, abs_url(event.url_path)) for event in timeline.chronological]
    return _calendar_head(config) + b"".join(blocks) + _ical_line("END:VCALENDAR")


def json_feed(timeline: Timeline, config: SiteConfig, abs_url: Callable[[str], str], body: Callable[[Event], str]) -> bytes:
    """The timeline as a JSON Feed 1.1 document, latest additions first."""
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": config.title,
        "home_page_url": abs_url(""),
        "feed_url": abs_url("feed.json"),
        "description": config.description,
        "language": config.language,
    }
    if config.author:
        feed["authors"] = [{"name": config.author}]
    items = []
    for event in feed_entries(timeline, config):
        url = abs_url(event.url_path)
        items.append({
            "id": url,
            "url": url,
            "title": event.title,
            "summary": event.summary,
            "content_html": body(event),
            "date_published": added_at(event).isoformat(),
            "tags": [tag.name for tag in event.tags],
            "_timeline": {"date": event.date.iso(), "precision": event.date.precision},
        })
    feed["items"] = items
    return _json_bytes(feed)


def events_csv(timeline: Timeline, config: SiteConfig, abs_url: Callable[[str], str], body: Callable[[Event], str]) -> bytes:
    """The events as CSV rows with a header, oldest first."""

    def row(event: Event) -> tuple[str, ...]:
        return tuple(spreadsheet_safe(cell) for cell in (
            event.slug,
            event.date.iso(),
            event.date.precision,
            "true" if event.date.approximate else "false",
            event.title,
            event.summary,
            "; ".join(tag.name for tag in event.tags),
            abs_url(event.url_path),
            "; ".join(f"{source.publisher} — {source.title}" for source in event.sources),
        ))

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(map(row, timeline.chronological))
    return out.getvalue().encode("utf-8")
