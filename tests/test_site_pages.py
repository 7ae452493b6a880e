"""Pages of their own (content/_pages/), tags declared with labels and a rank, French typography, the « Contexte » note."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from conftest import REPO, SITE_YAML, copy_real_site, event_text, run_cli

ABOUT = """\
---
title: "À propos"
description: "Ce que couvre la chronologie."
---
## Ce que couvre la chronologie

Les décisions de Meta : 49 % des textes.
"""

LABELLED = SITE_YAML + """\
tags:
  llama: "Llama"
  open-source: "Open source"
"""


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


def text(element) -> str:
    """The element's text, its runs of ASCII whitespace made one space (no-break spaces are kept: they are checked)."""
    return re.sub(r"[ \t\r\n]+", " ", element.text_content()).strip()


def build(root: Path, *args: str):
    return run_cli("--project", root, "build", *args)


def test_a_page_of_its_own_is_built_and_linked_from_every_page(make_site):
    root = make_site({"content/_pages/a-propos.md": ABOUT, "content/2023-12-05-alliance.md": event_text()})
    run = build(root)
    assert run.status == 0, run.err
    about = page(root / "output/a-propos/index.html")
    assert text(about.xpath("//main//h1")[0]) == "À propos"
    assert about.xpath("//head/meta[@name='description']/@content") == ["Ce que couvre la chronologie."]
    assert about.xpath("//main//h2/text()") == ["Ce que couvre la chronologie"]
    assert "49\u202f%" in about.xpath("//main//p")[0].text_content()
    for html in (root / "output").rglob("*.html"):
        doc = page(html)
        assert doc.xpath("//nav[@class='site-nav']//a[text()='À propos']/@href") == ["/repo/a-propos/"], html
        assert doc.xpath("//footer//a[text()='À propos']/@href") == ["/repo/a-propos/"], html
    assert "https://example.org/repo/a-propos/" in (root / "output/sitemap.xml").read_text(encoding="utf-8")
    current = about.xpath("//nav[@class='site-nav']//a[@aria-current='page']/text()")
    assert current == ["À propos"]


def test_the_pages_folder_is_never_read_for_events(make_site):
    root = make_site({"content/_pages/a-propos.md": ABOUT, "content/2023-12-05-alliance.md": event_text()})
    run = build(root)
    assert run.status == 0, run.err
    assert "1 event (1 day)" in run.out


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ('title: "À propos"', "content/_pages/a-propos.md:2: missing required key 'description'"),
        ('title: "À propos"\ndescription: "x"\nslug: tags', "content/_pages/a-propos.md:4: the address tags/ is the timeline's own; choose another slug"),
        ('title: "À propos"\ndescription: "x"\nslug: "2024"', "content/_pages/a-propos.md:4: the address 2024/ is the timeline's own; choose another slug"),
        ('title: "À propos"\ndescription: "x"\norder: first', "content/_pages/a-propos.md:4: 'order' must be a whole number (the page's place in the menu), got 'first'"),
    ],
)
def test_a_bad_page_is_reported_with_its_line(make_site, front, expected):
    root = make_site({"content/_pages/a-propos.md": f"---\n{front}\n---\nTexte.\n", "content/2023-12-05-alliance.md": event_text()})
    run = build(root)
    assert run.status == 1
    assert expected in run.err.splitlines(), run.err
    assert not (root / "output").exists()


def test_a_page_linking_to_an_entry_file_is_told_to_use_its_address(make_site):
    about = "---\ntitle: A\ndescription: B\n---\nVoir [l’alliance](../2023-12-05-alliance.md).\n"
    root = make_site({"content/_pages/a-propos.md": about, "content/2023-12-05-alliance.md": event_text()})
    run = build(root)
    assert run.status == 1
    assert (
        "content/_pages/a-propos.md:5: '../2023-12-05-alliance.md': a page links to entries and files by their address "
        "(such as ../2023/ai-alliance/), not by their file"
    ) in run.err.splitlines()


def test_two_pages_at_one_address_are_refused(make_site):
    other = "---\ntitle: B\ndescription: B\nslug: a-propos\n---\nTexte.\n"
    root = make_site({"content/_pages/a-propos.md": ABOUT, "content/_pages/autre.md": other, "content/2023-12-05-alliance.md": event_text()})
    run = build(root)
    assert run.status == 1
    assert "content/_pages/autre.md:1: the address a-propos/ is already content/_pages/a-propos.md's; give one of them another slug" in run.err.splitlines()


def test_menu_order_follows_the_pages_order_key(make_site):
    first = "---\ntitle: Mentions\ndescription: M\norder: 1\n---\nTexte.\n"
    second = "---\ntitle: Contact\ndescription: C\norder: 2\n---\nTexte.\n"
    root = make_site({"content/_pages/mentions.md": first, "content/_pages/contact.md": second, "content/2023-12-05-alliance.md": event_text()})
    assert build(root).status == 0
    links = page(root / "output/index.html").xpath("//nav[@class='site-nav']//a/text()")
    assert links[-2:] == ["Mentions", "Contact"]


def test_tags_show_their_declared_labels_and_the_first_declared_tag_colours_the_entry(make_site):
    root = make_site({"content/2023-12-05-alliance.md": event_text(tags="[open-source, llama]")}, site_yaml=LABELLED)
    run = build(root)
    assert run.status == 0, run.err
    event = page(root / "output/2023/alliance/index.html")
    assert [text(a) for a in event.xpath("//header//ul[@class='tags']//a")] == ["Llama", "Open source"]
    assert event.xpath("//header//ul[@class='tags']//a/@href") == ["/repo/tags/llama/", "/repo/tags/open-source/"]
    assert text(page(root / "output/tags/open-source/index.html").xpath("//h1")[0]) == "Thème\u00a0: Open source"
    slides = json.loads((root / "output/timeline.json").read_text(encoding="utf-8"))["events"]
    assert [slide["group"] for slide in slides] == ["Llama"]


def test_a_tag_label_that_is_not_text_is_reported(make_site):
    site_yaml = SITE_YAML + "tags:\n  llama: [a, b]\n"
    root = make_site({"content/2023-12-05-alliance.md": event_text(tags="[llama]")}, site_yaml=site_yaml)
    run = build(root)
    assert run.status == 1
    assert "site.yaml:7: 'tags.llama' must be its label as text, got a list" in run.err.splitlines(), run.err


def test_french_typography_on_the_site_title_sources_and_interface(make_site):
    source = "\n  - publisher: Le Journal\n    title: \"Un titre : « cité »\"\n    date: 2023-12-05\n    lang: fr\n    note: \"Vu : 49 %\"\n  - publisher: The Paper\n    title: \"A title: quoted\"\n    date: 2023-12-05\n    lang: en"
    site_yaml = SITE_YAML.replace("title: Chronologie de test", "title: \"Meta : la chronologie\"")
    root = make_site({"content/2023-12-05-alliance.md": event_text(sources=source)}, site_yaml=site_yaml)
    assert build(root).status == 0
    doc = page(root / "output/2023/alliance/index.html")
    assert text(doc.xpath("//p[@class='site-title']")[0]) == "Meta\u00a0: la chronologie"
    cites = [c.text_content() for c in doc.xpath("//li[@class='source']/cite")]
    assert cites == ["Un titre\u00a0: «\u00a0cité\u00a0»", "A title: quoted"]
    assert doc.xpath("//p[@class='source-note']/text()") == ["Vu\u00a0: 49\u202f%"]
    assert "(langue\u00a0: français)" in text(doc.xpath("//li[@class='source']")[0])
    assert "Données\u00a0:" in text(doc.xpath("//footer")[0])


def test_the_context_badge_is_explained_where_it_is_shown(make_site):
    root = make_site({
        "content/2023-12-05-alliance.md": event_text(),
        "content/2023-12-06-portrait.md": event_text(title="Un portrait", date="2023-12-06", context="true"),
    })
    assert build(root).status == 0
    note = "//p[@class='context-note']"
    assert len(page(root / "output/index.html").xpath(note)) == 1
    assert len(page(root / "output/2023/portrait/index.html").xpath(note)) == 1
    assert page(root / "output/2023/alliance/index.html").xpath(note) == []
    assert text(page(root / "output/index.html").xpath(note)[0]).startswith("Contexte signale un événement de contexte\u00a0: il ne relève pas directement du sujet")


# ------------------------------------------------------------- the real chronology


PRODUCTION_PHRASES = (
    "Titre absent", "confiance", "copie à l’identique", "Éditeur incertain", "Site français non identifié",
    "date non confirmée", "ne sont pas vérifiées ici", "c’est bien The Information", "générée à partir de fichiers Markdown",
)


@pytest.fixture(scope="module")
def chronology(tmp_path_factory) -> Path:
    root = copy_real_site(tmp_path_factory.mktemp("real"))
    run = run_cli("--project", root, "check", "--strict")
    assert run.status == 0, run.err
    assert build(root).status == 0
    return root / "output"


def test_the_chronology_has_no_production_notes(chronology):
    for path in chronology.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".ics", ".csv"):
            shown = path.read_text(encoding="utf-8")
            for phrase in PRODUCTION_PHRASES:
                assert phrase not in shown, f"{path.relative_to(chronology)}: {phrase!r}"


def test_the_chronology_has_its_about_page_and_new_moves(chronology):
    about = page(chronology / "a-propos/index.html")
    headings = about.xpath("//main//h2/text()")
    assert headings == ["Ce que couvre la chronologie", "Comment les entrées sont sourcées", "Comment les dates sont données", "Signaler une erreur", "Licence"]
    for path in ("2024/meta-advisory-group/", "2024/llama-3-1-open-source-path-forward/", "2025/llama-4/"):
        assert (chronology / path / "index.html").is_file(), path


def test_every_source_of_the_chronology_has_an_address_the_entry_links(chronology):
    for path in (REPO / "content").glob("*.md"):
        text_ = path.read_text(encoding="utf-8")
        assert text_.count("publisher:") == len(re.findall(r"^\s+url: \"https?://", text_, re.M)), path.name
