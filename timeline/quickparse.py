"""Plain CommonMark bodies parsed by pulldown-cmark (pyromark, compiled) and written as markdown-it-py writes them.

markdown-it-py, in Python, is most of the time a cold build spends on bodies. Most bodies use only plain
CommonMark: paragraphs, headings, lists, block quotes, emphasis, links, images and code without markup
characters. For those, this module walks pyromark's events and writes the very HTML that markdown-it-py and the
renderer's own rules (heading ids and permalinks, French typography, references to other files) give, five to
ten times faster. Anything else (attributes, footnotes, tables, definition lists, raw HTML, escapes, entities,
tabs, deep nesting, links markdown-it-py refuses, and the corners where the two parsers part ways) makes
``render_plain`` return None, and the body goes through markdown-it-py. ``tests/test_quickparse.py`` holds both
paths to the same bytes on the sites' bodies and on generated ones.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyromark
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

# What sends a body to markdown-it-py without asking pyromark (each searched on its own: one pattern with
# every case in it took ten times as long):
# - characters of raw HTML, entities, escapes, attributes ({…}) and tables (|); control characters, tabs and
#   carriage returns, which the two parsers may treat differently;
_MARKS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\\&<{}|\u2028\u2029]")
# - footnotes; runs of four emphasis marks or more, where the parsers' delimiter algorithms part ways;
_STRINGS = ("[^", "****", "____")
# - a bracket's text that starts with emphasis marks before a space or a mark, or ends with them after one,
#   and holds runs of one and of two of the same mark: markdown-it-py reads a link's text alone, pulldown-cmark
#   between its brackets, so such a run may both open and close for one parser only, and CommonMark's rule of
#   three (runs whose lengths add up to three do not pair then) pairs them differently;
_MARKS_AT_BRACKET = re.compile(r"\[[*_]+(?=[^\w*_])|(?<=[^\w*_])[*_]+\]")
_BRACKET = re.compile(r"[\[\]]")
_MARK_RUN = re.compile(r"\*+|_+")
# - a line whose first mark, after any quote or list markers, could define a term (: or ~) or fence code with
#   tildes (searched in the text after a line break put before it);
_TERM_LINE = re.compile(r"\n[ >*+\-0-9.)]*[:~]")
# - a line after a quoted one that does not quote: a lazy continuation, where the parsers part ways too; and a
#   ">" after four spaces or more, which markdown-it-py still reads as a quote's mark;
_LAZY_LINE = re.compile(r"\n[ *+\-0-9.)]*>.*\n(?![ *+\-0-9.)]*>|[ ]*$)|\n(?:[ ]{0,3}>)*[ ]{4,}>", re.MULTILINE)
# - a line indented four spaces or more, but less than the text of the list item above it: CommonMark goes on
#   with the item's paragraph, markdown-it-py may make code of it (see _under_an_item);
_ITEM_MARKS = re.compile(r"(?:[ ]{0,3}>[ ]?)*([ ]*)((?:(?:[-*+]|[0-9]{1,9}[.)])(?:[ ]+|$))*)")
# - whitespace other than the space next to a space, a mark or a line's end, which markdown-it-py may strip (it
#   trims with Python's ``str.strip``) where CommonMark keeps it.
_WIDE_SPACE = re.compile("[\u1680\u2000-\u200a\u202f\u205f\u3000\xa0]")
_WIDE_SPACE_AT_EDGE = re.compile(rf"(?:^|[ >#*+\-.)]){_WIDE_SPACE.pattern}|{_WIDE_SPACE.pattern}(?:[ #]|$)", re.MULTILINE)
# Lines that may define a link reference (pyromark lists the first of each label only), and such a line
# followed by one that is neither blank nor another definition.
_DEFINITION_LINE = re.compile(r"\n[ >*+\-0-9.)]*\[[^\]\n]*\]:")
_DEFINITION_IN_CONTAINER = re.compile(r"\n[ ]*[>*+\-0-9.)][ >*+\-0-9.)]*\[[^\]\n]*\]:")
_LINE_AFTER_DEFINITION = re.compile(r"\n[ >*+\-0-9.)]*\[[^\]\n]*\]:.*\n(?![ >]*$|[ >*+\-0-9.)]*\[[^\]\n]*\]:)", re.MULTILINE)
# markdown-it-py stops nesting at its maxNesting (50); far below it, both parsers agree.
_MAX_DEPTH = 20
_OPTIONS = pyromark.Options(0)  # CommonMark only: what markdown-it-py adds, looks_plain sends to it
_INLINE_OPEN = {"Emphasis": "<em>", "Strong": "<strong>"}
_INLINE_CLOSE = {"Emphasis": "</em>", "Strong": "</strong>"}
_HEADING_LEVEL = {f"H{n}": n for n in range(1, 7)}
# A link destination that may be a file of the project: such a body is read with its events' places, which a
# reference's line needs (others do without: half of pyromark's time goes into the places).
_MAYBE_RELATIVE = re.compile(r"\]\(\s*(?![A-Za-z][A-Za-z0-9+.\-]*:|/|#)")


def looks_plain(text: str) -> bool:
    """Whether ``text`` uses nothing that sends it to markdown-it-py before pyromark is asked."""
    if _MARKS.search(text) or any(string in text for string in _STRINGS):
        return False
    if ("[*" in text or "[_" in text or "*]" in text or "_]" in text) and _uneven_marks_at_a_bracket(text):
        return False
    lines = "\n" + text
    if _TERM_LINE.search(lines) or (">" in text and _LAZY_LINE.search(lines)):
        return False
    if "\n    " in text and _under_an_item(text):
        return False
    return not (_WIDE_SPACE.search(text) and _WIDE_SPACE_AT_EDGE.search(text))


def _uneven_marks_at_a_bracket(text: str) -> bool:
    opened: list[int] = []
    for bracket in _BRACKET.finditer(text):
        if bracket[0] == "[":
            opened.append(bracket.start())
            continue
        if not opened:
            continue
        start = opened.pop()  # brackets within brackets are looked at too, each pair on its own
        inside = text[start + 1:bracket.start()]
        if not _MARKS_AT_BRACKET.search(text[start:bracket.end()]):
            continue
        lengths = {(run[0], len(run)) for run in _MARK_RUN.findall(inside)}
        if any((mark, 1) in lengths and (mark, 2) in lengths for mark in "*_"):
            return True
    return False


def _under_an_item(text: str) -> bool:
    """Whether a line is indented four spaces or more but less than the text of a list item above it."""
    column = None  # where the text of the last list item starts
    for line in text.split("\n"):
        marks = _ITEM_MARKS.match(line)
        assert marks is not None  # every part of the pattern may be empty
        if column is not None and len(marks[1]) >= 4 and marks.end(1) < column and line.strip():
            return True
        if marks[2]:
            column = marks.end()
    return False


class _NotPlain(Exception):
    """The body uses something this module does not write; markdown-it-py parses it."""


@dataclass(frozen=True)
class PlainHooks:
    """What the writer asks of the renderer, so that both paths share one rule for each."""

    normalize_link: Callable[[str], str]  # markdown-it-py's, which also records how each link was written
    validate_link: Callable[[str], bool]
    # A link to a project file becomes a placeholder, and a reference; says whether it was one.
    place_reference: Callable[[Token, str, str, "_Block", list[int]], bool]
    heading_anchor: Callable[[str, set[str]], str]  # a heading's id from its text, given the ids taken
    typeset: Callable[[str], str]  # the language's typography for a run of text
    render_fence: Callable[[Token], str]  # markdown-it-py's own rule for fenced and indented code
    permalink_title: str


def render_plain(text: str, hooks: PlainHooks) -> str | None:
    """The HTML markdown-it-py and the renderer would give for ``text``, or None when they must make it."""
    # Without a final line break, the last line of code keeps its spaces, or lacks its break, for pulldown-cmark
    # only; bodies read from files end with one.
    if not text.endswith("\n") or not looks_plain(text):
        return None
    try:
        return _Writer(text, hooks).run()
    except _NotPlain:
        return None


@dataclass
class _Block:
    """A paragraph or heading being written: its lines (as markdown-it-py's map) and the links in it."""

    map: list[int] | None
    links: list[tuple[Token, str, str, int]] = field(default_factory=list)  # token, attribute, kind, slot in the output
    search_from: list[int] = field(default_factory=list)  # where the renderer looks for the next link's line


_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


def escape_text(text: str) -> str:
    """Text content escaped as the renderer escapes it: & < > only (quotes need no escaping outside attributes)."""
    for char, entity in _ESCAPES:
        if char in text:
            text = text.replace(char, entity)
    return text


class _Writer:
    """One body's pyromark events, written as HTML."""

    def __init__(self, text: str, hooks: PlainHooks) -> None:
        self.text = text
        self.hooks = hooks
        self.places = "]:" in text or _MAYBE_RELATIVE.search(text) is not None
        self.encoded = text.encode("utf-8") if self.places else b""
        self.out: list[str] = []
        self.containers: list[str] = []  # the open lists, items and quotes ("ul", "ol", "li", "blockquote")
        self.pending = False  # an item or quote was just opened: a newline follows it unless text or its end does
        self.after_hidden = False  # a tight item's text just ended: a newline comes before the next opening tag
        self.block: _Block | None = None  # the paragraph or heading being written
        self.hidden = False  # it is a tight list item's text, which markdown-it-py wraps in a hidden paragraph
        self.first = self.last = 0  # where that text starts and ends, in bytes
        self.heading: tuple[int, int, list[str]] | None = None  # slot, level and text of the heading being written
        self.text_run: list[str] = []  # text not yet typeset
        self.alt: list[str] | None = None  # the text of the image being written
        self.images = self.links = self.inline_depth = 0
        self.code: tuple[Token, list[str]] | None = None
        self.ids: set[str] = set()
        self.spellings: dict[str, str] = {}  # each link destination, normalised → as written

    def _events(self) -> Iterable[tuple[Any, dict | None]]:
        if self.places:
            return pyromark.events_with_range(self.text, options=_OPTIONS, merge_text=True)
        return zip(pyromark.events(self.text, options=_OPTIONS), itertools.repeat(None))

    def run(self) -> str:
        """The body's HTML."""
        if "]:" in self.text:
            self._definitions()
        for event, span in self._events():
            if type(event) is str:
                self._bare(event, span)
                continue
            ((kind, value),) = event.items()
            if kind == "Text":
                self._text(value, span)
            elif kind == "Start":
                self._start(value, span)
            elif kind == "End":
                self._end(value)
            elif kind == "Code":
                self._code_span(value, span)
            else:
                raise _NotPlain(kind)
        self._close_hidden()
        if self.containers or self.block is not None:
            raise _NotPlain("unclosed")
        return "".join(self.out)

    def _definitions(self) -> None:
        # markdown-it-py normalises every link reference definition's destination while reading blocks, before
        # any link: the renderer keeps the first spelling it saw of each destination. It also refuses a
        # definition whose destination it would not link to, leaving its lines as a paragraph.
        definitions = pyromark.reference_definitions(self.text, options=_OPTIONS)
        if len(definitions) != len(_DEFINITION_LINE.findall("\n" + self.text)):
            raise _NotPlain("a label defined twice, or what looks like a definition and is not")
        if _LINE_AFTER_DEFINITION.search("\n" + self.text) or _DEFINITION_IN_CONTAINER.search("\n" + self.text):
            # A paragraph for one parser, maybe code for the other; in a list or quote, lazy lines read otherwise.
            raise _NotPlain("a line after a definition, or a definition in a list or quote")
        for definition in definitions.values():
            if not self.hooks.validate_link(self.hooks.normalize_link(definition["dest"])):
                raise _NotPlain("refused definition")

    def _line(self, offset: int) -> int:
        return self.encoded.count(b"\n", 0, offset)

    # ------------------------------------------------------------------ blocks, as markdown-it-py lays them out

    def _before_opening(self) -> None:
        """An opening block tag comes: the newline an item or quote waited for, or the one after a tight item's text."""
        self._close_hidden()
        if self.pending or self.after_hidden:
            self.out.append("\n")
        self.pending = self.after_hidden = False

    def _before_closing(self) -> None:
        self._close_hidden()
        self.pending = self.after_hidden = False

    def _open_container(self, html: str, name: str, waits: bool) -> None:
        self._before_opening()
        if len(self.containers) >= _MAX_DEPTH:
            raise _NotPlain("deep")
        self.out.append(html)
        self.containers.append(name)
        self.pending = waits

    def _close_container(self, name: str) -> None:
        self._before_closing()
        if not self.containers or self.containers.pop() != name:
            raise _NotPlain("unbalanced")
        self.out.append(f"</{name}>\n")

    def _open_block(self, span) -> None:
        self.block = _Block([self._line(span["start"]), self._line(max(span["end"] - 1, span["start"])) + 1] if span else None)

    def _close_block(self) -> None:
        self._flush()
        block = self.block
        if block is None or self.links or self.images or self.inline_depth:
            raise _NotPlain("unbalanced inline")
        for token, attribute, kind, slot in block.links:
            if self.hooks.place_reference(token, attribute, kind, block, block.search_from) and block.map is None:
                raise _NotPlain("a reference in a body read without places")
            self.out[slot] = self._link_tag(token)
        self.block = None

    def _close_hidden(self) -> None:
        if self.hidden:
            if self.block is not None and self.block.map is not None:
                self.block.map = [self._line(self.first), self._line(max(self.last - 1, 0)) + 1]
            self._close_block()
            self.hidden = False
            self.after_hidden = True

    def _start(self, tag, span) -> None:
        if type(tag) is str:
            if tag == "Paragraph":
                self._before_opening()
                self.out.append("<p>")
                self._open_block(span)
            elif tag == "Item":
                self._open_container("<li>", "li", True)
            elif tag in _INLINE_OPEN:
                if self.alt is not None:
                    raise _NotPlain("emphasis in an image's text")
                self._inline(span)
                self._flush()
                self.out.append(_INLINE_OPEN[tag])
                self.inline_depth += 1
                if self.inline_depth >= _MAX_DEPTH:
                    raise _NotPlain("deep")
            else:
                raise _NotPlain(tag)
            return
        ((kind, value),) = tag.items()
        if kind == "Heading":
            if value["id"] is not None or value["classes"] or value["attrs"]:
                raise _NotPlain("heading attributes")
            self._before_opening()
            self.heading = (len(self.out), _HEADING_LEVEL[value["level"]], [])
            self.out.append("")  # the opening tag, once the text gives the id
            self._open_block(span)
        elif kind == "List":
            self._open_container("<ul>\n" if value is None else f'<ol start="{value}">\n' if value != 1 else "<ol>\n", "ul" if value is None else "ol", False)
        elif kind == "BlockQuote" and value is None:
            if "li" in self.containers:
                raise _NotPlain("a quote in a list")  # where lazy lines part the parsers' ways
            self._open_container("<blockquote>", "blockquote", True)
        elif kind == "CodeBlock":
            if "li" in self.containers:
                raise _NotPlain("code in a list")  # whether the list is loose, the parsers may not agree
            self._close_hidden()
            if self.pending:
                self.out.append("\n")
            self.pending = self.after_hidden = False
            fenced = value != "Indented"
            self.code = (Token("fence" if fenced else "code_block", "code", 0, info=value["Fenced"] if fenced else ""), [])
        elif kind == "Link" or kind == "Image":
            self._link(kind, value, span)
        else:
            raise _NotPlain(kind)

    def _end(self, tag) -> None:
        if type(tag) is str:
            if tag == "Paragraph":
                self._close_block()
                self.out.append("</p>\n")
            elif tag == "Item":
                if self.pending:
                    raise _NotPlain("an empty item")  # which may end its list for one parser only
                self._close_container("li")
            elif tag in _INLINE_CLOSE:
                self._flush()
                self.inline_depth -= 1
                self.out.append(_INLINE_CLOSE[tag])
            elif tag == "CodeBlock":
                if self.code is None:
                    raise _NotPlain("code")
                token, parts = self.code
                token.content = "".join(parts)
                self.out.append(self.hooks.render_fence(token))
                self.code = None
            elif tag == "Link":
                self._flush()
                self.links -= 1
                self.inline_depth -= 1
                self.out.append("</a>")
            elif tag == "Image":
                self._end_image()
            else:
                raise _NotPlain(tag)
            return
        ((kind, value),) = tag.items()
        if kind == "Heading":
            self._close_block()
            if self.heading is None:
                raise _NotPlain("heading")
            slot, level, words = self.heading
            anchor = escapeHtml(self.hooks.heading_anchor("".join(words), self.ids))
            self.out[slot] = f'<h{level} id="{anchor}">'
            title = escapeHtml(self.hooks.permalink_title)
            self.out.append(f'<a class="headerlink" href="#{anchor}" title="{title}">#</a></h{level}>\n')
            self.heading = None
        elif kind == "List":
            if not self.containers or self.containers[-1] not in ("ul", "ol"):
                raise _NotPlain("unbalanced list")
            self._close_container(self.containers[-1])
        elif kind == "BlockQuote":
            self._close_container("blockquote")
        else:
            raise _NotPlain(kind)

    # ------------------------------------------------------------------ inline

    def _inline(self, span) -> None:
        """Inline content comes: a tight item's text begins if no paragraph or heading is open."""
        if self.block is None:
            if not self.containers or self.containers[-1] != "li":
                raise _NotPlain("inline outside a block")
            self.pending = False  # the item's text follows its tag on the same line
            self.hidden = True
            self.block = _Block([0, 0] if span else None)
            self.first = self.last = span["start"] if span else 0
        if span and self.hidden:
            self.last = max(self.last, span["end"])

    def _flush(self) -> None:
        if self.text_run:
            text = "".join(self.text_run) if len(self.text_run) > 1 else self.text_run[0]
            self.text_run = []
            self.out.append(escape_text(self.hooks.typeset(text)))

    def _text(self, value: str, span) -> None:
        if self.code is not None:
            self.code[1].append(value)
            return
        if self.alt is not None:
            if "*" in value or "_" in value:
                raise _NotPlain("emphasis marks in an image's text")  # pulldown-cmark may pair them otherwise
            self.alt.append(value)
            return
        if self.links and ("[" in value or "]" in value):
            raise _NotPlain("brackets in a link's text")  # which may pair emphasis marks otherwise too
        if "](" in value:
            # A link markdown-it-py gave up on: it had recorded how its destination was written all the same.
            raise _NotPlain("a link that is not one")
        self._inline(span)
        self.text_run.append(value)
        if self.heading is not None:
            self.heading[2].append(value)

    def _code_span(self, value: str, span) -> None:
        if "  " in value:
            raise _NotPlain("spaces in code")  # a lazy line's indent stays in it for pulldown-cmark only
        if self.alt is not None:
            self.alt.append(value)
            return
        self._inline(span)
        self._flush()
        self.out.append(f"<code>{escape_text(value)}</code>")
        if self.heading is not None:
            self.heading[2].append(value)

    def _bare(self, event: str, span) -> None:
        if event == "SoftBreak" or event == "HardBreak":
            if self.alt is not None:
                self.alt.append("\n")
                return
            self._inline(span)
            self._flush()
            self.out.append("\n" if event == "SoftBreak" else "<br>\n")
            if self.heading is not None:
                self.heading[2].append(" ")
        elif event == "Rule":
            self._before_opening()
            self.out.append("<hr>\n")
        else:
            raise _NotPlain(event)

    def _link(self, kind: str, value: dict, span) -> None:
        link_type = value["link_type"]
        if link_type not in ("Inline", "Reference", "Collapsed", "Shortcut"):
            raise _NotPlain(str(link_type))
        if link_type != "Inline" and (kind == "Image" or not value["id"].isascii()):
            # The parsers fold the case of other letters differently, and markdown-it-py may make a link, after
            # a "!", of an image whose written destination it refuses.
            raise _NotPlain("label")
        if kind == "Link" and self.alt is not None:
            raise _NotPlain("link in an image")  # pulldown-cmark then refuses the links around it
        href = self.hooks.normalize_link(value["dest_url"])
        if not self.hooks.validate_link(href):
            raise _NotPlain("refused link")
        if self.spellings.setdefault(href, value["dest_url"]) != value["dest_url"]:
            # The renderer keeps the first spelling of a destination it is shown, and markdown-it-py shows it
            # the links within a link's text before that link: which one comes first would differ.
            raise _NotPlain("one destination written two ways")
        if "\n" in value["title"]:
            raise _NotPlain("a title over two lines")  # pulldown-cmark drops the indent of the second
        if self.alt is not None:
            self.images += 1  # an image in an image's text gives it its own text, and nothing else
            return
        self._inline(span)
        self._flush()
        block = self.block
        assert block is not None
        if kind == "Link":
            token = Token("link_open", "a", 1, attrs={"href": href})
            self.links += 1
        else:
            token = Token("image", "img", 0, attrs={"src": href, "alt": ""})
            self.images += 1
            self.alt = []
        if value["title"]:
            token.attrs["title"] = value["title"]
        # Written once the block ends: a tight item's text only then knows its last line, which places a link.
        block.links.append((token, "href" if kind == "Link" else "src", "event" if kind == "Link" else "file", len(self.out)))
        self.out.append("")
        self.inline_depth += 1
        if self.inline_depth >= _MAX_DEPTH:
            raise _NotPlain("deep")

    def _end_image(self) -> None:
        self.images -= 1
        if self.images:
            return  # an image in an image's text
        assert self.alt is not None and self.block is not None
        token = self.block.links[-1][0]
        token.attrs["alt"] = "".join(self.alt)
        self.alt = None
        self.inline_depth -= 1

    @staticmethod
    def _link_tag(token: Token) -> str:
        attrs = "".join(f' {name}="{escapeHtml(str(value))}"' for name, value in token.attrs.items())
        return f"<a{attrs}>" if token.tag == "a" else f"<img{attrs}>"
