"""Rendering every output file in memory: ``{relative path: bytes}``, no file written here."""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import operator
import os
import traceback
import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
import jinja2.loaders
import jinja2.meta
import jinja2.nodes
from markupsafe import Markup

from .config import SiteConfig
from .exports import events_csv, ics, json_feed, piece_keys, timelinejs_json
from .feed import build_feed, feed_entries
from .i18n import OG_LOCALES, STRINGS, count_label, format_event_date, language_name
from .content import Event, Tag
from .dates import EventDate
from .markup import resolve_references
from . import structured_data
from .axis import layout
from .model import TagGroup, Timeline, YearGroup, group_by_era, group_by_year, memoized
from .problems import Problem, decode_utf8, display_path
from .parallel import map_inherited, worker_count
from .write import IN_PLACE, InPlace, Staged

STATIC_DIR = "static"
TEMPLATE_EXTENSIONS = ("html", "xml", "txt")


@dataclass(frozen=True)
class Body:
    """An event page's body with its links resolved, read only when the page is rendered: most pages are kept."""

    event: Event
    urls: dict[str, str]  # project path → URL, for the links in the body

    def html(self) -> str:
        """The body's HTML, each link to another event or file given its URL."""
        return resolve_references(self.event.body_html, self.urls) if self.event.references else self.event.body_html

    def key(self) -> tuple:
        """Everything the HTML depends on besides the event's file (which its fingerprint covers)."""
        return tuple(self.urls.get(ref.target) for ref in self.event.references)


@dataclass(frozen=True)
class Page:
    """One file to render: where it goes, which template draws it, and what it is given."""

    path: str  # relative to the output root, e.g. "2023/ai-alliance/index.html"
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    body: Body | None = None  # given to the template as ``body``

    @property
    def url_path(self) -> str:
        """The page's address below the site root: '2023/ai-alliance/' for '2023/ai-alliance/index.html'."""
        return self.path.removesuffix("index.html")

    def render(self, env: jinja2.Environment) -> str:
        """The page's text, drawn by its template."""
        context = self.context if self.body is None else {**self.context, "body": self.body.html()}
        return env.get_template(self.template).render(context, page_path=self.url_path)

    @functools.cached_property
    def key(self) -> tuple:
        """``page_key(self)``, worked out once: a rebuild reuses an unchanged event's page (see list_pages)."""
        return page_key(self)

    @functools.cached_property
    def card_key(self) -> tuple:
        """``page_key(self, cards=True)``, worked out once."""
        return page_key(self, cards=True)

    def key_for(self, closure: TemplateClosure | None) -> tuple:
        """The page's key, when drawn by templates that ``closure`` describes."""
        return self.key if closure is None or closure.shows_bodies else self.card_key


class Deferred:
    """A file's bytes, made the first time they are asked for: the preview makes exports only when fetched."""

    def __init__(self, make: Callable[[], bytes]) -> None:
        self._make: Callable[[], bytes] | None = make
        self._data = b""

    def __call__(self) -> bytes:
        """The bytes, made now if they were not yet."""
        if self._make is not None:
            self._data, self._make = self._make(), None
        return self._data


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled by earlier builds, read from a folder; new ones wait in memory for ``save``.

    Jinja names each by template and file and checks it against the template's source before use. Nothing
    is written while building, so a failed build leaves the folder as it was.
    """

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder, self.salt = folder, salt  # salt: the generator's stamp, as how templates compile is its code
        self.pending: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill ``bucket`` from the folder, if a compiled copy is there."""
        try:
            with open(self.folder / f"{self.salt}-{bucket.key}.cache", "rb") as file:
                bucket.load_bytecode(file)
        except Exception:  # noqa: BLE001 - a missing or damaged copy only means compiling again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep a freshly compiled template until the build succeeds."""
        out = io.BytesIO()
        bucket.write_bytecode(out)
        self.pending[bucket.key] = out.getvalue()

    def save(self) -> None:
        """Write the templates compiled since the last save into the folder, each atomically."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for key, data in self.pending.items():
            staging = self.folder / f"{self.salt}-{key}.{os.getpid()}.tmp"
            staging.write_bytes(data)
            os.replace(staging, self.folder / f"{self.salt}-{key}.cache")
        self.pending.clear()
        for old in self.folder.glob("*.cache"):
            if not old.name.startswith(f"{self.salt}-"):
                old.unlink(missing_ok=True)  # compiled by other generator code


def make_environment(templates_dir: Path, lang: str, compiled: CompiledTemplates | None = None) -> jinja2.Environment:
    """A Jinja environment that escapes everything, fails on any undefined name, and knows our filters.

    With ``compiled``, a template compiled by an earlier build is not compiled again.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        bytecode_cache=compiled,
        # A changed template means a new environment (see site._environment): no need to stat each one per page.
        auto_reload=False,
        autoescape=jinja2.select_autoescape(("html", "xml")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        date_label=lambda date: format_event_date(date, lang),
        count_label=lambda n: count_label(n, lang),
        language_name=lambda code: language_name(code, lang),
        group_by_year=group_by_year,
        month_label=lambda point: format_event_date(EventDate(point), lang),
    )
    env.globals.update(t=STRINGS[lang], lang=lang, og_locale=OG_LOCALES[lang])
    return env


def _text_key(value: str) -> str | bytes:
    # A page's body can be long: the persistent cache keeps its digest, not a second copy of it.
    return value if len(value) <= 200 else hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).digest()


_fingerprint = operator.attrgetter("fingerprint")
_card = operator.attrgetter("card_fingerprint")


def _key_table(fingerprint: Callable[[Event], str]) -> dict[type, Callable[[Any], Any]]:
    """Key makers by exact type (a page key is computed for every page of every build: this must be quick)."""

    def prints(events: tuple[Event, ...]) -> tuple[str, ...]:
        return tuple(map(fingerprint, events))

    return {
        str: _text_key,
        type(None): lambda value: None,
        bool: lambda value: ("bool", value),  # not the key of 1 or 0, which show otherwise
        int: lambda value: value,
        Event: fingerprint,
        Tag: lambda tag: (tag.name, tag.slug),
        Timeline: lambda timeline: prints(timeline.events),
        TagGroup: lambda group: (group.tag.name, group.tag.slug, prints(group.events)),
        YearGroup: lambda group: (group.year, prints(group.events), group.anchor),
    }


# The second for a page whose templates cannot show a body: an event counts by its front matter alone.
_KEYS, _CARD_KEYS = _key_table(_fingerprint), _key_table(_card)


def dependency_key(value: Any, cards: bool = False) -> Any:
    """A cheap, comparable stand-in for everything a page can show of a context value.

    With ``cards``, for templates that name nothing of BODY_NAMES: what an event's front matter says.
    """
    if (make := (_CARD_KEYS if cards else _KEYS).get(type(value))) is not None:
        return make(value)
    if isinstance(value, (list, tuple)):
        if all(type(v) is str for v in value):
            return _text_key(repr(value))  # the sitemap's thousands of URLs: one digest
        key = tuple(dependency_key(v, cards) for v in value)
        return key if type(value) is tuple else (type(value).__name__, key)  # a list shows as [...], not (...)
    raise TypeError(f"no dependency key for {type(value).__name__}")


def page_key(page: Page, cards: bool = False) -> tuple:
    """Everything a page's bytes depend on, besides its templates and site.yaml (see ``render_site``).

    ``cards``: the page's templates cannot show an event's body (see ``template_closures``), so an edited
    body leaves the key as it was; every other field of an event comes from its front matter.
    """
    # The context's order is fixed by list_pages, so no sorting is needed for a stable key.
    if page.template == "event.html" and page.body is not None and page.context.keys() == _EVENT_CONTEXT:
        # The site's most numerous pages, spelled out: the generic walk costs a large rebuild a tenth of a second.
        context = page.context
        previous, following = context["previous"], context["next"]
        neighbour = _card if cards else _fingerprint
        return (page.template, context["event"].fingerprint, page.body.key(), previous and neighbour(previous), following and neighbour(following), context["paged"])
    body = () if page.body is None else (("body", page.body.event.fingerprint, page.body.key()),)
    return (page.template, tuple((name, dependency_key(value, cards)) for name, value in page.context.items()), *body)


_EVENT_CONTEXT = {"event": None, "previous": None, "next": None, "paged": None}.keys()


def list_pages(timeline: Timeline, urls: dict[str, str], index_limit: int, memo: dict | None = None) -> list[Page]:
    """Every templated page of the site, in a fixed order; a page sees only what its context gives it.

    ``urls`` maps project paths to URLs, to resolve the links in event bodies. Above ``index_limit`` events the
    index links to one page per year instead of listing every event. With a ``memo`` kept between builds, a
    page is the same object as last time (its key known) when what it is given is (see model.build_timeline).
    """
    memo = {} if memo is None else memo
    known_pages, made_pages = memo.get("pages", {}), {}

    def page(path: str, template: str, context: dict[str, Any]) -> Page:
        hit = known_pages.get(path)
        if hit is None or hit.template != template or hit.context.keys() != context.keys() or not all(map(_same, hit.context.values(), context.values())):
            hit = Page(path, template, context)
        made_pages[path] = hit
        return hit

    paged = len(timeline.events) > index_limit
    pages = [page("index.html", "index.html", {"timeline": timeline, "paged": paged}), page("tags/index.html", "tags.html", {"timeline": timeline}), page("404.html", "404.html", {})]
    if paged:
        years = tuple(group.year for group in timeline.years)
        years = memoized(memo, "years", years, lambda: years)  # equal to last time: last time's object
        for group in timeline.years:
            pages.append(page(f"{group.year:04d}/index.html", "year.html", {"group": group, "years": years}))
    known = memo.get("event pages", {})
    made = {}
    for previous, event, following in timeline.with_neighbours():
        hit = known.get(event.path)
        # A body linking to other events shows their URLs, which any build may move: made afresh.
        if hit is None or hit[0] is not event or hit[1] is not previous or hit[2] is not following or hit[3] != paged or event.references:
            context = {"event": event, "previous": previous, "next": following, "paged": paged}
            hit = (event, previous, following, paged, Page(f"{event.url_path}index.html", "event.html", context, Body(event, urls)))
        made[event.path] = hit
        pages.append(hit[4])
    memo["event pages"] = made
    known_tags, made_tags = memo.get("large tags", {}), {}
    for group in timeline.tags:
        tag, total = group.tag, len(group.events)
        if total <= index_limit:
            pages.append(page(f"{tag.url_path}index.html", "tag.html", {"tag": tag, "total": total, "events": group.events}))
            continue
        # A large tag gets a page per year, like the index: an edit then redraws one small page, not thousands of entries.
        hit = known_tags.get(tag.slug)
        if hit is None or hit[0] is not group.events:
            by_year = group_by_year(group.events)
            counts, years = tuple((g.year, len(g.events)) for g in by_year), tuple(g.year for g in by_year)
            # Equal to last time: last time's objects, so the pages given them are known unchanged.
            hit = (group.events, by_year, hit[2] if hit and hit[2] == counts else counts, hit[3] if hit and hit[3] == years else years)
        made_tags[tag.slug] = hit
        _, by_year, counts, years = hit
        pages.append(page(f"{tag.url_path}index.html", "tag.html", {"tag": tag, "total": total, "years": counts}))
        for year_group in by_year:
            pages.append(page(f"{tag.url_path}{year_group.year:04d}/index.html", "tag_year.html", {"tag": tag, "group": year_group, "years": years}))
    memo["pages"], memo["large tags"] = made_pages, made_tags
    return pages


def _same(before: Any, now: Any) -> bool:
    # The same object, or an equal number or text: comparing anything larger would cost what a page key costs.
    return before is now or (type(now) in (int, str, bool) and type(before) is type(now) and before == now)


def _in_templates(filename: str, base: Path) -> bool:
    path = Path(filename)
    return path.is_absolute() and path.resolve().is_relative_to(base)


def template_problem(exc: Exception, templates_dir: Path, root: Path, template: str) -> Problem | None:
    """Locate a template's fault at ``templates/<name>:<line>``; None for a fault in Python code (a bug)."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return Problem(display_path(Path(exc.filename), root), exc.lineno, f"template syntax error: {exc.message}")
    base = templates_dir.resolve()
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, RecursionError):
        template_frames = [f for f in frames if _in_templates(f.filename, base)]
        if template_frames:
            innermost = template_frames[-1]
            return Problem(display_path(Path(innermost.filename), root), innermost.lineno or 1, "templates include or extend each other endlessly")
    # Jinja's own errors (undefined names, missing templates) are the template's; any other exception
    # is the template's only when template code itself raised it, not a filter or our Python code.
    if not isinstance(exc, jinja2.TemplateError) and not (frames and _in_templates(frames[-1].filename, base)):
        return None
    for frame in reversed(frames):
        if _in_templates(frame.filename, base):
            detail = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else f"{type(exc).__name__}: {exc}"
            return Problem(display_path(Path(frame.filename), root), frame.lineno or 1, detail)
    if isinstance(exc, jinja2.TemplateNotFound):
        return Problem(display_path(templates_dir / template, root), 1, f"template not found: {exc.message}")
    return None


def is_template_name(name: str) -> bool:
    """Whether a file under templates/ is a template: not an asset, not hidden, not an editor's backup."""
    parts = name.split("/")
    return (
        parts[0] != STATIC_DIR
        and not any(part.startswith(".") for part in parts)
        and name.rsplit(".", 1)[-1] in TEMPLATE_EXTENSIONS
    )


def check_templates(env: jinja2.Environment, templates_dir: Path, root: Path) -> list[Problem]:
    """Compile every template up front, so all syntax and encoding errors are reported in one run."""
    problems = []
    for name in env.list_templates(filter_func=is_template_name):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(template_problem(exc, templates_dir, root, name))
        except UnicodeDecodeError:
            path = templates_dir / name
            problems += decode_utf8(path.read_bytes(), display_path(path, root))[1]
    return problems


# What a template must name to show anything that comes of an event's body rather than its front matter (an
# event's repr leaves them out, so "{{ event }}" shows none of them).
BODY_NAMES = (b"body_html", b"references", b"fingerprint", b"__dict__", b"_body_utf8")


class TemplateClosure(NamedTuple):
    """What a page's key says of its templates: the template and every file it pulls in."""

    digest: str  # of their sources: any edit changes it
    shows_bodies: bool  # whether any of them names one of BODY_NAMES, the only ways to what a body holds


def template_closures(env: jinja2.Environment, templates_dir: Path, known: dict | None = None) -> dict[str, TemplateClosure]:
    """For each template, a digest of its source and of every file it extends, includes or imports, and so on.

    A page's key holds its template's digest, so an edited template re-renders only the pages that use it.
    Event pages are given their body as ``body``; any other page can reach what a body holds only by naming it
    (``event.body_html``, ``attribute="references"``…, see BODY_NAMES): a page whose templates name none of
    those is kept when only a body changed.
    Names are read as Jinja's loader reads them ("./_entry.html" is "_entry.html"), any included file is
    followed (an SVG including another), and a template naming one by a variable could use any file under
    templates/: its digest covers them all. ``known`` keeps each source's parsed references between builds.
    """
    known = {} if known is None else known
    sources: dict[str, bytes | None] = {}
    used_digests: set[str] = set()

    def source(name: str) -> bytes | None:
        if name not in sources:
            try:
                sources[name] = (templates_dir / name).read_bytes()
            except OSError:
                sources[name] = None
        return sources[name]

    def digest(name: str) -> str:
        data = source(name)
        return "missing" if data is None else hashlib.blake2b(data, digest_size=16).hexdigest()

    def references(name: str) -> frozenset[str] | None:
        data = source(name)
        if data is None:
            return frozenset()
        key = digest(name)
        used_digests.add(key)
        if key not in known:
            try:
                ast = env.parse(data.decode("utf-8"), name)
                found = set(jinja2.meta.find_referenced_templates(ast)) | cached_includes(ast)
                known[key] = None if None in found else frozenset(_loader_name(n) for n in found)
            except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
                known[key] = None  # cannot tell what it uses: count everything
        return known[key]

    def closure(name: str) -> set[str]:
        seen, pending = set(), [name]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            used = references(current)
            if used is None:
                return seen | set(env.loader.list_templates())
            pending.extend(used)
        return seen

    closures = {}
    for name in env.list_templates(filter_func=is_template_name):
        names = sorted(closure(name))
        parts = "".join(f"{n}\0{digest(n)}\0" for n in names)
        shows_bodies = any(body_name in (source(n) or b"") for n in names for body_name in BODY_NAMES)
        closures[name] = TemplateClosure(hashlib.blake2b(parts.encode(), digest_size=16).hexdigest(), shows_bodies)
    for stale in known.keys() - used_digests:
        del known[stale]
    return closures


def cached_includes(ast: jinja2.nodes.Template) -> set[str | None]:
    """The templates a template's ``include_cached(...)`` calls name; None for one named by anything but text."""
    found: set[str | None] = set()
    for call in ast.find_all(jinja2.nodes.Call):
        if isinstance(call.node, jinja2.nodes.Name) and call.node.name == "include_cached":
            first = call.args[0] if call.args else None
            found.add(first.value if isinstance(first, jinja2.nodes.Const) and isinstance(first.value, str) else None)
    return found


class IncludeCache:
    """What ``include_cached`` drew, by template and by what it was given, kept between builds.

    It belongs to one Jinja environment, made anew whenever a template or site.yaml changes, and its keys hold
    the included template's closure digest (a file it includes can change under the same environment), so an
    entry holds while what it was drawn with does. It starts afresh once it holds twice what the most one build
    asked for (old versions of edited events pile up otherwise).
    """

    def __init__(self) -> None:
        self.drawn: dict[tuple, Markup] = {}
        self.asked: set[tuple] = set()  # this build's keys
        self.most = 0

    def next_build(self) -> None:
        """Start counting a new build's keys; forget everything if the cache has grown too large."""
        self.most = max(self.most, len(self.asked))
        self.asked = set()
        if len(self.drawn) > 2 * self.most + 1000:
            self.drawn.clear()


_INCLUDE_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def include_cached(env: jinja2.Environment, closures: dict[str, TemplateClosure]) -> Callable[..., Markup]:
    """The templates' ``include_cached(name, **given)``: ``name`` drawn with the site's globals and ``given`` only.

    As Hugo's partialCached: an event's entry, shown on its year page and on each of its tags' pages, is drawn
    once, and again only when what it is given changes (events count by their front matter, as for a page
    key). A template that can show a body, or a value without a key, is drawn every time.
    """
    cache = _INCLUDE_CACHES.setdefault(env, IncludeCache())
    cache.next_build()

    def include(name: str, **given: Any) -> Markup:
        closure = closures.get(_loader_name(name))
        try:
            # The template's closure digest: an asset it includes (an SVG under static/) can change under the
            # same environment, and with it what the template draws.
            key = None if closure is None or closure.shows_bodies else (name, closure.digest, tuple((k, dependency_key(v, cards=True)) for k, v in sorted(given.items())))
        except TypeError:
            key = None  # nothing to key it by: drawn every time
        if key is None:
            return Markup(env.get_template(name).render(given))
        cache.asked.add(key)
        if (drawn := cache.drawn.get(key)) is None:
            drawn = cache.drawn[key] = Markup(env.get_template(name).render(given))
        return drawn

    return include


def _loader_name(name: str) -> str:
    try:
        return "/".join(jinja2.loaders.split_template_path(name))
    except jinja2.TemplateNotFound:
        return name  # "../x": Jinja will not find it either


def copy_files(sources: dict[str, Path], root: Path, cache: dict | None = None) -> tuple[dict[str, bytes], list[Problem]]:
    """Read files to copy as they are (output name → source); with a cache, unchanged ones are not read again."""
    cache = {} if cache is None else cache
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for name, path in sources.items():
        try:
            stat = path.stat()
            key = (stat.st_mtime_ns, stat.st_size, stat.st_ino, stat.st_ctime_ns)  # ctime: utime cannot set it back
            if path not in cache or cache[path][0] != key:
                cache[path] = (key, path.read_bytes())
        except FileNotFoundError:
            continue
        except OSError as exc:
            problems.append(Problem(display_path(path, root), 1, f"cannot read this file: {exc.strerror or exc}"))
            continue
        files[name] = cache[path][1]
    for gone in cache.keys() - set(sources.values()):
        del cache[gone]
    return files, problems


def static_sources(templates_dir: Path) -> dict[str, Path]:
    """The assets under ``templates/static/``, by their place in the output."""
    static = templates_dir / STATIC_DIR
    if not static.is_dir():
        return {}
    return {f"{STATIC_DIR}/{p.relative_to(static).as_posix()}": p for p in sorted(static.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def media_name(target: str) -> str:
    """Where a file beside an entry goes in the output: content/images/carte.png → media/images/carte.png."""
    return "media/" + target.removeprefix("content/")


@dataclass(frozen=True)
class Rendered:
    """Every output file in memory, the template problems found, and how many pages were rendered afresh."""

    files: dict[str, bytes | InPlace | Staged]
    problems: list[Problem]
    rendered: int
    exported: int = 0  # feeds and exports made afresh
    staged: dict[str, Any] = field(default_factory=dict)  # output path → key of each page a worker staged


def _page_bytes(text: str) -> bytes:
    return (text.rstrip("\n") + "\n").encode("utf-8")


_BATCHES = itertools.count()


def render_many(
    env: jinja2.Environment, pages: list[Page], stage: Callable[[], Path] | None = None, meanwhile: Callable[[], Any] | None = None,
) -> list[bytes | Staged | None]:
    """Each page's bytes, across the machine's cores when there are many; None for a page left to the caller.

    With ``stage`` (the staging folder of the output, see write.StagingArea), each worker writes the pages it
    renders there itself: writing ten thousand files then runs on every core, alongside rendering, and no
    page's bytes travel back through a pipe. ``meanwhile`` runs in this process while workers render, if any do.
    """
    if worker_count(len(pages)) == 1:
        return [None] * len(pages)  # rendered one by one by the caller, which reports faults as they come
    folder = stage() if stage is not None else None
    batch = next(_BATCHES)  # a build renders pages in more than one batch: each names its files apart

    def render(page: Page) -> bytes | Staged | None:
        try:
            data = _page_bytes(page.render(env))
        except Exception:  # noqa: BLE001 - the caller renders it again, to report it as it would alone
            return None
        if folder is None:
            return data
        # Laid out as in the output, under the batch's folder: a folder the output lacks then moves in whole.
        path = os.path.join(folder, f"batch-{batch}", page.path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as file:
            file.write(data)
        return Staged(path, len(data), os.path.join(folder, f"batch-{batch}"))

    # The rarer a page's template, the heavier the page (a year lists hundreds of events, an event page shows
    # one): those go first, and the many light ones fill in after them, so the cores finish together.
    share = Counter(page.template for page in pages)
    order = sorted(range(len(pages)), key=lambda index: share[pages[index].template])
    made: list[bytes | Staged | None] = [None] * len(pages)
    for index, result in zip(order, map_inherited(render, [pages[index] for index in order], meanwhile)):
        made[index] = result
    return made


def render_site(
    env: jinja2.Environment, timeline: Timeline, config: SiteConfig, templates_dir: Path, root: Path,
    cache: dict | None = None, static_cache: dict | None = None, in_place: Callable[[str], bool] | None = None,
    fragments: dict | Callable[[], dict] | None = None, template_digests: dict[str, TemplateClosure] | None = None, defer_exports: bool = False,
    memo: dict | None = None, stage: Callable[[], Path] | None = None, keyed: bool = True,
) -> Rendered:
    """Render pages, feed, sitemap and extras in memory; template errors become problems.

    ``cache`` maps an output path to (page key, bytes) from an earlier render with the same config: a page
    whose key (with its templates' digest, see ``template_closures``) is unchanged is not rendered again. Bytes may be None (a cache read from disk
    keeps none): the page is then ``IN_PLACE`` if ``in_place`` says the output file is still the one written.
    With ``defer_exports``, feeds and exports are ``Deferred``: made when first fetched (the preview server).
    ``memo`` keeps pages and the axis between builds (see list_pages and axis.layout). ``fragments`` keeps the
    exports' per-event pieces (see exports.event_pieces), or is a function giving them when they are needed.
    ``stage`` gives the output's staging folder, where worker processes may write the pages they render.
    Without ``keyed`` (a cache that no later build will see, as with ``--no-cache``), pages get no keys.
    """
    cache = {} if cache is None else cache
    in_place = in_place or (lambda name: False)
    digests = template_digests if template_digests is not None else template_closures(env, templates_dir)

    def cached(name: str, key: Any) -> bytes | InPlace | None:
        hit = cache.get(name)
        if hit is None or hit[0] != key:
            return None
        return hit[1] if hit[1] is not None else IN_PLACE if in_place(name) else None

    def url(path: str = "") -> str:
        return config.base_path + path

    def abs_url(path: str = "") -> str:
        return config.base_url + path

    env.globals.update(site=config, url=url, abs_url=abs_url, axis_layout=lambda tl, paged=False: layout(tl, config.eras, paged, memo), group_by_era=lambda events: group_by_era(events, config.eras))
    env.globals.update(include_cached=include_cached(env, digests))
    env.globals.update(event_jsonld=lambda event: structured_data.news_article(event, config, abs_url), index_jsonld=lambda tl, paged=False: structured_data.item_list(tl, config, abs_url, paged))
    # Where each event and each file that a body links to lives, to resolve the links.
    references = [ref for event in timeline.events if event.references for ref in event.references]
    files_shown = {ref.target for ref in references if ref.kind == "file"}
    targets = {ref.target for ref in references}
    paths = {event.path: event.url_path for event in timeline.events if event.path in targets} if targets else {}
    paths |= {target: media_name(target) for target in files_shown}
    local_urls, absolute_urls = {k: url(v) for k, v in paths.items()}, {k: abs_url(v) for k, v in paths.items()}
    problems: list[Problem] = []
    seen: set[Problem] = set()
    files: dict[str, bytes] = {}
    staged: dict[str, Any] = {}
    rendered = 0

    def render_pages(pages: list[Page], meanwhile: Callable[[], Any] | None = None) -> None:
        nonlocal rendered
        if keyed:
            keys = [((closure := digests.get(page.template)), page.key_for(closure)) for page in pages]
            kept = [cached(page.path, key) for page, key in zip(pages, keys)]
        else:
            keys = kept = [None] * len(pages)
        todo = [page for page, hit in zip(pages, kept) if hit is None]
        made = iter(render_many(env, todo, stage, meanwhile))
        for page, key, hit in zip(pages, keys, kept):
            if hit is not None:
                files[page.path] = hit
                continue
            if (data := next(made)) is not None:
                files[page.path] = data
                if isinstance(data, Staged):
                    # Its key is kept only once the page is written: a build that fails before leaves the old file.
                    cache.pop(page.path, None)
                    staged[page.path] = key
                else:
                    cache[page.path] = (key, data)
                rendered += 1
                continue
            try:  # again in this process, which reports a template's fault or keeps a bug's traceback
                text = page.render(env)
            except Exception as exc:
                problem = template_problem(exc, templates_dir, root, page.template)
                if problem is None:
                    raise  # not the template's fault: a bug, keep its traceback
                # One broken line breaks every page that uses it: report it once, naming the first page.
                if problem not in seen:
                    seen.add(problem)
                    problems.append(replace(problem, message=f"{problem.message} (first seen rendering {page.path})"))
                continue
            files[page.path] = _page_bytes(text)
            cache[page.path] = (key, files[page.path])
            rendered += 1

    body = lambda e: resolve_references(e.body_html, absolute_urls)  # noqa: E731 - a one-line helper
    keys = functools.cache(lambda: piece_keys(timeline.chronological, config, abs_url))  # shared by the three below
    pieces = fragments if callable(fragments) else lambda: fragments
    entries = functools.cache(lambda: feed_entries(timeline, config))
    exports = {
        "feed.xml": lambda: build_feed(timeline, config, abs_url, env.filters["date_label"], body, entries()),
        "feed.json": lambda: json_feed(timeline, config, abs_url, body, entries()),
        "timeline.json": lambda: timelinejs_json(timeline, config, abs_url, body, pieces(), keys()),
        "timeline.ics": lambda: ics(timeline, config, abs_url, body, pieces(), keys()),
        "events.csv": lambda: events_csv(timeline, config, abs_url, body, pieces(), keys()),
    }
    exported: dict[str, bytes | Deferred] = {}
    made_afresh = 0
    exports_made = False

    def make_exports() -> None:
        nonlocal made_afresh, exports_made
        exports_made = True
        if defer_exports:
            # Made when fetched, if ever: no need to work out whether they changed.
            exported.update((name, Deferred(make)) for name, make in exports.items())
            return
        # Exports show every event's front matter: they are made again only when one changed (its pieces' keys
        # say so). Feeds show the latest additions, bodies and their links included: made again only when one
        # of those changed.
        data_key = ("data", tuple(keys()))
        feed_key = ("feed", tuple((e.fingerprint, tuple(absolute_urls.get(ref.target) for ref in e.references)) for e in entries()))
        for name, make in exports.items():
            key = feed_key if name.startswith("feed.") else data_key
            if (kept := cached(name, key)) is None:
                cache[name] = (key, kept := make())
                made_afresh += 1
            exported[name] = kept

    # When workers render the pages, this process makes the exports meanwhile instead of after them.
    render_pages(list_pages(timeline, local_urls, config.index_limit, memo), meanwhile=make_exports)
    # The sitemap lists the pages just rendered, so it comes after them.
    sitemap_urls = [abs_url(p.removesuffix("index.html")) for p in files if p.endswith(".html") and p != "404.html"]
    render_pages([Page("sitemap.xml", "sitemap.xml", {"urls": sitemap_urls}), Page("robots.txt", "robots.txt")])
    if problems:
        return Rendered({}, problems, rendered)
    if not exports_made:
        make_exports()
    files.update(exported)
    files[".nojekyll"] = b""
    if config.domain:
        files["CNAME"] = f"{config.domain}\n".encode()
    static, unreadable = copy_files(static_sources(templates_dir) | {media_name(t): root / t for t in sorted(files_shown)}, root, static_cache)
    files.update(static)
    for stale in cache.keys() - files.keys():
        del cache[stale]
    return Rendered({} if unreadable else files, unreadable, rendered, made_afresh, staged)
