"""The timeline: events in a total, deterministic order, grouped by year and by tag."""

from __future__ import annotations

import difflib
import itertools
import operator
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from slugify import slugify

from .config import Era, SiteConfig
from .content import Event, Tag
from .markup import Reference
from .problems import Problem


@dataclass(frozen=True)
class YearGroup:
    """The events of one year, in display order."""

    year: int
    events: tuple[Event, ...]
    anchor: bool = True  # whether this heading carries the year's id (a year split across eras has one)


@dataclass(frozen=True)
class EraGroup:
    """The events of one era (None: outside every era), by year."""

    era: Era | None
    years: tuple[YearGroup, ...]


def group_by_era(events: tuple[Event, ...], eras: tuple[Era, ...]) -> tuple[EraGroup, ...]:
    """Runs of consecutive events (in display order) that share an era, each grouped by year."""
    runs: list[tuple[Era | None, list[Event]]] = []
    for event in events:
        era = next((e for e in eras if e.contains(event.date.start.first_day())), None)
        if runs and runs[-1][0] == era:
            runs[-1][1].append(event)
        else:
            runs.append((era, [event]))
    seen: set[int] = set()
    groups = []
    for era, members in runs:
        years = []
        for group in group_by_year(members):
            years.append(YearGroup(group.year, group.events, group.year not in seen))
            seen.add(group.year)
        groups.append(EraGroup(era, tuple(years)))
    return tuple(groups)


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


_sort_key = operator.attrgetter("sort_key")  # see Event.sort_key: a total order
_start_year = operator.attrgetter("date.start.year")


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


def check_declared_tags(events: list[Event], declared: tuple[str, ...] | None) -> list[Problem]:
    """When site.yaml declares its tags, each tag an event uses must be one of them (with a suggestion)."""
    if declared is None:
        return []
    problems = []
    for event in events:
        for tag in event.tags:
            if tag.name not in declared:
                close = difflib.get_close_matches(tag.name, declared, n=1, cutoff=0.6) or [d for d in declared if slugify(d) == tag.slug]
                hint = f"; did you mean {close[0]!r}?" if close else f" (declared: {', '.join(declared)})"
                problems.append(Problem(event.path, event.line_of("tags"), f"tag {tag.name!r} is not in site.yaml's tags{hint}"))
    return problems


def rank_tags(events: list[Event], config: SiteConfig) -> list[Event]:
    """Each event's tags in site.yaml's order, with their declared labels: the first one colours the event."""
    if config.tags is None:
        return events
    rank, labels = {name: index for index, name in enumerate(config.tags)}, dict(config.tag_labels)
    ranked = []
    for event in events:
        ordered = sorted(event.tags, key=lambda tag: rank.get(tag.name, len(rank)))
        tags = tuple(Tag(labels.get(tag.name, tag.name), tag.slug) for tag in ordered)
        ranked.append(event if tags == event.tags else replace(event, tags=tags))
    return ranked


def check_references(events: list[Event], published: tuple[Event, ...], root: Path, broken: dict[str, tuple[Reference, ...]] | None = None) -> list[Problem]:
    """Every link to another event must reach a published one, and every file beside an entry must exist.

    ``broken`` holds the links of files whose front matter is wrong: they are checked too, so that fixing a date
    does not bring new errors to light; whether they will be published is not known, so a draft may be their target.
    """
    if not any(event.references for event in published) and not broken:
        return []
    by_path = {event.path: event for event in events}
    shown = {event.path for event in published}
    problems = []
    for event in published:
        problems += (p for ref in event.references if (p := _reference_problem(event.path, ref, by_path, shown, root)))
    for path, references in (broken or {}).items():
        problems += (p for ref in references if (p := _reference_problem(path, ref, by_path, set(by_path), root)))
    return problems


def _reference_problem(path: str, ref: Reference, by_path: dict[str, Event], shown: set[str], root: Path) -> Problem | None:
    """What is wrong with one link of the entry at ``path``, or None."""
    if ref.kind == "file":
        try:
            exists = (root / ref.target).is_file()
        except (OSError, ValueError):
            exists = False
        if not exists or not ref.target.startswith("content/"):
            return Problem(path, ref.line, f"{ref.written!r}: no file {ref.target} (files an entry shows must sit in content/)")
        if not (root / ref.target).resolve().is_relative_to((root / "content").resolve()):
            return Problem(path, ref.line, f"{ref.written!r}: {ref.target} is a link to a file outside content/, which would be published; put the file itself there")
        return None
    if ref.target not in by_path:
        close = difflib.get_close_matches(ref.target, [p for p in by_path if p != path], n=1)
        hint = f"; did you mean {close[0].removeprefix('content/')!r}?" if close else ""
        return Problem(path, ref.line, f"link to {ref.written!r}: no event {ref.target}{hint}")
    if ref.target not in shown:
        return Problem(path, ref.line, f"link to {ref.written!r}: that event is a draft, so it is not published (build with --drafts to preview both)")
    return None


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
    events = tuple(events)
    years = list(map(_start_year, events))
    runs = [(year, sum(1 for _ in run)) for year, run in itertools.groupby(years)]
    if len(runs) == len(set(years)):  # in time order (or its reverse), as the timeline's are: slice each run
        groups, start = [], 0
        for year, count in runs:
            groups.append(YearGroup(year, events[start:start + count]))
            start += count
        return tuple(groups)
    by_year: dict[int, list[Event]] = defaultdict(list)
    for event, year in zip(events, years):
        by_year[year].append(event)
    return tuple(YearGroup(year, tuple(group)) for year, group in by_year.items())


def build_timeline(events: list[Event], newest_first: bool, include_drafts: bool) -> tuple[Timeline, list[Problem]]:
    """Sort, group and index the events; report inconsistent tag spellings."""
    shown = [e for e in events if include_drafts or not e.draft]
    chronological = tuple(sorted(shown, key=_sort_key))
    ordered = chronological[::-1] if newest_first else chronological
    spellings, problems = _tag_spellings(chronological)
    by_tag: dict[str, list[Event]] = defaultdict(list)
    for event in ordered:
        for tag in event.tags:
            by_tag[tag.slug].append(event)
    tags = tuple(TagGroup(spellings[slug], tuple(by_tag[slug])) for slug in sorted(by_tag))
    return Timeline(chronological, ordered, group_by_year(ordered), tags, len(events) - len(shown)), problems
