"""Markdown bodies to HTML, with one reused Python-Markdown instance (reset between documents)."""

from __future__ import annotations

import markdown
from markdown.extensions.toc import slugify

# Ids the page templates give their own elements; a body heading must never take one
# ("## Sources" would otherwise collide with the sources section). Keep in step with templates/.
RESERVED_IDS = frozenset({"contenu", "sources"})


def heading_id(value: str, separator: str) -> str:
    """Python-Markdown's heading slug, moved aside when a template already uses it."""
    slug = slugify(value, separator)
    return f"{slug}{separator}1" if slug in RESERVED_IDS else slug


# extra: tables, footnotes, definition lists, fenced code, attribute lists; toc: ids on headings.
EXTENSIONS = ["extra", "toc", "sane_lists"]
EXTENSION_CONFIGS = {"toc": {"slugify": heading_id}, "footnotes": {"BACKLINK_TITLE": "Retour à la note %d"}}


class MarkdownRenderer:
    """Converts Markdown to HTML; cheaper than a new ``markdown.Markdown`` per document."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")

    def __call__(self, text: str) -> str:
        """Render one document."""
        return self._md.reset().convert(text)
