"""The exports (TimelineJS JSON, iCalendar, JSON Feed, CSV), parsed back with real parsers and checked against the content."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import feedparser
import icalendar
import pytest

from conftest import SITE_YAML, event_text
from chronologie.config import load_config
from chronologie.content import read_events
from chronologie.dates import PartialDate
from chronologie.exports import _ical_line, _ical_text, events_csv, ics, json_feed, timelinejs_json
from chronologie.feed import added_at, build_feed
from chronologie.markup import MarkdownRenderer, resolve_references
from chronologie.model import build_timeline

NBSP = "\u00a0"
BASE = "https://example.org/repo/"

SOURCES_TWO = (
    "\n  - publisher: Le Monde\n    title: L’AI Alliance\n    date: 2023-12-05\n    lang: fr"
    "\n  - publisher: Les Echos\n    title: IBM et Meta s’allient\n    date: 2023-12-06\n    lang: fr"
)

FILES = {
    # A day, two tags, two sources, an 'added:' with a time zone and a link to another event.
    "content/2023-12-05-ai-alliance.md": event_text(
        "Meta et IBM lancent l’AI Alliance", "\"Une alliance pour l’IA ouverte : IBM, Meta et d’autres.\"", "2023-12-05",
        body="Voir [Llama](2024-05-llama.md).\n",
        tags="[IA ouverte, Alliances]", sources=SOURCES_TWO, added="2024-07-01T09:30:00+02:00",
    ),
    # A month.
    "content/2024-05-llama.md": event_text("Llama 3", "Le modèle sort.", "2024-05", tags="[Llama]", added="2024-06-01"),
    # A year; characters that HTML must escape.
    "content/2025-consortium.md": event_text("Le consortium Llama & <partenaires>", "Un consortium.", "2025", tags="[Consortium]", added=None),
    # An approximate month.
    "content/2024-02-vers.md": event_text("Des rumeurs", "On en parle.", "~2024-02", tags="[Llama]", added=None),
    # A range of days ending on 31 December.
    "content/2023-11-programme.md": event_text("Le programme", "Des start-up.", "2023-11-01/2023-12-31", tags="[Startups]", added=None),
    # An approximate range of months given with 'end:', no tags.
    "content/2024-06-ete.md": event_text("Un été", "Il se passe des choses.", "~2024-06", end="2024-08", added="2024-06-01"),
    # A draft is not exported.
    "content/2024-03-brouillon.md": event_text("Brouillon", "Pas encore.", "2024-03-01", draft="true", added=None),
}
CHRONOLOGICAL = ["programme", "ai-alliance", "vers", "llama", "ete", "consortium"]


@dataclass(frozen=True)
class Inputs:
    timeline: object
    config: object
    abs_url: object
    body: object

    def args(self, config=None):
        return (self.timeline, config or self.config, self.abs_url, self.body)


def load_inputs(root: Path, newest_first: bool | None = None) -> Inputs:
    """Read the fixture site the way the build does, without rendering or writing anything."""
    config, problems = load_config(root / "site.yaml", "site.yaml")
    assert config is not None, problems
    found = read_events(root / "content", root, MarkdownRenderer(config.language))
    assert not [p for p in found.problems if not p.warning], found.problems
    timeline, _ = build_timeline(found.events, config.newest_first if newest_first is None else newest_first, include_drafts=False)

    def abs_url(path: str = "") -> str:
        return config.base_url + path

    absolute = {event.path: abs_url(event.url_path) for event in timeline.events}
    return Inputs(timeline, config, abs_url, lambda event: resolve_references(event.body_html, absolute))


@pytest.fixture
def inputs(make_site) -> Inputs:
    return load_inputs(make_site(FILES, site_yaml=SITE_YAML + "feed_limit: 4\n"))


class WithEras:
    """The site's settings with eras added, whatever SiteConfig itself knows of them."""

    def __init__(self, config, eras):
        self._config, self.eras = config, eras

    def __getattr__(self, name):
        return getattr(self._config, name)


@dataclass(frozen=True)
class FakeEra:
    name: str
    start: PartialDate
    end: PartialDate | None


# --- TimelineJS ---------------------------------------------------------------------------------------

def test_timelinejs_events_carry_exactly_the_fields_of_their_precision(inputs):
    data = json.loads(timelinejs_json(*inputs.args()))
    assert list(data) == ["title", "events", "eras"]
    assert data["title"] == {"text": {"headline": "Chronologie de test", "text": "<p>Un site de test.</p>"}}
    assert data["eras"] == []
    link = '<p><a href="https://example.org/repo/{}">Lire la suite</a></p>'
    assert data["events"] == [
        {
            "start_date": {"year": 2023, "month": 11, "day": 1},
            "end_date": {"year": 2023, "month": 12, "day": 31, "hour": 23, "minute": 59, "second": 59},
            "display_date": "du 1er novembre au 31 décembre 2023",
            "text": {"headline": "Le programme", "text": "<p>Des start-up.</p>\n" + link.format("2023/programme/")},
            "group": "Startups",
            "unique_id": "2023-programme",
        },
        {
            "start_date": {"year": 2023, "month": 12, "day": 5},
            "display_date": "5 décembre 2023",
            "text": {
                "headline": "Meta et IBM lancent l’AI Alliance",
                "text": f"<p>Une alliance pour l’IA ouverte{NBSP}: IBM, Meta et d’autres.</p>\n" + link.format("2023/ai-alliance/"),
            },
            "group": "IA ouverte",
            "unique_id": "2023-ai-alliance",
        },
        {
            "start_date": {"year": 2024, "month": 2},
            "display_date": "vers février 2024",
            "text": {"headline": "Des rumeurs", "text": "<p>On en parle.</p>\n" + link.format("2024/vers/")},
            "group": "Llama",
            "unique_id": "2024-vers",
        },
        {
            "start_date": {"year": 2024, "month": 5},
            "display_date": "mai 2024",
            "text": {"headline": "Llama 3", "text": "<p>Le modèle sort.</p>\n" + link.format("2024/llama/")},
            "group": "Llama",
            "unique_id": "2024-llama",
        },
        {
            "start_date": {"year": 2024, "month": 6},
            "end_date": {"year": 2024, "month": 8, "day": 31, "hour": 23, "minute": 59, "second": 59},
            "display_date": "de juin à août 2024 (dates approximatives)",
            "text": {"headline": "Un été", "text": "<p>Il se passe des choses.</p>\n" + link.format("2024/ete/")},
            "unique_id": "2024-ete",
        },
        {
            "start_date": {"year": 2025},
            "display_date": "2025",
            "text": {"headline": "Le consortium Llama &amp; &lt;partenaires&gt;", "text": "<p>Un consortium.</p>\n" + link.format("2025/consortium/")},
            "group": "Consortium",
            "unique_id": "2025-consortium",
        },
    ]


def test_timelinejs_structure_follows_the_spec(inputs):
    data = json.loads(timelinejs_json(*inputs.args()))
    allowed = {"start_date", "end_date", "text", "group", "display_date", "unique_id"}
    for slide in data["events"]:
        assert set(slide) <= allowed and {"start_date", "text", "unique_id"} <= set(slide)
        for key in ("start_date", "end_date"):
            if key in slide:
                date = slide[key]
                assert list(date) == ["year", "month", "day", "hour", "minute", "second"][: len(date)]  # no day without a month
                assert key == "end_date" or len(date) <= 3  # an end is the end of its last day: see test_hardening
                assert all(isinstance(v, int) for v in date.values())
                assert 1 <= date.get("month", 1) <= 12 and 1 <= date.get("day", 1) <= 31
        assert set(slide["text"]) == {"headline", "text"}
        assert "background" not in slide and "media" not in slide
    assert len({slide["unique_id"] for slide in data["events"]}) == len(data["events"])


def test_timelinejs_eras_close_open_ones_at_the_latest_event(inputs):
    eras = (
        FakeEra("Avant Llama", PartialDate(2023, 11), PartialDate(2024, 4, 30)),
        FakeEra("L’ouverture", PartialDate(2024, 5), None),
        FakeEra("Demain", PartialDate(2030), None),  # starts after every event: it ends where it starts
    )
    data = json.loads(timelinejs_json(*inputs.args(WithEras(inputs.config, eras))))
    assert data["eras"] == [
        {"start_date": {"year": 2023, "month": 11}, "end_date": {"year": 2024, "month": 4, "day": 30, "hour": 23, "minute": 59, "second": 59}, "text": {"headline": "Avant Llama"}},
        {"start_date": {"year": 2024, "month": 5}, "end_date": {"year": 2025, "month": 12, "day": 31, "hour": 23, "minute": 59, "second": 59}, "text": {"headline": "L’ouverture"}},
        {"start_date": {"year": 2030}, "end_date": {"year": 2030, "month": 12, "day": 31, "hour": 23, "minute": 59, "second": 59}, "text": {"headline": "Demain"}},
    ]


def test_timelinejs_eras_from_site_yaml(make_site):
    site_yaml = SITE_YAML + "eras:\n  - name: Les débuts\n    start: 2023-11\n    end: 2024-04\n  - name: La suite\n    start: 2024-05\n"
    inputs = load_inputs(make_site(FILES, site_yaml=site_yaml))
    if not getattr(inputs.config, "eras", None):
        raise AssertionError("site.yaml declares no eras")
    data = json.loads(timelinejs_json(*inputs.args()))
    assert data["eras"] == [
        {"start_date": {"year": 2023, "month": 11}, "end_date": {"year": 2024, "month": 4, "day": 30, "hour": 23, "minute": 59, "second": 59}, "text": {"headline": "Les débuts"}},
        {"start_date": {"year": 2024, "month": 5}, "end_date": {"year": 2025, "month": 12, "day": 31, "hour": 23, "minute": 59, "second": 59}, "text": {"headline": "La suite"}},
    ]


def test_timelinejs_output_is_one_line_of_utf8_json_as_json_dumps_writes_it(inputs):
    raw = timelinejs_json(*inputs.args())
    assert "décembre".encode() in raw and b"\\u00e9" not in raw
    # Assembled from per-event pieces, yet exactly what json.dumps writes for the whole document.
    assert raw == (json.dumps(json.loads(raw), ensure_ascii=False) + "\n").encode()
    assert raw.count(b"\n") == 1 and raw.startswith(b'{"title": {')


def test_timelinejs_in_english(make_site):
    inputs = load_inputs(make_site(FILES, site_yaml=SITE_YAML.replace("language: fr", "language: en")))
    events = json.loads(timelinejs_json(*inputs.args()))["events"]
    assert [e["display_date"] for e in events] == [
        "1 November – 31 December 2023", "5 December 2023", "circa February 2024", "May 2024", "June – August 2024 (approximate)", "2025",
    ]
    assert events[1]["text"]["text"].endswith('">Read more</a></p>')


# --- iCalendar ----------------------------------------------------------------------------------------

def test_ics_spans_each_event_by_its_precision(inputs):
    raw = ics(*inputs.args())
    calendar = icalendar.Calendar.from_ical(raw)
    assert str(calendar["prodid"]) == "-//timeline//FR"
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["x-wr-calname"]) == "Chronologie de test"
    events = calendar.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"{a}@example.org/repo" for a in (
        "2023-programme", "2023-ai-alliance", "2024-vers", "2024-llama", "2024-ete", "2025-consortium")]
    spans = [(e["dtstart"].dt, e["dtend"].dt) for e in events]
    assert spans == [
        (dt.date(2023, 11, 1), dt.date(2024, 1, 1)),  # a range of days, to the day after its end
        (dt.date(2023, 12, 5), dt.date(2023, 12, 6)),  # a day
        (dt.date(2024, 2, 1), dt.date(2024, 3, 1)),  # an (approximate) month of a leap year
        (dt.date(2024, 5, 1), dt.date(2024, 6, 1)),  # a month
        (dt.date(2024, 6, 1), dt.date(2024, 9, 1)),  # a range of months
        (dt.date(2025, 1, 1), dt.date(2026, 1, 1)),  # a year
    ]
    for start, end in spans:  # all-day values, not date-times
        assert type(start) is dt.date and type(end) is dt.date
    assert b"DTSTART;VALUE=DATE:20231205\r\n" in raw and b"DTEND;VALUE=DATE:20231206\r\n" in raw
    assert b"DTSTART;VALUE=DATE:20250101\r\n" in raw and b"DTEND;VALUE=DATE:20260101\r\n" in raw


def test_ics_texts_urls_and_stamps(inputs):
    events = icalendar.Calendar.from_ical(ics(*inputs.args())).walk("VEVENT")
    by_uid = {str(e["uid"]): e for e in events}
    alliance = by_uid["2023-ai-alliance@example.org/repo"]
    assert str(alliance["summary"]) == "Meta et IBM lancent l’AI Alliance"
    assert str(alliance["description"]) == f"Une alliance pour l’IA ouverte{NBSP}: IBM, Meta et d’autres."
    assert str(alliance["url"]) == "https://example.org/repo/2023/ai-alliance/"
    assert alliance["dtstamp"].dt == dt.datetime(2024, 7, 1, 7, 30, tzinfo=dt.timezone.utc)
    consortium = by_uid["2025-consortium@example.org/repo"]
    assert str(consortium["summary"]) == "Le consortium Llama & <partenaires>"
    assert consortium["dtstamp"].dt == dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)  # no 'added:': the event's start
    assert [str(e["url"]) for e in events] == [f"{BASE}{p}" for p in (
        "2023/programme/", "2023/ai-alliance/", "2024/vers/", "2024/llama/", "2024/ete/", "2025/consortium/")]
    for event in events:
        assert set(event) == {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "URL"}


def icalendar_reference(timeline, config, abs_url) -> bytes:
    """The same calendar, made by the icalendar package: what timeline.ics must be, byte for byte."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//timeline//{config.language.upper()}")
    calendar.add("version", "2.0")
    # TEXT, the default type of an X- property (RFC 5545, 3.8.8.2): escaped, where icalendar writes a str as it is.
    calendar.add("x-wr-calname", icalendar.vText(config.title))
    for event in timeline.chronological:
        last = (event.date.end or event.date.start).last_day()
        entry = icalendar.Event()
        entry.add("uid", f"{event.anchor}@example.org/repo")
        entry.add("dtstamp", added_at(event))
        entry.add("dtstart", event.date.start.first_day())
        entry.add("dtend", last + dt.timedelta(days=1))
        entry.add("summary", event.title)
        entry.add("description", event.summary)
        entry.add("url", abs_url(event.url_path))
        calendar.add_component(entry)
    return calendar.to_ical()


def test_ics_is_byte_for_byte_what_icalendar_writes(inputs):
    assert ics(*inputs.args()) == icalendar_reference(inputs.timeline, inputs.config, inputs.abs_url)


# Texts that escaping and folding must get right: separators, backslashes and carets at a fold, line breaks
# of every kind, characters of two, three and four octets across a fold, lines of 74, 75 and 76 octets.
AWKWARD_TEXTS = [
    "a, b; c \\ d \\N e\nf\r\ng\rh", "x" * 66 + "\\" + "y" * 20, "x" * 65 + "\\;" + "y" * 20, "x" * 66 + "^" + "y" * 10,
    "é" * 80, "x" + "é" * 80, "€" * 50, "x" + "€" * 50, "🙂" * 40, "xy" + "🙂" * 40, "s" * 66, "s" * 67, "s" * 68, "z" * 300,
    "x" * 65 + "\\\\" + "y" * 10, "^" * 200, "\ufeffTitre", "\ufeff" + "é" * 80, "a\ufeffb", "\\" * 200, "; " * 100, "",
]


@pytest.mark.parametrize("text", AWKWARD_TEXTS)
def test_ics_text_lines_are_escaped_and_folded_as_icalendar_does(text):
    entry = icalendar.Event()
    entry.add("summary", text)
    expected = entry.to_ical().split(b"\r\n", 1)[1].rsplit(b"END:VEVENT", 1)[0]
    assert _ical_line(f"SUMMARY:{_ical_text(text)}") == expected


def test_ics_of_awkward_titles_is_what_icalendar_writes(make_site):
    files = dict(FILES)
    for number, text in enumerate(AWKWARD_TEXTS[:-1]):  # a title is never empty
        files[f"content/2024-0{1 + number % 9}-1{number % 9}-texte-{number}.md"] = event_text(title=json.dumps(text, ensure_ascii=False), summary=json.dumps(text[::-1] or "x", ensure_ascii=False))
    inputs = load_inputs(make_site(files, site_yaml=SITE_YAML.replace("title: Chronologie de test", 'title: "Chronologie, essais; \\\\ et ^"')))
    assert ics(*inputs.args()) == icalendar_reference(inputs.timeline, inputs.config, inputs.abs_url)


def test_ics_lines_are_crlf_and_folded(inputs):
    raw = ics(*inputs.args())
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")


# --- JSON Feed ----------------------------------------------------------------------------------------

def test_json_feed_top_level(inputs):
    feed = json.loads(json_feed(*inputs.args()))
    assert {k: v for k, v in feed.items() if k != "items"} == {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Chronologie de test",
        "home_page_url": "https://example.org/repo/",
        "feed_url": "https://example.org/repo/feed.json",
        "description": "Un site de test.",
        "language": "fr",
        "authors": [{"name": "Équipe de test"}],
    }


def test_json_feed_items_latest_additions_first_within_the_limit(inputs):
    items = json.loads(json_feed(*inputs.args()))["items"]
    # Added: consortium 2025-01-01 (its start), ai-alliance 2024-07-01, llama and ete 2024-06-01 (slug breaks the tie);
    # vers and programme are older and fall beyond feed_limit: 4.
    assert items == [
        {
            "id": f"{BASE}2025/consortium/", "url": f"{BASE}2025/consortium/",
            "title": "Le consortium Llama & <partenaires>", "summary": "Un consortium.",
            "content_html": "<p>Corps du texte.</p>", "date_published": "2025-01-01T00:00:00+00:00",
            "tags": ["Consortium"], "_timeline": {"date": "2025", "precision": "year"},
        },
        {
            "id": f"{BASE}2023/ai-alliance/", "url": f"{BASE}2023/ai-alliance/",
            "title": "Meta et IBM lancent l’AI Alliance", "summary": f"Une alliance pour l’IA ouverte{NBSP}: IBM, Meta et d’autres.",
            "content_html": f'<p>Voir <a href="{BASE}2024/llama/">Llama</a>.</p>', "date_published": "2024-07-01T07:30:00+00:00",
            "tags": ["IA ouverte", "Alliances"], "_timeline": {"date": "2023-12-05", "precision": "day"},
        },
        {
            "id": f"{BASE}2024/llama/", "url": f"{BASE}2024/llama/",
            "title": "Llama 3", "summary": "Le modèle sort.",
            "content_html": "<p>Corps du texte.</p>", "date_published": "2024-06-01T00:00:00+00:00",
            "tags": ["Llama"], "_timeline": {"date": "2024-05", "precision": "month"},
        },
        {
            "id": f"{BASE}2024/ete/", "url": f"{BASE}2024/ete/",
            "title": "Un été", "summary": "Il se passe des choses.",
            "content_html": "<p>Corps du texte.</p>", "date_published": "2024-06-01T00:00:00+00:00",
            "tags": [], "_timeline": {"date": "~2024-06/2024-08", "precision": "month"},
        },
    ]


def test_json_feed_follows_the_spec(inputs):
    feed = json.loads(json_feed(*inputs.args()))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and isinstance(feed["items"], list)
    for key in ("home_page_url", "feed_url"):
        assert feed[key].startswith("https://")
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item.get("content_html"), str)
        assert dt.datetime.fromisoformat(item["date_published"]).utcoffset() == dt.timedelta(0)  # RFC 3339, with an offset
        assert all(isinstance(tag, str) for tag in item["tags"])
        custom = [k for k in item if k.startswith("_")]
        assert custom == ["_timeline"] and custom[0][1].isalpha()  # extensions: "_" then a letter


def test_json_feed_matches_the_atom_feed_order(inputs):
    atom = feedparser.parse(build_feed(*inputs.args()[:3], lambda date: "", inputs.body))
    items = json.loads(json_feed(*inputs.args()))["items"]
    assert [entry.link for entry in atom.entries] == [item["url"] for item in items]


# --- CSV ----------------------------------------------------------------------------------------------

def test_csv_rows_equal_the_events(inputs):
    raw = events_csv(*inputs.args())
    assert raw.startswith(b"slug,date,precision,approximate,title,summary,tags,url,sources\r\n")
    assert raw.count(b"\r\n") == 7 and b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows == [
        {"slug": "programme", "date": "2023-11-01/2023-12-31", "precision": "day", "approximate": "false", "title": "Le programme",
         "summary": "Des start-up.", "tags": "Startups", "url": f"{BASE}2023/programme/", "sources": "Le Journal — Un article"},
        {"slug": "ai-alliance", "date": "2023-12-05", "precision": "day", "approximate": "false", "title": "Meta et IBM lancent l’AI Alliance",
         "summary": f"Une alliance pour l’IA ouverte{NBSP}: IBM, Meta et d’autres.", "tags": "IA ouverte; Alliances",
         "url": f"{BASE}2023/ai-alliance/", "sources": "Le Monde — L’AI Alliance; Les Echos — IBM et Meta s’allient"},
        {"slug": "vers", "date": "~2024-02", "precision": "month", "approximate": "true", "title": "Des rumeurs",
         "summary": "On en parle.", "tags": "Llama", "url": f"{BASE}2024/vers/", "sources": "Le Journal — Un article"},
        {"slug": "llama", "date": "2024-05", "precision": "month", "approximate": "false", "title": "Llama 3",
         "summary": "Le modèle sort.", "tags": "Llama", "url": f"{BASE}2024/llama/", "sources": "Le Journal — Un article"},
        {"slug": "ete", "date": "~2024-06/2024-08", "precision": "month", "approximate": "true", "title": "Un été",
         "summary": "Il se passe des choses.", "tags": "", "url": f"{BASE}2024/ete/", "sources": "Le Journal — Un article"},
        {"slug": "consortium", "date": "2025", "precision": "year", "approximate": "false", "title": "Le consortium Llama & <partenaires>",
         "summary": "Un consortium.", "tags": "Consortium", "url": f"{BASE}2025/consortium/", "sources": "Le Journal — Un article"},
    ]


def test_csv_quotes_what_needs_it(make_site):
    # A title in another language than the site's is not typeset: its straight quotes and commas reach the CSV as written.
    sources = "\n  - publisher: La Revue\n    title: 'The \"big\" day, at last'\n    date: 2024-01-10\n    lang: en"
    files = {"content/2024-01-10-virgule.md": event_text("Un titre, avec virgule", "Une ligne.", "2024-01-10", tags="[a, b]", sources=sources)}
    inputs = load_inputs(make_site(files))
    raw = events_csv(*inputs.args())
    assert raw.endswith(b',"La Revue \xe2\x80\x94 The ""big"" day, at last"\r\n')
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[1] == [
        "virgule", "2024-01-10", "day", "false", "Un titre, avec virgule", "Une ligne.", "a; b",
        f"{BASE}2024/virgule/", 'La Revue — The "big" day, at last',
    ]


# --- All of them --------------------------------------------------------------------------------------

EXPORTS = [timelinejs_json, ics, json_feed, events_csv]


@pytest.mark.parametrize("export", EXPORTS, ids=lambda f: f.__name__)
def test_exports_are_deterministic(make_site, export):
    root = make_site(FILES, site_yaml=SITE_YAML + "feed_limit: 4\n")
    first, second = load_inputs(root), load_inputs(root)
    assert export(*first.args()) == export(*first.args()) == export(*second.args())
    assert isinstance(export(*first.args()), bytes)


@pytest.mark.parametrize("export", EXPORTS, ids=lambda f: f.__name__)
def test_exports_do_not_depend_on_the_display_order(make_site, export):
    root = make_site(FILES, site_yaml=SITE_YAML + "feed_limit: 4\n")
    assert export(*load_inputs(root, newest_first=True).args()) == export(*load_inputs(root, newest_first=False).args())


def test_exports_of_an_empty_timeline(make_site):
    inputs = load_inputs(make_site({}))
    assert json.loads(timelinejs_json(*inputs.args()))["events"] == []
    assert icalendar.Calendar.from_ical(ics(*inputs.args())).walk("VEVENT") == []
    assert json.loads(json_feed(*inputs.args()))["items"] == []
    assert events_csv(*inputs.args()) == b"slug,date,precision,approximate,title,summary,tags,url,sources\r\n"


def test_drafts_are_not_exported(inputs):
    assert b"brouillon" not in events_csv(*inputs.args()).lower()
    assert b"brouillon" not in ics(*inputs.args()).lower()
    assert b"brouillon" not in json_feed(*inputs.args()).lower()
    assert b"brouillon" not in timelinejs_json(*inputs.args()).lower()
