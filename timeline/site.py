"""The build recipe: load config → read articles → build the timeline → render in memory → write."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .config import SiteConfig, load_config
from .content import read_events
from .dates import PRECISIONS
from .markup import MarkdownRenderer
from .model import build_timeline, check_declared_tags, check_references, find_duplicate_slugs
from .problems import BuildFailed, Problem, display_path
from .render import STATIC_DIR, check_templates, make_environment, render_site
from .write import WriteReport, check_output_dir, write_site


@dataclass(frozen=True)
class Project:
    """Where a site's sources live; every path derives from the project root."""

    root: Path

    @property
    def config_file(self) -> Path:
        """``site.yaml``."""
        return self.root / "site.yaml"

    @property
    def content_dir(self) -> Path:
        """``content/``: one Markdown file per event."""
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        """``templates/``: Jinja templates and ``static/`` assets."""
        return self.root / "templates"

    @property
    def default_output(self) -> Path:
        """``output/``: where the site goes unless ``--output`` says otherwise."""
        return self.root / "output"


@dataclass(frozen=True)
class BuildCache:
    """What a long-running preview keeps between builds, so that an edit redoes only what it affects.

    ``events``: content path → (stat key, event, problems); ``pages``: output path → (page key, bytes);
    ``static``: asset path → (stat key, bytes); ``environment``: the Jinja environment with the template
    and config state it was made for.
    """

    events: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)
    static: dict = field(default_factory=dict)
    environment: dict = field(default_factory=dict)
    # Building Python-Markdown's extension registry costs more than converting a small document.
    markdown: MarkdownRenderer = field(default_factory=MarkdownRenderer)


@dataclass(frozen=True)
class BuildReport:
    """What a finished build did: its files, and the figures for the summary line."""

    output: str | None  # None when nothing was written (the preview server)
    base_url: str
    files: dict[str, bytes]
    written: WriteReport | None
    read: tuple[str, ...]  # content files read (the others came from the cache)
    rendered: int  # pages rendered (the others came from the cache)
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


def templates_state(templates_dir: Path) -> tuple:
    """Name, size, mtime and inode of every file under templates/ but the static assets.

    Any of them may be a template or be included by one, so a change means rendering every page again.
    """
    if not templates_dir.is_dir():
        return ()
    state = []
    for path in sorted(templates_dir.rglob("*")):
        relative = path.relative_to(templates_dir).as_posix()
        if relative.split("/")[0] != STATIC_DIR and path.is_file():
            stat = path.stat()
            state.append((relative, stat.st_size, stat.st_mtime_ns, stat.st_ino))
    return tuple(state)


def _environment(project: Project, config: SiteConfig | None, cache: BuildCache, changed: frozenset[Path]) -> jinja2.Environment:
    """The cached Jinja environment, or a new one (and an empty page cache) when templates or config changed."""
    state = (templates_state(project.templates_dir), config)
    static_dir = project.templates_dir / STATIC_DIR
    # The watcher's word counts too: an edit can keep a file's size and mtime.
    touched = any(p.is_relative_to(project.templates_dir) and not p.is_relative_to(static_dir) for p in changed)
    if "env" not in cache.environment and cache.environment.get("state") == state and not touched:
        # Loaded from disk: same templates and config, so the rendered pages stay valid; only the object is new.
        cache.environment["env"] = make_environment(project.templates_dir, config.language if config else "fr")
    if touched or cache.environment.get("state") != state:
        cache.environment.update(state=state, env=make_environment(project.templates_dir, config.language if config else "fr"))
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
) -> BuildReport:
    """Build the whole site; raise BuildFailed with every problem, leaving the old output untouched.

    With ``write=False`` nothing is written and the files are only returned (the preview server).
    ``cache`` and ``changed`` (paths a watcher saw change) let a rebuild redo only what an edit affects.
    ``strict`` makes warnings fatal, before anything is written.
    """
    started = time.perf_counter()
    root = project.root
    cache = cache or BuildCache()
    output = output or project.default_output
    # Load and validate site.yaml.
    config, problems = load_config(project.config_file, display_path(project.config_file, root), base_url)
    if write:
        problems += check_output_dir(output, root, [project.content_dir, project.templates_dir])
    # Compile every template, so syntax errors show up with content errors.
    env = _environment(project, config, cache, changed)
    template_errors = check_templates(env, project.templates_dir, root)
    if config is not None and cache.markdown.lang != config.language:
        cache.markdown.lang = config.language
        cache.events.clear()  # bodies, titles and summaries carry the language's typography
    # Read and validate every article (only the changed ones, with a warm cache), rendering Markdown bodies.
    found = read_events(project.content_dir, root, cache.markdown, cache.events, changed)
    events = found.events
    problems += template_errors + found.problems + find_duplicate_slugs(events)
    problems += check_declared_tags(events, config.tags if config else None)
    if config is None or template_errors:
        raise BuildFailed(problems)
    # Sort and group the valid events into the timeline.
    timeline, spelling = build_timeline(events, config.newest_first, drafts)
    problems += spelling + check_references(events, timeline.events, root)
    # Render every page in memory, even if some files were rejected, so template errors show up in this run too.
    rendered = render_site(env, timeline, config, project.templates_dir, root, cache.pages, cache.static)
    problems += rendered.problems
    if _has_errors(problems) or (strict and problems):
        raise BuildFailed(problems)
    # Only now touch the output folder.
    written = _write(rendered.files, output, root) if write else None
    return BuildReport(
        output=display_path(output, root) if write else None,
        base_url=config.base_url,
        files=rendered.files,
        written=written,
        read=tuple(found.read),
        rendered=rendered.rendered,
        events=len(timeline.events),
        by_precision=dict(Counter(e.date.precision for e in timeline.events)),
        drafts_skipped=timeline.drafts_skipped,
        seconds=time.perf_counter() - started,
        warnings=tuple(sorted(p for p in problems if p.warning)),
    )


def _write(files: dict[str, bytes], output: Path, root: Path) -> WriteReport:
    try:
        return write_site(files, output)
    except OSError as exc:
        shown = display_path(Path(exc.filename), root) if exc.filename else display_path(output, root)
        raise BuildFailed([Problem(shown, 1, f"could not write the site: {exc.strerror or exc}")]) from exc


def _has_errors(problems: list[Problem]) -> bool:
    return any(not p.warning for p in problems)
