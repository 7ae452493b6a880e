"""The build recipe: load config → read articles → build the timeline → render in memory → write atomically."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .config import load_config
from .content import read_events
from .dates import PRECISIONS
from .markup import MarkdownRenderer
from .model import build_timeline, find_duplicate_slugs
from .problems import BuildFailed, Problem, display_path
from .render import check_templates, make_environment, render_site
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
class BuildReport:
    """What a finished build did, for the one-line summary."""

    output: str
    pages: int
    files: int
    written: WriteReport
    events: int
    by_precision: dict[str, int]
    drafts_skipped: int
    seconds: float
    warnings: tuple[Problem, ...]

    def summary(self) -> str:
        """'Built 16 pages (23 files, 2 changed) in output/: 5 events (2 day, 3 month), 0 drafts skipped, in 0.09 s'."""
        precision = ", ".join(f"{n} {p}" for p in PRECISIONS if (n := self.by_precision.get(p)))
        events = f"{self.events} event{'s' if self.events != 1 else ''}" + (f" ({precision})" if precision else "")
        drafts = f"{self.drafts_skipped} draft{'s' if self.drafts_skipped != 1 else ''} skipped"
        files = f"{self.files} files, {self.written.written} changed" + (f", {self.written.removed} removed" if self.written.removed else "")
        return f"Built {self.pages} pages ({files}) in {self.output}/: {events}, {drafts}, in {self.seconds:.2f} s"


def build_site(project: Project, output: Path | None = None, base_url: str | None = None, drafts: bool = False) -> BuildReport:
    """Build the whole site; raise BuildFailed with every problem, leaving the old output untouched."""
    started = time.perf_counter()
    root = project.root
    output = output or project.default_output
    # Load and validate site.yaml.
    config, problems = load_config(project.config_file, display_path(project.config_file, root), base_url)
    problems += check_output_dir(output, root, [project.content_dir, project.templates_dir])
    # Compile every template, so syntax errors show up with content errors.
    env = make_environment(project.templates_dir, config.language if config else "fr")
    template_errors = check_templates(env, project.templates_dir, root)
    # Read and validate every article, rendering Markdown bodies.
    events, found = read_events(project.content_dir, root, MarkdownRenderer())
    problems += template_errors + found + find_duplicate_slugs(events)
    if config is None or template_errors:
        raise BuildFailed(problems)
    # Sort and group the valid events into the timeline.
    timeline, found = build_timeline(events, config.newest_first, drafts)
    problems += found
    # Render every page in memory, even if some files were rejected, so template errors show up in this run too.
    files, found = render_site(env, timeline, config, project.templates_dir, root)
    problems += found
    if _has_errors(problems):
        raise BuildFailed(problems)
    # Only now touch the output folder.
    try:
        written = write_site(files, output)
    except OSError as exc:
        shown = display_path(Path(exc.filename), root) if exc.filename else display_path(output, root)
        raise BuildFailed([Problem(shown, 1, f"could not write the site: {exc.strerror or exc}")]) from exc
    return BuildReport(
        output=display_path(output, root),
        pages=sum(1 for name in files if name.endswith(".html")),
        files=len(files),
        written=written,
        events=len(timeline.events),
        by_precision=dict(Counter(e.date.precision for e in timeline.events)),
        drafts_skipped=timeline.drafts_skipped,
        seconds=time.perf_counter() - started,
        warnings=tuple(sorted(p for p in problems if p.warning)),
    )


def _has_errors(problems: list[Problem]) -> bool:
    return any(not p.warning for p in problems)
