"""The build recipe: load config → read articles → build the timeline → render in memory → write."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .config import SiteConfig, load_config
from .content import future_dates, read_events
from .dates import PRECISIONS
from .markup import MarkdownRenderer
from .model import build_timeline, check_declared_tags, check_references, find_duplicate_slugs, memoized, shapes_of
from .problems import BuildFailed, Problem, display_path
from .project import Project
from .render import STATIC_DIR, check_templates, make_environment, render_site, template_closures
from .uptodate import Stamp, stamp_of, walk
from .write import InPlace, Staged, StagingArea, WriteReport, check_output_dir, file_stamp, write_site


@dataclass(frozen=True)
class BuildCache:
    """What a long-running preview keeps between builds, so that an edit redoes only what it affects.

    ``events``: content path → (stat key, digest, event, problems); ``pages``: output path → (page key, bytes
    or None when only the written file has them); ``static``: asset path → (stat key, bytes); ``environment``:
    the Jinja environment with the template and config state it was made for (and, under "compiled", a folder
    for compiled templates); ``written``: the output folder
    last written and the stamp of each file in it, to know an unrendered page is still in place.
    """

    events: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)
    static: dict = field(default_factory=dict)
    environment: dict = field(default_factory=dict)
    written: dict = field(default_factory=dict)
    fragments: dict = field(default_factory=dict)  # per-event pieces of the exports, made once (see exports.ics)
    # What the persistent cache reads only when first asked for (fragments, by ``export_pieces``): name → reader.
    unread: dict = field(default_factory=dict)
    saved_shards: dict = field(default_factory=dict)  # what the persistent cache holds already (see cache.py)
    listing: list = field(default_factory=list)  # the event files the last build found (see content.read_events)
    memo: dict = field(default_factory=dict)  # results across events, kept while the events' shapes stay (model.memoized)
    # Building Python-Markdown's extension registry costs more than converting a small document.
    markdown: MarkdownRenderer = field(default_factory=MarkdownRenderer)

    def export_pieces(self) -> dict:
        """``fragments``, read from the persistent cache the first time they are needed: an edited body needs none."""
        if (read := self.unread.pop("fragments", None)) is not None:
            read()
        return self.fragments


@dataclass(frozen=True)
class BuildReport:
    """What a finished build did: its files, and the figures for the summary line."""

    output: str | None  # None when nothing was written (the preview server)
    base_url: str
    files: dict[str, bytes | InPlace | Staged]  # IN_PLACE: unchanged since the build that wrote it; Staged: moved in
    written: WriteReport | None
    read: tuple[str, ...]  # content files read (the others came from the cache)
    rendered: int  # pages rendered (the others came from the cache)
    events: int
    by_precision: dict[str, int]
    drafts_skipped: int
    seconds: float
    warnings: tuple[Problem, ...]
    cache_changed: bool = True  # False when the cache holds nothing new worth saving

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


def templates_state(templates_dir: Path) -> tuple:
    """Name and stamp of every file under templates/ but the static assets.

    Any of them may be a template or be included by one, so a change means a new Jinja environment.
    """
    if not templates_dir.is_dir():
        return ()
    state = []
    for path in walk(str(templates_dir))[1:]:
        relative = Path(path).relative_to(templates_dir).as_posix()
        if relative.split("/")[0] != STATIC_DIR and os.path.isfile(path) and (stamp := stamp_of(path)):
            state.append((relative, *stamp))
    return tuple(sorted(state))


def _environment(project: Project, config: SiteConfig | None, cache: BuildCache, changed: frozenset[Path]) -> jinja2.Environment:
    """The cached Jinja environment, or a new one when templates changed; the page cache empties if config changed."""
    state = (templates_state(project.templates_dir), config)
    static_dir = project.templates_dir / STATIC_DIR
    # The watcher's word counts too: an edit can keep a file's size and mtime.
    touched = any(p.is_relative_to(project.templates_dir) and not p.is_relative_to(static_dir) for p in changed)
    lang, compiled, previous = config.language if config else "fr", cache.environment.get("compiled"), cache.environment.get("state")
    if touched or previous != state or "env" not in cache.environment:
        cache.environment.update(state=state, env=make_environment(project.templates_dir, lang, compiled))
    # site.yaml shows on every page; an edited template re-renders only its pages (see render.template_closures).
    if previous is None or previous[1] != config:
        cache.pages.clear()
    return cache.environment["env"]


def build_site(
    project: Project,
    output: Path | None = None,
    base_url: str | None = None,
    drafts: bool = False,
    cache: BuildCache | None = None,
    write: bool = True,
    changed: frozenset[Path] = frozenset(),
    strict: bool = False,
    watched: bool = False,
    defer_exports: bool = False,
) -> BuildReport:
    """Build the whole site; raise BuildFailed with every problem, leaving the old output untouched.

    With ``write=False`` nothing is written and the files are only returned (the preview server).
    ``cache`` and ``changed`` (paths a watcher saw change) let a rebuild redo only what an edit affects.
    ``strict`` makes warnings fatal, before anything is written. ``watched`` says that a watcher running since
    the last build with this cache named every file created or deleted in ``changed``: content/'s folders are
    not walked again (every known file is still stat'ed).
    ``defer_exports`` leaves feeds and exports to be made when fetched (see render.Deferred), with ``write=False``.
    """
    started = time.perf_counter()
    root = project.root
    throwaway = cache is None  # no later build sees it: pages need no keys
    cache = cache or BuildCache()
    output = output or project.default_output
    # Load and validate site.yaml.
    config, problems = load_config(project.config_file, display_path(project.config_file, root), base_url)
    # The output's folders as the last build left them: one unchanged since then holds only its files.
    known_folders = cache.written.get("folders") if cache.written.get("output") == os.path.realpath(output) else None
    seen_folders: dict = {}
    checked_at = time.time_ns()
    if write:
        problems += check_output_dir(output, root, [project.content_dir, project.templates_dir], known_folders, seen_folders)
    # Compile every template, so syntax errors show up with content errors.
    env = _environment(project, config, cache, changed)
    template_errors = check_templates(env, project.templates_dir, root)
    if config is not None and cache.markdown.lang != config.language:
        cache.markdown.lang = config.language
        cache.events.clear()  # bodies, titles and summaries carry the language's typography
    # Read and validate every article (only the changed ones, with a warm cache), rendering Markdown bodies.
    if not (watched and names_only_event_files(changed, project.content_dir, cache.listing)):
        cache.listing.clear()  # look at every file
    found = read_events(project.content_dir, root, cache.markdown, cache.events, changed, cache.listing)
    events = found.events
    # These read only the events' shapes: an edited body keeps their last results.
    shapes, today, declared = shapes_of(events), dt.date.today(), config.tags if config else None
    problems += template_errors + found.problems
    problems += memoized(cache.memo, "future", (shapes, today), lambda: future_dates(events, today))
    problems += memoized(cache.memo, "slugs", shapes, lambda: find_duplicate_slugs(events))
    problems += memoized(cache.memo, "tags", (shapes, declared), lambda: check_declared_tags(events, declared))
    if config is None or template_errors:
        raise BuildFailed(problems)
    # Sort and group the valid events into the timeline.
    timeline, spelling = build_timeline(events, config.newest_first, drafts, cache.memo, shapes)
    problems += spelling + check_references(events, timeline.events, root)
    # Render every page in memory, even if some files were rejected, so template errors show up in this run too.
    in_place = _in_place_check(cache.written, output) if write else None
    digests = template_closures(env, project.templates_dir, cache.environment.setdefault("references", {}))
    if cache.environment.get("digests", digests) != digests and env.cache is not None:
        env.cache.clear()  # a file some template includes changed (an asset under static/, say): load them again
    cache.environment["digests"] = digests
    # Worker processes may write the pages they render into the output's staging folder: the files wait there
    # until every stage has succeeded, and go if one fails (see write.StagingArea).
    # Not when the build is failing already: a refused output folder, say, must not be touched at all.
    staging = StagingArea(output) if write else None
    stage = staging.path if staging and not _has_errors(problems) else None
    try:
        rendered = render_site(
            env, timeline, config, project.templates_dir, root, cache.pages, cache.static, in_place, cache.export_pieces, digests,
            defer_exports and not write, cache.memo, stage, keyed=not throwaway,
        )
        problems += rendered.problems
        if _has_errors(problems) or (strict and problems):
            raise BuildFailed(problems)
        # Only now change what the output folder shows.
        written = _write(rendered.files, output, root, cache.written.get("stamps"), staging) if staging else None
        # A staged page is known to be in place only now (see render_site).
        cache.pages.update((name, (key, None)) for name, key in rendered.staged.items())
    except BaseException:
        if staging:
            staging.discard()
        raise
    if written is not None:
        # Not a folder this build changed, nor one changed within a second of the check: a coarse clock
        # could give it the same stamp after another change.
        settled = checked_at - 1_000_000_000
        folders = {name: stamp for name, stamp in seen_folders.items() if name not in written.touched and stamp[0] < settled and stamp[1] < settled}
        cache.written.update(output=os.path.realpath(output), stamps=written.stamps, folders=folders)
    changed_anything = found.read or found.cache_updates or rendered.rendered or rendered.exported or written is None or written.written or written.removed
    return BuildReport(
        output=display_path(output, root) if write else None,
        base_url=config.base_url,
        files=rendered.files,
        written=written,
        read=tuple(found.read),
        rendered=rendered.rendered,
        events=len(timeline.events),
        by_precision=memoized(cache.memo, "precisions", (shapes, drafts), lambda: dict(Counter(e.date.precision for e in timeline.events))),
        drafts_skipped=timeline.drafts_skipped,
        seconds=time.perf_counter() - started,
        warnings=tuple(sorted(p for p in problems if p.warning)),
        cache_changed=bool(changed_anything),
    )


def names_only_event_files(changed: frozenset[Path], content_dir: Path, listing: list[str]) -> bool:
    """Whether each change below content/ is to an event file, so no event file came or went unnamed.

    A folder created, moved or deleted there would bring or take files the watcher did not name one by one.
    """
    known = None
    for path in changed:
        if not path.is_relative_to(content_dir):
            continue
        if path.suffix != ".md":
            return False
        if not path.is_file():
            known = set(listing) if known is None else known
            if str(path) not in known:
                return False  # a deleted folder, or a file never seen
    return True


def stamps_before_build(project: Project) -> dict[str, Stamp | None]:
    """The stamps of site.yaml, the templates and content's folders and files but events, before a build reads them."""
    paths = [str(project.config_file), *walk(str(project.templates_dir))]
    paths += (path for path in walk(str(project.content_dir), skip_hidden=True) if not path.endswith(".md"))
    return {path: stamp_of(path) for path in paths}


def build_inputs(project: Project, cache: BuildCache, before: dict[str, Stamp | None]) -> dict[str, Stamp | None]:
    """Every file and folder a build read, with the stamp it had before it was read where known, else None.

    Events have the stamp they were read with; the rest, the one ``stamps_before_build`` took: a file changed
    while the build ran (even copied in with an old mtime) then differs from its record.
    """
    inputs: dict[str, Stamp | None] = {str(project.config_file): None}
    inputs.update(dict.fromkeys(walk(str(project.content_dir), skip_hidden=True)))
    inputs.update(dict.fromkeys(walk(str(project.templates_dir))))
    inputs.update(dict.fromkeys(str(path) for path in cache.static))  # assets, and files beside entries
    for path in inputs:
        inputs[path] = before.get(path)
    for path, ((mtime, size, inode, changed), *_) in cache.events.items():
        inputs[path] = (size, mtime, inode, changed)
    return inputs


def _in_place_check(written: dict, output: Path):
    """Whether an output file is still the one the last build wrote there (same size, mtime, inode and ctime)."""
    folder, stamps = os.path.realpath(output), written.get("stamps", {})
    if written.get("output") != folder:
        return lambda name: False
    return lambda name: (stamp := stamps.get(name)) is not None and file_stamp(os.path.join(folder, name)) == stamp


def _write(files: dict[str, bytes | InPlace | Staged], output: Path, root: Path, stamps: dict | None, staging: StagingArea) -> WriteReport:
    try:
        return write_site(files, output, stamps, staging)
    except OSError as exc:
        shown = display_path(Path(exc.filename), root) if exc.filename else display_path(output, root)
        raise BuildFailed([Problem(shown, 1, f"could not write the site: {exc.strerror or exc}")]) from exc


def _has_errors(problems: list[Problem]) -> bool:
    return any(not p.warning for p in problems)
