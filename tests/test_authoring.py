"""Authoring checks and the Markdown French editors need: check, links between events, images, typography."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
import yaml

from conftest import SITE_YAML, event_text, run_cli
from chronologie.typography import NARROW_NBSP, NBSP

NO_ADDED = "no 'added:' date: the feeds would date this entry by its event, so an old event added today would land at the bottom for subscribers; add 'added: YYYY-MM-DD', the day it was added"


def check(root, *args):
    return run_cli("--project", root, "check", *args)


# ---------------------------------------------------------------- check


def test_check_passes_a_clean_site_and_writes_nothing(make_site):
    root = make_site({"content/2023-12-05-a.md": event_text()})
    run = check(root)
    assert (run.status, run.out, run.err) == (0, "No errors, 0 warnings: 1 event checked.\n", "")
    assert not (root / "output").exists()


def test_warnings_pass_unless_strict(make_site):
    root = make_site({"content/2099-01-futur.md": event_text(date="2099-01", body="")})
    run = check(root)
    assert run.status == 0
    assert run.err.splitlines() == [
        "content/2099-01-futur.md:4: warning: the date 2099-01 is in the future",
        "content/2099-01-futur.md:12: warning: the body is empty: write the entry below the front matter",
    ]
    strict = check(root, "--strict")
    assert strict.status == 1
    assert strict.err.splitlines()[-1] == "0 errors and 2 warnings (--strict makes warnings fatal); nothing was written."
    assert run_cli("--project", root, "build", "--strict").status == 1 and not (root / "output").exists()


def test_check_reports_every_error_with_its_line(make_site):
    site_yaml = SITE_YAML + "tags: [llama, europe, régulation]\n"
    root = make_site({
        "content/2023-01-01-a.md": event_text(date="2023-01-01", tags="[lama, Europe, regulation]", body="Voir [l’autre](2023-02-01-b.md).\n\nEt [absent](2023-03-01-c.md).\n"),
        "content/2023-02-01-b.md": "---\ntitle: B\nsummary: S.\ndate: 2023-02-01\n---\nTexte.\n",
        "content/2023-02-15-d.md": "---\ntitle: D\nsummary: S.\ndate: 2023-02-15\ndraft: true\n---\nTexte.\n",
    }, site_yaml=site_yaml)
    run = check(root)
    assert run.status == 1
    assert run.err.splitlines() == [
        "content/2023-01-01-a.md:5: tag 'Europe' is not in site.yaml's tags; did you mean 'europe'?",
        "content/2023-01-01-a.md:5: tag 'lama' is not in site.yaml's tags; did you mean 'llama'?",
        "content/2023-01-01-a.md:5: tag 'regulation' is not in site.yaml's tags; did you mean 'régulation'?",
        "content/2023-01-01-a.md:15: link to '2023-03-01-c.md': no event content/2023-03-01-c.md; did you mean '2023-02-01-b.md'?",
        "content/2023-02-01-b.md:1: no source: list the article(s) this entry rests on under 'sources:'",
        "content/2023-02-01-b.md:4: warning: " + NO_ADDED,
        "content/2023-02-15-d.md:1: warning: no source: list the article(s) this entry rests on under 'sources:'",
        "5 errors; nothing was written.",
    ]


def test_check_and_build_agree(make_site):
    root = make_site({"content/a.md": event_text(body="[x](absent.md)\n")})
    check_run, build_run = check(root), run_cli("--project", root, "build")
    assert check_run.status == build_run.status == 1
    assert check_run.err.splitlines()[:-1] == build_run.err.splitlines()[:-1]


# ---------------------------------------------------------------- links between events, images


@pytest.fixture
def linked_site(make_site):
    return make_site({
        "content/2023-12-05-ai-alliance.md": event_text(title="Alliance", body="Lire [le programme](2023-11-programme.md#contexte).\n\n![Carte](images/carte.png)\n"),
        "content/2023-11-programme.md": event_text(title="Programme", date="2023-11", body="## Contexte\n\nVoir [l’alliance](2023-12-05-ai-alliance.md).\n"),
        "content/images/carte.png": b"\x89PNG\r\n\x1a\nfake",
        "content/2024/2024-05-profil.md": event_text(title="Profil", date="2024-05", body="![Portrait](portrait.jpg) et [retour](../2023-11-programme.md).\n"),
        "content/2024/portrait.jpg": b"\xff\xd8\xfffake",
    })


@pytest.mark.parametrize("base_url", ["https://example.org/repo/", "https://example.org/"])
def test_links_between_events_and_images_resolve_under_any_base_url(linked_site, base_url):
    output = linked_site / "out"
    assert run_cli("--project", linked_site, "build", "--output", output, "--base-url", base_url).status == 0
    base = base_url.removeprefix("https://example.org")
    alliance = lxml.html.parse(str(output / "2023" / "ai-alliance" / "index.html"))
    assert alliance.xpath("//div[@class='prose']//a[text()='le programme']/@href") == [f"{base}2023/programme/#contexte"]
    assert alliance.xpath("//div[@class='prose']//img/@src") == [f"{base}media/images/carte.png"]
    assert (output / "media" / "images" / "carte.png").read_bytes() == b"\x89PNG\r\n\x1a\nfake"
    profile = lxml.html.parse(str(output / "2024" / "profil" / "index.html"))
    assert profile.xpath("//div[@class='prose']//img/@src") == [f"{base}media/2024/portrait.jpg"]
    assert profile.xpath("//div[@class='prose']//a[text()='retour']/@href") == [f"{base}2023/programme/"]
    assert (output / "media" / "2024" / "portrait.jpg").is_file()
    assert f'href="{base_url}2023/programme/#contexte"'.encode() in (output / "feed.xml").read_bytes().replace(b"&quot;", b'"')


def test_a_missing_image_or_event_fails_the_build_at_its_line(make_site):
    root = make_site({"content/a.md": event_text(body="Texte.\n\n![Carte](images/absente.png)\n\n[Lien](b.md)\n")})
    run = run_cli("--project", root, "build")
    assert run.status == 1
    assert run.err.splitlines()[:2] == [
        "content/a.md:14: 'images/absente.png': no file content/images/absente.png (files an entry shows must sit in content/)",
        "content/a.md:16: link to 'b.md': no event content/b.md",
    ]


def test_a_link_to_a_draft_is_an_error_unless_drafts_are_built(make_site):
    root = make_site({"content/a.md": event_text(body="[brouillon](b.md)\n"), "content/b.md": event_text(title="B", draft="true")})
    assert run_cli("--project", root, "build").err.splitlines()[0] == (
        "content/a.md:12: link to 'b.md': that event is a draft, so it is not published (build with --drafts to preview both)"
    )
    assert run_cli("--project", root, "build", "--drafts").status == 0


# ---------------------------------------------------------------- Markdown and typography


def test_footnotes_tables_definition_lists_and_heading_anchors(make_site):
    body = "Texte[^1].\n\n[^1]: Une note.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nTerme\n:   Définition\n\n## Titre\n"
    root = make_site({"content/a.md": event_text(body=body)})
    assert run_cli("--project", root, "build").status == 0
    page = lxml.html.parse(str(root / "output" / "2023" / "a" / "index.html"))
    prose = page.xpath("//div[@class='prose']")[0]
    assert prose.xpath(".//div[@class='footnote']//li[@id='fn:1']") and prose.xpath(".//sup[@id='fnref:1']/a/@href") == ["#fn:1"]
    assert prose.xpath(".//table//td/text()") == ["1", "2"]
    assert prose.xpath(".//dl/dt/text()") == ["Terme"] and prose.xpath(".//dl/dd/text()") == ["Définition"]
    assert prose.xpath(".//h2[@id='titre']/a[@class='headerlink']/@href") == ["#titre"]


def test_french_typography_in_bodies_titles_and_summaries_but_never_in_code(make_site):
    body = 'Pourquoi maintenant? Il dit : "bonjour" !\n\nDu code : `a ? b : "c"` et\n\n    x = "y" ; z ?\n'
    root = make_site({"content/a.md": event_text(title="Quoi ?", summary="Vraiment!", body=body)})
    assert run_cli("--project", root, "build").status == 0
    page = lxml.html.parse(str(root / "output" / "2023" / "a" / "index.html"))
    paragraphs = [p.text_content() for p in page.xpath("//div[@class='prose']/p")]
    assert paragraphs[0] == f"Pourquoi maintenant{NARROW_NBSP}? Il dit{NBSP}: «{NBSP}bonjour{NBSP}»{NARROW_NBSP}!"
    assert page.xpath("//div[@class='prose']//p/code/text()") == ['a ? b : "c"']
    assert page.xpath("//div[@class='prose']//pre/code/text()") == ['x = "y" ; z ?\n']
    assert page.xpath("//main//h1/text()")[0] == f"Quoi{NARROW_NBSP}?"
    assert page.xpath("//meta[@name='description']/@content") == [f"Vraiment{NARROW_NBSP}!"]


def test_an_english_site_keeps_its_own_typography(make_site):
    root = make_site({"content/a.md": event_text(title="Why?", body='He said "hello"!\n')}, site_yaml=SITE_YAML.replace("language: fr", "language: en"))
    assert run_cli("--project", root, "build").status == 0
    page = lxml.html.parse(str(root / "output" / "2023" / "a" / "index.html"))
    assert page.xpath("//main//h1/text()")[0] == "Why?"
    assert page.xpath("//div[@class='prose']/p/text()") == ['He said "hello"!']


# ---------------------------------------------------------------- new


def test_new_writes_a_valid_draft_with_a_readable_slug(make_site):
    root = make_site({"content/2023-12-05-a.md": event_text()})
    run = run_cli("--project", root, "new", "Société générale : l'IA", "--date", "2024-04-18", "--tags", "llama, open-source", "--source-url", "https://example.org/article")
    assert (run.status, run.out) == (0, "content/2024-04-18-societe-generale-l-ia.md\n")
    text = (root / run.out.strip()).read_text(encoding="utf-8")
    assert 'title: "Société générale : l\'IA"' in text and "draft: true" in text and 'url: "https://example.org/article"' in text
    checked = check(root, "--drafts")
    assert checked.status == 0 and checked.out == "No errors, 0 warnings: 2 events checked.\n"
    # Without a source it is still valid: a draft only gets a warning for that.
    assert run_cli("--project", root, "new", "Sans source", "--date", "2024-05").status == 0
    assert check(root, "--drafts").err.splitlines() == ["content/2024-05-sans-source.md:6: warning: no source: list the article(s) this entry rests on under 'sources:'"]


def test_new_refuses_to_overwrite_or_reuse_a_slug_or_take_a_bad_date(make_site):
    root = make_site({"content/2023-12-05-ai-alliance.md": event_text()})
    before = (root / "content/2023-12-05-ai-alliance.md").read_bytes()
    assert run_cli("--project", root, "new", "AI Alliance", "--date", "2023-12-05").err == "error: content/2023-12-05-ai-alliance.md already exists; nothing was written\n"
    assert run_cli("--project", root, "new", "AI Alliance", "--date", "2024").err == (
        "error: the slug 'ai-alliance' is already used by content/2023-12-05-ai-alliance.md; choose another title or set 'slug:' by hand\n"
    )
    assert run_cli("--project", root, "new", "X", "--date", "2023-02-30").err == "error: --date: '2023-02-30' does not exist: 2023-02 has 28 days\n"
    assert (root / "content/2023-12-05-ai-alliance.md").read_bytes() == before
    assert sorted(p.name for p in (root / "content").iterdir()) == ["2023-12-05-ai-alliance.md"]


# ---------------------------------------------------------------- import

ARTICLES = Path(__file__).parent / "articles"


def imported(make_site, name: str, *args: str):
    root = make_site({"content/2020-autre.md": event_text(date="2020")})
    run = run_cli("--project", root, "import", ARTICLES / name, *args)
    text = (root / run.out.strip()).read_text(encoding="utf-8") if run.status == 0 else ""
    return run, text, root


def front(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


def test_import_a_french_article_with_its_boilerplate(make_site):
    run, text, root = imported(make_site, "publie-le.txt", "--tags", "llama")
    assert run.status == 0 and run.err == ""
    meta = front(text)
    assert meta["title"] == "Une entreprise française ouvre son modèle de langage"  # credit and category strip skipped
    assert meta["sources"] == [{"publisher": "Le Quotidien du Numérique", "title": meta["title"], "date": "2023-12-05", "lang": "fr"}]
    assert meta["date"] == "2023-12-05" and meta["draft"] is True and meta["tags"] == ["llama"]
    assert "# TODO: aucune date d’événement dans le texte ; c’est la date de publication. À corriger." in text
    body = text.split("---\n", 2)[2]
    assert "## Le contexte" in body and "« Nous voulons" in body
    for gone in ("Photo :", "Publié le", "Laisser un commentaire", "adresse e-mail", "commentaires sont fermés", "Source :"):
        assert gone not in body
    assert "À réécrire" in body
    assert check(root, "--drafts").status == 0  # a valid draft, checked like any other file


def test_import_markdown_with_a_byline_teasers_keywords_and_an_author_box(make_site):
    run, text, _ = imported(make_site, "francais-long.md")
    meta = front(text)
    assert meta["title"] == "Un consortium pour financer les modèles ouverts"
    assert meta["sources"][0]["date"] == "2023-12-05" and meta["sources"][0]["publisher"] == "À compléter"
    assert meta["date"] == "2023-07"  # "en juillet 2023" in the text: an event date, at month precision
    assert "précision : month" in text and "Signé : Jeanne Martin." in text
    body = text.split("---\n", 2)[2]
    assert "## Les enjeux" in body and "« à l'étude »" in body
    for gone in ("Article à lire", "lire aussi", "Un autre article", "open source, Meta", "À propos", "Journaliste"):
        assert gone not in body
    assert run.err == "warning: no outlet found in francais-long.md; fill in the source's publisher\n"


@pytest.mark.parametrize(
    ("name", "published", "event"),
    [("anglais.txt", "2023-12-05", "2023-12-05"), ("iso-et-1er.txt", "2023-11-09", "2023-11-01/2023-12-01")],
)
def test_import_reads_english_iso_and_first_of_month_dates(make_site, name, published, event):
    run, text, _ = imported(make_site, name)
    meta = front(text)
    assert meta["sources"][0]["date"] == published and meta["date"] == event


def test_import_faq_and_outlet_from_credit(make_site):
    _, text, _ = imported(make_site, "iso-et-1er.txt")
    assert "### Qui peut candidater ?" in text and "\nLes jeunes entreprises du secteur.\n" in text
    _, english, _ = imported(make_site, "anglais.txt")
    assert front(english)["sources"][0]["publisher"] == "The Daily Tech"


def test_import_html(make_site):
    run, text, _ = imported(make_site, "page.html")
    meta = front(text)
    assert meta["title"] == "Le patron devenu champion de l'open source"
    assert meta["sources"] == [{"publisher": "Le Site d'Actu", "title": meta["title"], "date": "2024-05-29", "lang": "fr", "url": "https://actu.example.org/articles/champion"}]
    assert meta["date"] == "2024-04-18"
    body = text.split("---\n", 2)[2]
    assert "## Un pari" in body and "- Des millions de téléchargements\n- Des milliers d'applications" in body
    assert "> Un tournant, selon un investisseur." in body and "« l'ouverture accélère le progrès »" in body
    for gone in ("Accueil", "track()", "autre chose", "© Le Site"):
        assert gone not in body


def test_import_an_article_with_no_date_warns_and_writes_nothing(make_site):
    run, _, root = imported(make_site, "sans-date.txt")
    assert run.status == 1 and "Traceback" not in run.err
    assert run.err.splitlines() == [
        "warning: no date found in sans-date.txt (neither a publication date nor an event date); give the event date with --date",
        "Nothing was written.",
    ]
    assert sorted(p.name for p in (root / "content").iterdir()) == ["2020-autre.md"]
    run, text, _ = imported(make_site, "sans-date.txt", "--date", "2024-05")
    assert run.status == 0 and front(text)["date"] == "2024-05"


# ---------------------------------------------------------------- what a review found: kept as tests

from chronologie.importer import Block, analyse, find_date, read_blocks  # noqa: E402


def lines(*texts: str) -> list[Block]:
    return [Block("line", t) for t in texts]


@pytest.mark.parametrize("title", [
    "OpenAI et Meta signent un accord", "Meta dévoile Llama 3", "ChatGPT face à LLaMA",
    "Meta, Google, Microsoft, Amazon, Apple, Nvidia et IBM investissent",
])
def test_real_titles_are_kept(title):
    found = analyse(lines(title, "Publié le 5 décembre 2023", "Le modèle est disponible."))
    assert found.title == title and [b.text for b in found.blocks] == ["Le modèle est disponible."]


def test_a_title_above_a_photo_credit_is_not_a_caption():
    found = analyse(lines("Le géant américain lance son nouveau modèle", "Crédit photo : AFP", "Le texte de l’article."))
    assert found.title == "Le géant américain lance son nouveau modèle"


def test_prose_that_looks_like_metadata_is_kept():
    body = [
        "Par la suite Meta a publié un second modèle.",
        "Publié le même jour, un rapport de Meta détaille les tests.",
        "À propos de l’auteur du rapport, on sait peu de choses.",
        "« Nous partageons tout, les poids, le code, les données, les tests, la documentation », dit-il »",
        "Partager les poids des modèles est un choix.",
    ]
    found = analyse(lines("Un titre d’article", *body))
    assert [b.text for b in found.blocks] == body and found.author == ""


def test_update_stamps_are_not_event_dates():
    found = analyse(lines("Un titre", "Publié le 5 décembre 2023", "Mis à jour le 7 décembre 2023", "Un paragraphe."))
    assert found.published.iso() == "2023-12-05" and found.event is None
    assert [b.text for b in found.blocks] == ["Un paragraphe."]


@pytest.mark.parametrize(("text", "iso"), [
    ("le 31 avril 2024", None), ("2023-02-30", None), ("March 5th, 2024", "2024-03-05"), ("05/12/2023", "2023-12-05"),
    ("en mars 2024", "2024-03"), ("mars 2024", "2024-03"), ("du 5 au 8 mars 2024", "2024-03-05/2024-03-08"), ("le 5 mars", None),
])
def test_dates_the_importer_reads_and_the_ones_it_refuses_to_guess(text, iso):
    found = find_date(text)
    assert (found[0].iso() if found else None) == iso


def test_hard_wrapped_markdown_with_code_and_tables(tmp_path):
    article = tmp_path / "a.md"
    article.write_text("# Titre\n\nMeta a publié mardi un nouveau modèle de\nlangage, qui selon ses auteurs est ouvert.\n\n1. Premier point\n\n```\ncode ici\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", encoding="utf-8")
    blocks, *_ = read_blocks(article)
    assert blocks == [
        Block("heading", "Titre"), Block("text", "Meta a publié mardi un nouveau modèle de langage, qui selon ses auteurs est ouvert."),
        Block("item", "Premier point"), Block("raw", "```\ncode ici\n```"), Block("raw", "| a | b |\n|---|---|\n| 1 | 2 |"),
    ]


def test_imported_html_is_text_never_markup(make_site, tmp_path):
    page = tmp_path / "br.html"
    page.write_text(
        "<html lang='fr'><body><article><h1>Meta publie Llama</h1><p>Publié le 5 mars 2024</p>"
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; et *étoiles*</p><p>Première ligne<br>deuxième ligne.</p>"
        "<ul><li><p>Point un</p></li><li>Point deux<ul><li>sous-point</li></ul></li></ul></article></body></html>", encoding="utf-8")
    root = make_site({"content/2020-x.md": event_text(date="2020")})
    run = run_cli("--project", root, "import", page)
    text = (root / run.out.strip()).read_text(encoding="utf-8")
    assert "&lt;script>" in text and "\\*étoiles\\*" in text and "Première ligne deuxième ligne." in text
    assert text.count("Point un") == 1 and "- Point deux sous-point" in text
    out = root / "out"
    assert run_cli("--project", root, "build", "--drafts", "--output", out).status == 0
    assert not any(b"<script>alert" in p.read_bytes() for p in out.rglob("*.html"))


def test_html_without_paragraph_markup_and_windows_1252(make_site, tmp_path):
    divs = tmp_path / "nested.html"
    divs.write_text("<html><body><div><div><h1>Un titre</h1><div>Publié le 12 mars 2024</div><div>Le texte en divs.</div></div></div></body></html>", encoding="utf-8")
    found = analyse(read_blocks(divs)[0])
    assert found.title == "Un titre" and found.published.iso() == "2024-03-12" and [b.text for b in found.blocks] == ["Le texte en divs."]
    legacy = tmp_path / "cp1252.txt"
    legacy.write_bytes("Meta annonce un modèle\n\nPublié le 5 décembre 2023\n\nUn texte.\n".encode("cp1252"))
    blocks, _, _, warnings = read_blocks(legacy)
    assert analyse(blocks).title == "Meta annonce un modèle" and warnings == ["the article is not UTF-8; it was read as Windows-1252 (check the accents)"]


def test_new_with_a_leading_number_or_a_curly_apostrophe_and_invalid_input(make_site):
    root = make_site({"content/2023-projets.md": event_text(title="Projets", date="2023")})
    assert run_cli("--project", root, "new", "12 projets", "--date", "2024").out == "content/2024-12-projets.md\n"
    assert "slug: 12-projets" in (root / "content/2024-12-projets.md").read_text(encoding="utf-8")
    assert run_cli("--project", root, "new", "Société générale : l’IA", "--date", "2024").out == "content/2024-societe-generale-l-ia.md\n"
    assert check(root, "--drafts").status == 0
    bad = run_cli("--project", root, "new", "X", "--date", "2024", "--tags", "!!!")
    assert bad.status == 1 and bad.err.startswith("error: the draft would not be valid, nothing was written:\ncontent/2024-x.md:")


def test_a_published_entry_cannot_keep_the_placeholders(make_site):
    root = make_site({"content/2023-a.md": event_text(date="2023", summary='"À compléter : une ou deux phrases."')})
    assert check(root).err.splitlines()[0] == (
        "content/2023-a.md:1: still holds a placeholder of 'new' or 'import' ('À compléter'): complete it or keep 'draft: true'"
    )


def test_file_names_with_special_characters(make_site):
    root = make_site({
        "content/a.md": event_text(body="![amp](images/a&b.png) ![carte](images/ma%20carte%20%C3%A9.png) [x](http://[::1)\n"),
        "content/images/a&b.png": b"png1", "content/images/ma carte é.png": b"png2",
    })
    out = root / "out"
    assert run_cli("--project", root, "build", "--output", out).status == 0
    page = lxml.html.parse(str(out / "2023" / "a" / "index.html"))
    assert page.xpath("//div[@class='prose']//img/@src") == ["/repo/media/images/a%26b.png", "/repo/media/images/ma%20carte%20%C3%A9.png"]
    assert (out / "media/images/a&b.png").read_bytes() == b"png1" and (out / "media/images/ma carte é.png").read_bytes() == b"png2"


def test_no_typography_inside_code_written_as_raw_html():
    from chronologie.markup import MarkdownRenderer

    html, _ = MarkdownRenderer("fr")('x <code>a "b" c ?</code> y ? et <kbd>Ctrl : C</kbd> ici : oui')
    assert html == f'<p>x <code>a "b" c ?</code> y{NARROW_NBSP}? et <kbd>Ctrl : C</kbd> ici{NBSP}: oui</p>'
