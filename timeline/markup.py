"""Markdown bodies to HTML, with one reused Python-Markdown instance (reset between documents).

Links to other events (``[texte](2023-12-05-ai-alliance.md)``) and files beside an entry (images) are
recorded as references and left as placeholders; the build resolves them once it knows every event's URL.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify
from markdown.treeprocessors import Treeprocessor

from .typography import french

# Ids the page templates give their own elements; a body heading must never take one
# ("## Sources" would otherwise collide with the sources section). Keep in step with templates/.
RESERVED_IDS = frozenset({"contenu", "sources"})
_CODE_TAGS = frozenset({"code", "pre", "kbd", "samp", "script", "style"})
_STASHED = re.compile("\x02wzxhzdk:(\\d+)\x03")  # Python-Markdown's placeholder for stashed raw HTML
_RAW_CODE_TAG = re.compile(r"<\s*(/)?\s*(?:code|kbd|samp|pre|script|style)\b", re.IGNORECASE)
PLACEHOLDER = re.compile(r'(href|src)="tl-(event|file):([^"#]*)(#[^"]*)?"')


@dataclass(frozen=True)
class Reference:
    """A link or image in a body that points at a file of the project."""

    kind: str  # "event" for a .md file, "file" for anything else (images, documents)
    target: str  # project-relative path, e.g. "content/images/carte.png"
    written: str  # as the author wrote it
    line: int


def heading_id(value: str, separator: str) -> str:
    """Python-Markdown's heading slug, moved aside when a template already uses it."""
    slug = slugify(value, separator)
    return f"{slug}{separator}1" if slug in RESERVED_IDS else slug


class _LocalReferences(Treeprocessor):
    """Turns relative links and image sources into placeholders, noting each one."""

    def __init__(self, md: markdown.Markdown, renderer: MarkdownRenderer):
        super().__init__(md)
        self.renderer = renderer

    def run(self, root: Element) -> None:
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            if attribute and element.get(attribute):
                self._rewrite(element, attribute)

    def _rewrite(self, element: Element, attribute: str) -> None:
        written = element.get(attribute)
        try:
            parts = urlsplit(written)
        except ValueError:
            return  # not a URL we can read ("http://[::1"): left as written
        if parts.scheme or parts.netloc or written.startswith(("/", "#")) or not parts.path:
            return  # another site, a site-absolute path or an anchor: left as written
        target = posixpath.normpath(posixpath.join(self.renderer.folder, unquote(parts.path)))
        if any(ord(ch) < 32 for ch in target):
            return  # a control character is no file name
        kind = "event" if target.endswith(".md") and element.tag == "a" else "file"
        self.renderer.references.append(Reference(kind, target, written, self.renderer.line_of(written)))
        element.set(attribute, f"tl-{kind}:{quote(target)}" + (f"#{parts.fragment}" if parts.fragment else ""))


class _Typography(Treeprocessor):
    """Applies the site language's typography to text, never inside code."""

    def __init__(self, md: markdown.Markdown, renderer: MarkdownRenderer):
        super().__init__(md)
        self.renderer = renderer

    def run(self, root: Element) -> None:
        if self.renderer.lang == "fr":
            self.in_raw_code = False
            self._walk(root, in_code=False)

    def _walk(self, element: Element, in_code: bool) -> None:
        in_code = in_code or element.tag in _CODE_TAGS
        if element.text and not in_code:
            element.text = self._typeset(element.text)
        for child in element:
            self._walk(child, in_code)
            if child.tail and not in_code:
                child.tail = self._typeset(child.tail)

    def _typeset(self, text: str) -> str:
        # Raw HTML written in Markdown (<code>…</code>) is stashed as placeholders around plain text:
        # follow those tags so that code written as HTML is left alone too.
        pieces, position = [], 0
        for match in _STASHED.finditer(text):
            chunk = text[position:match.start()]
            pieces += [chunk if self.in_raw_code else french(chunk), match[0]]
            raw = str(self.md.htmlStash.rawHtmlBlocks[int(match[1])])
            if tag := _RAW_CODE_TAG.match(raw):
                self.in_raw_code = not tag[1]
            position = match.end()
        rest = text[position:]
        return "".join(pieces) + (rest if self.in_raw_code else french(rest))


class _ReferencesExtension(Extension):
    def __init__(self, renderer: MarkdownRenderer):
        super().__init__()
        self.renderer = renderer

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        # After inline parsing (20) and heading ids (toc, 5), so that ids keep plain spaces.
        md.treeprocessors.register(_Typography(md, self.renderer), "typography", 4)
        md.treeprocessors.register(_LocalReferences(md, self.renderer), "local_references", 1)


# extra: tables, footnotes, definition lists, fenced code, attribute lists; toc: ids and anchors on headings.
EXTENSION_CONFIGS = {
    "toc": {"slugify": heading_id, "permalink": "#", "permalink_title": "Lien vers cette section"},
    # Footnotes come with "extra", so their settings go through it.
    "extra": {"footnotes": {"BACKLINK_TITLE": "Retour à la note %d dans le texte"}},
}


class MarkdownRenderer:
    """Converts Markdown to HTML; cheaper than a new ``markdown.Markdown`` per document."""

    def __init__(self, lang: str = "fr") -> None:
        self.lang = lang  # French typography applies when it is "fr"
        self.folder = "content"
        self.text = ""
        self.first_line = 1
        self.references: list[Reference] = []
        self._md = markdown.Markdown(
            extensions=["extra", "toc", "sane_lists", _ReferencesExtension(self)],
            extension_configs=EXTENSION_CONFIGS,
            output_format="html",
        )

    def __call__(self, text: str, source: str = "content/x.md", first_line: int = 1) -> tuple[str, tuple[Reference, ...]]:
        """Render one document; ``source`` is its project-relative path, ``first_line`` the line its body starts on."""
        self.folder, self.text, self.first_line, self.references = posixpath.dirname(source), text, first_line, []
        html = self._md.reset().convert(text)
        return html, tuple(self.references)

    def typography(self, text: str) -> str:
        """The language's typography for plain text such as titles and summaries."""
        return french(text) if self.lang == "fr" else text

    def line_of(self, written: str) -> int:
        """The file line where a link target first appears in the body being rendered."""
        index = self.text.find(written)
        return self.first_line + (self.text.count("\n", 0, index) if index >= 0 else 0)


def resolve_references(html: str, url_of: dict[str, str]) -> str:
    """Replace the placeholders with the URLs in ``url_of`` (keyed by project-relative path)."""
    def replace(match: re.Match) -> str:
        target = unquote(match[3])
        if target not in url_of:
            return match[0]  # an unknown target was reported as a problem already
        return f'{match[1]}="{quote(url_of[target], safe="/:")}{match[4] or ""}"'

    return PLACEHOLDER.sub(replace, html)
