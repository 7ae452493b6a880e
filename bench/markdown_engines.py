#!/usr/bin/env python3
"""Time Markdown engines on a corpus's event bodies, one core: the measurement behind the choice of engine.

Usage: markdown_engines.py CORPUS_DIR   (a folder made by make_corpus.py)

Each engine is timed with the features the site uses (tables, footnotes, definition lists, heading ids) where it
has them. Engines that are not installed are skipped; install the others into a scratch virtualenv to compare,
never into the project's.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def engines() -> dict:
    """Every engine importable here, as name → (make a converter)."""
    found = {}
    try:
        import markdown

        found[f"Python-Markdown {markdown.__version__}, extra+toc+sane_lists"] = lambda: (
            lambda md: lambda text: md.reset().convert(text))(markdown.Markdown(extensions=["extra", "toc", "sane_lists"]))
    except ImportError:
        pass
    try:
        import markdown_it
        from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
        from mdit_py_plugins.deflist import deflist_plugin
        from mdit_py_plugins.footnote import footnote_plugin

        found[f"markdown-it-py {markdown_it.__version__}, table+footnote+deflist+attrs"] = lambda: markdown_it.MarkdownIt("commonmark").enable("table").use(
            footnote_plugin).use(deflist_plugin).use(attrs_plugin).use(attrs_block_plugin).render
    except ImportError:
        pass
    try:
        import mistune

        found[f"mistune {mistune.__version__}, table+footnotes+def_list"] = lambda: mistune.create_markdown(plugins=["table", "footnotes", "def_list"])
    except ImportError:
        pass
    try:
        import cmarkgfm
        from cmarkgfm.cmark import Options

        found["cmarkgfm (C), GFM+footnotes (no heading ids, no definition lists)"] = lambda: lambda text: cmarkgfm.github_flavored_markdown_to_html(
            text, options=Options.CMARK_OPT_FOOTNOTES | Options.CMARK_OPT_UNSAFE)
    except ImportError:
        pass
    try:
        import pyromark

        options = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_FOOTNOTES | pyromark.Options.ENABLE_DEFINITION_LIST | pyromark.Options.ENABLE_HEADING_ATTRIBUTES
        found["pyromark (Rust, pulldown-cmark), tables+footnotes+deflist+heading attributes"] = lambda: lambda text: pyromark.html(text, options=options)
        # What a renderer of our own would start from: the events with their source ranges, walked in Python.
        found["pyromark, its events with source ranges walked in Python"] = lambda: lambda text: sum(1 for _ in pyromark.events_with_range(text, options=options))
    except ImportError:
        pass
    try:
        import markdown_it_pyrs

        found["markdown-it-pyrs (Rust port of markdown-it), table+footnote+deflist"] = lambda: markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "footnote", "deflist"]).render
    except ImportError:
        pass
    try:
        import comrak

        def comrak_converter():
            extensions = comrak.ExtensionOptions()
            extensions.table = extensions.footnotes = extensions.description_lists = True
            extensions.header_id_prefix = ""
            return lambda text: comrak.render_markdown(text, extension_options=extensions)

        found["comrak (Rust), table+footnotes+description lists+heading ids"] = comrak_converter
    except ImportError:
        pass
    return found


def main() -> None:
    corpus = Path(sys.argv[1])
    bodies = [p.read_text(encoding="utf-8").split("\n---\n", 1)[1] for p in sorted((corpus / "content").glob("*.md"))]
    print(f"{len(bodies)} bodies, best of 2 runs, one core")
    for name, make in engines().items():
        convert, runs = make(), []
        for _ in range(2):
            started = time.perf_counter()
            for text in bodies:
                convert(text)
            runs.append(time.perf_counter() - started)
        print(f"{name:70} {min(runs):7.2f} s")


if __name__ == "__main__":
    main()
