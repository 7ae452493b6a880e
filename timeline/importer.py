"""``build.py import``: turn a saved article (text, HTML or Markdown) into a draft event to rewrite.

The result is a starting point, never an entry: the article's own text is kept below a reminder that the
editor must replace it with a summary in their own words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from dateutil import parser as dateutil_parser

from .authoring import Draft
from .dates import PartialDate

# dateutil reads French and English month names and abbreviations through this table.
_MONTHS = [
    ("janvier", "janv", "jan", "january"), ("février", "fevrier", "févr", "fevr", "fév", "feb", "february"),
    ("mars", "mar", "march"), ("avril", "avr", "apr", "april"), ("mai", "may"), ("juin", "jun", "june"),
    ("juillet", "juil", "jul", "july"), ("août", "aout", "aug", "august"), ("septembre", "sept", "sep", "september"),
    ("octobre", "oct", "october"), ("novembre", "nov", "november"), ("décembre", "decembre", "déc", "dec", "december"),
]


class FrenchEnglishDates(dateutil_parser.parserinfo):
    """Month names in French and English, for dateutil."""

    MONTHS = _MONTHS


_MONTH_WORD = "|".join(sorted({name for names in _MONTHS for name in names}, key=len, reverse=True))
# "5 déc. 2023", "le 1er novembre", "5 décembre 2023", "December 5, 2023", "2023-12-05", "en juillet 2023".
_DATE_PATTERNS = [
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:er)?\s+(?P<mw>{_MONTH_WORD})\.?(?:\s+(?P<y>\d{{4}}))?\b", re.IGNORECASE),
    re.compile(rf"\b(?P<mw>{_MONTH_WORD})\.?\s+(?P<d>\d{{1,2}}),\s+(?P<y>\d{{4}})\b", re.IGNORECASE),
    re.compile(rf"\b(?:en|in|depuis)\s+(?P<mw>{_MONTH_WORD})\s+(?P<y>\d{{4}})\b", re.IGNORECASE),
]
_PUBLISHED = re.compile(r"^(?:publié|mis en ligne|published)\s+(?:le|on)?\s*(?P<rest>.+)$", re.IGNORECASE)
_OUTLET = re.compile(r"^(?:source|crédits?|credit)\s*:\s*(?P<name>.+)$", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:écrit par|par|by|auteur\s*:)\s+(?P<name>[^,]{2,60})$", re.IGNORECASE)
_GENERIC_OUTLETS = {"lien source", "source", "lien", "link"}
_CREDIT = re.compile(r"^(?:credits? image|crédits? (?:image|photo)s?|photo)\s*:", re.IGNORECASE)
_BOILERPLATE = [re.compile(p, re.IGNORECASE) for p in (
    r"^laisser un commentaire", r"^votre adresse e-?mail ne sera pas publiée", r"^ce site utilise akismet",
    r"^les articles de ce site sont tous écrits", r"^les commentaires sont fermés", r"^article à lire\b",
    r"^\d+$", r"^(?:partager|share)\b", r"^abonnez-vous\b",
)]
_END_OF_ARTICLE = re.compile(r"^(?:à propos de l['’]auteur|about the author)\b", re.IGNORECASE)
_READ_ALSO = re.compile(r"^lire aussi\b", re.IGNORECASE)
_QUESTION = re.compile(r"^(?:Q\s*:|Question\s*:)\s*(?P<q>.+)$")
_ANSWER = re.compile(r"^(?:R\s*:|Réponse\s*:)\s*")


@dataclass(frozen=True)
class Block:
    """A piece of the article: a heading, a paragraph, a list item or a quotation."""

    kind: str
    text: str


@dataclass
class Found:
    """What the importer learned about the article."""

    title: str = ""
    published: PartialDate | None = None
    published_text: str = ""
    outlet: str = ""
    author: str = ""
    url: str = ""
    event: PartialDate | None = None
    event_text: str = ""
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_blocks(path: Path) -> tuple[list[Block], str]:
    """The article as blocks, and its address when an HTML page gives one."""
    raw = path.read_bytes().decode("utf-8", errors="replace")
    if path.suffix.lower() in (".html", ".htm") or raw.lstrip().startswith("<"):
        return _html_blocks(raw)
    blocks = []
    for line in raw.splitlines():
        text = " ".join(line.split())
        if not text:
            continue
        if match := re.match(r"^(#{1,6})\s+(.+)$", text):
            blocks.append(Block("heading", match[2]))
        elif match := re.match(r"^[-*]\s+(.+)$", text):
            blocks.append(Block("item", match[1]))
        elif text.startswith(">"):
            blocks.append(Block("quote", text.lstrip("> ")))
        else:
            blocks.append(Block("text", text))
    return blocks, ""


def _html_blocks(raw: str) -> tuple[list[Block], str]:
    document = lxml.html.document_fromstring(raw)
    for junk in document.xpath("//script | //style | //nav | //footer | //aside | //form | //figcaption"):
        junk.drop_tree()
    url = (document.xpath("//link[@rel='canonical']/@href") or document.xpath("//meta[@property='og:url']/@content") or [""])[0]
    blocks = []
    meta = {m.get("property") or m.get("name"): m.get("content") for m in document.xpath("//meta[@content]")}
    if meta.get("og:site_name"):
        blocks.append(Block("text", f"Source : {meta['og:site_name']}"))
    if meta.get("article:published_time"):
        blocks.append(Block("text", f"Publié le {meta['article:published_time'][:10]}"))
    for element in document.xpath("//h1 | //h2 | //h3 | //h4 | //p | //li | //blockquote | //time"):
        text = " ".join(element.text_content().split())
        if not text or element.xpath("ancestor::blockquote") and element.tag != "blockquote":
            continue
        kind = {"h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "li": "item", "blockquote": "quote"}.get(element.tag, "text")
        blocks.append(Block(kind, text))
    return blocks, url


def find_date(text: str) -> tuple[PartialDate, str] | None:
    """The first date written in ``text``, at the precision it is written with, parsed by dateutil.

    A day and month without a year take the year written just after them ("du 1er novembre au 1er
    décembre 2023"); with no year in sight they are skipped: a year is never guessed.
    """
    matches = sorted((m for pattern in _DATE_PATTERNS for m in pattern.finditer(text)), key=lambda m: m.start())
    for match in matches:
        groups = match.groupdict()
        written = match[0]
        year = groups.get("y")
        if not year:
            nearby = re.match(rf"[^.;]{{0,40}}?\b(?:{_MONTH_WORD})\.?\s+(\d{{4}})\b", text[match.end():], re.IGNORECASE)
            if not nearby:
                continue
            year = nearby[1]
            written = f"{match[0]} {year}"
        cleaned = re.sub(r"^(?:en|in|depuis)\s+", "", written.replace("1er", "1").replace(".", ""), flags=re.IGNORECASE)
        if not groups.get("y"):
            cleaned = f"{groups['d']} {groups['mw']} {year}"
        parsed = dateutil_parser.parse(cleaned, parserinfo=FrenchEnglishDates(), default=dt.datetime(1, 1, 1))
        return PartialDate(parsed.year, parsed.month, parsed.day if groups.get("d") else None), written
    return None


_FUNCTION_WORDS = set(
    "le la les un une des du de d au aux et ou pour par sur dans avec sans en à ce cette son sa ses leur qui que "
    "the a an of for and or to in on with by its their".split()
)


def _is_category_strip(text: str) -> bool:
    """'Économie Technologie', 'Meta ia Technologie IA', 'Intelligence ArtificielleMetaverse': labels, not a title."""
    words = text.split()
    if re.search(r"[a-zà-ÿ][A-ZÀ-Ý]", text) and len(words) <= 8:  # labels glued together
        return True
    plain = not re.search(r"[:,.?!«»'’]", text)
    return plain and len(words) <= 6 and not any(word.lower() in _FUNCTION_WORDS for word in words)


def analyse(blocks: list[Block]) -> Found:
    """Title, dates, outlet and the article's own blocks, with boilerplate removed."""
    found = Found()
    kept: list[Block] = []
    skip_next = False
    for index, block in enumerate(blocks):
        text = block.text
        following = blocks[index + 1].text if index + 1 < len(blocks) else ""
        if skip_next:
            skip_next = False
            continue
        if _END_OF_ARTICLE.match(text):
            break
        if _READ_ALSO.match(text):
            skip_next = text.lower().strip() == "lire aussi"  # the teaser title is on the next line
            continue
        if _CREDIT.match(text) or any(p.match(text) for p in _BOILERPLATE) or text.count(",") >= 5 and not re.search(r"[.!?]$", text):
            continue
        if _CREDIT.match(following) and not found.title:
            continue  # an image caption, just above its credit
        if match := re.match(r"^publié le (.+?)(?:\s*à\s*\d{1,2}[:h]\d{2}).*$", text, re.IGNORECASE) or _PUBLISHED.match(text):
            if found.published is None and (date := find_date(match.group(1) if match.lastindex else text)):
                found.published, found.published_text = date
            continue
        if (alone := find_date(text)) and len(alone[1]) >= len(text.strip(" .")) - 3:
            if found.published is None:
                found.published, found.published_text = alone  # a line that is only a date: when it was published
            continue
        if match := _OUTLET.match(text):
            if match["name"].strip().lower() not in _GENERIC_OUTLETS and not found.outlet:
                found.outlet = match["name"].strip()
            continue
        if match := _BYLINE.match(text):
            found.author = match["name"].strip()
            continue
        if not found.title:
            if block.kind != "heading" and _is_category_strip(text):
                continue
            found.title = text if len(text) <= 160 else re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
            if found.title != text:
                kept.append(block)  # a first sentence used as the title still belongs to the text
            continue
        if block.kind == "text" and len(text.split()) <= 10 and len(text) < 90 and not re.search(r"[.!?;:»\"…,]$", text):
            block = Block("heading", text)  # a short line without final punctuation, in plain text: a subheading
        kept.append(block)
    found.blocks = kept
    for block in kept:
        if date := find_date(block.text):
            found.event, found.event_text = date
            break
    return found


def to_markdown(blocks: list[Block]) -> str:
    """Clean Markdown: headings, paragraphs, lists, quotations and FAQ questions as headings, quotes in « »."""
    out: list[str] = []
    for block in blocks:
        text = re.sub(r'"([^"\n]+)"', lambda m: f"« {m[1].strip()} »", block.text)
        if match := _QUESTION.match(text):
            out.append(f"### {match['q']}")
        elif block.kind == "heading":
            out.append(f"## {text}")
        elif block.kind == "item":
            out.append(f"- {text}")
        elif block.kind == "quote":
            out.append(f"> {text}")
        else:
            out.append(_ANSWER.sub("", text))
    # List items run together; everything else is a paragraph of its own.
    markdown = ""
    for previous, line in zip([None, *out], out):
        joiner = "\n" if previous is not None and previous.startswith("- ") and line.startswith("- ") else "\n\n"
        markdown += (joiner if markdown else "") + line
    return markdown + "\n"


def draft_from_article(path: Path, date: str | None, tags: tuple[str, ...]) -> tuple[Draft | None, list[str]]:
    """The draft to write for the article at ``path``, and the warnings to show; None when no date is known."""
    blocks, url = read_blocks(path)
    found = analyse(blocks)
    warnings = []
    notes = [f"Importé de {path.name} : un point de départ. Réécrivez l’entrée avec vos propres mots, citations courtes entre « » avec leur auteur."]
    event_date = date
    if event_date is None and found.event is not None:
        event_date = found.event.iso()
        notes.append(f"Date de l’événement proposée d’après le texte (« {found.event_text} »), précision : {found.event.precision}. À vérifier.")
    elif event_date is None and found.published is not None:
        event_date = found.published.iso()
        notes.append("TODO: aucune date d’événement dans le texte ; c’est la date de publication. À corriger.")
    if event_date is None:
        return None, [f"no date found in {path.name} (neither a publication date nor an event date); give the event date with --date"]
    if not found.title:
        warnings.append(f"no title found in {path.name}; the draft is titled after the file")
    if not found.outlet:
        warnings.append(f"no outlet found in {path.name}; fill in the source's publisher")
    source = {
        "publisher": found.outlet or "À compléter",
        "title": found.title or path.stem,
        "date": found.published.iso() if found.published else event_date,
        "lang": "fr",
    }
    if url:
        source["url"] = url
    if found.author:
        notes.append(f"Signé : {found.author}.")
    body = "> **À réécrire.** Texte importé de l’article, à remplacer par un résumé dans vos propres mots.\n\n" + to_markdown(found.blocks)
    return Draft(found.title or path.stem, event_date, tags, sources=(source,), body=body, notes=tuple(notes)), warnings
