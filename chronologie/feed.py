"""The Atom feed, newest addition first, built with feedgen."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable


from . import __version__
from .config import SiteConfig
from .content import Event
from .model import Timeline


def added_at(event: Event) -> dt.datetime:
    """When the entry was added; without ``added:``, the start of the event, so the feed stays reproducible."""
    if event.added is not None:
        return event.added
    return dt.datetime.combine(event.date.start.first_day(), dt.time(), dt.timezone.utc)


def feed_entries(timeline: Timeline, config: SiteConfig) -> list[Event]:
    """The events the feeds list: the ``feed_limit`` latest additions, latest first."""
    return heapq.nlargest(config.feed_limit, timeline.events, key=lambda e: (added_at(e), e.slug))


def build_feed(timeline: Timeline, config: SiteConfig, abs_url: Callable[[str], str], date_label: Callable, body: Callable[[Event], str]) -> bytes:
    """Render ``feed.xml``: the ``feed_limit`` latest additions, latest first."""
    entries = feed_entries(timeline, config)
    from feedgen.feed import FeedGenerator  # with lxml, loaded only when the feed is made again

    feed = FeedGenerator()
    feed.id(abs_url(""))
    feed.title(config.title)
    feed.subtitle(config.description)
    feed.language(config.language)
    feed.link(href=abs_url(""), rel="alternate", type="text/html")
    feed.link(href=abs_url("feed.xml"), rel="self", type="application/atom+xml")
    feed.generator("chronologie", version=__version__)
    # Atom requires an author; entries inherit the feed's, so one is enough.
    feed.author({"name": config.author or config.title})
    # Atom requires an <updated>; the latest addition keeps it reproducible, unlike "now".
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    feed.updated(max((added_at(e) for e in entries), default=epoch))
    for event in entries:
        entry = feed.add_entry(order="append")
        entry.id(abs_url(event.url_path))
        entry.title(f"{date_label(event.date)} — {event.title}")
        entry.link(href=abs_url(event.url_path), rel="alternate", type="text/html")
        entry.summary(event.summary)
        entry.content(body(event), type="html")
        entry.updated(added_at(event))
        entry.published(added_at(event))
        for tag in event.tags:
            entry.category(term=tag.slug, label=tag.name)
    return feed.atom_str(pretty=True)
