"""Drawing pages in memory: the Jinja environment, each page's bytes, and template faults as problems."""

from __future__ import annotations

import functools
import hashlib
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.meta

from . import structured_data
from .axis import layout
from .config import SiteConfig
from .content import Event
from .dates import EventDate
from .exports import events_csv, ics, json_feed, timelinejs_json
from .feed import build_feed
from .i18n import OG_LOCALES, STRINGS, count_label, format_event_date, language_name
from .markup import resolve_references
from .model import Timeline, group_by_era, group_by_year
from .pages import Page
from .parallel import imap_in_workers
from .problems import Problem, decode_utf8, display_path

STATIC_DIR = "static"
TEMPLATE_EXTENSIONS = ("html", "xml", "txt")
EXPORT_MAKERS = {"feed.xml": build_feed, "feed.json": json_feed, "timeline.json": timelinejs_json, "timeline.ics": ics, "events.csv": events_csv}


@dataclass(frozen=True)
class Links:
    """Where each event and each file that a body links to lives, as site paths and as absolute addresses."""

    local: dict[str, str]
    absolute: dict[str, str]

    def urls_of(self, event: Event) -> tuple[str | None, ...]:
        """The address each of an event's links resolves to (what its body shows besides its file)."""
        return tuple(self.local.get(ref.target) for ref in event.references)


def media_name(target: str) -> str:
    """Where a file beside an entry goes in the output: content/images/carte.png → media/images/carte.png."""
    return "media/" + target.removeprefix("content/")


def find_links(timeline: Timeline, config: SiteConfig) -> Links:
    """The addresses of every event and file that a published body links to."""
    targets = {ref.target: ref.kind for event in timeline.events for ref in event.references}
    paths = {event.path: event.url_path for event in timeline.events if event.path in targets}
    paths |= {target: media_name(target) for target, kind in targets.items() if kind == "file"}
    return Links({k: config.base_path + v for k, v in paths.items()}, {k: config.base_url + v for k, v in paths.items()})


def make_environment(template_dirs: tuple[Path, ...], config: SiteConfig, compiled: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """A Jinja environment that escapes everything, fails on any undefined name, and knows our filters and globals."""
    env = jinja2.Environment(
        # The first folder holding a name wins. Absolute, so that a fault's frames name the file even under -C .
        loader=jinja2.FileSystemLoader([str(d.resolve()) for d in template_dirs]),
        bytecode_cache=compiled,
        auto_reload=False,  # made anew for every build: no need to stat each template again for every page
        autoescape=jinja2.select_autoescape(("html", "xml")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    lang = config.language
    env.filters.update(
        date_label=lambda date: format_event_date(date, lang),
        count_label=lambda n: count_label(n, lang),
        language_name=lambda code: language_name(code, lang),
        group_by_year=group_by_year,
        month_label=lambda point: format_event_date(EventDate(point), lang),
    )
    url, abs_url = (lambda path="": config.base_path + path), (lambda path="": config.base_url + path)
    env.globals.update(
        t=STRINGS[lang], lang=lang, og_locale=OG_LOCALES[lang], site=config, url=url, abs_url=abs_url,
        axis_layout=lambda tl, paged=False: layout(tl, config.eras, paged),
        group_by_era=lambda events: group_by_era(events, config.eras),
        has_context=lambda events: any(event.context for event in events),  # a Jinja filter chain took 4 ms a page at 10,000 events
        event_jsonld=lambda event: structured_data.news_article(event, config, abs_url),
        index_jsonld=lambda tl, paged=False: structured_data.item_list(tl, config, abs_url, paged),
    )
    return env


def is_template_name(name: str) -> bool:
    """Whether a file under templates/ is a template: not an asset, not hidden, not an editor's backup."""
    parts = name.split("/")
    return parts[0] != STATIC_DIR and not any(part.startswith(".") for part in parts) and name.rsplit(".", 1)[-1] in TEMPLATE_EXTENSIONS


def find_template(template_dirs: tuple[Path, ...], name: str) -> Path:
    """The file a template or asset name loads from: the first folder that holds it (else where the first would)."""
    return next((d / name for d in template_dirs if (d / name).is_file()), template_dirs[0] / name)


def check_templates(env: jinja2.Environment, template_dirs: tuple[Path, ...], root: Path) -> list[Problem]:
    """Compile every template up front, so all syntax and encoding errors are reported in one run."""
    problems = []
    for name in env.list_templates(filter_func=is_template_name):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(template_problem(exc, template_dirs, root, name))
        except UnicodeDecodeError:
            path = find_template(template_dirs, name)
            problems += decode_utf8(path.read_bytes(), display_path(path, root))[1]
    return problems


def template_sources(env: jinja2.Environment, template_dirs: tuple[Path, ...]) -> dict[str, bytes | None]:
    """The bytes of every file Jinja can load, as it loads it (None for one that cannot be read)."""
    return {name: _read(find_template(template_dirs, name)) for name in env.loader.list_templates()}


def template_digests(env: jinja2.Environment, sources: dict[str, bytes | None]) -> dict[str, str]:
    """For each template, a digest of its source and of every file it extends, includes or imports, and so on.

    Jinja's own analysis names what a template pulls in; one that names a file by a variable could use any
    file under templates/, so its digest covers them all.
    """
    uses: dict[str, frozenset[str] | None] = {}  # what each file pulls in, as Jinja parses it (an SVG can include too)
    digests = {}
    for name in filter(is_template_name, sources):
        seen, pending = set(), [name]
        while pending:
            current = pending.pop()
            if current in seen or current not in sources:
                seen.add(current)
                continue
            seen.add(current)
            if current not in uses:
                uses[current] = _referenced(env, current, sources[current])
            if uses[current] is None:
                seen = set(sources)
                break
            pending.extend(uses[current])
        parts = b"".join(n.encode() + b"\0" + (sources.get(n) or b"\1missing") + b"\0" for n in sorted(seen))
        digests[name] = hashlib.blake2b(parts, digest_size=16).hexdigest()
    return digests


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _referenced(env: jinja2.Environment, name: str, data: bytes | None) -> frozenset[str] | None:
    """The templates ``name`` pulls in, as the loader names them; None when one is named by a variable."""
    try:
        found = set(jinja2.meta.find_referenced_templates(env.parse((data or b"").decode("utf-8"), name)))
    except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
        return None  # reported by check_templates; its digest covers everything meanwhile
    if None in found:
        return None
    return frozenset("/".join(jinja2.loaders.split_template_path(n)) for n in found if _loadable(n))


def _loadable(name: str) -> bool:
    try:
        jinja2.loaders.split_template_path(name)
    except jinja2.TemplateNotFound:
        return False  # "../x": Jinja will not find it either
    return True


def _in_templates(filename: str, base: tuple[Path, ...]) -> bool:
    path = Path(filename)
    return path.is_absolute() and any(path.resolve().is_relative_to(folder) for folder in base)


def template_problem(exc: Exception, template_dirs: tuple[Path, ...], root: Path, template: str) -> Problem | None:
    """Locate a template's fault at ``templates/<name>:<line>``; None for a fault in Python code (a bug)."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return Problem(display_path(Path(exc.filename), root), exc.lineno, f"template syntax error: {exc.message}")
    base = tuple(folder.resolve() for folder in template_dirs)
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
        return Problem(display_path(template_dirs[0] / template, root), 1, f"template not found: {exc.message}")
    return None


@dataclass(frozen=True)
class Drawing:
    """What drawing a page needs besides the page: the environment, the timeline and where links lead."""

    env: jinja2.Environment
    timeline: Timeline
    config: SiteConfig
    links: Links
    template_dirs: tuple[Path, ...]
    root: Path
    menu: tuple[tuple[str, str], ...] = ()  # given to every HTML page (standalone.menu_of), so in every page's key

    def draw(self, page: Page) -> bytes:
        """The page's bytes (a template's fault raises)."""
        if page.template is None:
            body = lambda e: resolve_references(e.body_html, self.links.absolute)  # noqa: E731 - a one-line helper
            maker = EXPORT_MAKERS[page.path]
            args = (self.env.filters["date_label"],) if page.path == "feed.xml" else ()
            return maker(self.timeline, self.config, self.env.globals["abs_url"], *args, body)
        context = page.context
        if page.template == "event.html":
            context["body"] = resolve_references(context["event"].body_html, self.links.local)
        text = self.env.get_template(page.template).render(context, page_path=page.url_path, menu=self.menu)
        return (text.rstrip("\n") + "\n").encode("utf-8")

    def draw_or_report(self, page: Page) -> bytes | Problem:
        """The page's bytes, or its template's fault as a problem; a fault of our own code keeps its traceback."""
        try:
            return self.draw(page)
        except Exception as exc:
            problem = template_problem(exc, self.template_dirs, self.root, page.template or page.path)
            if problem is None:
                raise
            return problem


def draw_pages(drawing: Drawing, pages: list[Page]) -> Iterator[bytes | Problem]:
    """Each page's bytes or fault, in order, as they are drawn: over every core when there are many."""
    return imap_in_workers(drawing.draw_or_report, pages)


def static_sources(template_dirs: tuple[Path, ...]) -> dict[str, Path]:
    """The assets under each folder's ``static/``, by their place in the output: the site's own file of a name wins."""
    found: dict[str, Path] = {}
    for static in (folder / STATIC_DIR for folder in reversed(template_dirs)):
        if static.is_dir():
            found |= {f"{STATIC_DIR}/{p.relative_to(static).as_posix()}": p for p in static.rglob("*") if p.is_file() and not p.name.startswith(".")}
    return dict(sorted(found.items()))


def copy_sources(timeline: Timeline, template_dirs: tuple[Path, ...], root: Path) -> dict[str, Path]:
    """Files copied as they are: the assets, and the files beside entries that bodies show."""
    shown = sorted({ref.target for event in timeline.events for ref in event.references if ref.kind == "file"})
    return static_sources(template_dirs) | {media_name(target): root / target for target in shown}


def read_copies(sources: dict[str, Path], root: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """The bytes of each file to copy; an unreadable one is a problem."""
    files, problems = {}, []
    for name, path in sources.items():
        try:
            files[name] = path.read_bytes()
        except FileNotFoundError:
            continue  # a missing target was reported by check_references
        except OSError as exc:
            problems.append(Problem(display_path(path, root), 1, f"cannot read this file: {exc.strerror or exc}"))
    return files, problems

