"""Writing new events: ``chronologie new`` scaffolds a draft with complete, valid front matter, in the site's language."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from .config import load_config
from .content import PLACEHOLDER_MARKS, REWRITE_MARKS, default_slug, find_event_files, make_slug, parse_event, read_events
from .dates import DateError, parse_event_date
from .markup import MarkdownRenderer
from .problems import display_path
from .site import Project

# What `new` and `import` write for the editor to complete, in the language of site.yaml.
WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "summary": f"{PLACEHOLDER_MARKS['fr']} : une ou deux phrases sur ce qui s’est passé.",
        "body": "Écrivez ici l’entrée, avec vos propres mots : les faits, les dates, les chiffres et les acteurs.\n",
        "to_complete": PLACEHOLDER_MARKS["fr"],
        "source_date": "TODO: la date de la source est celle de l’événement ; mettez sa date de publication.",
        "imported": "Importé de {name} : un point de départ. Réécrivez l’entrée avec vos propres mots, citations courtes entre « » avec leur auteur.",
        "date_proposed": "Date de l’événement proposée d’après le texte (« {text} »), précision : {precision}. À vérifier.",
        "date_is_published": "TODO: aucune date d’événement dans le texte ; c’est la date de publication. À corriger.",
        "published_unknown": "TODO: date de publication de la source inconnue ; celle indiquée est la date de l’événement. À corriger.",
        "signed": "Signé : {author}.",
        "rewrite": f"> **{REWRITE_MARKS['fr']}.** Texte importé de l’article, à remplacer par un résumé dans vos propres mots.\n\n",
    },
    "en": {
        "summary": f"{PLACEHOLDER_MARKS['en']}: one or two sentences on what happened.",
        "body": "Write the entry here, in your own words: the facts, the dates, the figures and the people involved.\n",
        "to_complete": PLACEHOLDER_MARKS["en"],
        "source_date": "TODO: the source's date is the event's; put its publication date.",
        "imported": "Imported from {name}: a starting point. Rewrite the entry in your own words, with short quotes in quotation marks and their speaker.",
        "date_proposed": "Event date proposed from the text (“{text}”), precision: {precision}. Check it.",
        "date_is_published": "TODO: no event date in the text; this is the publication date. Correct it.",
        "published_unknown": "TODO: the source's publication date is unknown; the one given is the event's. Correct it.",
        "signed": "By: {author}.",
        "rewrite": f"> **{REWRITE_MARKS['en']}.** Text imported from the article, to replace with a summary in your own words.\n\n",
    },
}


class AuthoringError(ValueError):
    """A request the command cannot carry out; the message says why and what to do."""


@dataclass(frozen=True)
class Draft:
    """What a new event file starts with."""

    title: str
    date: str
    tags: tuple[str, ...] = ()
    summary: str = WORDS["fr"]["summary"]
    sources: tuple[dict[str, str], ...] = ()
    body: str = WORDS["fr"]["body"]
    notes: tuple[str, ...] = ()  # YAML comments placed above the front matter's end


def site_language(project: Project) -> str:
    """The language of site.yaml, which is what ``new`` and ``import`` write in; a broken site.yaml is refused."""
    shown = display_path(project.config_file, project.root)
    if not project.config_file.is_file():
        raise AuthoringError(f"{shown} not found: run this in a site's folder, give -C DIR, or start one with `chronologie init DIR`")
    config, problems = load_config(project.config_file, shown, None)
    if config is None:
        raise AuthoringError("fix site.yaml first, nothing was written:\n" + "\n".join(str(p) for p in problems if not p.warning))
    return config.language


def new_draft(title: str, date: str, tags: tuple[str, ...], source_url: str | None, lang: str) -> Draft:
    """The draft ``new`` writes: placeholders in ``lang``, and a source to complete when its address is given."""
    words = WORDS[lang]
    if not source_url:
        return Draft(title, date, tags, words["summary"], body=words["body"])
    source = {"publisher": words["to_complete"], "title": words["to_complete"], "date": date, "lang": lang, "url": source_url}
    return Draft(title, date, tags, words["summary"], (source,), words["body"], (words["source_date"],))


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
