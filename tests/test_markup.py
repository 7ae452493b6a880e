"""The Markdown renderer on its own: heading ids and anchors, typography, footnotes, tables, attributes, lists,
Python-Markdown's extensions (table of contents, admonitions, abbreviations, Markdown in HTML), references."""

from __future__ import annotations

import pickle

import lxml.html
import pytest

from chronologie.markup import PLACEHOLDER, RESERVED_IDS, MarkdownRenderer, Reference, heading_id, resolve_references, slugify
from chronologie.typography import NARROW_NBSP, NBSP


def render(text: str, lang: str = "fr", source: str = "content/a.md", first_line: int = 1) -> str:
    return MarkdownRenderer(lang)(text, source, first_line)[0]


def references(text: str, source: str = "content/a.md", first_line: int = 1) -> tuple[Reference, ...]:
    return MarkdownRenderer()(text, source, first_line)[1]


def fragment(html: str):
    return lxml.html.fragment_fromstring(html, create_parent="div")


# ---------------------------------------------------------------- headings


def test_every_heading_gets_an_id_and_a_permalink():
    html = render("# Un titre\n\n## Ce qu’il faut retenir\n\n###### Six\n")
    assert html == (
        '<h1 id="un-titre">Un titre<a class="headerlink" href="#un-titre" title="Lien vers cette section">#</a></h1>\n'
        '<h2 id="ce-quil-faut-retenir">Ce qu’il faut retenir'
        '<a class="headerlink" href="#ce-quil-faut-retenir" title="Lien vers cette section">#</a></h2>\n'
        '<h6 id="six">Six<a class="headerlink" href="#six" title="Lien vers cette section">#</a></h6>'
    )


def test_the_permalink_title_follows_the_language():
    assert 'title="Link to this section"' in render("## Title\n", lang="en")
    renderer = MarkdownRenderer("en")
    renderer.lang = "fr"  # the build sets it when site.yaml changes
    assert 'title="Lien vers cette section"' in renderer("## Titre\n")[0]


@pytest.mark.parametrize(("text", "expected"), [
    ("Élysée & Cie", "elysee-cie"),
    ("L’IA « ouverte » : quoi ?", "lia-ouverte-quoi"),
    ("  Espaces   multiples  ", "espaces-multiples"),
    ("Déjà-vu_2024", "deja-vu_2024"),
    ("Œuvre straße", "uvre-strae"),
    ("!!!", ""),
])
def test_slugs_are_those_python_markdown_made(text, expected):
    assert slugify(text, "-") == expected


def test_ids_are_made_from_the_text_before_typography_and_without_markup():
    html = render('## Le "modèle" : `code`, *gras* <b>brut</b> ?[^1]\n\n[^1]: Note.\n')
    heading = fragment(html).xpath("//h2")[0]
    assert heading.get("id") == "le-modele-code-gras-brut"
    assert heading.xpath("a[@class='headerlink']/@href") == ["#le-modele-code-gras-brut"]
    assert f"«{NBSP}modèle{NBSP}»{NBSP}:" in heading.text_content()


def test_repeated_headings_get_numbered_ids_as_before():
    html = render("## Titre\n\n## Titre\n\n## Titre_1\n\n## !!!\n\n## ???\n\n## _1\n\n## 1\n\n## 1\n")
    assert fragment(html).xpath("//h2/@id") == ["titre", "titre_1", "titre_2", "_1", "_2", "_3", "1", "1_1"]


@pytest.mark.parametrize("reserved", sorted(RESERVED_IDS))
def test_template_ids_are_never_taken(reserved):
    assert heading_id(reserved.capitalize(), "-") == f"{reserved}-1"
    html = render(f"## {reserved.capitalize()}\n\n## {reserved.capitalize()}\n")
    assert fragment(html).xpath("//h2/@id") == [f"{reserved}-1", f"{reserved}-1_1"]


def test_an_id_written_by_the_author_is_kept_and_avoided():
    html = render("## Titre {#titre .important}\n\n## Titre\n\n{#bloc}\n## Autre\n")
    headings = fragment(html).xpath("//h2")
    assert [(h.get("id"), h.get("class")) for h in headings] == [("titre", "important"), ("titre_1", None), ("bloc", None)]
    assert headings[0].text == "Titre"
    assert [h.xpath("a/@href")[0] for h in headings] == ["#titre", "#titre_1", "#bloc"]


def test_setext_headings_and_closing_hashes():
    html = render("Sur deux\nlignes\n======\n\n## Fermé ##\n")
    assert fragment(html).xpath("//h1/@id | //h2/@id") == ["sur-deux-lignes", "ferme"]


# ---------------------------------------------------------------- French typography


def test_french_typography_in_prose():
    html = render('Pourquoi maintenant? Il dit : "bonjour" !\n\nUne *emphase* ; et **fin**!\n')
    assert html == (
        f"<p>Pourquoi maintenant{NARROW_NBSP}? Il dit{NBSP}: «{NBSP}bonjour{NBSP}»{NARROW_NBSP}!</p>\n"
        f"<p>Une <em>emphase</em>{NARROW_NBSP}; et <strong>fin</strong>!</p>"
    )


def test_no_typography_in_code_spans_blocks_or_fences():
    html = render('Du `a ? b : "c"` ici.\n\n    x = "y" ; z ?\n\n```python\nq = "r" ?\n```\n')
    assert html == (
        '<p>Du <code>a ? b : "c"</code> ici.</p>\n'
        '<pre><code>x = "y" ; z ?\n</code></pre>\n'
        '<pre><code class="language-python">q = &quot;r&quot; ?\n</code></pre>'
    )


def test_no_typography_inside_code_written_as_raw_html():
    html = render('x <code>a "b" c ?</code> y ? et <kbd>Ctrl : C</kbd> ici : oui <samp>s ?</samp> fin ?')
    assert html == (
        f'<p>x <code>a "b" c ?</code> y{NARROW_NBSP}? et <kbd>Ctrl : C</kbd> ici{NBSP}: oui '
        f"<samp>s ?</samp> fin{NARROW_NBSP}?</p>"
    )


def test_a_raw_pre_block_leaves_its_text_alone_and_typography_resumes_after_it():
    html = render('<pre>\nx "y" ?\n</pre>\n\nAprès : oui ?\n\n<script>\nvar a = "b" ? 1 : 2;\n</script>\n\nFin ?\n')
    assert '<pre>\nx "y" ?\n</pre>' in html and 'var a = "b" ? 1 : 2;' in html
    assert f"<p>Après{NBSP}: oui{NARROW_NBSP}?</p>" in html and f"<p>Fin{NARROW_NBSP}?</p>" in html


def test_an_escaped_character_is_left_as_written():
    html = render('Quoi\\? Il dit \\"non\\" mais "A &amp; B".\n')
    assert html == f'<p>Quoi? Il dit "non" mais «{NBSP}A &amp; B{NBSP}».</p>'


def test_a_code_tag_named_in_an_html_comment_does_not_stop_typography():
    assert render("<!-- TODO : vérifier le <pre> -->\n\nQuoi ?\n") == f"<!-- TODO : vérifier le <pre> -->\n<p>Quoi{NARROW_NBSP}?</p>"


def test_lists_nested_twenty_deep_keep_their_text():
    html = render("".join("  " * level + f"- niveau {level}\n" for level in range(20)))
    assert all(f"niveau {level}" in html for level in range(20))
    assert fragment(html).xpath("/div" + "/ul/li" * 20 + "/text()") == ["niveau 19"]


def test_typography_in_footnotes_tables_and_definition_lists():
    html = render("Texte[^1].\n\n[^1]: Vraiment ?\n\n| a |\n|---|\n| b ? |\n\nTerme\n:   Déf : oui\n")
    assert f"Vraiment{NARROW_NBSP}?" in html and f"<td>b{NARROW_NBSP}?</td>" in html and f"<dd>Déf{NBSP}: oui</dd>" in html


def test_english_gets_no_french_typography():
    html = render('He said "hello"! Why?\n\n## Title: "x"\n', lang="en")
    assert html.startswith('<p>He said "hello"! Why?</p>')
    assert '<h2 id="title-x">Title: "x"<a' in html


def test_typography_for_titles():
    assert MarkdownRenderer("fr").typography("Quoi ?") == f"Quoi{NARROW_NBSP}?"
    assert MarkdownRenderer("en").typography("What?") == "What?"


# ---------------------------------------------------------------- footnotes, tables, definition lists, attributes


def test_footnotes_keep_their_markup_and_french_back_link():
    html = render("Texte[^1].\n\n[^1]: Une note de bas de page.\n")
    assert html == (
        '<p>Texte<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>.</p>\n'
        '<div class="footnote">\n<hr>\n<ol>\n<li id="fn:1">\n'
        '<p>Une note de bas de page.&#160;<a class="footnote-backref" href="#fnref:1" '
        'title="Retour à la note 1 dans le texte">&#8617;</a></p>\n'
        "</li>\n</ol>\n</div>"
    )


def test_footnotes_in_english():
    html = render("Text[^1].\n\n[^1]: A note.\n", lang="en")
    assert 'title="Jump back to footnote 1 in the text"' in html


def test_footnotes_are_numbered_in_the_order_they_are_defined_and_none_is_lost():
    html = render("Deux[^a] refs[^a] et[^b].\n\n[^b]: B *note*.\n[^a]: A note.\n\n    Suite.\n\n[^c]: Jamais citée.\n")
    page = fragment(html)
    assert page.xpath("//p/sup/@id") == ["fnref:a", "fnref2:a", "fnref:b"]
    assert page.xpath("//p/sup/a/text()") == ["2", "2", "1"]
    assert page.xpath("//div[@class='footnote']/ol/li/@id") == ["fn:b", "fn:a", "fn:c"]
    assert page.xpath("//li[@id='fn:a']/p[last()]/a/@href") == ["#fnref:a", "#fnref2:a"]
    assert page.xpath("//li[@id='fn:a']/p/text()") == ["A note.", "Suite.\u00a0"]
    assert page.xpath("//li[@id='fn:c']//a") == []  # nobody refers to it: no link back to nowhere


def test_a_footnote_defined_inside_another_is_listed_after_it():
    html = render("A[^a] B[^b].\n\n[^a]: Dehors.\n\n    [^b]: Dedans.\n\n    Encore dehors.\n")
    page = fragment(html)
    assert page.xpath("//div[@class='footnote']/ol/li/@id") == ["fn:a", "fn:b"]
    assert page.xpath("//li[@id='fn:a']/p/text()") == ["Dehors.", "Encore dehors.\u00a0"]


def test_a_reference_to_an_undefined_footnote_stays_text():
    assert render("Texte[^x].\n") == "<p>Texte[^x].</p>"
    assert render("Texte ^[en ligne].\n") == "<p>Texte ^[en ligne].</p>"


def test_tables_with_alignment():
    html = render("| g | c | d |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n")
    page = fragment(html)
    assert page.xpath("//th/@style") == ["text-align: left;", "text-align: center;", "text-align: right;"]
    assert page.xpath("//td/text()") == ["1", "2", "3"]


def test_definition_lists():
    html = render("Terme 1\n:   Déf 1\n\nTerme 2\n:   Déf 2a\n:   Déf 2b\n")
    assert html == "<dl>\n<dt>Terme 1</dt>\n<dd>Déf 1</dd>\n<dt>Terme 2</dt>\n<dd>Déf 2a</dd>\n<dd>Déf 2b</dd>\n</dl>"


def test_attributes_on_blocks_and_inline_elements():
    html = render("{#avant .a}\nParagraphe.\n\nAutre paragraphe.\n{: .b #apres}\n\n![carte](https://example.org/c.png){.large}\n")
    page = fragment(html)
    assert [(p.get("id"), p.get("class")) for p in page.xpath("//p")][:2] == [("avant", "a"), ("apres", "b")]
    assert page.xpath("//p")[1].text == "Autre paragraphe."
    assert page.xpath("//img/@class") == ["large"]


def test_commonmark_lists_raw_html_and_breaks():
    html = render('- a\n- b\n  - c\n\n3. trois\n4. quatre\n\n<div class="encadre">\nTexte : "brut"\n</div>\n\nLigne  \nsuivante\n')
    page = fragment(html)
    assert page.xpath("//ul/li/ul/li/text()") == ["c"]  # nested by two spaces, as CommonMark reads it
    assert page.xpath("//ol/@start") == ["3"]
    assert '<div class="encadre">\nTexte : "brut"\n</div>' in html
    assert "Ligne<br>\nsuivante" in html


def test_output_is_deterministic_and_the_renderer_is_reusable():
    renderer = MarkdownRenderer()
    text = "## Titre\n\nTexte[^1] [b](b.md).\n\n[^1]: Note.\n"
    first = renderer(text, "content/a.md", 5)
    renderer("## Autre\n\n## Titre\n\n[c](c.md)\n[^z]: x\n")
    assert renderer(text, "content/a.md", 5) == first
    assert MarkdownRenderer()(text, "content/a.md", 5) == first


def test_a_renderer_can_be_pickled():
    copy = pickle.loads(pickle.dumps(MarkdownRenderer("en")))
    assert copy.lang == "en" and copy("## Title\n")[0].startswith('<h2 id="title">')


# ---------------------------------------------------------------- references


def test_links_to_events_and_files_become_placeholders():
    text = "Texte.\n\n![Carte](images/carte.png)\n\n[Lien](2023-b.md) et [section](../autre/c.md#plus-loin)\n"
    html, refs = MarkdownRenderer()(text, "content/a.md", 10)
    assert refs == (
        Reference("file", "content/images/carte.png", "images/carte.png", 12),
        Reference("event", "content/2023-b.md", "2023-b.md", 14),
        Reference("event", "autre/c.md", "../autre/c.md#plus-loin", 14),
    )
    assert '<img src="tl-file:content/images/carte.png" alt="Carte">' in html
    assert '<a href="tl-event:content/2023-b.md">Lien</a>' in html
    assert '<a href="tl-event:autre/c.md#plus-loin">section</a>' in html
    assert [m.group(2, 3, 4) for m in PLACEHOLDER.finditer(html)] == [
        ("file", "content/images/carte.png", None), ("event", "content/2023-b.md", None), ("event", "autre/c.md", "#plus-loin"),
    ]


def test_an_image_or_a_non_markdown_file_is_a_file():
    refs = references("![x](schema.md) [pdf](docs/rapport.pdf)\n")
    assert [(r.kind, r.target) for r in refs] == [("file", "content/schema.md"), ("file", "content/docs/rapport.pdf")]


def test_other_links_are_left_as_written():
    text = "[a](https://example.org/b.md) [b](/absolu.md) [c](#ancre) [d](mailto:x@example.org) <https://example.org/>\n"
    html, refs = MarkdownRenderer()(text)
    assert refs == ()
    assert fragment(html).xpath("//a/@href") == ["https://example.org/b.md", "/absolu.md", "#ancre", "mailto:x@example.org", "https://example.org/"]


def test_special_characters_in_file_names():
    html, refs = MarkdownRenderer()("![amp](images/a&b.png) ![carte](images/ma%20carte%20%C3%A9.png) [x](http://[::1)\n")
    assert [(r.target, r.written) for r in refs] == [
        ("content/images/a&b.png", "images/a&b.png"), ("content/images/ma carte é.png", "images/ma%20carte%20%C3%A9.png"),
    ]
    assert fragment(html).xpath("//img/@src") == ["tl-file:content/images/a%26b.png", "tl-file:content/images/ma%20carte%20%C3%A9.png"]
    assert fragment(html).xpath("//a/@href") == ["http://[::1"]  # not a URL we can read: left as written


def test_a_control_character_is_no_file_name():
    html, refs = MarkdownRenderer()("![x](<images/a%01b.png>)\n")
    assert refs == () and "tl-file" not in html


def test_references_in_footnotes_headings_tables_lists_and_quotes_have_their_line():
    text = (
        "Intro b.md en passant.\nPuis [lien](b.md) ici.\n\n| a | b |\n|---|---|\n| x | [t](t.md) |\n\n"
        "- item\n- autre [l](l.md)\n\n> cite\n> ![q](q.png)\n\n## Vers [h](h.md)\n\nTexte[^1].\n\n[^1]: Voir [n](n.md).\n"
    )
    refs = references(text, first_line=8)
    assert [(r.written, r.line) for r in refs] == [
        ("b.md", 9), ("t.md", 13), ("l.md", 16), ("q.png", 19), ("h.md", 21), ("n.md", 25),
    ]


def test_the_same_target_twice_is_reported_at_each_line():
    refs = references("[a](b.md)\n\n[a](b.md) et [a](b.md)\nsuite [z](b.md)\n", first_line=11)
    assert [r.line for r in refs] == [11, 13, 13, 14]


def test_a_title_in_parentheses():
    html, refs = MarkdownRenderer()("[x](b.md (Le titre)) ![y](i.png (Image))\n")
    assert html == '<p><a href="tl-event:content/b.md" title="Le titre">x</a> <img src="tl-file:content/i.png" alt="y" title="Image"></p>'
    assert [(r.target, r.written) for r in refs] == [("content/b.md", "b.md"), ("content/i.png", "i.png")]


def test_a_reference_style_link_points_at_its_definition():
    refs = references("Voir [le texte][r].\n\n[r]: c.md \"Titre\"\n")
    assert refs == (Reference("event", "content/c.md", "c.md", 3),)


def test_resolve_references():
    html = render("[x](b.md#s) ![i](images/a b.png) [y](inconnu.md)".replace("a b", "a%20b"))
    resolved = resolve_references(html, {"content/b.md": "/site/2023/b/", "content/images/a b.png": "/site/media/images/a b.png"})
    assert fragment(resolved).xpath("//@href | //@src") == ["/site/2023/b/#s", "/site/media/images/a%20b.png", "tl-event:content/inconnu.md"]


# ---------------------------------------------------------------- lists as CommonMark reads them


@pytest.mark.parametrize("text", [
    "- a\n  - b\n    - c\n- d\n",  # two spaces, the text of "- "
    "- a\n    - b\n        - c\n- d\n",  # four, as Python-Markdown users write them
    "1. a\n   1. b\n      1. c\n2. d\n",  # three, the text of "1. "
])
def test_nested_lists_are_indented_to_their_item_text(text):
    page = fragment(render(text))
    assert page.xpath("/div/*/li/text()[normalize-space()]") == ["a\n", "d"]
    assert page.xpath("/div/*/li/*/li/text()[normalize-space()]") == ["b\n"]
    assert page.xpath("/div/*/li/*/li/*/li/text()") == ["c"]


def test_a_two_space_nested_list_keeps_the_markup_it_had():
    assert render("- a\n- b\n  - c\n- d\n") == (
        "<ul>\n<li>a</li>\n<li>b\n<ul>\n<li>c</li>\n</ul>\n</li>\n<li>d</li>\n</ul>"
    )


def test_blocks_in_list_items_and_loose_lists():
    html = render("- a\n\n  suite de a\n- b\n\n  ```python\n  x = 1\n  ```\n")
    page = fragment(html)
    assert page.xpath("/div/ul/li[1]/p/text()") == ["a", "suite de a"]
    assert page.xpath("/div/ul/li[2]/p/text()") == ["b"]
    assert page.xpath("/div/ul/li[2]/pre/code[@class='language-python']/text()") == ["x = 1\n"]
    # A loose list (a blank line in one of its items): every item's text is in a paragraph.
    assert render("- a\n- b\n\n  suite\n") == "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n<p>suite</p>\n</li>\n</ul>"


def test_a_list_or_a_table_right_under_a_paragraph_line():
    page = fragment(render("Liste :\n- a\n- b\n\nTableau :\n| x |\n|---|\n| 1 |\n\nEn 2024\n2. pas une liste\n"))
    assert page.xpath("//ul/li/text()") == ["a", "b"]
    assert page.xpath("//td/text()") == ["1"]
    assert page.xpath("//p/text()")[-1] == "En 2024\n2. pas une liste"  # an ordered list interrupts from 1 only


def test_ordered_lists_keep_their_start_and_either_delimiter():
    page = fragment(render("3. trois\n4. quatre\n\nTexte\n\n1) un\n2) deux\n"))
    assert page.xpath("//ol/@start") == ["3"]
    assert page.xpath("//ol[2]/li/text()") == ["un", "deux"]


def test_lists_in_quotes_nest_too():
    page = fragment(render("> - a\n>   - b\n"))
    assert page.xpath("/div/blockquote/ul/li/ul/li/text()") == ["b"]


# ---------------------------------------------------------------- CommonMark details Python-Markdown reads otherwise


def test_a_hash_starts_a_heading_only_before_a_space():
    assert render("#IA et #5\n\n# Titre #\n") == (
        '<p>#IA et #5</p>\n<h1 id="titre">Titre<a class="headerlink" href="#titre" title="Lien vers cette section">#</a></h1>'
    )


def test_breaks_escapes_and_entities():
    html = render("Un\\\ndeux \\* trois\\| &copy; &eacute;t&eacute; : oui ?\n")
    assert html == f"<p>Un<br>\ndeux * trois| © été{NBSP}: oui{NARROW_NBSP}?</p>"


def test_spaces_at_line_ends_and_tabs_inside_text():
    text = "Un mot \n   suivant \n\nLigne   \nsuite\n\nA\tB  \n"
    assert render(text) == "<p>Un mot\nsuivant</p>\n<p>Ligne<br>\nsuite</p>\n<p>A\tB</p>"


def test_triple_emphasis_and_mail_addresses():
    assert render("***très*** et **_aussi_** <x@example.org>\n") == (
        '<p><em><strong>très</strong></em> et <strong><em>aussi</em></strong> '
        '<a href="mailto:x@example.org">x@example.org</a></p>'
    )


def test_links_are_percent_encoded_and_images_keep_their_attributes_in_order():
    html = render('[W](https://fr.wikipedia.org/wiki/Société) ![c](https://example.org/c.png "Titre"){.large}\n')
    assert html == (
        '<p><a href="https://fr.wikipedia.org/wiki/Soci%C3%A9t%C3%A9">W</a> '
        '<img src="https://example.org/c.png" alt="c" title="Titre" class="large"></p>'
    )


# ---------------------------------------------------------------- Python-Markdown's extensions


def test_toc_marker_is_replaced_by_a_table_of_contents():
    html = render("[TOC]\n\n## Premier : point\n\n### Détail\n\n## Second\n")
    page = fragment(html)
    toc = page.xpath("/div/div[@class='toc']")[0]
    assert toc.xpath(".//a/@href") == ["#premier-point", "#detail", "#second"]
    assert toc.xpath("ul/li/ul/li/a/text()") == ["Détail"]
    assert toc.xpath("ul/li/a/text()")[0] == f"Premier{NBSP}: point"
    assert "[TOC]" not in html


def test_admonitions_as_mkdocs_writes_them():
    html = render('!!! note\n    Une note : importante ?\n\n!!! warning "Attention : danger"\n    - a\n      - b\n')
    page = fragment(html)
    notes = page.xpath("/div/div")
    assert [note.get("class") for note in notes] == ["admonition note", "admonition warning"]
    assert notes[0].xpath("p/text()") == ["Note", f"Une note{NBSP}: importante{NARROW_NBSP}?"]
    assert notes[1].xpath("p[@class='admonition-title']/text()") == [f"Attention{NBSP}: danger"]
    assert notes[1].xpath("ul/li/ul/li/text()") == ["b"]


def test_abbreviations():
    html = render("*[IA]: Intelligence artificielle\n\nL’IA générative, pas l’IAG.\n")
    assert html == '<p>L’<abbr title="Intelligence artificielle">IA</abbr> générative, pas l’IAG.</p>'


def test_markdown_inside_html_blocks_that_ask_for_it():
    html, refs = MarkdownRenderer()('<div class="encadre" markdown="1">\n*Voir* [ici](b.md) : oui ?\n</div>\n\n<div>\n*brut*\n</div>\n')
    assert html == (
        f'<div class="encadre">\n<p><em>Voir</em> <a href="tl-event:content/b.md">ici</a>{NBSP}: oui{NARROW_NBSP}?</p>\n</div>\n'
        "<div>\n*brut*\n</div>"
    )
    assert refs == (Reference("event", "content/b.md", "b.md", 2),)


@pytest.mark.parametrize(("lang", "title"), [
    ("fr", "Retour à la note 2 dans le texte"),
    ("en", "Jump back to footnote 2 in the text"),
    ("de", "Retour à la note 2 dans le texte"),  # French for any other language
])
def test_footnote_back_links_are_titled_in_the_site_language(lang, title):
    text = "Un[^a] deux[^b].\n\n[^a]: A.\n[^b]: B.\n"
    assert fragment(render(text, lang=lang)).xpath("//li[@id='fn:b']//a[@class='footnote-backref']/@title") == [title]
    renderer = MarkdownRenderer("en" if lang != "en" else "fr")
    renderer(text)
    renderer.lang = lang  # a language set after the first document applies to the next
    assert fragment(renderer(text)[0]).xpath("//li[@id='fn:b']//a[@class='footnote-backref']/@title") == [title]


def test_no_typography_in_code_written_as_raw_html_in_any_block():
    html = render('- <code>a : "b" ?</code> : c ?\n\n> <kbd>Ctrl : ?</kbd> ; fin ?\n\n| <samp>x ?</samp> | y ? |\n|---|---|\n| 1 | 2 |\n')
    assert f'<li><code>a : "b" ?</code>{NBSP}: c{NARROW_NBSP}?</li>' in html
    assert f"<kbd>Ctrl : ?</kbd>{NARROW_NBSP}; fin{NARROW_NBSP}?" in html
    assert f"<th><samp>x ?</samp></th>\n<th>y{NARROW_NBSP}?</th>" in html


def test_references_keep_their_lines_around_footnotes_and_code():
    text = "A[^1] [x](b.md)\n\n[^1]: Voir [y](b.md)\n\n```\n[pas](b.md)\n```\n\nVoir `[pas](b.md)` puis [z](b.md)\n"
    assert [(r.written, r.line) for r in references(text, first_line=5)] == [("b.md", 5), ("b.md", 13), ("b.md", 7)]


def test_code_spans_and_fences_read_as_commonmark_reads_them():
    html = render('`a\nb` ` c` et `` `d` ``\n\n```python title="x.py"\nq = 1\n````\n')
    assert html == (
        '<p><code>a b</code> <code> c</code> et <code>`d`</code></p>\n'
        '<pre><code class="language-python">q = 1\n</code></pre>'
    )


def test_reference_labels_and_quotes_read_as_commonmark_reads_them():
    html = render("[a][x] et [a]\n\n[a]: https://example.org/\n\n> un\n\n> deux\nparesseuse\n===\n")
    assert html == (
        '<p>[a][x] et <a href="https://example.org/">a</a></p>\n'
        "<blockquote>\n<p>un</p>\n</blockquote>\n<blockquote>\n<p>deux\nparesseuse\n===</p>\n</blockquote>"
    )
