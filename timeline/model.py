"""The timeline: events in a total, deterministic order, grouped by year and by tag."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from .content import Event, Tag
from .problems import Problem


@dataclass(frozen=True)
class YearGroup:
    """The events of one year, in display order."""

    year: int
    events: tuple[Event, ...]


@dataclass(frozen=True)
class TagGroup:
    """A tag and its events, in display order."""

    tag: Tag
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Timeline:
    """Everything the pages are rendered from."""

    chronological: tuple[Event, ...]  # oldest first, whatever the site's sort order
    events: tuple[Event, ...]  # in the site's display order
    years: tuple[YearGroup, ...]
    tags: tuple[TagGroup, ...]
    drafts_skipped: int

    def with_neighbours(self) -> Iterator[tuple[Event | None, Event, Event | None]]:
        """Each event in time, with the event just before and just after it."""
        padded = (None, *self.chronological, None)
        return zip(padded, padded[1:-1], padded[2:])


def chronological_key(event: Event) -> tuple:
    """Start day, then coarser precision first, then slug: a total order, so output never depends on file order."""
    return (*event.date.sort_key(), event.slug)


def find_duplicate_slugs(events: list[Event]) -> list[Problem]:
    """One error per event whose slug an earlier file (by path) already uses, naming both files."""
    first: dict[str, Event] = {}
    problems = []
    for event in sorted(events, key=lambda e: e.path):
        if event.slug in first:
            other = first[event.slug]
            problems.append(Problem(
                event.path, event.slug_line,
                f"duplicate slug '{event.slug}': {other.path}:{other.slug_line} uses it too; "
                "rename one file or give it a different 'slug:'",
            ))
        else:
            first[event.slug] = event
    return problems


def _tag_spellings(events: tuple[Event, ...]) -> tuple[dict[str, Tag], list[Problem]]:
    """One spelling per tag slug (the first met in time); other spellings get a warning."""
    chosen: dict[str, Tag] = {}
    problems = []
    for event in events:
        for tag in event.tags:
            known = chosen.setdefault(tag.slug, tag)
            if known.name != tag.name:
                problems.append(Problem(event.path, 1, f"tag {tag.name!r} is spelled {known.name!r} elsewhere; use one spelling", warning=True))
    return chosen, problems


def group_by_year(events: tuple[Event, ...] | list[Event]) -> tuple[YearGroup, ...]:
    """Events grouped by the year they start in, keeping the given order of events."""
    by_year: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        by_year[event.date.year].append(event)
    return tuple(YearGroup(year, tuple(group)) for year, group in by_year.items())


def build_timeline(events: list[Event], newest_first: bool, include_drafts: bool) -> tuple[Timeline, list[Problem]]:
    """Sort, group and index the events; report inconsistent tag spellings."""
    shown = [e for e in events if include_drafts or not e.draft]
    chronological = tuple(sorted(shown, key=chronological_key))
    ordered = tuple(reversed(chronological)) if newest_first else chronological

    years = group_by_year(ordered)

    spellings, problems = _tag_spellings(chronological)
    by_tag: dict[str, list[Event]] = defaultdict(list)
    for event in ordered:
        for tag in event.tags:
            by_tag[tag.slug].append(event)
    tags = tuple(TagGroup(spellings[slug], tuple(by_tag[slug])) for slug in sorted(by_tag))

    timeline = Timeline(chronological, ordered, years, tags, len(events) - len(shown))
    return timeline, problems
