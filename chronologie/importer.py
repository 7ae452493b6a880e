"""``build.py import``: turn a saved article (text, HTML or Markdown) into a draft event to rewrite.

The result is a starting point, never an entry: the article's own text is kept below a reminder that the
editor must replace it with a summary in their own words. When in doubt, a line is kept, never dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from dateutil import parser as dateutil_parser

from .authoring import WORDS, Draft
from .dates import EventDate, PartialDate

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
_DAY = r"(?P<d>\d{1,2})(?:er|st|nd|rd|th)?"
# "5 déc. 2023", "le 1er novembre", "December 5, 2023", "March 5th, 2024", "2023-12-05", "05/12/2023", "mars 2024".
_DATE_PATTERNS = [
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\b"),
    re.compile(rf"\b{_DAY}\s+(?P<mw>{_MONTH_WORD})\.?(?:\s+(?P<y>\d{{4}}))?\b", re.IGNORECASE),
    re.compile(rf"\b(?P<mw>{_MONTH_WORD})\.?\s+{_DAY},?\s+(?P<y>\d{{4}})\b", re.IGNORECASE),
    re.compile(rf"\b(?P<mw>{_MONTH_WORD})\s+(?P<y>\d{{4}})\b", re.IGNORECASE),
]
_DIGIT = re.compile(r"\d")
_RANGE = re.compile(rf"\bdu\s+(?P<d1>\d{{1,2}})(?:er)?(?:\s+(?P<m1>{_MONTH_WORD})\.?)?(?:\s+(?P<y1>\d{{4}}))?\s+au\s+(?P<d2>\d{{1,2}})(?:er)?\s+(?P<m2>{_MONTH_WORD})\.?\s+(?P<y2>\d{{4}})\b", re.IGNORECASE)
_PUBLISHED = re.compile(r"^(?:publié|mis en ligne|published|posted)\s+(?:le|on)?\s*", re.IGNORECASE)
_UPDATED = re.compile(r"^(?:mis à jour|modifié|updated)\s+(?:le|on)?\s*", re.IGNORECASE)
_OUTLET = re.compile(r"^(?:source|crédits?|credit)\s*:\s*(?P<name>.{2,80})$", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:écrit par|par|by|auteur\s*:)\s+(?P<name>[^,.!?]{2,60})$", re.IGNORECASE)
_GENERIC_OUTLETS = {"lien source", "source", "lien", "link"}
_CREDIT = re.compile(r"^(?:credits? image|crédits? (?:image|photo)s?|photo)\s*:", re.IGNORECASE)
_BOILERPLATE = [re.compile(p, re.IGNORECASE) for p in (
    r"^laisser un commentaire", r"^leave a (?:comment|reply)", r"^votre adresse e-?mail ne sera pas publiée",
    r"^your email address will not be published", r"^ce site utilise akismet", r"^les articles de ce site sont tous écrits",
    r"^les commentaires sont fermés", r"^comments are closed", r"^article à lire\b", r"^\d+\s*(?:commentaires?|comments?)?$",
    r"^(?:partager|share)(?: (?:sur|on) \w+)?$", r"^abonnez-vous\b", r"^(?:tags|mots-clés|mots clés)\s*:",
    r"^(?:sur le même sujet|related articles|à lire aussi)$",
)]
_END_OF_ARTICLE = re.compile(r"^(?:à propos de l['’]auteur|about the author)$", re.IGNORECASE)
_READ_ALSO = re.compile(r"^(?:à )?lire aussi\b\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_QUESTION = re.compile(r"^(?:Q\s*:|Question\s*:)\s*(?P<q>.+)$")
_ANSWER = re.compile(r"^(?:R\s*:|Réponse\s*:)\s*")
_FUNCTION_WORDS = set(
    "le la les un une des du de d au aux et ou pour par sur dans avec sans en à ce cette son sa ses leur qui que "
    "the a an of for and or to in on with by its their".split()
)
_ENGLISH_WORDS = {"the", "and", "with", "from", "that", "this", "was", "were", "has", "have"}
_FRENCH_WORDS = {"le", "la", "les", "des", "est", "une", "dans", "avec", "pour", "qui"}


@dataclass(frozen=True)
class Block:
    """A piece of the article: a heading, a paragraph, a list item, a quotation, or raw Markdown (code, tables)."""

    kind: str
    text: str


@dataclass
class Found:
    """What the importer learned about the article."""

    title: str = ""
    published: EventDate | None = None
    outlet: str = ""
    author: str = ""
    event: EventDate | None = None
    event_text: str = ""
    blocks: list[Block] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, list[str]]:
    """The text of a saved article: UTF-8 (with or without a BOM), else Windows-1252, said in a warning."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), ["the article is not UTF-8; it was read as Windows-1252 (check the accents)"]


def read_blocks(path: Path) -> tuple[list[Block], str, str, list[str]]:
    """The article as blocks, its address and language when the page gives them, and warnings."""
    raw, warnings = decode(path.read_bytes())
    if path.suffix.lower() in (".html", ".htm") or raw.lstrip().startswith("<"):
        return (*_html_blocks(raw), warnings)
    return _text_blocks(raw, markdown=path.suffix.lower() in (".md", ".markdown")), "", "", warnings


def _text_blocks(raw: str, markdown: bool) -> list[Block]:
    blocks: list[Block] = []
    lines = raw.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line:
            continue
        if markdown and line.startswith(("```", "~~~")):  # a code fence, kept as it is
            fence = [lines[index - 1]]
            while index < len(lines) and not lines[index].strip().startswith(line[:3]):
                fence.append(lines[index])
                index += 1
            fence.append(lines[index] if index < len(lines) else line[:3])
            index += 1
            blocks.append(Block("raw", "\n".join(fence)))
        elif markdown and line.startswith("|"):  # a table, kept as it is
            table = [line]
            while index < len(lines) and lines[index].strip().startswith("|"):
                table.append(lines[index].strip())
                index += 1
            blocks.append(Block("raw", "\n".join(table)))
        elif match := re.match(r"^(#{1,6})\s+(.+)$", line):
            blocks.append(Block("heading", match[2]))
        elif match := re.match(r"^(?:[-*+]|\d+[.)])\s+(.+)$", line):
            blocks.append(Block("item", match[1]))
        elif line.startswith(">"):
            blocks.append(Block("quote", line.lstrip("> ")))
        else:
            # A line cut in the middle of a sentence continues on the next one.
            while index < len(lines) and lines[index].strip() and not re.search(r"[.!?:»\"]$", line) and lines[index].strip()[:1].islower():
                line += " " + lines[index].strip()
                index += 1
            blocks.append(Block("text" if markdown else "line", " ".join(line.split())))
    return blocks


def _html_blocks(raw: str) -> tuple[list[Block], str, str]:
    document = lxml.html.document_fromstring(raw)
    for junk in document.xpath("//script | //style | //nav | //footer | //aside | //form | //figcaption | //noscript"):
        junk.drop_tree()
    for br in document.iter("br"):
        br.tail = " " + (br.tail or "")
    for sublist in document.xpath("//li/ul | //li/ol"):
        sublist.text = " " + (sublist.text or "")  # "Point deux" then its sub-points, not "Point deuxsous-point"
    url = (document.xpath("//link[@rel='canonical']/@href") or document.xpath("//meta[@property='og:url']/@content") or [""])[0]
    lang = (document.get("lang") or "").split("-")[0].lower()
    meta = {m.get("property") or m.get("name"): m.get("content") for m in document.xpath("//meta[@content]")}
    blocks = []
    scope = (document.xpath("//article") or document.xpath("//main") or [document])[0]
    title = (scope.xpath(".//h1") or [None])[0]
    heading = " ".join(title.text_content().split()) if title is not None else meta.get("og:title", "")
    if heading:
        blocks.append(Block("heading", heading))
    if meta.get("og:site_name"):
        blocks.append(Block("line", f"Source : {meta['og:site_name']}"))
    if meta.get("article:published_time"):
        blocks.append(Block("line", f"Publié le {meta['article:published_time'][:10]}"))
    tags = {"h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading", "p": "text", "li": "item", "blockquote": "quote", "dd": "text", "pre": "raw"}
    elements = scope.xpath(".//h2 | .//h3 | .//h4 | .//h5 | .//h6 | .//p | .//li | .//blockquote | .//dd | .//pre | .//time")
    if not [e for e in elements if e.tag != "time"]:
        # No paragraph markup at all: every element holding text of its own is a paragraph.
        elements = [e for e in scope.iter() if isinstance(e.tag, str) and (e.text or "").strip() and e.tag not in ("h1", "title", "head")]
    for element in elements:
        if element.xpath("ancestor::blockquote | ancestor::li | ancestor::pre") and element.tag not in ("li",):
            continue  # inside a quotation, list item or code block already taken whole
        if element.tag == "li" and element.xpath("ancestor::li"):
            continue  # a nested item: it belongs to its parent's text
        text = element.text_content() if element.tag == "pre" else " ".join(element.text_content().split())
        if text.strip():
            blocks.append(Block("raw" if element.tag == "pre" else tags.get(element.tag, "text"), f"```\n{text.strip()}\n```" if element.tag == "pre" else text))
    return blocks, url, lang


def _date_from(groups: dict) -> PartialDate | None:
    """dateutil reads the month name; a missing day stays missing, and an impossible date is skipped."""
    month = groups.get("m")
    text = f"{groups.get('d') or 1} {groups.get('mw') or month} {groups['y']}"
    try:
        parsed = dateutil_parser.parse(text, parserinfo=FrenchEnglishDates(), dayfirst=True, default=dt.datetime(1, 1, 1))
    except (ValueError, OverflowError):
        return None
    return PartialDate(parsed.year, parsed.month, parsed.day if groups.get("d") else None)


def find_date(text: str) -> tuple[EventDate, str] | None:
    """The first date written in ``text``, at the precision it is written with ("du 1er au 30 novembre 2023" is a range).

    A day and month without a year take the year written just after them; with no year in sight they are
    skipped: a year is never guessed.
    """
    if not _DIGIT.search(text):
        return None  # every date written has a digit: most paragraphs need no pattern run over them
    if span := _RANGE.search(text):
        g = span.groupdict()
        end = _date_from({"d": g["d2"], "mw": g["m2"], "y": g["y2"]})
        start = _date_from({"d": g["d1"], "mw": g["m1"] or g["m2"], "y": g["y1"] or g["y2"]})
        if start and end and end.first_day() >= start.first_day():
            first = min((m.start() for p in _DATE_PATTERNS if (m := p.search(text))), default=span.start())
            if first >= span.start():
                return EventDate(start, end), span[0]
    matches = sorted((m for pattern in _DATE_PATTERNS for m in pattern.finditer(text)), key=lambda m: (m.start(), -m.end()))
    rejected: list[tuple[int, int]] = []
    for match in matches:
        if any(start < match.end() and match.start() < end for start, end in rejected):
            continue  # part of an impossible date already refused ("31 avril 2024" is not "avril 2024")
        groups = dict(match.groupdict())
        written = match[0]
        if not groups.get("y"):
            nearby = re.match(rf"[^.;]{{0,40}}?\b(?:{_MONTH_WORD})\.?\s+(\d{{4}})\b", text[match.end():], re.IGNORECASE)
            if not nearby:
                continue
            groups["y"] = nearby[1]
            written = f"{match[0]} {nearby[1]}"
        if date := _date_from(groups):
            return EventDate(date), written
        rejected.append(match.span())
    return None


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’']+", text.lower())


def _glued(text: str) -> bool:
    # "ArtificielleMetaverseSociété": labels glued together. One join (OpenAI, ChatGPT, iPhone) is a name.
    return len(re.findall(r"[a-zà-ÿ][A-ZÀ-Ý][a-zà-ÿ]", text)) >= 2


def _title_like(text: str) -> bool:
    return bool(text) and not re.search(r"[.;,]$", text) and len(text) < 200


def _is_category_strip(text: str, following: str) -> bool:
    """'Économie Technologie', 'Meta ia Technologie IA': labels above a title, not the title itself."""
    if _glued(text):
        return True
    plain = not re.search(r"[:,.?!«»'’\"]", text)
    labels = plain and len(text.split()) <= 6 and not any(w in _FUNCTION_WORDS for w in _words(text))
    return labels and _title_like(following)  # only when a title follows it


def _is_keyword_strip(text: str) -> bool:
    items = [i.strip() for i in text.split(",")]
    return len(items) >= 6 and all(len(i.split()) <= 4 for i in items) and not any(w in ("et", "and") for w in _words(text)) and not re.search(r"[.!?»]$", text)


def _is_metadata(text: str) -> bool:
    """A line about the article rather than of it: boilerplate, credits, dates, outlet, byline."""
    if any(p.match(text) for p in (*_BOILERPLATE, _CREDIT, _PUBLISHED, _UPDATED, _OUTLET, _BYLINE)):
        return True
    return _date_alone(text) is not None


# No date as written is longer ("du 1er septembre 2023 au 30 septembre 2023" has 42 characters): a longer line is
# never a date alone, and needs no date pattern run over it (on every paragraph, that was most of an import's time).
_LONGEST_DATE = 80


def _date_alone(text: str) -> tuple[EventDate, str] | None:
    """The date a line gives when the line is only that date (give or take a few characters), else None."""
    length = len(text.strip(" ."))
    if length - 3 > _LONGEST_DATE:
        return None
    alone = find_date(text)
    return alone if alone and len(alone[1]) >= length - 3 else None


def _published_date(text: str) -> EventDate | None:
    """The date of a 'Publié le …' line, when the date comes right after those words."""
    rest = _PUBLISHED.sub("", text, count=1)
    found = find_date(rest[:60])
    return found[0] if found and rest.lower().startswith(found[1].lower()[:2]) else None


def _note_metadata(found: Found, text: str) -> bool:
    """Note the publication date, outlet or byline that a line gives; whether it was such a line."""
    if _PUBLISHED.match(text) and (date := _published_date(text)):
        found.published = found.published or date
        return True
    if _UPDATED.match(text) and find_date(text[:60]):
        return True  # an update stamp is neither the publication nor the event
    if alone := _date_alone(text):
        found.published = found.published or alone[0]  # a line that is only a date: when it was published
        return True
    if (match := _OUTLET.match(text)) and len(text.split()) <= 8:
        if match["name"].strip().lower() not in _GENERIC_OUTLETS and not found.outlet:
            found.outlet = match["name"].strip()
        return True
    if (match := _BYLINE.match(text)) and len(match["name"].split()) <= 4:
        found.author = match["name"].strip()
        return True
    return False


def _classified(block: Block) -> Block:
    """A line of unknown kind as a heading (short, capitalised, no closing punctuation) or as text."""
    if block.kind != "line":
        return block
    text, words = block.text, len(block.text.split())
    heading = text[:1].isupper() and len(text) < 100 and (
        (words <= 12 and not re.search(r"[.;,:…»\"!]$", text) and not text.endswith("?")) or (words <= 8 and text.endswith("?"))
    )
    return Block("heading" if heading else "text", text)


def _next_content_lines(lines: list[str]) -> list[str]:
    """For each line, the first line after it that is not metadata ("" at the end), in one pass from the end.

    Looking ahead from every line made import quadratic: 2 MB of text took 7.6 s.
    """
    after, following = [""] * len(lines), ""
    for index in range(len(lines) - 1, -1, -1):
        after[index] = following
        if not _is_metadata(lines[index]):
            following = lines[index]
    return after


def analyse(blocks: list[Block]) -> Found:
    """Title, dates, outlet and the article's own blocks, with boilerplate removed."""
    found = Found()
    kept: list[Block] = []
    skip_next = False
    lines = [b.text for b in blocks]
    after = _next_content_lines(lines)
    for index, block in enumerate(blocks):
        text = block.text
        following = after[index]
        if skip_next:
            skip_next = False
            continue
        if block.kind == "raw":
            kept.append(block)
            continue
        if _END_OF_ARTICLE.match(text):
            break  # the author box and the comments follow
        if match := _READ_ALSO.match(text):
            skip_next = not match["rest"]  # the teaser title is on the next line
            continue
        if _CREDIT.match(text) or any(p.match(text) for p in _BOILERPLATE) or _is_keyword_strip(text):
            continue
        if _CREDIT.match(lines[index + 1] if index + 1 < len(lines) else "") and not found.title and (text[:1].islower() or text.startswith("(")):
            continue  # an image caption, just above its credit
        if _note_metadata(found, text):
            continue
        if not found.title:
            if block.kind != "heading" and _is_category_strip(text, following):
                continue
            sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
            found.title = text if len(text) <= 160 else (sentence if len(sentence) <= 160 else text[:157].rsplit(" ", 1)[0] + "…")
            if found.title != text:
                kept.append(block)  # a first sentence used as the title still belongs to the text
            continue
        kept.append(_classified(block))
    found.blocks = kept
    for block in kept:
        if block.kind != "raw" and (date := find_date(block.text)):
            found.event, found.event_text = date
            break
    return found


def escape_markdown(text: str) -> str:
    """Imported text shown as text: no HTML tag, no emphasis, no link comes out of it."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text)


def to_markdown(blocks: list[Block], lang: str) -> str:
    """Clean Markdown: headings, paragraphs, lists, quotations and FAQ questions as headings; quotes in « » in French."""
    out: list[str] = []
    for block in blocks:
        if block.kind == "raw":
            out.append(block.text)
            continue
        text = escape_markdown(block.text)
        if lang == "fr":
            text = re.sub(r'"([^"\n]+)"', lambda m: f"« {m[1].strip()} »", text)
        if match := _QUESTION.match(text):
            out.append(f"### {match['q']}")
        elif block.kind == "heading":
            out.append(f"## {text}")
        elif block.kind == "item":
            out.append(f"- {text}")
        elif block.kind == "quote":
            out.append(f"> {text}")
        else:
            out.append(re.sub(r"^([#>+-]|\d+\.)", r"\\\1", _ANSWER.sub("", text)))
    # List items run together; everything else is a paragraph of its own.
    markdown = ""
    for previous, line in zip([None, *out], out):
        joiner = "\n" if previous is not None and previous.startswith("- ") and line.startswith("- ") else "\n\n"
        markdown += (joiner if markdown else "") + line
    return markdown + "\n"


def guess_language(text: str, declared: str) -> str:
    """The page's declared language, else French or English by their commonest words."""
    if declared in ("fr", "en"):
        return declared
    words = _words(text)
    return "en" if sum(w in _ENGLISH_WORDS for w in words) > sum(w in _FRENCH_WORDS for w in words) else "fr"


def draft_from_article(path: Path, date: str | None, tags: tuple[str, ...], site_lang: str = "fr") -> tuple[Draft | None, list[str]]:
    """The draft to write for the article at ``path``, its notes in ``site_lang``, and the warnings to show; None when no date is known."""
    blocks, url, declared_lang, warnings = read_blocks(path)
    found = analyse(blocks)
    lang = guess_language(" ".join(b.text for b in blocks), declared_lang)  # the article's, for its source entry
    words = WORDS[site_lang]
    notes = [words["imported"].format(name=path.name)]
    event_date = date
    if event_date is None and found.event is not None:
        event_date = found.event.iso()
        notes.append(words["date_proposed"].format(text=found.event_text, precision=found.event.precision))
    elif event_date is None and found.published is not None:
        event_date = found.published.iso()
        notes.append(words["date_is_published"])
    if event_date is None:
        return None, warnings + [f"no date found in {path.name} (neither a publication date nor an event date); give the event date with --date"]
    if not found.title:
        warnings.append(f"no title found in {path.name}; the draft is titled after the file")
    if not found.outlet:
        warnings.append(f"no outlet found in {path.name}; fill in the source's publisher")
    if found.published is None:
        notes.append(words["published_unknown"])
    if not found.blocks:
        warnings.append(f"no article text found in {path.name}")
    source = {
        "publisher": found.outlet or words["to_complete"],
        "title": found.title or path.stem,
        "date": found.published.iso() if found.published else event_date,
        "lang": lang,
    }
    if url:
        source["url"] = url
    if found.author:
        notes.append(words["signed"].format(author=found.author))
    body = words["rewrite"] + to_markdown(found.blocks, lang)
    return Draft(found.title or path.stem, event_date, tags, words["summary"], (source,), body, tuple(notes)), warnings
