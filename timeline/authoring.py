"""Writing new events: ``build.py new`` scaffolds a draft with complete, valid front matter."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from .content import PLACEHOLDER_MARK, default_slug, find_event_files, make_slug, parse_event, read_events
from .dates import DateError, parse_event_date
from .markup import MarkdownRenderer
from .problems import display_path
from .site import Project


class AuthoringError(ValueError):
    """A request the command cannot carry out; the message says why and what to do."""


@dataclass(frozen=True)
class Draft:
    """What a new event file starts with."""

    title: str
    date: str
    tags: tuple[str, ...] = ()
    summary: str = f"{PLACEHOLDER_MARK} : une ou deux phrases sur ce qui s’est passé."
    sources: tuple[dict[str, str], ...] = ()
    body: str = "Écrivez ici l’entrée, avec vos propres mots : les faits, les dates, les chiffres et les acteurs.\n"
    notes: tuple[str, ...] = ()  # YAML comments placed above the front matter's end


def _quote(value: str) -> str:
    # JSON strings are valid YAML double-quoted scalars, with every special character escaped.
    return json.dumps(value, ensure_ascii=False)


def front_matter(draft: Draft, added: dt.date, slug: str | None = None) -> str:
    """The file text: complete front matter with ``draft: true``, then the body; ``slug`` when the file name can't carry it."""
    lines = ["---", f"title: {_quote(draft.title)}", f"summary: {_quote(draft.summary)}", f"date: {_quote(draft.date)}"]
    if slug:
        lines.append(f"slug: {slug}")
    lines.append("tags: [" + ", ".join(_quote(t) for t in draft.tags) + "]")
    if draft.sources:
        lines.append("sources:")
        for source in draft.sources:
            lines += [f"  - {key}: {_quote(value)}" if index == 0 else f"    {key}: {_quote(value)}" for index, (key, value) in enumerate(source.items())]
    else:
        lines += ["sources: []  # each: {publisher, title, date, lang, url} — a published entry needs one"]
    lines += ["draft: true", f"added: {added.isoformat()}", *(f"# {note}" for note in draft.notes), "---"]
    return "\n".join(lines) + "\n" + draft.body


def used_slugs(project: Project) -> dict[str, str]:
    """Slug → file, for every event already in content/."""
    events = read_events(project.content_dir, project.root, MarkdownRenderer()).events
    return {event.slug: event.path for event in events}


def create_event(project: Project, draft: Draft, today: dt.date | None = None) -> Path:
    """Write ``content/<date>-<slug>.md`` for ``draft``; refuse to overwrite a file or reuse a slug."""
    try:
        date = parse_event_date(draft.date)
    except DateError as exc:
        raise AuthoringError(f"--date: {exc}") from None
    if not project.root.is_dir():
        raise AuthoringError(f"{project.root} is not a folder; run this in the project or give --project")
    slug = make_slug(draft.title)
    if not slug:
        raise AuthoringError(f"the title {draft.title!r} has no letters or digits to make a file name from")
    path = project.content_dir / f"{date.start.iso()}-{slug}.md"
    # "12 projets" dated 2024 would read back as '2024-12-projets': the slug must then be written out.
    explicit = slug if default_slug(path) != slug else None
    if path.exists():
        raise AuthoringError(f"{display_path(path, project.root)} already exists; nothing was written")
    if project.content_dir.is_dir() and find_event_files(project.content_dir) and (other := used_slugs(project).get(slug)):
        raise AuthoringError(f"the slug {slug!r} is already used by {other}; choose another title or set 'slug:' by hand")
    text = front_matter(draft, today or dt.date.today(), explicit)
    shown = display_path(path, project.root)
    _, problems = parse_event(text.encode("utf-8"), path, shown, MarkdownRenderer())
    if errors := [p for p in problems if not p.warning]:
        raise AuthoringError("the draft would not be valid, nothing was written:\n" + "\n".join(str(p) for p in errors))
    project.content_dir.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even if it appeared meanwhile
        handle.write(text)
    return path
