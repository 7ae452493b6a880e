"""Plain bodies parsed by pyromark give the very HTML and references markdown-it-py gives; the rest falls back.

``QUICKPARSE_BODIES=200000`` runs the generated comparison on that many bodies of each kind (default 1,500).
"""

from __future__ import annotations

import difflib
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from generated_markdown import body
from timeline.markup import MarkdownRenderer
from timeline.quickparse import looks_plain, render_plain

REPO = Path(__file__).resolve().parent.parent
BODIES = int(os.environ.get("QUICKPARSE_BODIES", "1500"))


def both_ways(text: str, lang: str = "fr", source: str = "content/a.md", first_line: int = 1):
    """(quick, markdown-it-py) renderings of ``text``, each (html, references)."""
    return MarkdownRenderer(lang, quick=True)(text, source, first_line), MarkdownRenderer(lang, quick=False)(text, source, first_line)


def taken(text: str) -> bool:
    """Whether the quick path parses ``text``."""
    renderer = MarkdownRenderer()
    return render_plain(text, renderer._plain_hooks("")) is not None


def assert_same(text: str, **where) -> None:
    quick, slow = both_ways(text, **where)
    if quick != slow:
        diff = "\n".join(difflib.unified_diff(slow[0].splitlines(), quick[0].splitlines(), "markdown-it-py", "quick", lineterm=""))
        pytest.fail(f"the two paths differ for {text!r}:\n{diff}\nreferences: {slow[1]} / {quick[1]}")


def body_of(path: Path) -> tuple[str, int]:
    """A content file's Markdown body and the line it starts on."""
    text = path.read_text(encoding="utf-8")
    head, separator, rest = text.partition("\n---\n")
    return rest, head.count("\n") + 3


# ---------------------------------------------------------------- the two paths agree


@pytest.mark.parametrize("hostile", [False, True], ids=["prose", "hostile"])
def test_the_two_paths_agree_on_generated_bodies(hostile):
    rng = random.Random(20261123 + hostile)
    quick = 0
    renderer, reference = MarkdownRenderer(quick=True), MarkdownRenderer(quick=False)
    for number in range(BODIES):
        text = body(rng, hostile)
        first_line = rng.randint(1, 30)
        got, expected = renderer(text, "content/dossier/a.md", first_line), reference(text, "content/dossier/a.md", first_line)
        if got != expected:
            assert_same(text, source="content/dossier/a.md", first_line=first_line)
        quick += taken(text)
    # The comparison means something only if the quick path took a fair share of the bodies.
    assert quick > BODIES * (0.45 if not hostile else 0.1), f"{quick} of {BODIES} bodies parsed by pyromark"


def test_the_two_paths_agree_on_the_sites_bodies():
    roots = (REPO, REPO / "tests" / "golden" / "site")
    paths = [(root, path) for root in roots for path in sorted((root / "content").rglob("*.md"))]
    assert len(paths) >= 15
    quick = 0
    for root, path in paths:
        text, first_line = body_of(path)
        assert_same(text, source=path.relative_to(root).as_posix(), first_line=first_line)
        quick += taken(text)
    assert quick >= len(paths) - 6


def test_every_body_of_the_benchmark_corpus_takes_the_quick_path(tmp_path):
    subprocess.run([sys.executable, str(REPO / "bench" / "make_corpus.py"), "150", str(tmp_path / "corpus")], check=True, capture_output=True)
    paths = sorted((tmp_path / "corpus" / "content").rglob("*.md"))
    assert len(paths) == 150
    for path in paths:
        text, first_line = body_of(path)
        assert taken(text), path.name
        assert_same(text, first_line=first_line)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_plain_body_renders_as_before(lang):
    text = (
        "Meta publie *Llama 2* : un modèle « ouvert » ?\n\n"
        "## Ce qu’il faut retenir\n\n"
        "- poids publiés ;\n- licence [maison](https://ai.meta.com/llama/ \"Licence\") !\n  - détail\n\n"
        "> Une citation\n> sur deux lignes.\n\n"
        "1. un\n\n2. deux\n\n"
        "Voir [l’alliance](2023-12-05-ai-alliance.md#contexte) et ![carte](images/carte.png).  \n"
        "Ligne suivante, `code : brut` et **gras**.\n\n"
        "```python\nx = 1 ; y = 2\n```\n\n---\n\n## Ce qu’il faut retenir\n"
    )
    assert taken(text)
    quick, slow = both_ways(text, lang=lang, source="content/2023/a.md", first_line=8)
    assert quick == slow
    html, references = quick
    assert '<h2 id="ce-quil-faut-retenir_1">' in html and "<ol>\n<li>\n<p>un</p>" in html
    assert [(ref.kind, ref.target, ref.line) for ref in references] == [
        ("event", "content/2023/2023-12-05-ai-alliance.md", 23),
        ("file", "content/2023/images/carte.png", 23),
    ]


# ---------------------------------------------------------------- what goes to markdown-it-py


@pytest.mark.parametrize("text", [
    "| a | b |\n|---|---|\n| 1 | 2 |\n",  # a table
    "Une note[^1].\n\n[^1]: Le texte.\n",  # a footnote
    "## Titre {#ancre}\n",  # attributes
    "Un paragraphe\n{: .classe}\n",
    "Terme\n: sa définition\n",  # a definition list
    "Du <b>HTML</b> brut.\n",
    "R&amp;D et R&D\n",  # entities
    "Un \\* échappé\n",
    "Une\ttabulation\n",
    "Fin de ligne\r\nWindows\n",
    "Texte\u00a0\nsuivant\n",  # a wide space at a line's end, which markdown-it-py strips
    "> cité\nsuite paresseuse\n",  # a lazy continuation
    "____gras____\n",
    "[**.x* y*](a.md)\n",  # marks at the edge of a link's text, before a mark, in runs of one and two
    "~~~\ncode\n~~~\n",
])
def test_bodies_using_more_than_plain_commonmark_go_to_markdown_it(text):
    assert not looks_plain(text)
    assert not taken(text)
    quick, slow = both_ways(text)
    assert quick == slow


@pytest.mark.parametrize("text", [
    "[a](javascript:alert(1))\n",  # markdown-it-py makes no link of it
    "[a]: javascript:alert(1)\n\n[a]\n",
    "[a]: x.md\n[a]: y.md\n\n[a]\n",  # a label defined twice
    "[a]: x.md\n    suite\n",  # a line after a definition
    "![une [image](b.md)](a.png)\n",  # a link in an image's text
    "![*x*](a.png)\n",  # emphasis in an image's text
    "[Élan]\n\n[élan]: x.md\n",  # a label beyond ASCII
    "[a [b] c](x.md)\n",  # brackets in a link's text
    "- item\n\n  ```\n  code\n  ```\n",  # code in a list
    "- item\n\n  > cité\n",  # a quote in a list
    ">" * 21 + " très profond\n",
])
def test_what_the_events_show_goes_to_markdown_it(text):
    assert looks_plain(text)
    assert not taken(text)
    quick, slow = both_ways(text)
    assert quick == slow
