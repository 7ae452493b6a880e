"""The site's pages: where each file goes, what draws it, what it is given, and every event it shows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .content import Event
from .model import Timeline, group_by_year
from .standalone import StandalonePage

EXPORTS = ("feed.xml", "feed.json", "timeline.json", "timeline.ics", "events.csv")


@dataclass(frozen=True)
class Page:
    """One output file drawn from the timeline.

    ``shows`` declares every event the file can show anything of, and ``given`` every other value its template
    is given: together with its templates and site.yaml they are all it depends on, which is what its cache
    key is made of. ``template`` is a Jinja template's name, or None for an export (``EXPORTS``).
    """

    path: str  # relative to the output root, e.g. "2023/ai-alliance/index.html"
    template: str | None
    shows: tuple[Event, ...] = ()
    given: dict[str, Any] = field(default_factory=dict)  # plain values: numbers, text, tags, tuples of them
    events: dict[str, Any] = field(default_factory=dict)  # what the template is given that holds events

    @property
    def url_path(self) -> str:
        """The page's address below the site root: '2023/ai-alliance/' for '2023/ai-alliance/index.html'."""
        return self.path.removesuffix("index.html")

    @property
    def context(self) -> dict[str, Any]:
        """Everything its template is given."""
        return {**self.given, **self.events}


def list_pages(timeline: Timeline, index_limit: int, standalone: list[StandalonePage] = ()) -> list[Page]:
    """Every page, in a fixed order (the sitemap and static files come later)."""
    return _timeline_pages(timeline, index_limit) + [Page(f"{page.slug}/index.html", "page.html", (), {"page": page}) for page in standalone]


def _timeline_pages(timeline: Timeline, index_limit: int) -> list[Page]:
    paged = len(timeline.events) > index_limit
    everything = timeline.chronological
    pages = [
        Page("index.html", "index.html", everything, {"paged": paged}, {"timeline": timeline}),
        Page("tags/index.html", "tags.html", everything, {}, {"timeline": timeline}),
        Page("404.html", "404.html"),
    ]
    if paged:
        years = tuple(group.year for group in timeline.years)
        pages += (Page(f"{g.year:04d}/index.html", "year.html", g.events, {"years": years}, {"group": g}) for g in timeline.years)
    pages += _event_pages(timeline, paged)
    for group in timeline.tags:
        pages += _tag_pages(group.tag, group.events, index_limit)
    pages += (Page(name, None, everything) for name in EXPORTS)
    return pages


def _event_pages(timeline: Timeline, paged: bool) -> Iterator[Page]:
    for previous, event, following in timeline.with_neighbours():
        shown = tuple(e for e in (previous, event, following) if e is not None)
        yield Page(f"{event.url_path}index.html", "event.html", shown, {"paged": paged}, {"event": event, "previous": previous, "next": following})


def _tag_pages(tag, events: tuple[Event, ...], index_limit: int) -> Iterator[Page]:
    total = len(events)
    if total <= index_limit:
        yield Page(f"{tag.url_path}index.html", "tag.html", events, {"tag": tag, "total": total}, {"events": events})
        return
    # A large tag gets a page per year, like the index: an edit then redraws one small page, not thousands of entries.
    by_year = group_by_year(events)
    counts, years = tuple((g.year, len(g.events)) for g in by_year), tuple(g.year for g in by_year)
    yield Page(f"{tag.url_path}index.html", "tag.html", (), {"tag": tag, "total": total, "years": counts})
    for group in by_year:
        yield Page(f"{tag.url_path}{group.year:04d}/index.html", "tag_year.html", group.events, {"tag": tag, "years": years}, {"group": group})


def sitemap_page(urls: list[str]) -> list[Page]:
    """The sitemap, which lists the pages' addresses, and robots.txt, which names it."""
    return [Page("sitemap.xml", "sitemap.xml", (), {"urls": tuple(urls)}), Page("robots.txt", "robots.txt")]
