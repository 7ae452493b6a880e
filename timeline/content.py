"""Reading events: ``content/**/*.md`` files with YAML front matter and a Markdown body."""

from __future__ import annotations

import copyreg
import datetime as dt
import functools
import hashlib
import os
import pickle
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from slugify import slugify

from .dates import DateError, EventDate, parse_event_date, parse_timestamp
from .markup import Reference
from .parallel import map_inherited
from .problems import Problem, control_character_problems, decode_utf8, display_path
from .yamlfields import MappingReader, as_mapping, compose

EVENT_KEYS = ("title", "summary", "date", "end", "tags", "sources", "draft", "slug", "added", "context")
SOURCE_KEYS = ("publisher", "title", "date", "lang", "url", "note")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A date prefix is stripped only when a name follows it: "2023-12-05.md" keeps its whole stem.
_DATE_PREFIX = re.compile(r"^[0-9]{4}(?:-[0-9]{2}){0,2}-(?![0-9]{2}(?:-|$))")
MAX_SLUG = 80
# Written by `new` and `import` where the editor still has work to do; a published entry must not keep them.
PLACEHOLDER_MARK = "À compléter"
REWRITE_MARK = "À réécrire"
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
    body_html: str = field(repr=False)  # what comes of the body is left out of repr: see render.BODY_NAMES
    slug_line: int
    fingerprint: str = field(repr=False)  # a hash of the file's path and bytes: equal fingerprints, equal events
    key_lines: tuple[tuple[str, int], ...] = ()  # front-matter key → line, for later checks
    references: tuple[Reference, ...] = field(default=(), repr=False)  # links in the body to events and files beside it
    context: bool = False  # a background entry, shown lighter than the main story
    fields_fingerprint: str = ""  # a hash of the path and front matter only: what the exports show of it

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

    @functools.cached_property
    def shape(self) -> tuple:
        """Everything the timeline's order and groups and the checks across events read of it: not its text.

        Equal shapes, same place: a rebuild after an edit that keeps every shape reuses the last plan (see model.py).
        """
        return (self.sort_key, self.draft, self.tags, self.path, self.date, self.slug_line, self.key_lines)

    @functools.cached_property  # asked for by every page and export piece that shows the event
    def card_fingerprint(self) -> str:
        """What its front matter says, hashed (an event made without that hash, in tests, has its file's)."""
        return self.fields_fingerprint or self.fingerprint

    @property
    def anchor(self) -> str:
        """The id of the event's entry on the index: ``2023-ai-alliance``."""
        return f"{self.date.year:04d}-{self.slug}"

    def __reduce_ex__(self, protocol: int):
        # A rebuild loads ten thousand bodies from the cache and shows one or two: they travel as UTF-8 bytes,
        # made text again only when read (__getattr__). With protocol 5 they may travel out of band, and then
        # load as views of the cache file's bytes, never copied (see cache.py).
        state = self.__dict__
        if "body_html" in state or _BODY_BYTES in state:
            state = dict(state)
            body = state.pop(_BODY_BYTES) if _BODY_BYTES in state else state.pop("body_html").encode("utf-8", "surrogatepass")
            state[_BODY_BYTES] = pickle.PickleBuffer(body) if protocol >= 5 else bytes(body)
        return copyreg.__newobj__, (type(self),), state

    def __getattr__(self, name: str):
        # Only called for an attribute not set: the body of an event loaded from the cache, on its first reading.
        if name == "body_html" and _BODY_BYTES in self.__dict__:
            text = self.__dict__["body_html"] = str(self.__dict__.pop(_BODY_BYTES), "utf-8", "surrogatepass")
            return text
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


_BODY_BYTES = "_body_utf8"


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
            # Interned: outlets and languages repeat over thousands of events (see _tag).
            sources.append(Source(sys.intern(publisher), title, date, sys.intern(lang), url, item.text("note")))
    return sources


def _read_tags(fields: MappingReader) -> list[Tag]:
    tags: dict[str, Tag] = {}
    for name, line in fields.text_list("tags"):
        slug = make_slug(name)
        if not slug:
            fields.problems.append(Problem(fields.path, line, f"tag {name!r} has no letters or digits to make a page address from"))
        elif slug in tags:
            fields.problems.append(Problem(fields.path, line, f"tag {name!r} is listed twice (as {tags[slug].name!r})", warning=True))
        else:
            tags[slug] = _tag(name, slug)
    return list(tags.values())


# A dozen tags over thousands of events: one object each, which the build cache then stores once per file.
_tag = functools.lru_cache(maxsize=4096)(Tag)


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


def parse_event(data: bytes, path: Path, shown: str, render: Callable[..., tuple[str, tuple[Reference, ...]]]) -> tuple[Event | None, list[Problem]]:
    """Validate one event file's bytes; return the event (None on any error) and every problem found."""
    problems: list[Problem] = []
    text, problems = decode_utf8(data, shown)
    problems = problems or control_character_problems(text or "", shown)
    if text is None or problems:
        return None, problems
    try:
        yaml_text, body, body_line = split_front_matter(text)
    except FrontMatterError as exc:
        return None, [Problem(shown, exc.line, str(exc))]
    root = as_mapping(compose(yaml_text, shown, 2, problems), shown, 2, problems, "front matter")
    if root is None:
        if not problems:
            problems.append(Problem(shown, 1, "the front matter is empty; it needs at least title, summary and date"))
        return None, problems
    fields = MappingReader(root, shown, 2, problems)
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
        return None, problems
    assert title and summary and date and slug
    slug_line = fields.key_line("slug") if "slug" in fields.entries else 1
    fingerprint = hashlib.blake2b(shown.encode() + b"\0" + data, digest_size=16).hexdigest()
    fields_fingerprint = hashlib.blake2b(shown.encode() + b"\0" + yaml_text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    key_lines = tuple((key, fields.key_line(key)) for key in fields.entries)
    html, references = render(body, shown, body_line)
    title, summary = render.typography(title), render.typography(summary)
    event = Event(shown, slug, title, summary, date, tuple(tags), tuple(sources), draft, added, html, slug_line, fingerprint, key_lines, references, fields.boolean("context"), fields_fingerprint)
    return event, problems + content_problems(event, body, body_line)


def content_problems(event: Event, body: str, body_line: int) -> list[Problem]:
    """What a valid file may still get wrong: no source (an error once published), an empty body."""
    problems = []
    if not event.sources:
        where = event.line_of("sources") if "sources" in dict(event.key_lines) else 1
        problems.append(Problem(event.path, where, "no source: list the article(s) this entry rests on under 'sources:'", warning=event.draft))
    if not event.draft and (PLACEHOLDER_MARK in event.summary or PLACEHOLDER_MARK in body or REWRITE_MARK in body or any(PLACEHOLDER_MARK in s.publisher or PLACEHOLDER_MARK in s.title for s in event.sources)):
        problems.append(Problem(event.path, 1, f"still holds the placeholders of 'new' or 'import' ({PLACEHOLDER_MARK!r} or {REWRITE_MARK!r}): complete it or keep 'draft: true'"))
    if not body.strip():
        problems.append(Problem(event.path, body_line, "the body is empty: write the entry below the front matter", warning=True))
    return problems


def future_dates(events: list[Event], today: dt.date) -> list[Problem]:
    """A warning for each event dated after ``today``; checked on every build, as it depends on the day, not the file."""
    return [
        Problem(event.path, event.line_of("date"), f"the date {event.date.iso()} is in the future", warning=True)
        for event in events if event.date.start.first_day() > today
    ]


def _read_and_parse(path: str, root: Path, cached_digest: str | None, render) -> tuple:
    """One file whose stamp changed, read: ("same",) when its bytes are as cached, else parsed.

    ("parsed", digest, shown, event, problems), or ("gone",) or ("unreadable", reason) when it cannot be read.
    """
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        return ("gone",)
    except OSError as exc:
        return ("unreadable", exc.strerror or str(exc))
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    if digest == cached_digest:
        return ("same",)
    shown = display_path(Path(path), root)
    return ("parsed", digest, shown, *parse_event(data, Path(path), shown, render))


def find_event_files(content_dir: Path) -> list[Path]:
    """Every ``.md`` file below ``content_dir``, skipping hidden and editor files, in a stable order."""
    return [Path(p) for p in _event_file_names(str(content_dir))]


def _event_file_names(content_dir: str) -> list[str]:
    # os.scandir, not Path.rglob: a large timeline has thousands of files, and this runs on every rebuild.
    found, folders = [], [content_dir]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if not is_event_name(entry.name):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.name.endswith(".md") and entry.is_file():
                    found.append(entry.path)
    return sorted(found, key=lambda p: p.split(os.sep))


def is_event_name(name: str) -> bool:
    """Whether a file or folder of that name below content/ is read for events: hidden and '_' ones are not."""
    return not name.startswith((".", "_"))


def watched_listing(content_dir: Path, listing: list[str], changed: set[str]) -> list[str]:
    """The last build's event files, updated with the changes a watcher named (files created or deleted)."""
    found = set(listing)
    for path in changed:
        if os.path.isfile(path):
            relative = os.path.relpath(path, content_dir).split(os.sep)
            if path.endswith(".md") and relative[0] != ".." and all(map(is_event_name, relative)):
                found.add(path)
        else:
            found.discard(path)
    return sorted(found, key=lambda p: p.split(os.sep)) if len(found) != len(listing) or not found.issuperset(listing) else listing


@dataclass(frozen=True)
class ReadResult:
    """The valid events, every problem found, and the files actually read this time."""

    events: list[Event]
    problems: list[Problem]
    read: list[str]
    cache_updates: int = 0  # cache entries refreshed (file touched, same bytes) or dropped (file gone), no parse


def _stat_key(path: str) -> tuple[int, int, int, int]:
    stat = os.stat(path)
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino, stat.st_ctime_ns)


def read_events(
    content_dir: Path, root: Path, render: Callable[..., tuple[str, tuple[Reference, ...]]], cache: dict | None = None,
    force: frozenset[Path] = frozenset(), listing: list[str] | None = None,
) -> ReadResult:
    """Read and validate every event file, collecting all problems.

    With a ``cache`` (path string → previous result), a file is parsed again only when its bytes changed: a
    file whose size, mtime and inode are unchanged is not even read, unless it is in ``force`` (the watcher saw
    it change, which a coarse mtime might hide); a file read again with the same content hash is not re-parsed.
    ``listing`` holds the files found by the last build, which this one updates. When it is not empty, a
    watcher saw every file created or deleted since then and named it in ``force``: the folders are not walked
    again (see ``watched_listing``), though every file is still stat'ed, in case an edit went unseen (a file
    behind a link, events the system dropped).
    """
    if not content_dir.is_dir():
        return ReadResult([], [Problem(display_path(content_dir, root), 1, "content folder not found; create it and add events (see README)")], [])
    cache = {} if cache is None else cache
    events: list[Event] = []
    problems: list[Problem] = []
    forced = {str(path) for path in force}
    # Plain strings, not Paths, until a file needs parsing: most files of a rebuild are only stat'ed.
    paths = watched_listing(content_dir, listing, forced) if listing else _event_file_names(str(content_dir))
    if listing is not None:
        listing[:] = paths
    changed: list[tuple[str, tuple, str | None]] = []
    refreshed = 0
    vanished: set[str] = set()
    read: list[str] = []

    def gone(path: str) -> None:
        cache.pop(path, None)  # deleted while we were reading, or unseen by a watcher: gone from the listing
        vanished.add(path)

    def unreadable(path: str, reason: str) -> None:
        cache.pop(path, None)
        problems.append(Problem(display_path(Path(path), root), 1, f"cannot read this file: {reason}"))

    # First see which files changed by their stamps; then read those, and parse the ones whose bytes changed,
    # on every core when there are many (forked workers inherit the renderer: only results travel back).
    for path in paths:
        cached = cache.get(path)
        try:
            key = _stat_key(path)
        except FileNotFoundError:
            gone(path)
            continue
        except OSError as exc:
            unreadable(path, exc.strerror or str(exc))
            continue
        if cached is None or cached[0] != key or path in forced:
            changed.append((path, key, None if cached is None else cached[1]))
    looked = map_inherited(lambda job: _read_and_parse(job[0], root, job[2], render), changed)
    for (path, key, _), result in zip(changed, looked):
        if result[0] == "same":
            cache[path] = (key, *cache[path][1:])  # touched but not changed: nothing to parse
            refreshed += 1
        elif result[0] == "parsed":
            cache[path] = (key, result[1], *result[3:])
            read.append(result[2])
        elif result[0] == "gone":
            gone(path)
        else:
            unreadable(path, result[1])
    if vanished and listing is not None:
        listing[:] = [path for path in listing if path not in vanished]
    for path in paths:
        if path in cache:
            _, _, event, found = cache[path]
            problems.extend(found)
            if event is not None:
                events.append(event)
    gone = cache.keys() - set(paths)
    for path in gone:
        del cache[path]
    return ReadResult(events, problems, read, refreshed + len(gone))
