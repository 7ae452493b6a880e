"""The build recipe: config → templates → events → timeline → pages → render → write."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .cache import BuildCache, InOutput, config_digest, page_keys
from .config import SiteConfig, load_config
from .content import Event, collect, find_event_files, future_dates, parse_event_file, skipped_problems
from .dates import PRECISIONS
from .interrupts import interrupts_held
from .markup import MarkdownRenderer
from .model import build_timeline, check_declared_tags, check_references, find_duplicate_slugs, rank_tags
from .pages import Page, list_pages, sitemap_page
from .parallel import map_in_workers
from .problems import BuildFailed, Problem, display_path
from .project import Project
from .render import (
    Drawing, check_templates, copy_sources, draw_pages, find_links, make_environment, read_copies, template_digests, template_sources,
)
from .standalone import menu_of, read_standalone_pages
from .write import InMemory, OutputSwitch, WriteReport

# What templates are checked with while site.yaml is broken: its own problems are reported meanwhile.
_STAND_IN = SiteConfig(title="", description="", base_url="https://example.org/")


@dataclass(frozen=True)
class BuildOptions:
    """How to build: where to, for which address, with drafts or not, and whether warnings are fatal."""

    output: Path | None = None  # output/ in the project when None
    base_url: str | None = None  # overrides site.yaml's
    drafts: bool = False
    strict: bool = False
    write: bool = True  # False: nothing is written, the files are only returned (check, the preview)
    exports_when_fetched: bool = False  # the preview: feeds and exports are drawn only when asked for (see Later)


@dataclass(frozen=True)
class BuildReport:
    """What a finished build did: its files, and the figures for the summary line."""

    output: str | None  # None when nothing was written (the preview server)
    base_url: str
    files: dict[str, bytes | InOutput]  # once written: the file the output holds
    written: WriteReport | None
    read: tuple[str, ...]  # content files parsed (the others came from the cache)
    rendered: int  # pages drawn (the others came from the cache)
    events: int
    by_precision: dict[str, int]
    drafts_skipped: int
    seconds: float
    warnings: tuple[Problem, ...]

    @property
    def pages(self) -> int:
        """How many HTML pages the site has."""
        return sum(1 for name in self.files if name.endswith(".html"))

    def summary(self) -> str:
        """'Built 16 pages (22 files, 2 changed) in output/: 5 events (2 day, 3 month), 0 drafts skipped, in 0.09 s'."""
        precision = ", ".join(f"{n} {p}" for p in PRECISIONS if (n := self.by_precision.get(p)))
        events = f"{self.events} event{'s' if self.events != 1 else ''}" + (f" ({precision})" if precision else "")
        drafts = f"{self.drafts_skipped} draft{'s' if self.drafts_skipped != 1 else ''} skipped"
        files = f"{len(self.files)} files"
        if self.written is not None:
            files += f", {self.written.written} changed" + (f", {self.written.removed} removed" if self.written.removed else "")
        return f"Built {self.pages} pages ({files}) in {self.output}/: {events}, {drafts}, in {self.seconds:.2f} s"


@dataclass
class _Tally:
    """What this build did afresh, for the report."""

    read: list[str] = field(default_factory=list)
    rendered: int = 0


def build_site(project: Project, options: BuildOptions = BuildOptions(), cache: BuildCache | None = None) -> BuildReport:
    """Build the whole site; raise BuildFailed with every problem, leaving the old output as it was."""
    started, tally = time.perf_counter(), _Tally()
    cache = BuildCache(keep_bytes=not options.write) if cache is None else cache
    output = options.output or project.default_output
    config, problems = load_config(project.config_file, display_path(project.config_file, project.root), options.base_url)
    switch = OutputSwitch(output) if options.write else None
    try:
        if switch is not None:
            problems += switch.check(output, project.root, [project.content_dir, project.templates_dir])
        env = make_environment(project.template_dirs, config or _STAND_IN, cache.template_code())
        template_problems = check_templates(env, project.template_dirs, project.root)
        renderer = MarkdownRenderer((config or _STAND_IN).language)
        events, found, broken = load_events(project, renderer, cache, tally)
        standalone, found_too = read_standalone_pages(project.content_dir, project.root, renderer)
        problems += template_problems + found + found_too + check_events(events, config)
        if config is None or template_problems:
            raise BuildFailed(problems)
        timeline, found = build_timeline(rank_tags(events, config), config.newest_first, options.drafts)
        problems += found + check_references(events, timeline.events, project.root, broken)
        pages = list_pages(timeline, config.index_limit, standalone)
        drawing = Drawing(env, timeline, config, find_links(timeline, config), project.template_dirs, project.root, menu_of(standalone))
        # Nothing goes near the output folder (even its hidden neighbour) once the build is bound to fail.
        sink = switch if switch is not None and not _failing(problems, options.strict) else InMemory(options.exports_when_fetched)
        problems += render_or_abandon(drawing, pages, cache, sink, tally)
        if _failing(problems, options.strict) or sink is not switch and switch is not None:
            raise BuildFailed(problems)
        written = switch_output(switch, project.root, cache) if switch is not None else None
        files = sink.files if written is None else {name: InOutput(stamp) for name, stamp in written.stamps.items()}
    finally:
        if switch is not None:
            switch.release()
    return BuildReport(
        display_path(output, project.root) if options.write else None, config.base_url, files, written, tuple(tally.read), tally.rendered,
        len(timeline.events), dict(Counter(e.date.precision for e in timeline.events)), timeline.drafts_skipped,
        time.perf_counter() - started, tuple(sorted(p for p in problems if p.warning)),
    )


def check_events(events: list[Event], config: SiteConfig | None) -> list[Problem]:
    """The checks across events: duplicate slugs, dates in the future, tags site.yaml does not declare."""
    return find_duplicate_slugs(events) + future_dates(events, dt.date.today()) + check_declared_tags(events, config.tags if config else None)


def render_or_abandon(drawing: Drawing, pages: list[Page], cache: BuildCache, sink: InMemory | OutputSwitch, tally: _Tally) -> list[Problem]:
    """``render_site``; if it fails (or a file cannot be written), the swap folder goes if this build made it."""
    try:
        with write_failures(Path(sink.out) if isinstance(sink, OutputSwitch) else drawing.root, drawing.root):
            problems = render_site(drawing, pages, cache, sink, tally)
    except BaseException:
        sink.abandon()
        raise
    if any(not p.warning for p in problems):
        sink.abandon()
    return problems


def _failing(problems: list[Problem], strict: bool) -> bool:
    return any(not p.warning for p in problems) or (strict and bool(problems))


def load_events(project: Project, renderer: MarkdownRenderer, cache: BuildCache, tally: _Tally) -> tuple[list[Event], list[Problem], dict]:
    """Every valid event under content/, every problem found, and the invalid files' links; only changed files are parsed."""
    if not project.content_dir.is_dir():
        return [], [Problem(display_path(project.content_dir, project.root), 1, "content folder not found; create it and add events (chronologie new TITLE --date DATE writes one)")], {}

    def parse(jobs: list[tuple[str, bytes | None]]) -> list:
        tally.read.extend(display_path(Path(path), project.root) for path, _ in jobs)
        return map_in_workers(lambda job: parse_event_file(job[0], project.root, renderer, job[1]), jobs)

    skipped: list[str] = []
    found = collect(cache.parsed_files(find_event_files(project.content_dir, skipped), renderer.lang, parse))
    return found.events, found.problems + skipped_problems(skipped, project.root), found.broken


def render_site(drawing: Drawing, pages: list[Page], cache: BuildCache, sink: InMemory | OutputSwitch, tally: _Tally) -> list[Problem]:
    """Every file of the site, each handed to ``sink`` as it is drawn; the templates' faults."""
    sources = template_sources(drawing.env, drawing.template_dirs)
    digests = cache.template_digests(sources, functools.partial(template_digests, drawing.env, sources))
    keys_of = functools.partial(page_keys, template_digests=digests, config_digest=config_digest((drawing.config, drawing.menu)), urls_of=drawing.links.urls_of)
    problems = _draw(drawing, pages, keys_of, cache, sink, tally)
    urls = [drawing.config.base_url + name.removesuffix("index.html") for name in sink.names if name.endswith(".html") and name != "404.html"]
    problems += _draw(drawing, sitemap_page(urls), keys_of, cache, sink, tally)
    copies, unreadable = read_copies(copy_sources(drawing.timeline, drawing.template_dirs, drawing.root), drawing.root)
    for name, data in (copies | {".nojekyll": b""}).items():
        sink.add(name, data)
    if drawing.config.domain:
        sink.add("CNAME", f"{drawing.config.domain}\n".encode())
    cache.keep_pages(set(sink.names))
    return problems + unreadable


def _draw(drawing: Drawing, pages: list[Page], keys_of: Callable[[list[Page]], dict[str, bytes]], cache: BuildCache, sink: InMemory | OutputSwitch, tally: _Tally) -> list[Problem]:
    """Each page's bytes, drawn again only when its key (from ``keys_of``) changed; a template's fault is reported once."""
    keys = keys_of(pages)
    lazy = isinstance(sink, InMemory) and sink.later
    later = [page for page in pages if lazy and page.template is None]
    pages = [page for page in pages if not (lazy and page.template is None)]

    def draw(todo: list[Page]):
        tally.rendered += len(todo)
        return draw_pages(drawing, todo)

    problems: dict[Problem, str] = {}
    for page, result in cache.drawn_pages(pages, [keys[page.path] for page in pages], sink.in_output, draw):
        if isinstance(result, Problem):
            problems.setdefault(result, f"{result.message} (first seen rendering {page.path})")
        elif not problems:  # once a page fails, the build will: the rest need only be checked
            sink.add(page.path, result)
    for page in later:
        sink.add(page.path, Later(functools.partial(_draw_one, drawing, page, keys[page.path], cache)))
    return [Problem(p.path, p.line, message, p.warning) for p, message in problems.items()]


@dataclass(frozen=True)
class Later:
    """A file the preview draws only when it is fetched: at 10,000 events the exports took most of a rebuild."""

    make: Callable[[], bytes]


def _draw_one(drawing: Drawing, page: Page, key: bytes, cache: BuildCache) -> bytes:
    """One export's bytes, through the cache like any page (it holds no template, so it cannot fail as one)."""
    _, result = next(cache.drawn_pages([page], [key], lambda name, kept: None, lambda todo: [drawing.draw(p) for p in todo]))
    return result


@contextlib.contextmanager
def write_failures(output: Path, root: Path):
    """A failure to write (a full disk, a read-only folder) as one problem: the output has not changed then."""
    try:
        yield
    except OSError as exc:
        shown = display_path(Path(os.fsdecode(exc.filename)), root) if exc.filename else display_path(output, root)
        raise BuildFailed([Problem(shown, 1, f"could not write the site: {exc.strerror or exc}")]) from exc


def switch_output(sink: OutputSwitch, root: Path, cache: BuildCache) -> WriteReport:
    """Put the new site in place in one step, and tell the cache which files the output holds now."""
    written = None
    try:
        with interrupts_held(), write_failures(Path(sink.out), root):
            written = sink.finish()
            cache.written(written.stamps)
    except KeyboardInterrupt:
        raise KeyboardInterrupt("the output folder was not changed" if written is None else "the output folder holds the new build") from None
    return written
