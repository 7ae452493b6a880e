"""Other tools' Markdown syntax that our engine leaves as text: a warning where the reader would see it as typed.

A line is reported when it holds such syntax *and* the rendered page shows its marker as text (outside code):
what the engine does render, such as ``!!! note`` or ``[TOC]``, is never reported, whatever the source says.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .problems import Problem


@dataclass(frozen=True)
class Syntax:
    """One kind of foreign syntax: how a source line shows it (its group ``shown``), and what it is."""

    line: re.Pattern[str]
    what: str
    instead: str = ""  # what to write for the same effect, when the engine has it


# Each pattern's group "shown" is what the page shows as typed when the engine leaves the syntax as text.
SYNTAXES = (
    Syntax(re.compile(r"^\s*(?P<shown>\?\?\?\+?\s+\w+)"), "a collapsible block (pymdownx.details, MkDocs Material)"),
    Syntax(re.compile(r'^\s*(?P<shown>===\+?\s+"[^"]*")'), "a content tab (pymdownx.tabbed, MkDocs Material)"),
    Syntax(re.compile(r"^\s*(?P<shown>!!!\s*\w+)"), "an admonition this engine could not read", "write !!! note \"Title\", then its text indented by four spaces"),
    Syntax(re.compile(r"^\s*(?P<shown>:::+\s*\w+)"), "a container or admonition (markdown-it, Docusaurus, VitePress)"),
    Syntax(re.compile(r"(?P<shown>\{\{[<%].*?[>%]\}\})"), "a Hugo shortcode"),
    Syntax(re.compile(r"(?P<shown>\{%.*?%\})"), "a Liquid or Jinja tag (Jekyll), which content never runs"),
    Syntax(re.compile(r"(?P<shown>\{\{.*?\}\})"), "a Liquid or Jinja variable (Jekyll), which content never runs"),
    Syntax(re.compile(r"(?P<shown>~~[^~\s](?:[^~]*[^~\s])?~~)"), "strikethrough (GitHub Markdown)", "write <del>…</del>"),
    Syntax(re.compile(r"(?P<shown>==[^=\s](?:[^=]*[^=\s])?==)"), "highlighting (pymdownx.mark)", "write <mark>…</mark>"),
    Syntax(re.compile(r"^\s*(?:[-*+]|\d+\.)\s+(?P<shown>\[[ xX]\]\s+\S+)"), "a task list item (GitHub Markdown)"),
    Syntax(re.compile(r"^\s*>\s*(?P<shown>\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\])", re.IGNORECASE), "a GitHub alert", "write !!! note, then its text indented by four spaces"),
    Syntax(re.compile(r"(?P<shown>\[\[[^\]\n]+\]\])"), "a wiki link", "link to the entry's file: [text](other-entry.md)"),
    Syntax(re.compile(r"(?P<shown>\[TOC\])"), "a table of contents marker this engine could not place", "put [TOC] alone on its line"),
)
_CLUES = ("???", "===", "!!!", ":::", "{{", "{%", "~~", "==", "[ ]", "[x]", "[X]", "[!", "[[", "[TOC]")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
# Addresses hold '==' (base64 padding) and '~~' as data: a line's syntax is looked for outside them.
_ADDRESS = re.compile(r"<?https?://[^\s>)]+>?|\]\([^)\s]*\)")


def shown_text(body_html: str) -> str:
    """What a reader sees of a rendered body, code and link addresses left out, its spaces made single."""
    return _SPACES.sub(" ", html.unescape(_TAG.sub(" ", _CODE.sub(" ", body_html))))


def foreign_syntax(body: str, body_line: int, body_html: str, path: str) -> list[Problem]:
    """A warning for each line whose foreign syntax the rendered body shows as typed."""
    if not any(clue in body for clue in _CLUES):
        return []  # nearly every body: a few substring searches, not a dozen patterns a line
    text, problems, fence = shown_text(body_html), [], None
    for number, line in enumerate(body.split("\n"), start=body_line):
        if opening := _FENCE.match(line):
            fence = None if fence and opening[1][0] == fence[0] and len(opening[1]) >= len(fence) else fence or opening[1]
            continue
        if fence:
            continue  # a fenced block: shown as typed on purpose
        if syntax := _left_as_text(_CODE_SPAN.sub(" ", _ADDRESS.sub(" ", line)), text):
            advice = f"; {syntax.instead}" if syntax.instead else ""
            problems.append(Problem(path, number, f"{syntax.what} is shown as typed: this Markdown engine leaves it as text{advice}", warning=True))
    return problems


def _left_as_text(line: str, text: str) -> Syntax | None:
    """The first foreign syntax on the line that the page shows as typed: its own text is in what the reader sees."""
    for syntax in SYNTAXES:
        if (match := syntax.line.search(line)) and _SPACES.sub(" ", match["shown"].strip()) in text:
            return syntax
    return None
