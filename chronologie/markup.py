"""Markdown bodies to HTML with Python-Markdown: one instance per renderer, reset between documents.

Python-Markdown's own extensions read the Markdown: ``toc`` (every heading gets an id and a ``#`` permalink,
and ``[TOC]`` is replaced by a table of contents), ``tables``, ``footnotes``, ``def_list``, ``attr_list``,
``fenced_code``, ``abbr``, ``md_in_html`` (Markdown inside ``<div markdown="1">``), ``admonition``
(``!!! note``, as MkDocs users write) and ``sane_lists``. One extension of ours, ``_TimelineExtension``, adds:

- the CommonMark bodies have been written in since markdown-it-py rendered them, where it differs from
  Python-Markdown: a nested list is indented to its item's text (two spaces under ``- ``, see ``_nest_lists``),
  ``\\`` escapes any punctuation, ``#`` starts a heading only before a space, a list, a table or a fence may
  follow a paragraph's line, a heading may be underlined under several lines, a ``{#id .classe}`` line above a
  block gives it those attributes, a ``\\`` at the end of a line breaks it;
- the site language's typography on text, never in code (nor in code written as raw HTML);
- links to other events (``[texte](2023-12-05-ai-alliance.md)``) and files beside an entry (images), recorded as
  references with their file line and left as placeholders, which the build resolves once it knows every
  event's URL;
- the HTML the site has always had, byte for byte: attributes in their order, loose and tight lists, footnotes,
  links percent-encoded, entities as characters, white space.
"""

from __future__ import annotations

import codecs
import html as _html
import posixpath
import re
import string
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit
from xml.etree.ElementTree import Comment, Element, ProcessingInstruction, SubElement

import markdown
from markdown.blockprocessors import BlockProcessor, BlockQuoteProcessor, HashHeaderProcessor, SetextHeaderProcessor
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor, get_attrs_and_remainder
from markdown.extensions.footnotes import FN_BACKLINK_TEXT, NBSP_PLACEHOLDER, FootnoteExtension
from markdown.extensions.toc import TocExtension
from markdown.extensions.toc import slugify as _toc_slugify
from markdown.inlinepatterns import (
    BACKTICK_RE,
    IMAGE_REFERENCE_RE,
    REFERENCE_RE,
    BacktickInlineProcessor,
    DelimiterProcessor,
    ShortImageReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
    SubstituteTagInlineProcessor,
)
from markdown.preprocessors import NormalizeWhitespace, Preprocessor
from markdown.serializers import BOOLEAN_ATTRIBUTES, HTML_EMPTY
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, AtomicString, code_escape

from .typography import french

# Ids the page templates give their own elements; a body heading must never take one
# ("## Sources" would otherwise collide with the sources section). Keep in step with templates/.
RESERVED_IDS = frozenset({"contenu", "sources"})
PLACEHOLDER = re.compile(r'(href|src)="tl-(event|file):([^"#]*)(#[^"]*)?"')

# Words the renderer writes into bodies, by site language (French for any other).
_STRINGS = {
    "fr": {"permalink": "Lien vers cette section", "backlink": "Retour à la note {} dans le texte"},
    "en": {"permalink": "Link to this section", "backlink": "Jump back to footnote {} in the text"},
}

# Text that French typography could change; other text is left alone without running its rules.
_TYPOGRAPHY_CHARS = re.compile("[\"«»:;?!%]")


@dataclass(frozen=True)
class Reference:
    """A link or image in a body that points at a file of the project."""

    kind: str  # "event" for a .md file, "file" for anything else (images, documents)
    target: str  # project-relative path, e.g. "content/images/carte.png"
    written: str  # as the author wrote it
    line: int


def slugify(value: str, separator: str = "-") -> str:
    """A heading's slug as Python-Markdown's ``toc`` makes it: accents dropped, ASCII letters, digits, ``_`` and
    ``-`` kept, spaces to ``separator``."""
    return _toc_slugify(value, separator)


def heading_id(value: str, separator: str) -> str:
    """A heading's slug, moved aside when a template already uses it."""
    slug = _toc_slugify(value, separator)
    return f"{slug}{separator}1" if slug in RESERVED_IDS else slug


class MarkdownRenderer:
    """Converts Markdown to HTML; build one and call it for every document."""

    def __init__(self, lang: str = "fr") -> None:
        self.lang = lang  # French typography applies when it is "fr"; the build may change it between documents
        self.folder = "content"
        self.text = ""
        self.first_line = 1
        self.references: list[Reference] = []
        self._strings = _STRINGS.get(lang, _STRINGS["fr"])
        self._footnotes = FootnoteExtension(BACKLINK_TITLE=self._strings["backlink"])
        self._md = markdown.Markdown(
            extensions=[
                TocExtension(slugify=heading_id, permalink="#", permalink_title=self._strings["permalink"]),
                "tables", self._footnotes, "def_list", "attr_list", "fenced_code", "abbr", "md_in_html",
                "admonition", "sane_lists", _TimelineExtension(self),
            ],
            output_format="html",
        )
        self._toc = self._md.treeprocessors["toc"]

    def __call__(self, text: str, source: str = "content/x.md", first_line: int = 1) -> tuple[str, tuple[Reference, ...]]:
        """Render one document; ``source`` is its project-relative path, ``first_line`` the line its body starts on."""
        self.folder, self.text, self.first_line, self.references = posixpath.dirname(source), text, first_line, []
        strings = _STRINGS.get(self.lang, _STRINGS["fr"])
        if strings is not self._strings:
            self._strings = strings
            self._toc.permalink_title = strings["permalink"]
            self._footnotes.setConfig("BACKLINK_TITLE", strings["backlink"])
        html = self._md.reset().convert(text)
        return html, tuple(self.references)

    def typography(self, text: str) -> str:
        """The language's typography for plain text such as titles and summaries."""
        # Text without any character French typography changes is left as it is, without running its rules.
        return french(text) if self.lang == "fr" and _TYPOGRAPHY_CHARS.search(text) else text

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


class _TimelineExtension(Extension):
    """What the site adds to Python-Markdown (see the module's docstring); registered after the others."""

    def __init__(self, renderer: MarkdownRenderer):
        super().__init__()
        self.renderer = renderer

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        footnotes = self.renderer._footnotes
        md.ESCAPED_CHARS[:] = sorted(set(md.ESCAPED_CHARS) | set(string.punctuation))
        md.preprocessors.register(_NormalizeWhitespace(md), "normalize_whitespace", 30)
        # After fenced code (25) and raw HTML (20) are stashed, so that their lines are left alone.
        md.preprocessors.register(_NestedLists(md), "timeline_nested_lists", 15)
        blocks = md.parser.blockprocessors
        blocks.register(_AttributeLines(md.parser), "timeline_attributes", 200)
        blocks.register(_HashHeader(md.parser), "hashheader", 70)
        blocks.register(_SetextHeader(md.parser), "setextheader", 60)
        blocks.register(_BlockQuote(md.parser), "quote", 20)
        blocks.register(_BlockAfterParagraph(md.parser), "timeline_block_after_paragraph", 11)  # before "paragraph"
        md.preprocessors["fenced_code_block"].FENCED_BLOCK_RE = _FENCED_BLOCK_RE
        md.inlinePatterns.register(_CodeSpan(BACKTICK_RE), "backtick", 190)
        md.inlinePatterns.register(_ShortReference(REFERENCE_RE, md), "short_reference", 130)
        md.inlinePatterns.register(_ShortImageReference(IMAGE_REFERENCE_RE, md), "short_image_ref", 125)
        md.inlinePatterns.register(SubstituteTagInlineProcessor(r"\\\n", "br"), "timeline_backslash_break", 185)
        emphasis = _Emphasis("*", "strong,em", md)  # as Python-Markdown registers its own
        emphasis.add("_", "strong,em", smart=True)
        md.inlinePatterns.register(emphasis, "em_strong", 60)
        md.treeprocessors.register(_NestedFootnotes(md, footnotes), "timeline_nested_footnotes", 49)
        md.treeprocessors.register(_AttrList(md), "attr_list", 8)
        # After inline parsing (20), attribute lists (8) and heading ids (toc, 5), so that ids are made from the
        # text before typography; before the escaped characters are put back (unescape, 0).
        md.treeprocessors.register(_SiteMarkup(md, self.renderer), "timeline_markup", 4.5)
        md.treeprocessors.register(_Typography(md, self.renderer), "timeline_typography", 4)
        md.treeprocessors.register(_References(md, self.renderer), "timeline_references", 3)
        # This instance's own serializer (Python-Markdown sets it from output_formats once the extensions are in).
        md.output_formats = {**md.output_formats, "html": _serialize}  # type: ignore[misc]
        md.registerExtension(self)


# ---------------------------------------------------------------- before the blocks are read


class _NormalizeWhitespace(NormalizeWhitespace):
    """Python-Markdown's, but a tab becomes spaces only where it indents (CommonMark keeps the others as tabs)."""

    def run(self, lines: list[str]) -> list[str]:
        if not any("\t" in line for line in lines):
            return super().run(lines)
        lines = [_INDENT_WITH_TABS.sub(lambda m: m[0].expandtabs(4), line) if "\t" in line else line for line in lines]
        return [line.replace(_TAB, "\t") for line in super().run([line.replace("\t", _TAB) for line in lines])]


_INDENT_WITH_TABS = re.compile(r"^(?:[ \t]|[*+>-](?=[ \t])|\d{1,9}[.)](?=[ \t]))*")
_TAB = "\x01\x7f"  # a tab, hidden from Python-Markdown's expandtabs


# Python-Markdown's fenced_code block, with an info string of more than a word (```python title="x"), which
# CommonMark allows and reads the language from, and a closing fence longer than the opening one.
_FENCED_BLOCK_RE = re.compile(
    r"""(?P<fence>^(?:~{3,}|`{3,}))[ ]*((\{(?P<attrs>[^\n]*)\})|(\.?(?P<lang>[\w#.+-]*)[ ]*)?"""
    r"""(hl_lines=(?P<quot>"|')(?P<hl_lines>.*?)(?P=quot)[ ]*)?(?:[^\n`{][^\n`]*)?)\n(?P<code>.*?)(?<=\n)"""
    r"""(?P=fence)[`~]*[ ]*$""",
    re.MULTILINE | re.DOTALL,
)


class _NestedLists(Preprocessor):
    """Lists nested as CommonMark nests them (see ``_nest_lists``)."""

    def run(self, lines: list[str]) -> list[str]:
        # Lists whose lines all start at the left margin (most lists) are read alike by both.
        if not any(_ANY_MARKER.match(line) for line in lines) or not any(_NEST_TRIGGER.match(line) for line in lines):
            return lines
        return _nest_lists(lines, self._stash_fence)

    def _stash_fence(self, lines: list[str]) -> str | None:
        """The placeholder of a fenced block, stashed by Python-Markdown's fenced_code; None if it refuses it."""
        stashed = [line for line in self.md.preprocessors["fenced_code_block"].run(lines) if line]
        return stashed[0] if len(stashed) == 1 and _STASHED.fullmatch(stashed[0]) else None


# A list item's marker and the spaces after it; ordered items from markdown-it-py's "1)" as well as "1.".
_MARKER = re.compile(r"( *)([*+-]|(\d{1,9})[.)])( +|$)")
_ANY_MARKER = re.compile(r" *(?:[*+-]|\d{1,9}[.)])(?: |$)")
# What makes a list need re-indenting: an indented line, an item marked "1)", an empty item, an underline.
_NEST_TRIGGER = re.compile(r" +\S| {0,3}\d{1,9}\)| {0,3}(?:[*+-]|\d{1,9}\.) *$|(?:=+|-+) *$")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?: *\1){2,} *")
_UNDERLINE = re.compile(r" {0,3}(?:-+|=+) *")
# Blocks whose text Python-Markdown reads four spaces in: footnotes, admonitions, definitions.
_INDENTED_CONTAINER = re.compile(r" {0,3}(?:\[\^[^\]\n]+\]:|!!! |\?\?\?\+? |: {1,3}\S)")
_FENCE = re.compile(r"(`{3,}|~{3,})(?!.*`)")
# Lines that are no paragraph's text: a lazy line never continues them.
_NOT_PARAGRAPH = re.compile(r" *(?:#{1,6}(?: |$)|>|\x02wzxhzdk:\d+\x03$)")


def _nest_lists(lines: list[str], stash_fence=None) -> list[str]:
    """Lists re-indented from the way CommonMark reads them to the way Python-Markdown does.

    In CommonMark a nested list, or any other block in an item, is indented to the item's text: two spaces
    under ``- ``, three under ``1. ``, four under ``10. ``; Python-Markdown wants four spaces a level. Rather
    than read every indented block two spaces in (its ``tab_length``), which would make code of any line
    indented by two spaces, or lists that need two spaces exactly (mdx_truly_sane_lists, which loses lists
    nested by four spaces, as Python-Markdown users write them), each line that belongs to an item is moved
    to where Python-Markdown looks for it, and the rest is left alone. A fenced block in an item, which
    Python-Markdown cannot read there, is stashed as its ``fenced_code`` would (``stash_fence``).
    """
    return _ListNesting(lines, stash_fence).run()


class _ListNesting:
    """One run of ``_nest_lists``: the lines read so far, and the items open where the next line is read."""

    def __init__(self, lines: list[str], stash_fence) -> None:
        self.stash_fence = stash_fence
        self.out: list[str] = []
        # The open items: the column of their text as written, the column of their marker for Python-Markdown, and
        # whether a blank line came since the marker (Python-Markdown then wants their blocks four spaces further in).
        self.stack: list[list] = []
        self.paragraph = -1  # the depth of the paragraph the previous line belongs to; -1 after a blank line or a block
        # The indent of the first line of the block being written, as Python-Markdown reads it.
        self.block_indent: int | None = 0
        self.source = iter(lines)
        self.pending: list[str] = []  # a line read ahead, after a fenced block in an item

    def run(self) -> list[str]:
        while True:
            line = self.pending.pop() if self.pending else next(self.source, None)
            if line is None:
                return self.out
            stripped = line.lstrip(" ")
            if stripped:
                self._write(self._place(line, stripped))
            else:
                self._blank(line)

    def _blank(self, line: str) -> None:
        """A blank line: it ends the paragraph and the block, and every open item now has one in it."""
        self.out.append(line)
        self.paragraph, self.block_indent = -1, None
        for item in self.stack:
            item[2] = True

    def _place(self, line: str, stripped: str) -> str:
        """A line that is not blank, moved to where Python-Markdown looks for it; the open items updated."""
        indent = len(line) - len(stripped)
        depth = self._depth(indent)
        base = self.stack[depth - 1][0] if depth else 0
        marker = self._marker(line, indent - base, depth)
        if marker is None and self.paragraph > depth and not _NOT_PARAGRAPH.match(stripped):
            depth = self.paragraph  # a lazy line: it goes on with the paragraph of an item
            indent = base = self.stack[depth - 1][0]
            if _UNDERLINE.fullmatch(stripped):
                stripped = "\\" + stripped  # text, which underlines nothing
        if marker is None and self.paragraph >= depth and self.paragraph >= 0:
            stripped = _escape_item_look(stripped)
        del self.stack[depth:]
        if marker:
            return self._item(line, marker, indent, depth)
        return self._block_line(stripped, indent, base, depth)

    def _depth(self, indent: int) -> int:
        """How many of the open items a line indented by ``indent`` is in."""
        depth = len(self.stack)
        while depth and indent < self.stack[depth - 1][0]:
            depth -= 1
        return depth

    def _marker(self, line: str, offset: int, depth: int) -> re.Match | None:
        """The marker of the item the line starts, ``offset`` columns past its list's text; None if it starts none."""
        marker = _MARKER.match(line) if offset < 4 and not _THEMATIC_BREAK.fullmatch(line) else None
        if marker and self.paragraph == depth and (not line[marker.end():].strip() or marker[3] not in (None, "1")):
            return None  # a list interrupts a paragraph only with a non-empty item, and an ordered one from 1 only
        return marker

    def _item(self, line: str, marker: re.Match, indent: int, depth: int) -> str:
        """An item's first line, its marker four spaces further in than its parent item's."""
        column = self.stack[-1][1] + 4 if self.stack else 0
        rest = line[marker.end():]
        spaces = len(marker[4])
        if rest and spaces > 4:  # the item's text starts with indented code
            rest, spaces = " " * (spaces - 1) + rest, 1
        self.stack.append([indent + len(marker[2]) + max(spaces, 1), column, False])
        self.paragraph = depth + 1 if rest.strip() else -1
        return " " * column + (marker[2] if marker[3] is None else marker[3] + ".") + " " + rest

    def _block_line(self, stripped: str, indent: int, base: int, depth: int) -> str:
        """A line that starts no item: under its item's text if it is in one, where it was written if not."""
        fenced = False
        if depth:
            _, column, spaced = self.stack[-1]
            if self.stash_fence is not None and indent - base < 4 and (fence := _FENCE.match(stripped)):
                placeholder = self._stash_fence(stripped, fence[1], base)
                if placeholder is not None:
                    stripped, fenced = placeholder, True
            # In the marker's own block, lines keep their place under the item's text; after a blank line,
            # Python-Markdown wants them four spaces further in than the marker.
            line = " " * (column + (4 if spaced else 0) + indent - base) + stripped
        else:
            line = " " * indent + stripped
        if fenced:
            self.paragraph = -1
        elif _INDENTED_CONTAINER.match(stripped if depth else line):
            # Its text, even on the lines right under it, goes four spaces further in than its start.
            self.stack.append([indent + 4 if depth else 4, self.stack[-1][1] + 4 if depth else 0, True])
            self.paragraph = depth + 1
        else:
            self.paragraph = -1 if _NOT_PARAGRAPH.match(stripped) or _THEMATIC_BREAK.fullmatch(stripped) else depth
        return line

    def _stash_fence(self, first: str, fence: str, base: int) -> str | None:
        """The placeholder of the fenced block an item's line opens; None if Python-Markdown does not read it."""
        code, written = _read_fence(first, fence, base, self.source, self.pending)
        placeholder = self.stash_fence(code)
        if placeholder is None:  # not a block Python-Markdown reads: its lines are read again, as lines
            self.pending.extend(reversed(written))
        return placeholder

    def _write(self, line: str) -> None:
        """The line, after a blank one if Python-Markdown would otherwise read it into the block above."""
        new_indent = len(line) - len(line.lstrip(" "))
        if self.block_indent is None:
            self.block_indent = new_indent
        elif new_indent < self.block_indent and self.block_indent >= 4 and self.out and self.out[-1].strip():
            # Python-Markdown puts a whole block that starts indented into the item above it: a line less
            # indented (an item of an outer list) starts a block of its own.
            self.out.append("")
            self.block_indent = new_indent
        self.out.append(line)


def _escape_item_look(text: str) -> str:
    """Paragraph text that only looks like an item, escaped, or Python-Markdown would start a list there."""
    looks = _MARKER.match(text)
    if looks is None or _UNDERLINE.fullmatch(text) or _THEMATIC_BREAK.fullmatch(text):
        return text
    end = looks.end(2) - 1
    return text[:end] + "\\" + text[end:]


def _read_fence(first: str, fence: str, base: int, source, pending: list[str]) -> tuple[list[str], list[str]]:
    """A fenced block in an item, from its opening line on: moved to the left margin and closed, and the lines
    read after the first, as written."""
    code, written = [first], []
    for following in source:
        text = following.lstrip(" ")
        indent = len(following) - len(text)
        if text and indent < base:
            pending.append(following)  # the item ends here, and the fence with it
            break
        written.append(following)
        code.append(following[min(base, indent):])
        if text.startswith(fence) and not text.strip(fence[0] + " ") and indent - base < 4:
            code[-1] = fence  # closed, as Python-Markdown wants it: with the same fence
            return code, written
    code.append(fence)
    return code, written


# ---------------------------------------------------------------- blocks


def _line_attributes(line: str) -> dict[str, str] | None:
    """The attributes of a ``{#id .a key=value}`` line, classes last as markdown-it-py wrote them; None if the line is
    not one."""
    match = _ATTR_LINE.fullmatch(line)
    if not match:
        return None
    found, rest = get_attrs_and_remainder(match[1])
    if rest.strip():
        return None
    attrs: dict[str, str] = {}
    classes: list[str] = []
    for key, value in found:
        if key == ".":
            classes.append(value)
        elif _ATTR_NAME.match(key) and not key.lower().startswith("on"):  # no event handler, as markdown-it-py
            attrs[key] = value if value is not None else ""
    if classes:
        attrs["class"] = " ".join(classes)
    return attrs


_ATTR_LINE = re.compile(r"[ ]{0,3}\{[ ]*([^{}\n]*?)[ ]*\}[ ]*")
_ATTR_NAME = re.compile(r"[A-Za-z_:][-\w:.]*\Z")


class _AttributeLines(BlockProcessor):
    """``{#id .classe}`` on the lines above a block gives that block those attributes (markdown-it-py's attrs_block)."""

    def test(self, parent: Element, block: str) -> bool:
        return block.lstrip(" ").startswith("{") and _line_attributes(block.split("\n", 1)[0]) is not None

    def run(self, parent: Element, blocks: list[str]) -> bool:
        attrs: dict[str, str] | None = None
        while blocks:
            lines = blocks[0].split("\n")
            taken = 0
            while taken < len(lines) and (found := _line_attributes(lines[taken])) is not None:
                if attrs is not None:  # stacked lines: the lower ones win, classes add up
                    if "class" in attrs and "class" in found:
                        attrs["class"] = f"{attrs['class']} {found['class']}"
                    for key, value in attrs.items():
                        if key == "class" or key not in found:
                            found[key] = value
                attrs = found
                taken += 1
            if taken < len(lines):
                blocks[0] = "\n".join(lines[taken:])
                break
            blocks.pop(0)  # a block of attribute lines only: they go to the next block
        if not blocks or not attrs:
            return True
        count = len(parent)
        for processor in self.parser.blockprocessors:
            if processor is not self and processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                break
        if len(parent) > count:
            element = parent[count]
            if element.tag == "p" and not len(element) and _STASHED.fullmatch((element.text or "").strip()):
                return True  # raw HTML or a fenced block, kept as written: it takes no attributes
            if "class" in attrs and element.get("class"):
                attrs["class"] = f"{element.get('class')} {attrs['class']}"
            element.attrib.update(attrs)
        return True


class _HashHeader(HashHeaderProcessor):
    """Python-Markdown's ``#`` headings, with CommonMark's space after the hashes: ``#5`` or ``#IA`` is text."""

    RE = re.compile(r"(?:^|\n)[ ]{0,3}(?P<level>#{1,6})(?P<header>(?:[ \t]+[^\n]*?)?)(?:[ \t]+#+)?[ \t]*(?:\n|$)")


class _SetextHeader(SetextHeaderProcessor):
    """Python-Markdown's underlined headings, also under several lines of text (CommonMark)."""

    def test(self, parent: Element, block: str) -> bool:
        return self._underline(block) is not None

    def run(self, parent: Element, blocks: list[str]) -> None:
        underline = self._underline(blocks[0])
        if underline == 1:
            return super().run(parent, blocks)
        lines = blocks.pop(0).split("\n")
        heading = SubElement(parent, "h1" if lines[underline].lstrip().startswith("=") else "h2")
        heading.text = "\n".join(line.strip() for line in lines[:underline])
        if len(lines) > underline + 1:
            blocks.insert(0, "\n".join(lines[underline + 1:]))

    @staticmethod
    def _underline(block: str) -> int | None:
        """The index of the line that underlines the lines above it into a heading, if there is one."""
        if "\n" not in block or not _ANY_UNDERLINE.search(block):
            return None
        lines = block.split("\n")
        if lines[0].startswith("    ") or _NOT_PLAIN.match(lines[0]):
            return None  # code, or an item, a quote… whose line the underline does not make a heading
        if _PYTHON_MARKDOWN_UNDERLINE.fullmatch(lines[1]):
            return 1  # Python-Markdown's own case: one line, then its underline
        for index, line in enumerate(lines):
            if index and _UNDERLINE.fullmatch(line):
                return index if index > 1 else None
            if _NOT_PLAIN.match(line):
                return None
        return None


_PYTHON_MARKDOWN_UNDERLINE = re.compile(r"(?:=+|-+)[ ]*")
_ANY_UNDERLINE = re.compile(r"\n {0,3}(?:=+|-+) *(?:\n|$)")
# A line that starts something other than a paragraph's text (so that no heading is underlined over it).
_NOT_PLAIN = re.compile(r" {0,3}(?:[*+-](?: |$)|\d{1,9}[.)](?: |$)|>|#|\[\^|\[[^\]]*\]:|\*\[|:|\||!!! |\x02|[-*_](?: *[-*_]){2,} *$)")


class _BlockQuote(BlockQuoteProcessor):
    """Python-Markdown's quotes, with CommonMark's lists in them (see ``_nest_lists``) and lazy lines; and two quotes
    with a blank line between them stay two (Python-Markdown makes one of them)."""

    def run(self, parent: Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        match = self.RE.search(block)
        if match:  # as Python-Markdown's run does, with the lines read as said above
            self.parser.parseBlocks(parent, [block[: match.start()]])
            quoted = []
            for line in block[match.start():].lstrip("\n").split("\n"):
                if self.RE.match(line):
                    quoted.append(self.clean(line))
                else:  # a lazy line, without its ">": it goes on with the quote's paragraph, and underlines nothing
                    quoted.append("\\" + line.strip() if _UNDERLINE.fullmatch(line) else line)
            if any(_ANY_MARKER.match(line) for line in quoted):
                quoted = _nest_lists(quoted)
            block = "\n".join(quoted)
        quote = SubElement(parent, "blockquote")
        self.parser.state.set("blockquote")
        self.parser.parseChunk(quote, block)
        self.parser.state.reset()


class _BlockAfterParagraph(BlockProcessor):
    """A list, a table or a fenced block right under a paragraph's line ends the paragraph (CommonMark), where
    Python-Markdown wants a blank line."""

    def test(self, parent: Element, block: str) -> bool:
        return "\n" in block and _block_start(block) is not None

    def run(self, parent: Element, blocks: list[str]) -> bool:
        block = blocks[0]
        start = _block_start(block)
        assert start is not None
        blocks[0:1] = [block[:start], block[start + 1:]]
        return False  # the paragraph processor takes the first part; the next block, the rest


def _block_start(block: str) -> int | None:
    """Where, after a paragraph's first line, a line starts a list, a table or a stashed block, if one does."""
    found = [match.start() for match in (_LIST_START.search(block), _STASHED_LINE.search(block)) if match]
    for match in _TABLE_START.finditer(block):
        if match[1].strip().strip("|").count("|") == match[2].strip().strip("|").count("|"):
            found.append(match.start())
            break
    return min(found) if found else None


_LIST_START = re.compile(r"\n[ ]{0,3}(?:[*+-]|1\.)[ ]+\S")  # an ordered list only from 1
_STASHED_LINE = re.compile("\n[ ]*\x02wzxhzdk:\\d+\x03[ ]*(?=\n|$)")
_TABLE_START = re.compile(r"\n([^\n]*\|[^\n]*)\n([ ]{0,3}\|?[ ]*:?-+:?[ ]*(?:\|[ ]*:?-+:?[ ]*)*\|?[ ]*)(?=\n|$)")


# ---------------------------------------------------------------- inline


class _Emphasis(DelimiterProcessor):
    """Python-Markdown's emphasis, but ``***a***`` is ``<em><strong>a</strong></em>`` as in CommonMark (strong within,
    not without: when a run of three closes a run of three, the first two characters pair first)."""

    def add_region(self, delim, a: int, b: int, c: int, d: int, size: int) -> None:  # noqa: ANN001
        regions = self.regions
        if size == 2 and regions:
            inner_a, inner_b, inner_c, inner_d, tags, inner_size = regions[-1]
            # The same delimiter (its tags, the very tuple), just inside: one run of three on each side.
            if inner_size == 1 and tags is delim.tags and (inner_a, inner_b, inner_c, inner_d) == (b, b + 1, c - 1, c):
                regions[-1] = (a + 1, b + 1, c - 1, d - 1, tags, 2)
                return super().add_region(delim, a, a + 1, d - 1, d, 1)
        return super().add_region(delim, a, b, c, d, size)


class _ShortReference(ShortReferenceInlineProcessor):
    """Python-Markdown's ``[label]`` links, but not before another label (``[a][b]`` with no ``b`` is text, in
    CommonMark)."""

    def evalId(self, data: str, index: int, text: str):  # noqa: ANN201, N802 - Python-Markdown's names
        if _LINK_LABEL.match(data, index):
            return None, None, False
        return super().evalId(data, index, text)


class _ShortImageReference(ShortImageReferenceInlineProcessor):
    """``![label]``, as ``_ShortReference``."""

    def evalId(self, data: str, index: int, text: str):  # noqa: ANN201, N802 - Python-Markdown's names
        if _LINK_LABEL.match(data, index):
            return None, None, False
        return super().evalId(data, index, text)


_LINK_LABEL = re.compile(r"\[(?:[^\[\]\\]|\\.)*\]")


class _CodeSpan(BacktickInlineProcessor):
    """Python-Markdown's code spans, with CommonMark's spaces: a line's end is a space, and one space is taken off
    each end only when there is one at both (Python-Markdown strips them all)."""

    def handleMatch(self, m: re.Match[str], data: str):  # noqa: ANN201 - Python-Markdown's signature
        if m.group(1):
            return super().handleMatch(m, data)
        begin = m.start(0)
        start, end = self.find_code_spans(begin, data)
        if end is None:
            return None, begin, start
        code = data[start:end].replace("\n", " ")
        if len(code) > 1 and code[0] == " " and code[-1] == " " and code.strip(" "):
            code = code[1:-1]
        element = Element("code")
        element.text = AtomicString(code_escape(code))
        return element, begin, end + (start - begin)


# ---------------------------------------------------------------- the tree, once Python-Markdown has built it


class _NestedFootnotes(Treeprocessor):
    """A footnote defined inside another one is listed too: Python-Markdown reads it, then leaves it out."""

    def __init__(self, md: markdown.Markdown, footnotes: FootnoteExtension):
        super().__init__(md)
        self.footnotes = footnotes

    def run(self, root: Element) -> None:
        footnotes = self.footnotes
        if len(footnotes.footnotes) < 2:
            return
        ol = next((div.find("ol") for div in root.iter("div") if div.get("class") == "footnote"), None)
        if ol is None:
            return
        listed = {li.get("id") for li in ol}
        for number, label in enumerate(footnotes.footnotes, start=1):  # as Python-Markdown's makeFootnotesDiv
            if footnotes.makeFootnoteId(label) in listed:
                continue
            li = SubElement(ol, "li", id=footnotes.makeFootnoteId(label))
            surrogate = Element("div")
            footnotes.parser.parseChunk(surrogate, footnotes.footnotes[label])
            li.extend(list(surrogate))
            backlink = Element("a", href="#" + footnotes.makeFootnoteRefId(label))
            backlink.set("class", "footnote-backref")
            backlink.set("title", footnotes.getConfig("BACKLINK_TITLE").format(number))
            backlink.text = FN_BACKLINK_TEXT
            if len(li) and li[-1].tag == "p":
                li[-1].text = (li[-1].text or "") + NBSP_PLACEHOLDER
                li[-1].append(backlink)
            else:
                SubElement(li, "p").append(backlink)


class _AttrList(AttrListTreeprocessor):
    """Python-Markdown's attribute lists; on an inline element classes come last, as markdown-it-py put them."""

    def assign_attrs(self, elem: Element, attrs_string: str, *, strict: bool = False) -> str:
        remainder = super().assign_attrs(elem, attrs_string, strict=strict)
        if "class" in elem.attrib and not self.md.is_block_level(elem.tag):
            elem.attrib["class"] = elem.attrib.pop("class")
        return remainder


class _RendererStep(Treeprocessor):
    """A treeprocessor of ours, which reads the renderer's settings and the document being rendered."""

    def __init__(self, md: markdown.Markdown, renderer: MarkdownRenderer):
        super().__init__(md)
        self.renderer = renderer


class _SiteMarkup(_RendererStep):
    """Where Python-Markdown's tree differs from the HTML the site has always had, it is put right."""

    def run(self, root: Element) -> None:
        md = self.md
        for element in root.iter():
            tag = element.tag
            if tag == "a":
                kind = element.get("class")
                if kind == "headerlink" or kind == "footnote-ref" or kind == "footnote-backref":
                    element.attrib = {"class": kind, **element.attrib}  # the class first
                elif element.get("href", "").startswith(AMP_SUBSTITUTE):
                    # An address in <>: Python-Markdown hides it in entities; markdown-it-py wrote it as it is.
                    href = _html.unescape(element.get("href").replace(AMP_SUBSTITUTE, "&"))
                    element.set("href", href)
                    element.text = AtomicString(href.removeprefix("mailto:"))
            elif tag == "img":
                if "title" in element.attrib:  # Python-Markdown sets src, title, alt
                    attrs = element.attrib
                    element.attrib = {"src": attrs.pop("src", ""), "alt": attrs.pop("alt", ""), **attrs}
            elif tag == "ul" or tag == "ol":
                _loose_items(element)
            elif tag == "li":
                _newline_before_blocks(element, md)
            elif tag == "div" and element.get("class") == "footnote":
                _unreferenced_footnotes(element, self.renderer._footnotes)
        for index, raw in enumerate(md.htmlStash.rawHtmlBlocks):
            if isinstance(raw, str) and raw.endswith("\n"):
                md.htmlStash.rawHtmlBlocks[index] = raw.rstrip("\n")  # a raw HTML block: one line after it, not two


def _loose_items(lst: Element) -> None:
    """When an item of a list has a paragraph, every item's text is in one (a loose list, in CommonMark)."""
    items = [li for li in lst if li.tag == "li"]
    # Python-Markdown gives an item a paragraph, or code after its text, only after a blank line in it.
    if not any(child.tag == "p" or child.tag == "pre" and li.text and li.text.strip() for li in items for child in li):
        return
    for li in items:
        if not (li.text and li.text.strip()) and not (len(li) and li[0].tag not in _BLOCK_IN_ITEM):
            continue
        p = Element("p")  # the item's text and inline elements, up to its first block
        p.text = li.text.lstrip() if li.text else li.text
        for child in list(li):
            if child.tag in _BLOCK_IN_ITEM:
                break
            li.remove(child)
            p.append(child)
        if len(p):
            if p[-1].tail:
                p[-1].tail = p[-1].tail.rstrip()
        elif p.text:
            p.text = p.text.rstrip()
        li.text = p.tail = "\n"
        li.insert(0, p)


_BLOCK_IN_ITEM = frozenset({"p", "ul", "ol", "pre", "blockquote", "table", "dl", "div", "hr", "h1", "h2", "h3", "h4", "h5", "h6"})


def _newline_before_blocks(li: Element, md: markdown.Markdown) -> None:
    """In a tight item, a block after the item's text starts on a new line."""
    previous = None
    for child in li:
        if md.is_block_level(child.tag):
            if previous is None:
                if li.text and li.text.strip() and not li.text.endswith("\n"):
                    li.text += "\n"
            elif not md.is_block_level(previous.tag) and not (previous.tail or "").endswith("\n"):
                previous.tail = (previous.tail or "") + "\n"
            return
        previous = child


def _unreferenced_footnotes(div: Element, footnotes: FootnoteExtension) -> None:
    """A footnote nobody refers to gets no link back (Python-Markdown links it to a reference that is not there)."""
    ol = div.find("ol")
    separator = footnotes.get_separator()
    for li in ol if ol is not None else ():
        if f"fnref{separator}{li.get('id', '').split(separator, 1)[-1]}" in footnotes.found_refs:
            continue
        for parent in list(li.iter()):
            for child in list(parent):
                if child.tag == "a" and child.get("class") == "footnote-backref":
                    parent.remove(child)
                    if parent.text and parent.text.endswith(NBSP_PLACEHOLDER):
                        parent.text = parent.text[: -len(NBSP_PLACEHOLDER)]
                    if parent.tag == "p" and not len(parent) and not parent.text and parent in list(li):
                        li.remove(parent)  # the paragraph Python-Markdown made for the link alone


class _Typography(_RendererStep):
    """The site language's typography on text, never in code, nor in code written as raw HTML.

    Text is typeset a run at a time: an escaped character or an entity is part of the run, and left as written;
    raw HTML or an element ends it. Entities then become the characters they stand for, and the spaces around a
    line's end, and at a paragraph's end, go (as in CommonMark).
    """


    def run(self, root: Element) -> None:
        self.typeset = self.renderer.lang == "fr"
        self.in_raw_code = False  # inside <code>…</code> written as raw HTML
        self.stash = self.md.htmlStash.rawHtmlBlocks
        self._walk(root)

    def _walk(self, element: Element) -> None:
        previous = None
        for child in element:
            tag = child.tag
            if tag == "br":  # "a   \n": Python-Markdown's line break takes two of the spaces, CommonMark's all
                if previous is None and element.text:
                    element.text = element.text.rstrip(" ")
                elif previous is not None and previous.tail:
                    previous.tail = previous.tail.rstrip(" ")
            previous = child
            if tag not in _CODE_TAGS:
                if child.text:
                    child.text = self._text(child.text)
                if len(child):
                    self._walk(child)
                if tag in _TRIMMED:
                    _trim_end(child, self.md)
            if child.tail:
                child.tail = self._text(child.tail)

    def _text(self, text: str) -> str:
        if "\n" in text and (" \n" in text or "\n " in text or "\n\t" in text):
            text = _LINE_SPACES.sub("\n", text)
        if "\x02" not in text:
            return french(text) if self.typeset and not self.in_raw_code and _TYPOGRAPHY_CHARS.search(text) else text
        pieces: list[str] = []
        run: list[str] = []  # text not yet typeset, with the escaped characters and entities in it
        position = 0
        for match in _ANY_PLACEHOLDER.finditer(text):
            run.append(text[position:match.start()])
            position = match.end()
            stashed = _STASHED.fullmatch(match[0])
            raw = self.stash[int(stashed[1])] if stashed else None
            if (stashed is None and _ESCAPED.fullmatch(match[0])) or (isinstance(raw, str) and raw.startswith("&")):
                run.append(match[0])
                continue
            pieces += [self._run(run), match[0]]  # raw HTML, or a footnote's own placeholder
            run = []
            if isinstance(raw, str):
                for code_tag in _RAW_CODE_TAG.finditer(_HTML_COMMENT.sub("", raw)):
                    self.in_raw_code = not code_tag[1]
        run.append(text[position:])
        pieces.append(self._run(run))
        return "".join(pieces)

    def _run(self, run: list[str]) -> str:
        text = "".join(run)
        if self.typeset and not self.in_raw_code and _TYPOGRAPHY_CHARS.search(_ANY_PLACEHOLDER.sub("", text)):
            text = french(text)
        if "\x02wzxhzdk:" in text:
            text = _STASHED.sub(lambda m: _html.unescape(str(self.stash[int(m[1])])), text)
        return text


_CODE_TAGS = frozenset({"code", "pre", "kbd", "samp", "script", "style"})
# Raw HTML that holds code: its text is left as written ("x <code>a "b"</code>").
_RAW_CODE_TAG = re.compile(r"<\s*(/)?\s*(?:code|kbd|samp|pre|script|style)\b", re.IGNORECASE)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)  # a tag named in a comment opens nothing
# Python-Markdown's placeholders in text: raw HTML and entities it stashed ("\x02wzxhzdk:3\x03"), a character
# escaped with a backslash ("\x0263\x03" for "\?"), the footnotes' own ("\x02qq…zz\x03").
_STASHED = re.compile("\x02wzxhzdk:(\\d+)\x03")
_ANY_PLACEHOLDER = re.compile("\x02[^\x02\x03]*\x03")
_ESCAPED = re.compile("\x02(\\d+)\x03")
_LINE_SPACES = re.compile("[ ]+\n[ \t]*|\n[ \t]+")
_TRIMMED = frozenset({"p", "li", "dt", "dd"})


def _trim_end(element: Element, md: markdown.Markdown) -> None:
    """The spaces at the end of a paragraph's text, or of an item's before any block in it, go."""
    last = None  # the element whose tail ends the text, or None for the element's own text
    for child in element:
        if md.is_block_level(child.tag):
            break
        last = child
    if last is not None:
        if last.tail and last.tail[-1] in " \t":
            last.tail = last.tail.rstrip(" \t")
    elif element.text and element.text[-1] in " \t" and element.text.strip():
        element.text = element.text.rstrip(" \t")


class _References(_RendererStep):
    """Relative links and image sources become placeholders, each noted as a reference with its file line; other
    links are percent-encoded, as markdown-it-py wrote them."""

    def run(self, root: Element) -> None:
        self.sources: tuple[str, str, dict[str, tuple[int, int]]] | None = None  # see _line
        self.cursors: dict[str | None, int] = {}  # where to look for the next link target, by footnote
        self.footnote_of: dict[Element, str] = {}  # the elements of the footnotes, and their footnote's label
        separator = self.renderer._footnotes.get_separator()
        for element in root.iter():
            tag = element.tag
            if tag == "a":
                if element.get("href") and element.get("class") not in _OWN_LINKS:
                    self._rewrite(element, "href", "event")
            elif tag == "img":
                if element.get("src"):
                    self._rewrite(element, "src", "file")
            elif tag == "div" and element.get("class") == "footnote":
                for li in element.iter("li"):
                    if li.get("id", "").startswith("fn" + separator):
                        label = li.get("id").split(separator, 1)[1]
                        self.footnote_of.update((child, label) for child in li.iter())

    def _rewrite(self, element: Element, attribute: str, kind: str) -> None:
        written = _decode_url(element.get(attribute))
        if written.endswith(")") and (titled := _PARENTHESIZED_TITLE.fullmatch(written)):
            # [texte](cible (titre)): CommonMark's third way of writing a title, which Python-Markdown reads as
            # part of the URL (a URL has no space, unless written in <>).
            if f"](<{written}>" not in self.renderer.text:
                written = titled[1]
                element.set("title", _decode_url(titled[2]))
                if tag_order := ("src", "alt", "title") if element.tag == "img" else ("href", "title"):
                    element.attrib = {**{key: element.get(key) for key in tag_order if key in element.attrib}, **element.attrib}
        try:
            parts = urlsplit(written)
        except ValueError:
            return  # not a URL we can read ("http://[::1"): left as written
        if parts.scheme or parts.netloc or written.startswith(("/", "#")) or not parts.path:
            element.set(attribute, _encode_url(written))  # another site, a site-absolute path or an anchor
            return
        renderer = self.renderer
        target = posixpath.normpath(posixpath.join(renderer.folder, unquote(parts.path)))
        if any(ord(ch) < 32 for ch in target):
            element.set(attribute, _encode_url(written))  # a control character is no file name
            return
        if not target.endswith(".md"):
            kind = "file"
        renderer.references.append(Reference(kind, target, written, self._line(written, element)))
        element.set(attribute, f"tl-{kind}:{quote(target)}" + (f"#{parts.fragment}" if parts.fragment else ""))

    def _line(self, written: str, element: Element) -> int:
        """The file line of a link target: the next place it is written as a link's destination, in order.

        A footnote's links are looked for in its definition, the others in the rest of the body; code is skipped.
        """
        renderer = self.renderer
        if self.sources is None:
            self.sources = _searchable(renderer.text)
        code_masked, body, definitions = self.sources
        label = self.footnote_of.get(element)
        text, (start, end) = (body, (0, len(body))) if label is None else (code_masked, definitions.get(label, (0, len(body))))
        cursor = max(self.cursors.get(label, start), start)
        index = text.find(f"]({written}", cursor, end)
        if index < 0 and (index := text.find(f"](<{written}", cursor, end)) >= 0:
            index += 1
        if index < 0:
            return renderer.line_of(written)  # a reference-style link, defined elsewhere
        index += 2
        self.cursors[label] = index + len(written)
        return renderer.first_line + text.count("\n", 0, index)


_OWN_LINKS = frozenset({"headerlink", "footnote-ref", "footnote-backref"})
_PARENTHESIZED_TITLE = re.compile(r"(\S+)[ \t\n]+\(([^()]*)\)")


def _searchable(text: str) -> tuple[str, str, dict[str, tuple[int, int]]]:
    """The body with its code blanked out; the same with its footnotes blanked out too; where each footnote is
    defined. All have the body's length and lines."""
    code_masked = _CODE_IN_SOURCE.sub(_blank, text) if "`" in text or "~~~" in text else text
    definitions: dict[str, tuple[int, int]] = {}
    if "[^" not in text:
        return code_masked, code_masked, definitions
    offset, current, blank_before = 0, None, False
    for line in code_masked.split("\n") + [""]:  # a definition goes on until a line after a blank is not indented
        definition = _FOOTNOTE_DEFINITION.match(line)
        if definition or (current is not None and line.strip() and blank_before and not line.startswith("    ")):
            if current is not None:
                definitions[current[0]] = (current[1], offset)
            current = (definition[1], offset) if definition else None
        blank_before = not line.strip()
        offset += len(line) + 1
    if current is not None:
        definitions[current[0]] = (current[1], len(text))
    body = code_masked
    for start, end in sorted(definitions.values()):
        body = body[:start] + _blank(body[start:end]) + body[end:]
    return code_masked, body, definitions


def _blank(match: re.Match | str) -> str:
    return re.sub("[^\n]", " ", match if isinstance(match, str) else match[0])


_CODE_IN_SOURCE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n.*?(?:^\1[ ]*$|\Z)|(`+)(?!`).+?(?<!`)\2(?!`)", re.MULTILINE | re.DOTALL)
_FOOTNOTE_DEFINITION = re.compile(r"[ ]{0,3}\[\^([^\]\n]+)\]:")


def _decode_url(url: str) -> str:
    """A link's destination as written: backslash escapes and entities (``&amp;``, with their ``;``) decoded."""
    if "\x02" in url:
        url = _ESCAPED.sub(lambda m: chr(int(m[1])), url)
    return _ENTITY.sub(lambda m: _html.unescape(m[0]), url) if "&" in url else url


def _encode_url(url: str) -> str:
    """A URL percent-encoded as markdown-it-py wrote it (``é`` → ``%C3%A9``, a non-ASCII host in punycode)."""
    if url.isascii() and not _URL_TO_ENCODE.search(url):
        return url
    host = _URL_HOST.match(url)
    if host and not host[1].isascii():
        labels = re.split("([.@])", host[1])
        ascii_host = "".join(part if part.isascii() else "xn--" + codecs.encode(part, "punycode").decode() for part in labels)
        url = url[: host.start(1)] + ascii_host + url[host.end(1):]
        host = _URL_HOST.match(url)
    brackets = host.end(1) if host and host[1].startswith("[") else 0  # an IPv6 host keeps its []

    def encode(match: re.Match) -> str:
        ch = match[0]
        if ch == "%":
            return "%25"
        if ch in "[]" and match.start() < brackets:
            return ch
        return "%EF%BF%BD" if 0xD800 <= ord(ch) <= 0xDFFF else quote(ch, safe="")

    return _URL_TO_ENCODE.sub(encode, url)


_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# What markdown-it-py's normalizeLink encodes: all but letters, digits, ;/?:@&=+$,-_.!~*'()# and a % that starts %XX.
_URL_TO_ENCODE = re.compile(r"%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9;/?:@&=+$,\-_.!~*'()#%]")
_URL_HOST = re.compile(r"(?:https?:)?//([^/?#]*)")  # markdown-it-py recodes the host for these, lowercase only


# ---------------------------------------------------------------- HTML


def _serialize(root: Element) -> str:
    """Python-Markdown's HTML serializer, except that attributes keep the order they were set in (it sorts them)."""
    out: list[str] = []
    write = out.append

    def element(el: Element) -> None:
        tag = el.tag
        if tag is Comment:
            write(f"<!--{_escape_text(el.text or '')}-->")
        elif tag is ProcessingInstruction:
            write(f"<?{_escape_text(el.text or '')}?>")
        elif tag is None:
            if el.text:
                write(_escape_text(el.text))
            for child in el:
                element(child)
        else:
            write(f"<{tag}")
            for key, value in el.attrib.items():
                if value is None or (key == value and key in _BOOLEAN):
                    write(f" {key}")
                else:
                    write(f' {key}="{_escape_attribute(value)}"')
            write(">")
            if el.text:
                write(el.text if tag == "script" or tag == "style" else _escape_text(el.text))
            for child in el:
                element(child)
            if tag.lower() not in HTML_EMPTY:
                write(f"</{tag}>")
        if el.tail:
            write(_escape_text(el.tail))

    element(root)
    return "".join(out)


def _escape_text(text: str) -> str:
    # As Python-Markdown's serializer does: an "&" that starts an entity is left alone.
    if "&" in text:
        text = _AMP.sub("&amp;", text)
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _escape_attribute(text: str) -> str:
    text = _escape_text(text)
    return text.replace('"', "&quot;") if '"' in text else text


_AMP = re.compile(r"&(?!(?:\#[0-9]+|\#x[0-9a-f]+|[0-9a-z]+);)", re.IGNORECASE)
_BOOLEAN = BOOLEAN_ATTRIBUTES["html"]
