"""The timeline model: a total, deterministic order; year groups; neighbours; drafts; tags."""

import itertools

from chronologie.content import Event, Tag
from chronologie.dates import parse_event_date
from chronologie.model import build_timeline, find_duplicate_slugs


def make_event(slug: str, date: str, *, draft: bool = False, tags: tuple[str, ...] = (), path: str | None = None) -> Event:
    return Event(
        path=path or f"content/{slug}.md", slug=slug, title=slug.title(), summary="S.", date=parse_event_date(date),
        tags=tuple(Tag(t, t.lower()) for t in tags), sources=(), draft=draft, added=None, body_html="", slug_line=1,
        fingerprint=f"{slug}@{date}",
    )


EVENTS = [
    make_event("b-day", "2023-11-07"),
    make_event("a-day", "2023-11-07"),
    make_event("month", "2023-11"),
    make_event("year", "2023"),
    make_event("approx", "~2023-11"),
    make_event("range", "2023-11-01/2023-12-01"),
    make_event("later", "2024-05"),
    make_event("earlier", "2022-12-31"),
]
CHRONOLOGICAL = ["earlier", "year", "approx", "month", "range", "a-day", "b-day", "later"]


def slugs(events):
    return [e.slug for e in events]


def test_order_is_start_then_precision_then_slug_whatever_the_input_order():
    for permutation in itertools.islice(itertools.permutations(EVENTS), 0, 2000, 97):
        timeline, _ = build_timeline(list(permutation), newest_first=False, include_drafts=False)
        assert slugs(timeline.events) == CHRONOLOGICAL


def test_newest_first_reverses_display_but_not_chronology():
    timeline, _ = build_timeline(EVENTS, newest_first=True, include_drafts=False)
    assert slugs(timeline.events) == CHRONOLOGICAL[::-1]
    assert slugs(timeline.chronological) == CHRONOLOGICAL
    assert [g.year for g in timeline.years] == [2024, 2023, 2022]


def test_years_group_events_in_display_order():
    timeline, _ = build_timeline(EVENTS, newest_first=False, include_drafts=False)
    assert [(g.year, slugs(g.events)) for g in timeline.years] == [
        (2022, ["earlier"]),
        (2023, ["year", "approx", "month", "range", "a-day", "b-day"]),
        (2024, ["later"]),
    ]


def test_neighbours_follow_time():
    timeline, _ = build_timeline(EVENTS, newest_first=True, include_drafts=False)
    triples = [(p and p.slug, e.slug, n and n.slug) for p, e, n in timeline.with_neighbours()]
    assert triples == list(zip([None, *CHRONOLOGICAL[:-1]], CHRONOLOGICAL, [*CHRONOLOGICAL[1:], None]))


def test_drafts_are_left_out_unless_asked():
    events = [make_event("kept", "2023"), make_event("draft", "2024", draft=True)]
    timeline, _ = build_timeline(events, newest_first=False, include_drafts=False)
    assert slugs(timeline.events) == ["kept"] and timeline.drafts_skipped == 1
    timeline, _ = build_timeline(events, newest_first=False, include_drafts=True)
    assert slugs(timeline.events) == ["kept", "draft"] and timeline.drafts_skipped == 0


def test_tags_group_events_and_warn_about_other_spellings():
    events = [make_event("a", "2023", tags=("Llama",)), make_event("b", "2024", tags=("llama", "Europe"), path="content/b.md")]
    timeline, problems = build_timeline(events, newest_first=False, include_drafts=False)
    assert [(g.tag.name, slugs(g.events)) for g in timeline.tags] == [("Europe", ["b"]), ("Llama", ["a", "b"])]
    assert [str(p) for p in problems] == ["content/b.md:1: warning: tag 'llama' is spelled 'Llama' elsewhere; use one spelling"]


def test_duplicate_slugs_are_reported_once_per_extra_file():
    events = [make_event("x", "2023", path="content/c.md"), make_event("x", "2024", path="content/a.md"), make_event("x", "2025", path="content/b.md")]
    assert [str(p) for p in find_duplicate_slugs(events)] == [
        "content/b.md:1: duplicate slug 'x': content/a.md:1 uses it too; rename one file or give it a different 'slug:'",
        "content/c.md:1: duplicate slug 'x': content/a.md:1 uses it too; rename one file or give it a different 'slug:'",
    ]
