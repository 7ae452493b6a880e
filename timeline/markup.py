"""Markdown bodies to HTML with markdown-it-py: CommonMark plus tables, footnotes, definition lists and attributes.

One parser is built per renderer and reused for every document. Bodies in plain CommonMark are parsed by
pyromark instead and written as this renderer writes them, byte for byte, about three times faster (see
quickparse.py). For the others, a core rule of our own walks the token stream before it is rendered: it gives
every heading an id, applies the language's typography to text (never to code) and records links to other
events (``[texte](2023-12-05-ai-alliance.md)``) and files beside an entry (images) as references, left as
placeholders that the build resolves once it knows every event's URL.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .quickparse import PlainHooks, escape_text, render_plain
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

# Raw HTML that holds code: its text is left as written ("x <code>a "b"</code>").
_RAW_CODE_TAG = re.compile(r"<\s*(/)?\s*(?:code|kbd|samp|pre|script|style)\b", re.IGNORECASE)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)  # a tag named in a comment opens nothing
# Text that French typography could change; other text is left alone without running its rules.
_TYPOGRAPHY_CHARS = re.compile("[\"«»:;?!]")
# An escaped character or an entity inside a run of text, while typography runs (see _typeset_run).
_SPECIAL = re.compile("\x02(\\d+)\x03")
# Python-Markdown's attribute lists at the end of a heading ("## Titre {#id .classe}") and on a paragraph's
# last line ("{: .classe}"), kept so that bodies written for it keep their ids.
_HEADING_ATTRS = re.compile(r"[ ]+\{:?[ ]*([^}\n ][^\n]*)\}[ ]*$")
_BLOCK_ATTRS = re.compile(r"^[ ]*\{:?[ ]*([^}\n ][^\n]*)\}[ ]*$")
_ATTR_SCANNER = re.Scanner([
    (r'[^ =}]+=".*?"', lambda s, t: (t.split("=", 1)[0], t.split("=", 1)[1][1:-1])),
    (r"[^ =}]+='.*?'", lambda s, t: (t.split("=", 1)[0], t.split("=", 1)[1][1:-1])),
    (r"[^ =}]+=[^ =}]+", lambda s, t: tuple(t.split("=", 1))),
    (r"[^ =}]+", lambda s, t: (".", t[1:]) if t[0] == "." else ("id", t[1:]) if t[0] == "#" else (t, "")),
    (r" ", None),
])
_ATTR_NAME = re.compile(r"[A-Za-z_:][-\w:.]*\Z")
_NUMBERED_ID = re.compile(r"(.*)_([0-9]+)\Z", re.DOTALL)


@dataclass(frozen=True)
class Reference:
    """A link or image in a body that points at a file of the project."""

    kind: str  # "event" for a .md file, "file" for anything else (images, documents)
    target: str  # project-relative path, e.g. "content/images/carte.png"
    written: str  # as the author wrote it
    line: int


def slugify(value: str, separator: str = "-") -> str:
    """A heading's slug: accents dropped, ASCII letters, digits, '_' and '-' kept, spaces to ``separator``.

    The same rule as Python-Markdown's ``toc`` extension, which made the ids of earlier builds.
    """
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{separator}\s]+", separator, value)


def heading_id(value: str, separator: str) -> str:
    """A heading's slug, moved aside when a template already uses it."""
    slug = slugify(value, separator)
    return f"{slug}{separator}1" if slug in RESERVED_IDS else slug


def _unique(id_: str, used: set[str]) -> str:
    """``id_``, or the first of ``id_1``, ``id_2``… not yet used (as Python-Markdown numbered repeated headings)."""
    if id_ in used or not id_:
        if numbered := _NUMBERED_ID.match(id_):
            base, number = numbered[1], int(numbered[2]) + 1
        else:
            base, number = id_, 1
        while f"{base}_{number}" in used:
            number += 1
        id_ = f"{base}_{number}"
    used.add(id_)
    return id_


def _attributes(written: str) -> dict[str, str] | None:
    """The attributes of a Python-Markdown attribute list ("#id .a .b key=value"), or None if it is not one."""
    found, rest = _ATTR_SCANNER.scan(written)
    if rest.strip():
        return None
    attrs: dict[str, str] = {}
    for key, value in found:
        if key == ".":
            attrs["class"] = f"{attrs['class']} {value}" if "class" in attrs else value
        elif _ATTR_NAME.match(key):
            attrs[key] = value
    return attrs


def _add_attributes(token: Token, attrs: dict[str, str]) -> None:
    if "class" in attrs and "class" in token.attrs:
        attrs["class"] = f"{token.attrs['class']} {attrs['class']}"
    token.attrs.update(attrs)


# ---------------------------------------------------------------- render rules (``self`` is the RendererHTML)


def _render_text(self, tokens, idx, options, env) -> str:
    return escape_text(tokens[idx].content)


def _render_code_inline(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    return f"<code{self.renderAttrs(token)}>{escape_text(token.content)}</code>"


def _render_code_block(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    return f"<pre{self.renderAttrs(token)}><code>{escape_text(token.content)}</code></pre>\n"


def _render_heading_close(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    anchor = token.meta.get("permalink")
    if anchor is None:
        return f"</{token.tag}>\n"
    title = env["strings"]["permalink"]
    return f'<a class="headerlink" href="#{escapeHtml(anchor)}" title="{escapeHtml(title)}">#</a></{token.tag}>\n'


# Footnotes, written as Python-Markdown wrote them (the site's style sheet and links rely on this markup).


def _render_footnote_ref(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    label = escapeHtml(meta["label"])
    number = env["footnote_numbers"][meta["label"]]
    ref_id = f"fnref{meta['subId'] + 1 if meta['subId'] else ''}:{label}"
    return f'<sup id="{ref_id}"><a class="footnote-ref" href="#fn:{label}">{number}</a></sup>'


def _render_footnote_block_open(self, tokens, idx, options, env) -> str:
    return '<div class="footnote">\n<hr>\n<ol>\n'


def _render_footnote_block_close(self, tokens, idx, options, env) -> str:
    return "</ol>\n</div>\n"


def _render_footnote_open(self, tokens, idx, options, env) -> str:
    return f'<li id="fn:{escapeHtml(tokens[idx].meta["label"])}">\n'


def _render_footnote_close(self, tokens, idx, options, env) -> str:
    return "</li>\n"


def _render_footnote_anchor(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    label = escapeHtml(meta["label"])
    title = escapeHtml(env["strings"]["backlink"].format(meta["number"]))
    links = "".join(
        f'<a class="footnote-backref" href="#fnref{n + 1 if n else ""}:{label}" title="{title}">&#8617;</a>'
        for n in range(meta["count"])
    )
    return ("&#160;" if meta["after_text"] and links else "") + links


_RENDER_RULES = {
    "text": _render_text,
    "code_inline": _render_code_inline,
    "code_block": _render_code_block,
    "heading_close": _render_heading_close,
    "footnote_ref": _render_footnote_ref,
    "footnote_block_open": _render_footnote_block_open,
    "footnote_block_close": _render_footnote_block_close,
    "footnote_open": _render_footnote_open,
    "footnote_close": _render_footnote_close,
    "footnote_anchor": _render_footnote_anchor,
}


def _footnote_tail(state: StateCore) -> None:
    """Move footnote definitions to a list at the end, in the order they are defined (as Python-Markdown did).

    A definition nobody refers to is listed too, without a link back.
    """
    data = state.env.get("footnotes")
    if not data or not data.get("refs"):
        return
    kept: list[Token] = []
    definitions: dict[str, list[Token]] = {}
    open_ones: list[tuple[str, list[Token]]] = []  # the definitions being read (one may sit in another)
    for token in state.tokens:
        if token.type == "footnote_reference_open":
            open_ones.append((token.meta["label"], []))
            definitions.setdefault(token.meta["label"], [])  # a label defined twice keeps its first place…
        elif token.type == "footnote_reference_close":
            label, body = open_ones.pop()
            definitions[label] = body  # … and its last text
        else:
            (open_ones[-1][1] if open_ones else kept).append(token)
    counts = {note["label"]: note["count"] for note in data["list"].values() if "label" in note}
    numbers = state.env["footnote_numbers"] = {}
    kept.append(Token("footnote_block_open", "", 1))
    for number, (label, body) in enumerate(definitions.items(), start=1):
        numbers[label] = number
        kept.append(Token("footnote_open", "", 1, meta={"label": label}))
        closing = body.pop() if body and body[-1].type == "paragraph_close" else None
        kept += body
        anchor = Token("footnote_anchor", "", 0, meta={"label": label, "number": number, "count": counts.get(label, 0), "after_text": closing is not None})
        if closing is not None:
            kept += [anchor, closing]
        elif anchor.meta["count"]:
            kept += [Token("paragraph_open", "p", 1, block=True), anchor, Token("paragraph_close", "p", -1, block=True)]
        kept.append(Token("footnote_close", "", -1))
    kept.append(Token("footnote_block_close", "", -1))
    state.tokens = kept


class MarkdownRenderer:
    """Converts Markdown to HTML; build one and call it for every document."""

    def __init__(self, lang: str = "fr", quick: bool = True) -> None:
        self.lang = lang  # French typography applies when it is "fr"
        self.quick = quick  # plain bodies parsed by pyromark (see quickparse); the tests compare both ways
        self.folder = "content"
        self.text = ""
        self.first_line = 1
        self.references: list[Reference] = []
        self._written: dict[str, str] = {}  # each link target as markdown-it normalised it → as written
        self._line_starts: list[int] | None = None  # offsets of the lines of ``text``, once a reference needs them
        self._used_ids: set[str] = set()
        self._typeset = self._in_raw_code = False
        self._md = self._parser()
        self._hooks: dict[str, PlainHooks] = {}  # what quickparse asks of this renderer, by permalink title

    def __reduce__(self):
        # The parser holds functions bound to this object: a copy is rebuilt from the settings alone.
        return (MarkdownRenderer, (self.lang, self.quick))

    def _parser(self) -> MarkdownIt:
        md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": False, "maxNesting": 50})  # 20 drops text 10 lists deep
        md.enable("table")
        md.use(footnote_plugin, inline=False, move_to_end=False)
        md.use(deflist_plugin).use(attrs_plugin).use(attrs_block_plugin)
        md.core.ruler.after("inline", "footnote_tail", _footnote_tail)
        # Before text_join, which merges escaped characters (\") into the text around them: typography leaves
        # them as written.
        md.core.ruler.before("text_join", "timeline", self._process)
        for name, rule in _RENDER_RULES.items():
            md.add_render_rule(name, rule)
        normalize = md.normalizeLink

        def normalize_link(url: str) -> str:
            normalized = normalize(url)
            self._written.setdefault(normalized, url)
            return normalized

        md.normalizeLink = normalize_link  # type: ignore[method-assign]
        return md

    def __call__(self, text: str, source: str = "content/x.md", first_line: int = 1) -> tuple[str, tuple[Reference, ...]]:
        """Render one document; ``source`` is its project-relative path, ``first_line`` the line its body starts on."""
        self.folder, self.text, self.first_line, self.references = posixpath.dirname(source), text, first_line, []
        self._written, self._line_starts = {}, None
        env = {"strings": _STRINGS.get(self.lang, _STRINGS["fr"])}
        md = self._md
        html = render_plain(text, self._plain_hooks(env["strings"]["permalink"])) if self.quick else None
        if html is None:
            self.references, self._written, self._line_starts = [], {}, None  # what a quick attempt left
            html = md.renderer.render(md.parse(text, env), md.options, env)
        return html.strip(), tuple(self.references)

    def _plain_hooks(self, permalink_title: str) -> PlainHooks:
        if (hooks := self._hooks.get(permalink_title)) is not None:
            return hooks
        md = self._md
        hooks = self._hooks[permalink_title] = PlainHooks(
            normalize_link=md.normalizeLink,
            validate_link=md.validateLink,
            place_reference=self._reference,
            heading_anchor=lambda text, used: _unique(heading_id(text, "-"), used),
            typeset=self.typography,
            render_fence=lambda token: md.renderer.rules[token.type]([token], 0, md.options, {}),
            permalink_title=permalink_title,
        )
        return hooks

    def typography(self, text: str) -> str:
        """The language's typography for plain text such as titles and summaries."""
        # Text without any character French typography changes is left as it is, without running its rules.
        return french(text) if self.lang == "fr" and _TYPOGRAPHY_CHARS.search(text) else text

    def line_of(self, written: str) -> int:
        """The file line where a link target first appears in the body being rendered."""
        index = self.text.find(written)
        return self.first_line + (self.text.count("\n", 0, index) if index >= 0 else 0)

    # ---------------------------------------------------------------- the token walk

    def _process(self, state: StateCore) -> None:
        """Heading ids, typography and references, over the whole token stream (footnotes included)."""
        self._typeset = self.lang == "fr"
        self._in_raw_code = False
        tokens = state.tokens
        headings: list[tuple[Token, Token, str]] = []  # (opening, closing, slug) of headings without an id
        used = self._used_ids = set()  # ids written by the author (Python-Markdown numbered headings around them)
        for index, token in enumerate(tokens):
            kind = token.type
            if kind == "inline":
                self._inline(token)
            elif kind == "heading_open":
                inline = tokens[index + 1]
                closing = tokens[index + 2]
                self._trailing_attributes(token, inline, _HEADING_ATTRS, strip_hashes=True)
                if "id" in token.attrs:
                    closing.meta["permalink"] = str(token.attrs["id"])
                else:
                    headings.append((token, closing, self._heading_text(inline.children or [])))
            elif kind == "paragraph_open":
                self._trailing_attributes(token, tokens[index + 1], _BLOCK_ATTRS, strip_hashes=False)
            elif kind == "html_block":
                for tag in _RAW_CODE_TAG.finditer(_HTML_COMMENT.sub("", token.content)):
                    self._in_raw_code = not tag[1]
            elif (kind == "th_open" or kind == "td_open") and "style" in token.attrs:
                # Python-Markdown's spelling of a column's alignment.
                token.attrs["style"] = str(token.attrs["style"]).replace(":", ": ") + ";"
            if "id" in token.attrs:
                used.add(str(token.attrs["id"]))
        for opening, closing, text in headings:
            anchor = _unique(heading_id(text, "-"), used)
            opening.attrs["id"] = closing.meta["permalink"] = anchor

    @staticmethod
    def _heading_text(children: list[Token]) -> str:
        """A heading's text as a reader sees it, before typography: what its id is made from."""
        parts = []
        for child in children:
            kind = child.type
            if kind == "text" or kind == "text_special" or kind == "code_inline":
                parts.append(child.content)
            elif kind == "softbreak" or kind == "hardbreak":
                parts.append(" ")
        return "".join(parts)

    @staticmethod
    def _trailing_attributes(block: Token, inline: Token, pattern: re.Pattern, strip_hashes: bool) -> None:
        """Python-Markdown's attribute list at the end of a heading or on the last line of a paragraph."""
        children = inline.children
        if not children or children[-1].type != "text" or "}" not in children[-1].content:
            return
        last = children[-1]
        if pattern is _BLOCK_ATTRS and (len(children) < 2 or children[-2].type != "softbreak"):
            return  # a paragraph's attributes sit on a line of their own
        match = pattern.search(last.content)
        if not match or (attrs := _attributes(match[1])) is None:
            return
        last.content = last.content[: match.start()]
        if strip_hashes:
            last.content = last.content.rstrip("#").rstrip()
        if pattern is _BLOCK_ATTRS:
            del children[-2:]
        elif not last.content:
            children.pop()
        _add_attributes(block, attrs)

    def _inline(self, inline: Token) -> None:
        children = inline.children
        if not children:
            return
        typeset = self._typeset
        search_from: list[int] = []  # where the next link target is looked for in this block (see _line)
        run: list[Token] = []  # text not yet typeset, with any escaped characters and entities within it
        out: list[Token] = []
        for child in children:
            kind = child.type
            if kind == "text" or kind == "text_special":
                run.append(child)
                continue
            if run:
                self._flush(run, out, typeset)
                run = []
            if kind == "link_open":
                self._reference(child, "href", "event", inline, search_from)
            elif kind == "image":
                self._reference(child, "src", "file", inline, search_from)
            elif kind == "html_inline":
                if tag := _RAW_CODE_TAG.match(child.content):
                    self._in_raw_code = not tag[1]
            if child.attrs and "id" in child.attrs:
                self._used_ids.add(str(child.attrs["id"]))
            out.append(child)
        if run:
            self._flush(run, out, typeset)
        inline.children = out

    def _flush(self, run: list[Token], out: list[Token], typeset: bool) -> None:
        if typeset and not self._in_raw_code:
            self._typeset_run(run, out)
        else:
            out.extend(run)

    @staticmethod
    def _typeset_run(run: list[Token], out: list[Token]) -> None:
        """French typography over a run of text; escaped characters (``\\?``) and entities are left as written."""
        if len(run) == 1 and run[0].type == "text":
            token = run[0]
            if _TYPOGRAPHY_CHARS.search(token.content):
                token.content = french(token.content)
            out.append(token)
            return
        if any("\x02" in token.content for token in run):
            out.extend(run)  # the marker below would be ambiguous: leave this rare text as written
            return
        specials = [token.content for token in run if token.type == "text_special"]
        marked, number = [], 0
        for token in run:
            if token.type == "text_special":
                marked.append(f"\x02{number}\x03")
                number += 1
            else:
                marked.append(token.content)
        text = "".join(marked)
        if _TYPOGRAPHY_CHARS.search(text):
            text = french(text)
        joined = run[0]
        joined.type, joined.content = "text", _SPECIAL.sub(lambda m: specials[int(m[1])], text)
        out.append(joined)

    def _reference(self, token: Token, attribute: str, kind: str, inline, search_from: list[int]) -> bool:
        """Turns a relative link or image source into a placeholder, noting it as a reference; says if it did."""
        normalized = token.attrs.get(attribute)
        if not normalized:
            return False
        written = self._written.get(str(normalized), str(normalized))
        try:
            parts = urlsplit(written)
        except ValueError:
            token.attrs[attribute] = written  # not a URL we can read ("http://[::1"): left as written
            return False
        if parts.scheme or parts.netloc or written.startswith(("/", "#")) or not parts.path:
            return False  # another site, a site-absolute path or an anchor: left as written
        target = posixpath.normpath(posixpath.join(self.folder, unquote(parts.path)))
        if any(ord(ch) < 32 for ch in target):
            return False  # a control character is no file name
        if not target.endswith(".md"):
            kind = "file"
        self.references.append(Reference(kind, target, written, self._line(written, inline, search_from)))
        token.attrs[attribute] = f"tl-{kind}:{quote(target)}" + (f"#{parts.fragment}" if parts.fragment else "")
        return True

    def _line(self, written: str, inline: Token, search_from: list[int]) -> int:
        """The file line of a link target: searched in its own block first (after the previous one found there)."""
        if inline.map is None:
            return self.line_of(written)
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)] + [len(self.text) + 1]
        starts = self._line_starts
        first, last = inline.map
        begin = search_from[0] if search_from else starts[min(first, len(starts) - 1)]
        end = starts[min(last, len(starts) - 1)]
        index = self.text.find(f"]({written}", begin, end)  # as a link's destination, rather than in the prose
        index = index + 2 if index >= 0 else self.text.find(written, begin, end)
        if index < 0:
            return self.line_of(written)  # a reference-style link, defined elsewhere
        search_from[:] = [index + len(written)]
        return self.first_line + self.text.count("\n", 0, index)


def resolve_references(html: str, url_of: dict[str, str]) -> str:
    """Replace the placeholders with the URLs in ``url_of`` (keyed by project-relative path)."""
    def replace(match: re.Match) -> str:
        target = unquote(match[3])
        if target not in url_of:
            return match[0]  # an unknown target was reported as a problem already
        return f'{match[1]}="{quote(url_of[target], safe="/:")}{match[4] or ""}"'

    return PLACEHOLDER.sub(replace, html)
