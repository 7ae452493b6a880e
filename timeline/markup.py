"""Markdown bodies to HTML, with one reused Python-Markdown instance (reset between documents)."""

from __future__ import annotations

import markdown

# extra: tables, footnotes, definition lists, fenced code, attribute lists; toc: ids on headings.
EXTENSIONS = ["extra", "toc", "sane_lists"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}, "footnotes": {"BACKLINK_TITLE": "Retour à la note %d"}}


class MarkdownRenderer:
    """Converts Markdown to HTML; cheaper than a new ``markdown.Markdown`` per document."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")

    def __call__(self, text: str) -> str:
        """Render one document."""
        return self._md.reset().convert(text)
