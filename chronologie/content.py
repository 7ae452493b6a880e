"""Reading events: ``content/**/*.md`` files with YAML front matter and a Markdown body."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from slugify import slugify
from yaml.nodes import SequenceNode

from .dates import DateError, EventDate, parse_event_date, parse_timestamp
from .markup import MarkdownRenderer, Reference
from .foreign import foreign_syntax
from .problems import Problem, decode_utf8, display_path, without_control_characters
from .yamlfields import MappingReader, as_mapping, compose

EVENT_KEYS = ("title", "summary", "date", "end", "tags", "sources", "draft", "slug", "added", "context")
SOURCE_KEYS = ("publisher", "title", "date", "lang", "url", "note")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A date prefix is stripped only when a name follows it: "2023-12-05.md" keeps its whole stem.
_DATE_PREFIX = re.compile(r"^[0-9]{4}(?:-[0-9]{2}){0,2}-(?![0-9]{2}(?:-|$))")
MAX_SLUG = 80
# Written by `new` and `import` where the editor still has work to do, in the site's language (see
# authoring.WORDS); a published entry must not keep them.
PLACEHOLDER_MARKS = {"fr": "À compléter", "en": "To be completed"}
REWRITE_MARKS = {"fr": "À réécrire", "en": "To be rewritten"}
_LANG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_FENCES = ("---", "...")


@dataclass(frozen=True)
class Source:
    """An article an event is based on: its outlet, title, publication date and language."""

    publisher: str
    title: str
    date: EventDate
    lang: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Tag:
    """A tag as written, with the slug its page lives at."""

    name: str
    slug: str

    @property
    def url_path(self) -> str:
        """The tag page's path below the site root: ``tags/llama/``."""
        return f"tags/{self.slug}/"


@dataclass(frozen=True)
class Event:
    """One timeline entry, validated and with its body already rendered to HTML."""

    path: str  # as shown in messages, relative to the project
    slug: str
    title: str
    summary: str
    date: EventDate
    tags: tuple[Tag, ...]
    sources: tuple[Source, ...]
    draft: bool
    added: dt.datetime | None
    body_html: str = field(repr=False)
    slug_line: int
    fingerprint: str = field(repr=False)  # a hash of the file's path and bytes: equal fingerprints, equal events
    key_lines: tuple[tuple[str, int], ...] = ()  # front-matter key → line, for later checks
    references: tuple[Reference, ...] = field(default=(), repr=False)  # links in the body to events and files beside it
    context: bool = False  # a background entry, shown lighter than the main story

    def line_of(self, key: str) -> int:
        """The line of a front-matter key, or 1."""
        return dict(self.key_lines).get(key, 1)

    @functools.cached_property  # asked for tens of thousands of times by a large build
    def url_path(self) -> str:
        """The event page's path below the site root: ``2023/ai-alliance/``."""
        return f"{self.date.year:04d}/{self.slug}/"

    @functools.cached_property
    def sort_key(self) -> tuple:
        """Start day, then coarser precision first, then slug: a total order, so output never depends on file order."""
        return (*self.date.sort_key(), self.slug)

    @property
    def anchor(self) -> str:
        """The id of the event's entry on the index: ``2023-ai-alliance``."""
        return f"{self.date.year:04d}-{self.slug}"


class FrontMatterError(ValueError):
    """The file is not laid out as front matter then body."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Split a file into (YAML text, Markdown body, line number where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError(1, "no front matter: the file must start with a line '---', then YAML, then '---'. Did you forget the opening '---'?")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _FENCES:
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise FrontMatterError(1, "the front matter opened on line 1 is never closed: add a line '---' after the YAML")


def default_slug(path: Path) -> str:
    """The slug from a file name, without its date prefix: ``2023-12-05-ai-alliance.md`` → ``ai-alliance``."""
    stem = _DATE_PREFIX.sub("", path.stem) or path.stem
    return make_slug(stem) or make_slug(path.stem) or "event"


@functools.lru_cache(maxsize=4096)  # tags repeat across thousands of events
def make_slug(text: str) -> str:
    """A readable ASCII slug: 'Société générale : l’IA' → 'societe-generale-l-ia', at most MAX_SLUG characters."""
    # An apostrophe separates words in French (l’IA, d’entreprises); long names are cut at a word boundary.
    return slugify(text, max_length=MAX_SLUG, word_boundary=True, replacements=[["’", "-"], ["'", "-"], ["ʼ", "-"]])


def _read_date(fields: MappingReader, key: str, end_key: str | None = None) -> EventDate | None:
    raw = fields.text(key, required=True)
    end = fields.text(end_key) if end_key else None
    if raw is None:
        return None
    try:
        return parse_event_date(raw, end)
    except DateError as exc:
        where = key
        if end_key and end is not None and _parses(raw):
            where = end_key  # the start alone is fine, so the fault lies in 'end:'
        fields.problems.append(Problem(fields.path, fields.key_line(where), f"{fields.what}{where}: {exc}"))
        return None


def _parses(raw: str) -> bool:
    try:
        parse_event_date(raw)
    except DateError:
        return False
    return True


def _read_sources(fields: MappingReader) -> list[Source]:
    sources = []
    for item in fields.mapping_list("sources"):
        item.warn_unknown(SOURCE_KEYS)
        publisher, title = item.text("publisher", required=True), item.text("title", required=True)
        date = _read_date(item, "date")
        lang, url = item.text("lang", required=True), item.text("url")
        if lang is not None and not _LANG.fullmatch(lang):
            item.error(item.entries["lang"][1], f"'{item.what}lang' must be a language code such as fr or en, got {lang!r}")
            lang = None
        if url is not None and not re.match(r"https?://[^\s/]+", url):
            item.error(item.entries["url"][1], f"'{item.what}url' must be an absolute http(s) address, got {url!r}")
            url = None
        if publisher and title and date and lang:
            sources.append(Source(publisher, title, date, lang, url, item.text("note")))
    return sources


def _typeset(source: Source, render: MarkdownRenderer) -> Source:
    """The site's typography on what the site writes of a source; a title in another language keeps its own."""
    title = render.typography(source.title) if source.lang.split("-")[0] == render.lang else source.title
    return replace(source, publisher=render.typography(source.publisher), title=title, note=source.note and render.typography(source.note))


def _read_tags(fields: MappingReader) -> list[Tag]:
    tags: dict[str, Tag] = {}
    for name, line in fields.text_list("tags"):
        slug = make_slug(name)
        if not slug:
            fields.problems.append(Problem(fields.path, line, f"tag {name!r} has no letters or digits to make a page address from"))
        elif slug in tags:
            fields.problems.append(Problem(fields.path, line, f"tag {name!r} is listed twice (as {tags[slug].name!r})", warning=True))
        else:
            tags[slug] = Tag(name, slug)
    return list(tags.values())


def _read_slug(fields: MappingReader, path: Path) -> str | None:
    slug = fields.text("slug")
    if slug is None:
        return default_slug(path)
    if not _SLUG.fullmatch(slug) or len(slug) > MAX_SLUG:
        suggestion = make_slug(slug)
        hint = f"; try {suggestion!r}" if suggestion else ""
        fields.error(fields.entries["slug"][1], f"slug {slug!r} must be at most {MAX_SLUG} lowercase letters, digits and single hyphens{hint}")
        return None
    return slug


@dataclass(frozen=True)
class MarkdownFile:
    """A file's front matter, ready to read field by field, and its Markdown body with the line it starts on."""

    fields: MappingReader
    body: str
    body_line: int


def read_markdown_file(data: bytes, shown: str, needs: str, problems: list[Problem]) -> MarkdownFile | None:
    """Decode and split a file's bytes (None, with ``problems`` saying why, when it has no usable front matter)."""
    text, found = decode_utf8(data, shown)
    problems += found
    if text is None:
        return None
    text, found = without_control_characters(text, shown)
    problems += found
    try:
        yaml_text, body, body_line = split_front_matter(text)
    except FrontMatterError as exc:
        problems.append(Problem(shown, exc.line, str(exc)))
        return None
    before = len(problems)
    root = as_mapping(compose(yaml_text, shown, 2, problems), shown, 2, problems, "front matter")
    if root is None:
        if len(problems) == before:
            problems.append(Problem(shown, 1, f"the front matter is empty; it needs at least {needs}"))
        return None
    return MarkdownFile(MappingReader(root, shown, 2, problems), body, body_line)


def parse_event(data: bytes, path: Path, shown: str, render: Callable[..., tuple[str, tuple[Reference, ...]]]) -> tuple[Event | None, list[Problem]]:
    """Validate one event file's bytes; return the event (None on any error) and every problem found."""
    event, problems, _ = _parse_event(data, path, shown, render)
    return event, problems


def _parse_event(data: bytes, path: Path, shown: str, render: Callable[..., tuple[str, tuple[Reference, ...]]]) -> tuple[Event | None, list[Problem], tuple[Reference, ...]]:
    """``parse_event``, and the links of a body whose front matter is wrong (its event is None, its links still count)."""
    problems: list[Problem] = []
    file = read_markdown_file(data, shown, "title, summary and date", problems)
    if file is None:
        return None, problems, ()
    fields, body, body_line = file.fields, file.body, file.body_line
    fields.warn_unknown(EVENT_KEYS)
    title = fields.text("title", required=True)
    summary = fields.text("summary", required=True)
    date = _read_date(fields, "date", "end")
    added = None
    if (raw_added := fields.text("added")) is not None:
        try:
            added = parse_timestamp(raw_added)
        except DateError as exc:
            fields.error(fields.entries["added"][1], f"added: {exc}")
    tags, sources = _read_tags(fields), _read_sources(fields)
    draft, slug = fields.boolean("draft"), _read_slug(fields, path)
    if any(not p.warning for p in problems):
        # The body is read all the same: its links, its syntax and a missing source are reported in this run too.
        html, references = render(body, shown, body_line)
        if not _lists_sources(fields):
            problems.append(_no_source(shown, fields.key_line("sources") if "sources" in fields.entries else 1, draft))
        return None, problems + body_problems(shown, body, body_line, html), references
    assert title and summary and date and slug
    slug_line = fields.key_line("slug") if "slug" in fields.entries else 1
    fingerprint = hashlib.blake2b(shown.encode() + b"\0" + data, digest_size=16).hexdigest()
    key_lines = tuple((key, fields.key_line(key)) for key in fields.entries)
    html, references = render(body, shown, body_line)
    title, summary = render.typography(title), render.typography(summary)
    sources = [_typeset(source, render) for source in sources]
    event = Event(shown, slug, title, summary, date, tuple(tags), tuple(sources), draft, added, html, slug_line, fingerprint, key_lines, references, fields.boolean("context"))
    return event, problems + content_problems(event, body, body_line), ()


def _no_source(shown: str, line: int, draft: bool) -> Problem:
    """The problem of a file that lists no source: an error once published, a warning for a draft."""
    return Problem(shown, line, "no source: list the article(s) this entry rests on under 'sources:'", warning=draft)


def _lists_sources(fields: MappingReader) -> bool:
    """Whether the front matter lists any source, valid or not (one with problems of its own is not read)."""
    written = fields.entries.get("sources")
    return written is not None and isinstance(written[1], SequenceNode) and bool(written[1].value)


def content_problems(event: Event, body: str, body_line: int) -> list[Problem]:
    """What a valid file may still get wrong: no source (an error once published), an empty body."""
    problems = []
    if not event.sources:
        problems.append(_no_source(event.path, event.line_of("sources") if "sources" in dict(event.key_lines) else 1, event.draft))
    if not event.draft and (mark := _placeholder_left(event, body)):
        problems.append(Problem(event.path, 1, f"still holds a placeholder of 'new' or 'import' ({mark!r}): complete it or keep 'draft: true'"))
    if not event.draft and event.added is None:
        message = "no 'added:' date: the feeds would date this entry by its event, so an old event added today would land at the bottom for subscribers; add 'added: YYYY-MM-DD', the day it was added"
        problems.append(Problem(event.path, event.line_of("date"), message, warning=True))
    return problems + body_problems(event.path, body, body_line, event.body_html)


def body_problems(path: str, body: str, body_line: int, body_html: str) -> list[Problem]:
    """What a body alone may get wrong: nothing written, or other tools' syntax shown as typed."""
    empty = [Problem(path, body_line, "the body is empty: write the entry below the front matter", warning=True)] if not body.strip() else []
    return empty + foreign_syntax(body, body_line, body_html, path)


def _placeholder_left(event: Event, body: str) -> str | None:
    """The mark of ``new`` or ``import`` still in the entry, in either language, as those commands write it.

    Exactly as written, so that an entry may say "To be completed by 2027": the summary opening with the mark and a
    colon, a source's publisher or title that is the mark alone, the body's reminder in bold.
    """
    for lang, mark in PLACEHOLDER_MARKS.items():
        if re.match(rf"{re.escape(mark)}\s*:", event.summary) or any(mark in (s.publisher, s.title) for s in event.sources):
            return mark
        if f"**{REWRITE_MARKS[lang]}.**" in body:
            return REWRITE_MARKS[lang]
    return None


def future_dates(events: list[Event], today: dt.date) -> list[Problem]:
    """A warning for each event dated after ``today``; checked on every build, as it depends on the day, not the file."""
    return [
        Problem(event.path, event.line_of("date"), f"the date {event.date.iso()} is in the future", warning=True)
        for event in events if event.date.start.first_day() > today
    ]


@dataclass(frozen=True)
class ParsedFile:
    """What one event file gave: the hash of its bytes, its event (None when invalid) and its problems."""

    digest: str
    event: Event | None
    problems: tuple[Problem, ...]
    references: tuple[Reference, ...] = ()  # an invalid file's links, checked against the other files on every build


def file_digest(data: bytes) -> str:
    """The hash that tells whether a file's bytes changed."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse_event_file(path: str, root: Path, render: Callable[..., tuple[str, tuple[Reference, ...]]], data: bytes | None = None) -> ParsedFile:
    """Read (unless ``data`` is given) and validate one event file; an unreadable file is a problem."""
    shown = display_path(Path(path), root)
    if data is None:
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError as exc:
            return ParsedFile("", None, (Problem(shown, 1, f"cannot read this file: {exc.strerror or exc}"),))
    event, problems, references = _parse_event(data, Path(path), shown, render)
    return ParsedFile(file_digest(data), event, tuple(problems), references)


def find_event_files(content_dir: Path, skipped: list[str] | None = None) -> list[str]:
    """Every ``.md`` file below ``content_dir``, skipping hidden and '_' files and folders, in a stable order.

    Folders reached through a link are not walked (``content/root -> /`` would walk the whole disk), and an entry
    that is neither a file nor a folder (a dangling link, a loop of links, a FIFO, a device) is not read: each of
    those is added to ``skipped``, for a warning.
    """
    # os.scandir, not Path.rglob: a large timeline has thousands of files, and this runs on every rebuild.
    found, folders = [], [str(content_dir)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if not is_event_name(entry.name):
                    continue
                kind = _entry_kind(entry)
                if kind == "folder":
                    folders.append(entry.path)
                elif kind == "file" and entry.name.endswith(".md"):
                    found.append(entry.path)
                elif skipped is not None and (kind == "odd" and entry.name.endswith(".md") or kind == "linked folder"):
                    skipped.append(entry.path)
    return sorted(found, key=lambda p: p.split(os.sep))


def _entry_kind(entry: os.DirEntry) -> str:
    """'folder', 'linked folder', 'file' (a link to one included), or 'odd' (anything else, or unreadable)."""
    try:
        if entry.is_dir(follow_symlinks=False):
            return "folder"
        if entry.is_file():
            return "file"
        return "linked folder" if entry.is_symlink() and entry.is_dir() else "odd"
    except OSError:
        return "odd"  # a loop of links, or a target that cannot be read


def skipped_problems(skipped: list[str], root: Path) -> list[Problem]:
    """A warning for each entry below content/ the build does not read."""
    problems = []
    for path in sorted(skipped):
        what = "a link to a folder: folders reached through links are not read" if os.path.isdir(path) else "not a readable file (a dangling link, a loop of links, a FIFO or a device): it is not read"
        problems.append(Problem(display_path(Path(path), root), 1, what, warning=True))
    return problems


def is_event_name(name: str) -> bool:
    """Whether a file or folder of that name below content/ is read for events: hidden and '_' ones are not."""
    return not name.startswith((".", "_"))


@dataclass(frozen=True)
class ReadResult:
    """The valid events of a folder and every problem found in its files."""

    events: list[Event]
    problems: list[Problem]
    broken: dict[str, tuple[Reference, ...]] = field(default_factory=dict)  # the links of invalid files, by file


def collect(parsed: list[ParsedFile]) -> ReadResult:
    """The valid events among parsed files, all their problems, and the links of the invalid ones."""
    events = [p.event for p in parsed if p.event is not None]
    broken = {p.problems[0].path: p.references for p in parsed if p.event is None and p.references}
    return ReadResult(events, [problem for p in parsed for problem in p.problems], broken)


def read_events(content_dir: Path, root: Path, render: Callable[..., tuple[str, tuple[Reference, ...]]]) -> ReadResult:
    """Read and validate every event file below ``content_dir``, one by one, collecting all problems."""
    return collect([parse_event_file(path, root, render) for path in find_event_files(content_dir)])
