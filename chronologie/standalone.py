"""Standalone pages: ``content/_pages/*.md`` (the about page, a legal notice), each at its own address, linked from every page."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .content import default_slug, read_markdown_file
from .markup import MarkdownRenderer
from .problems import Problem, display_path

PAGES_DIR = "_pages"  # below content/: a '_' folder is never read for events
PAGE_KEYS = ("title", "description", "slug", "order")
# First parts of the addresses the timeline itself uses; year folders are refused as numbers.
_TAKEN = frozenset({"tags", "static", "media"})


@dataclass(frozen=True)
class StandalonePage:
    """A page of its own, outside the timeline: its Markdown body, rendered, and where it lives."""

    path: str  # as shown in messages
    slug: str
    title: str
    description: str
    order: int  # its place in the menu, then its slug
    body_html: str

    @property
    def url_path(self) -> str:
        """The page's address below the site root: ``a-propos/``."""
        return f"{self.slug}/"


def is_page_name(name: str) -> bool:
    """Whether a file directly in content/_pages/ is a page: Markdown, neither hidden nor set aside with '_'."""
    return name.endswith(".md") and not name.startswith((".", "_"))


def menu_of(pages: list[StandalonePage]) -> tuple[tuple[str, str], ...]:
    """What every page's menu lists: each page of its own, as (title, address below the site root)."""
    return tuple((page.title, page.url_path) for page in pages)


def read_standalone_pages(content_dir: Path, root: Path, renderer: MarkdownRenderer) -> tuple[list[StandalonePage], list[Problem]]:
    """Every page under ``content/_pages/``, in menu order, and every problem found in them."""
    folder = content_dir / PAGES_DIR
    if not folder.is_dir():
        return [], []
    pages, problems = [], []
    for name in sorted(os.listdir(folder)):
        path = folder / name
        if is_page_name(name) and path.is_file():
            page, found = _read_page(path, display_path(path, root), renderer)
            problems += found
            if page is not None:
                pages.append(page)
    problems += _clashes(pages)
    return sorted(pages, key=lambda page: (page.order, page.slug)), problems


def _read_page(path: Path, shown: str, renderer: MarkdownRenderer) -> tuple[StandalonePage | None, list[Problem]]:
    problems: list[Problem] = []
    try:
        file = read_markdown_file(path.read_bytes(), shown, "title and description", problems)
    except OSError as exc:
        return None, [Problem(shown, 1, f"cannot read this file: {exc.strerror or exc}")]
    if file is None:
        return None, problems
    fields, body, body_line = file.fields, file.body, file.body_line
    fields.warn_unknown(PAGE_KEYS)
    title, description = fields.text("title", required=True), fields.text("description", required=True)
    slug, order = fields.text("slug") or default_slug(path), fields.text("order") or "0"
    if not order.lstrip("-").isdigit():
        fields.error(fields.entries["order"][1], f"'order' must be a whole number (the page's place in the menu), got {order!r}")
    if slug.isdigit() or slug in _TAKEN:
        fields.error(fields.entries["slug"][1] if "slug" in fields.entries else None, f"the address {slug}/ is the timeline's own; choose another slug")
    html, references = renderer(body, shown, body_line)
    for ref in references:
        problems.append(Problem(shown, ref.line, f"{ref.written!r}: a page links to entries and files by their address (such as ../2023/ai-alliance/), not by their file"))
    if any(not p.warning for p in problems):
        return None, problems
    assert title and description
    return StandalonePage(shown, slug, renderer.typography(title), renderer.typography(description), int(order), html), problems


def _clashes(pages: list[StandalonePage]) -> list[Problem]:
    seen: dict[str, StandalonePage] = {}
    problems = []
    for page in pages:
        if page.slug in seen:
            problems.append(Problem(page.path, 1, f"the address {page.slug}/ is already {seen[page.slug].path}'s; give one of them another slug"))
        seen.setdefault(page.slug, page)
    return problems
