"""``site.yaml``: the site's settings, validated at load with every problem reported at once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from slugify import slugify

from .dates import DateError, PartialDate, parse_point
from .i18n import LANGUAGES
from .problems import Problem, decode_utf8, without_control_characters
from .typography import for_language
from .yamlfields import MappingReader, as_mapping, compose

SORT_ORDERS = ("oldest-first", "newest-first")
KNOWN_KEYS = ("title", "description", "base_url", "language", "author", "sort", "domain", "feed_limit", "tags", "eras", "index_limit")
DEFAULT_INDEX_LIMIT = 300
ERA_KEYS = ("name", "start", "end", "colour")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_ERA_COLOURS = ("#dbe7f7", "#f7e3cf", "#e3f1de", "#efdcf2", "#f6f0c8")


@dataclass(frozen=True)
class Era:
    """A named period of the story: a band on the axis and a section of the list."""

    name: str
    start: PartialDate
    end: PartialDate | None
    colour: str

    @property
    def slug(self) -> str:
        """The era's anchor on the index."""
        return "era-" + slugify(self.name, replacements=[["’", "-"], ["'", "-"]])

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls within the era (an open era runs on for ever)."""
        return self.start.first_day() <= day and (self.end is None or day <= self.end.last_day())
DEFAULT_FEED_LIMIT = 50
# A base URL's host: a name (letters, digits, hyphens; in punycode for other scripts) or an IP address.
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?|[0-9a-f:.]+")
_UNSAFE = re.compile(r'[\s"<>\\^`{|}\x00-\x1f\x7f]')
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


@dataclass(frozen=True)
class SiteConfig:
    """Settings read from ``site.yaml``; see README's reference for each key."""

    title: str
    description: str
    base_url: str  # absolute, always ends with "/"
    language: str = "fr"
    author: str = ""
    sort: str = "oldest-first"
    domain: str | None = None
    feed_limit: int = DEFAULT_FEED_LIMIT
    tags: tuple[str, ...] | None = None  # when declared, the only tags events may use, first the one that colours an event
    eras: tuple[Era, ...] = ()
    index_limit: int = DEFAULT_INDEX_LIMIT  # above this many events, the index links to one page per year
    tag_labels: tuple[tuple[str, str], ...] = ()  # (name, label) for each declared tag whose label differs from its name

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: '/' at a domain root, '/repo/' on a project page."""
        return urlsplit(self.base_url).path or "/"

    @property
    def newest_first(self) -> bool:
        """Whether the index lists the latest event first."""
        return self.sort == "newest-first"


def base_url_problem(value: str) -> str | None:
    """Why ``value`` cannot be the address every link is built from, or None when it can."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "must be an absolute http(s) URL such as https://user.github.io/repo/"
    if _UNSAFE.search(value.strip()):
        return "must not hold spaces, quotes, angle brackets or control characters (write %20 for a space)"
    if "?" in value or "#" in value:
        return "must not hold a query or a fragment ('?' or '#'): it would end up inside every link"
    if "@" in parts.netloc:
        return "must not hold a user name or password: they would be copied into every link"
    try:
        parts.port
    except ValueError:
        return "has a port that is not a number from 0 to 65535"
    if not _HOST.fullmatch(parts.hostname or ""):
        return "has a host that is not a name or an address"
    # Browsers read %2e as '.', so /%2e%2e/ climbs out of the site's folder just as /../ does.
    if "//" in parts.path or any(unquote(segment) in (".", "..") for segment in parts.path.split("/")):
        return "must not hold an empty, '.' or '..' path segment: links such as //static/ would lead to another host"
    return None


def _without_password(value: str) -> str:
    """``value`` with any password in it masked, so an error message never repeats it."""
    parts = urlsplit(value.strip())
    if parts.password is None:
        return value
    return value.replace(f":{parts.password}@", ":***@", 1)


def normalise_base_url(value: str) -> str:
    """A valid base URL (see ``base_url_problem``) with its trailing slash."""
    return value.strip() if value.strip().endswith("/") else value.strip() + "/"


def _whole_number(fields: MappingReader, key: str, default: int) -> int:
    raw = fields.text(key)
    if raw is None:
        return default
    if raw.isascii() and raw.isdigit() and int(raw) > 0:
        return int(raw)
    fields.error(fields.entries[key][1], f"'{key}' must be a whole number above 0, got {raw!r}")
    return default


def _read_tags(fields: MappingReader, typeset: Callable[[str], str]) -> tuple[tuple[str, ...] | None, tuple[tuple[str, str], ...]]:
    """The declared tags in their rank order (None when undeclared), and the labels that differ from their names."""
    declared = fields.labelled_list("tags")
    tags = tuple(name for name, _, _ in declared) if "tags" in fields.entries else None
    return tags, tuple((name, typeset(label)) for name, label, _ in declared if label != name)


def _read_eras(fields: MappingReader, typeset: Callable[[str], str]) -> tuple[Era, ...]:
    eras = []
    for index, item in enumerate(fields.mapping_list("eras")):
        item.warn_unknown(ERA_KEYS)
        name, start_text, end_text = item.text("name", required=True), item.text("start", required=True), item.text("end")
        colour = item.text("colour") or DEFAULT_ERA_COLOURS[index % len(DEFAULT_ERA_COLOURS)]
        if not _COLOUR.fullmatch(colour):
            item.error(item.entries["colour"][1], f"'{item.what}colour' must be a colour like #dbe7f7, got {colour!r}")
            continue
        try:
            start = parse_point(start_text) if start_text else None
            end = parse_point(end_text) if end_text else None
        except DateError as exc:
            item.error(item.node, f"{item.what.rstrip('.')}: {exc}")
            continue
        if start is None or not name:
            continue
        if end is not None and end.last_day() < start.first_day():
            item.error(item.entries["end"][1], f"'{item.what}end' {end.iso()} is before its start {start.iso()}")
            continue
        eras.append(Era(typeset(name), start, end, colour))
    eras.sort(key=lambda era: era.start.first_day())
    for earlier, later in zip(eras, eras[1:]):
        if earlier.end is None or earlier.end.last_day() >= later.start.first_day():
            fields.error(fields.entries["eras"][0], f"eras {earlier.name!r} and {later.name!r} overlap; an event goes to the first of them", warning=True)
    return tuple(eras)


def _read_base_url(fields: MappingReader, override: str | None) -> str | None:
    """site.yaml's base_url, or the ``--base-url`` that overrides it; None (and a problem) when not an http(s) URL."""
    raw_url = fields.text("base_url", required=True)
    url = None
    if raw_url is not None:
        if reason := base_url_problem(raw_url):
            fields.error(fields.entries["base_url"][1], f"'base_url' {reason}, got {_without_password(raw_url)!r}")
        else:
            url = normalise_base_url(raw_url)
    if override is not None:
        url = None
        if reason := base_url_problem(override):
            fields.problems.append(Problem("--base-url", 0, f"{reason}, got {_without_password(override)!r}"))
        else:
            url = normalise_base_url(override)
    return url


def load_config(path: Path, shown_path: str, base_url: str | None = None) -> tuple[SiteConfig | None, list[Problem]]:
    """Read and validate ``site.yaml``; ``base_url`` overrides the file's (CLI ``--base-url``)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(shown_path, 1, "site configuration not found; run this in a site's folder, give -C DIR, or start a site with chronologie init DIR")]
    except OSError as exc:
        return None, [Problem(shown_path, 1, f"cannot read this file: {exc.strerror or exc}")]
    text, problems = decode_utf8(data, shown_path)
    if text is None:
        return None, problems
    text, problems = without_control_characters(text, shown_path)
    root = as_mapping(compose(text, shown_path, 1, problems), shown_path, 1, problems, "site.yaml")
    if root is None:
        if not problems:
            problems.append(Problem(shown_path, 1, "site.yaml is empty; it needs at least title, description and base_url"))
        return None, problems
    fields = MappingReader(root, shown_path, 1, problems)
    fields.warn_unknown(KNOWN_KEYS)

    title = fields.text("title", required=True)
    description = fields.text("description", required=True)
    url = _read_base_url(fields, base_url)
    language = fields.text("language") or "fr"
    if language not in LANGUAGES:
        fields.error(fields.entries["language"][1], f"'language' must be one of {', '.join(LANGUAGES)}, got {language!r}")
    sort = fields.text("sort") or "oldest-first"
    if sort not in SORT_ORDERS:
        fields.error(fields.entries["sort"][1], f"'sort' must be one of {', '.join(SORT_ORDERS)}, got {sort!r}")
    domain = fields.text("domain")
    if domain is not None and not _DOMAIN.fullmatch(domain.lower()):
        fields.error(fields.entries["domain"][1], f"'domain' must be a bare host name such as timeline.example.org (no scheme, no path), got {domain!r}")
    author = fields.text("author") or ""
    feed_limit = _whole_number(fields, "feed_limit", DEFAULT_FEED_LIMIT)
    index_limit = _whole_number(fields, "index_limit", DEFAULT_INDEX_LIMIT)
    typeset = for_language(language)
    tags, labels = _read_tags(fields, typeset)
    eras = _read_eras(fields, typeset)
    if title and description:
        title, description = typeset(title), typeset(description)

    if any(not p.warning for p in problems) or None in (title, description, url):
        return None, problems
    assert title is not None and description is not None and url is not None
    config = SiteConfig(title, description, url, language, author, sort, domain.lower() if domain else None, feed_limit, tags, eras, index_limit, labels)
    if config.domain and urlsplit(config.base_url).hostname != config.domain:
        fields.error(fields.entries["domain"][0], f"'domain' {config.domain} differs from the host of base_url ({config.base_url}); links will point to the wrong host", warning=True)
    return config, problems
