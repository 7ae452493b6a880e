"""The built site as a visitor, a feed reader or a crawler sees it: pages, links, feed, sitemap, and the output folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import lxml.html
import pytest
import yaml

from conftest import REPO, SITE_YAML, event_text, run_cli
from chronologie.typography import french

FIXTURE_BASE_URL = "https://example.org/repo/"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ATOM_NS = {"atom": "http://www.w3.org/2005/Atom"}

# The seed content, oldest first: (year, slug, <time datetime>, date label, title, tag slugs).
REAL_EVENTS = [
    ('2023', 'llama-1', '2023-02-24', '24 février 2023',
     'Meta présente LLaMA, un modèle de langage destiné aux chercheurs',
     ['llama', 'open-source']),
    ('2023', 'llama-2', '2023-07-18', '18 juillet 2023',
     'Llama 2 : Meta autorise l’usage commercial de son modèle',
     ['llama', 'open-source']),
    ('2023', 'station-f-ai-startup-program', '2023-11', 'novembre 2023',
     'Meta, Hugging Face et Scaleway lancent un programme pour startups d’IA à Station F',
     ['startups', 'open-source', 'europe']),
    ('2023', 'ai-alliance', '2023-12-05', '5 décembre 2023',
     'IBM et Meta lancent l’AI Alliance pour une IA ouverte',
     ['alliances', 'open-source']),
    ('2024', 'llama-3', '2024-04-18', '18 avril 2024',
     'Meta publie Llama 3, Zuckerberg défend l’ouverture au micro de Dwarkesh Patel',
     ['llama', 'open-source', 'strategie']),
    ('2024', 'zuckerberg-popular-again', '2024-05', 'mai 2024',
     'Le New York Times décrit un Zuckerberg redevenu populaire grâce à l’IA ouverte',
     ['open-source', 'strategie']),
    ('2024', 'meta-advisory-group', '2024-05-22', '22 mai 2024',
     'Meta se dote d’un groupe consultatif de quatre dirigeants de la tech',
     ['strategie']),
    ('2024', 'llama-3-1-open-source-path-forward', '2024-07-23', '23 juillet 2024',
     'Llama 3.1 et la lettre « Open Source AI Is the Path Forward »',
     ['llama', 'open-source', 'strategie']),
    ('2025', 'llama-consortium', '2025-04', 'avril 2025',
     'Meta sollicite ses concurrents pour financer l’entraînement de Llama',
     ['llama', 'financement', 'open-source']),
    ('2025', 'llama-4', '2025-04-05', '5 avril 2025',
     'Llama 4 : Scout et Maverick, les premiers modèles nativement multimodaux de Meta',
     ['llama', 'open-source']),
    ('2025', 'scale-ai', '2025-06-12', '12 juin 2025',
     'Meta prend 49 % de Scale AI, Alexandr Wang rejoint le groupe',
     ['financement', 'superintelligence', 'strategie']),
    ('2025', 'eu-code-of-practice', '2025-07-18', '18 juillet 2025',
     'Meta refuse de signer le code de bonnes pratiques européen sur l’IA',
     ['regulation', 'europe']),
    ('2025', 'personal-superintelligence', '2025-07-30', '30 juillet 2025',
     'Zuckerberg publie sa lettre sur la « superintelligence personnelle »',
     ['superintelligence', 'open-source', 'strategie']),
]

SUMMARY = re.compile(
    r"Built (?P<pages>\d+) pages \((?P<files>\d+) files, (?P<changed>\d+) changed(?:, (?P<removed>\d+) removed)?\) in (?P<output>.+): "
    r"(?P<events>\d+ events? \([^)]*\)), (?P<drafts>\d+ drafts? skipped), in \d+\.\d{2} s"
)


# ---------------------------------------------------------------- helpers


@pytest.fixture
def real_site(tmp_path: Path) -> Path:
    """A copy of the repository's own site (site.yaml, content/, templates/) in tmp_path/real."""
    root = tmp_path / "real"
    root.mkdir()
    shutil.copy2(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def build(root: Path, *args: str | Path):
    return run_cli("--project", root, "build", *args)


def site_settings(root: Path) -> dict:
    return yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8"))


def base_path_of(base_url: str) -> str:
    return urlsplit(base_url).path or "/"


def parse_html(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def has_class(name: str) -> str:
    """An XPath predicate body matching elements whose class list holds ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def attr(doc, xpath: str) -> str:
    values = doc.xpath(xpath)
    assert len(values) == 1, f"{xpath}: expected one match, got {values!r}"
    return values[0]


def html_pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def target_file(output: Path, url_path: str, base_path: str) -> Path:
    """The output file a site path serves: ``/repo/x/`` → ``output/x/index.html``."""
    assert url_path.startswith(base_path), url_path
    relative = unquote(url_path[len(base_path):])
    target = output / relative
    if relative == "" or relative.endswith("/"):
        target = target / "index.html"
    return target


def ids_in(path: Path) -> set[str]:
    return set(parse_html(path).xpath("//@id"))


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file and folder below ``folder`` (and itself): kind, bytes and mtime_ns."""
    state = {".": ("dir", None, folder.stat().st_mtime_ns)}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir():
            state[rel] = ("dir", None, path.stat().st_mtime_ns)
        else:
            state[rel] = ("file", path.read_bytes(), path.stat().st_mtime_ns)
    return state


def tree_bytes(folder: Path) -> dict[str, bytes | None]:
    """Every path below ``folder`` with its bytes (None for folders)."""
    return {
        path.relative_to(folder).as_posix(): (None if path.is_dir() else path.read_bytes())
        for path in sorted(folder.rglob("*"))
    }


def check_links(output: Path, base_url: str) -> list[str]:
    """Every problem with a link or asset URL on every HTML page of ``output``."""
    base = urlsplit(base_url)
    base_path = base_path_of(base_url)
    problems = []
    ids_cache: dict[Path, set[str]] = {}
    for page in html_pages(output):
        doc = parse_html(page)
        where = page.relative_to(output).as_posix()
        all_ids = doc.xpath("//@id")
        duplicates = sorted({i for i in all_ids if all_ids.count(i) > 1})
        if duplicates:
            problems.append(f"{where}: duplicate ids {duplicates}, so fragments and aria-labelledby are ambiguous")
        for element in doc.xpath("//a[@href] | //link[@href] | //script[@src] | //img[@src]"):
            url = element.get("href") if element.get("href") is not None else element.get("src")
            parts = urlsplit(url)
            if url.startswith("#"):
                target = page
            elif parts.scheme in ("http", "https") and parts.netloc:
                if parts.netloc != base.netloc:
                    continue  # another site, e.g. a source article
                if not url.startswith(base_url):
                    problems.append(f"{where}: absolute URL {url!r} on the site's host is outside {base_url}")
                    continue
                target = target_file(output, parts.path, base_path)
            elif parts.scheme or parts.netloc:
                problems.append(f"{where}: unexpected URL {url!r}")
                continue
            else:
                if not url.startswith(base_path) or url.startswith("//"):
                    problems.append(f"{where}: {url!r} does not start with the base path {base_path}")
                    continue
                target = target_file(output, parts.path, base_path)
            if not target.is_file():
                problems.append(f"{where}: {url!r} points to {target.relative_to(output).as_posix()}, which does not exist")
                continue
            if parts.fragment:
                if target.suffix != ".html":
                    problems.append(f"{where}: {url!r} has a fragment on a non-HTML file")
                    continue
                known = ids_cache.setdefault(target, ids_in(target))
                if unquote(parts.fragment) not in known:
                    problems.append(f"{where}: {url!r}: no id {parts.fragment!r} in {target.relative_to(output).as_posix()}")
    return problems


def event_entries(doc) -> list:
    return doc.xpath(f"//li[{has_class('event')}]")


def entry_title_link(entry):
    links = entry.xpath(f".//*[{has_class('event-title')}]/a")
    assert len(links) == 1
    return links[0]


def feed_of(output: Path):
    parsed = feedparser.parse((output / "feed.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def sitemap_urls(output: Path) -> list[str]:
    tree = ET.parse(output / "sitemap.xml")
    return [loc.text for loc in tree.getroot().findall("sm:url/sm:loc", SITEMAP_NS)]


# ---------------------------------------------------------------- 1. the real site builds cleanly


def test_real_site_builds_without_warnings_and_prints_the_summary(real_site):
    output = real_site / "out"
    run = build(real_site, "--output", output)
    assert run.status == 0, run.err
    assert run.err == ""
    lines = run.out.splitlines()
    assert len(lines) == 1, run.out
    match = SUMMARY.fullmatch(lines[0])
    assert match, lines[0]
    assert match["events"] == "13 events (3 month, 10 day)"
    assert match["drafts"] == "0 drafts skipped"
    assert match["output"] == "out/"
    files = [p for p in output.rglob("*") if p.is_file() and p.name != ".timeline-manifest"]
    assert int(match["pages"]) == len(html_pages(output))
    assert int(match["files"]) == len(files)
    assert int(match["changed"]) == len(files)


# ---------------------------------------------------------------- 2. the index


@pytest.fixture
def real_output(real_site) -> Path:
    output = real_site / "out"
    run = build(real_site, "--output", output)
    assert run.status == 0, run.err
    return output


def test_index_head_metadata(real_site, real_output):
    settings = site_settings(real_site)
    doc = parse_html(real_output / "index.html")
    assert doc.get("lang") == "fr"
    assert attr(doc, "//head/meta[@name='description']/@content") == french(settings["description"])
    assert attr(doc, "//head/link[@rel='canonical']/@href") == settings["base_url"]
    assert attr(doc, "//head/meta[@property='og:title']/@content") == french(settings["title"]) == "Meta et l’IA open source\u00a0: la chronologie"
    assert attr(doc, "//head/meta[@property='og:url']/@content") == settings["base_url"]
    assert attr(doc, "//head/meta[@property='og:description']/@content") == french(settings["description"])
    assert attr(doc, "//head/meta[@property='og:type']/@content") == "website"


def test_index_lists_every_event_in_chronological_order(real_site, real_output):
    base_path = base_path_of(site_settings(real_site)["base_url"])
    doc = parse_html(real_output / "index.html")
    entries = event_entries(doc)
    assert [text_of(entry_title_link(e)) for e in entries] == [title for *_, title, _ in REAL_EVENTS]
    for entry, (year, slug, datetime, label, title, tags) in zip(entries, REAL_EVENTS, strict=True):
        times = entry.xpath(".//time[@datetime]")
        assert len(times) == 1
        assert times[0].get("datetime") == datetime
        assert text_of(times[0]) == label
        href = entry_title_link(entry).get("href")
        assert href == f"{base_path}{year}/{slug}/"
        assert (real_output / year / slug / "index.html").is_file()
        tag_links = entry.xpath(f".//a[{has_class('tag')}]")
        assert [a.get("href") for a in tag_links] == [f"{base_path}tags/{tag}/" for tag in tags]
        for tag in tags:
            assert (real_output / "tags" / tag / "index.html").is_file()


def test_index_year_headings_and_year_nav(real_output):
    doc = parse_html(real_output / "index.html")
    headings = doc.xpath(f"//main//*[{has_class('year-heading')}][@id]")
    assert [h.get("id") for h in headings] == ["2023", "2024", "2025"]
    assert [text_of(h) for h in headings] == ["2023", "2024", "2025"]
    nav_links = doc.xpath(f"//nav[{has_class('year-nav')}]//a/@href")
    assert nav_links == ["#2023", "#2024", "#2025"]
    ids = set(doc.xpath("//@id"))
    assert all(href[1:] in ids for href in nav_links)
    # Each year's events sit under that year's heading.
    for heading in headings:
        section_years = {t.get("datetime")[:4] for t in heading.getparent().xpath(".//time[@datetime]")}
        assert section_years == {heading.get("id")}


# ---------------------------------------------------------------- 3. links and assets


@pytest.mark.parametrize("override", [None, "https://example.org/repo/", "https://example.org/"], ids=["site-yaml", "project-page", "root"])
def test_every_link_and_asset_resolves(real_site, override):
    output = real_site / "out"
    args = ["--output", output] + (["--base-url", override] if override else [])
    run = build(real_site, *args)
    assert run.status == 0, run.err
    base_url = override or site_settings(real_site)["base_url"]
    base_path = base_path_of(base_url)
    pages = html_pages(output)
    assert len(pages) >= 10
    assert check_links(output, base_url) == []
    # The stylesheet is linked from every page, under the base path.
    for page in pages:
        assert attr(parse_html(page), "//head/link[@rel='stylesheet']/@href") == f"{base_path}static/style.css"
    if override == "https://example.org/":
        index = parse_html(output / "index.html")
        hrefs = index.xpath("//a/@href")
        assert "/2023/ai-alliance/" in hrefs
        assert all(not h.startswith("/repo/") for h in hrefs)


def test_link_checker_notices_a_broken_link(make_site, build_site_cli):
    """The checker above is not vacuous: a Markdown link to a missing page is reported."""
    root = make_site({"content/2023-01-01-a.md": event_text(date="2023-01-01", body="[lien](/repo/nulle-part/)\n")})
    assert build_site_cli(root, "--output", root / "out").status == 0
    problems = check_links(root / "out", FIXTURE_BASE_URL)
    assert len(problems) == 1 and "nulle-part" in problems[0]


def test_markdown_headings_do_not_clash_with_template_ids(make_site, build_site_cli):
    """A body heading named like a template landmark ('## Sources', '## Contenu') must not duplicate its id."""
    sources = "\n  - publisher: Le Monde\n    title: Un article\n    date: 2023-01-01\n    lang: fr"
    root = make_site({
        "content/2023-01-01-a.md": event_text(date="2023-01-01", sources=sources, body="## Contenu\n\nTexte.\n\n## Sources\n\nTexte.\n"),
    })
    output = root / "out"
    assert build_site_cli(root, "--output", output).status == 0
    page = parse_html(output / "2023" / "a" / "index.html")
    # The skip link and the sources section each need their own target.
    assert len(page.xpath("//*[@id='contenu']")) == 1
    assert len(page.xpath("//*[@id='sources']")) == 1
    assert check_links(output, FIXTURE_BASE_URL) == []


# ---------------------------------------------------------------- 4. event pages


def test_event_page_content_and_sources(real_site, real_output):
    doc = parse_html(real_output / "2023" / "ai-alliance" / "index.html")
    assert [text_of(h) for h in doc.xpath("//main//h1")] == ["IBM et Meta lancent l’AI Alliance pour une IA ouverte"]
    assert attr(doc, "//head/meta[@property='og:type']/@content") == "article"
    settings = site_settings(real_site)
    assert attr(doc, "//head/link[@rel='canonical']/@href") == settings["base_url"] + "2023/ai-alliance/"
    # The Markdown body is rendered to HTML.
    prose = doc.xpath(f"//div[{has_class('prose')}]")
    assert len(prose) == 1
    assert [" ".join("".join(h.xpath("text()")).split()) for h in prose[0].xpath(".//h2")] == ["Ce qu’en disent les experts"]
    assert prose[0].xpath(".//h2/a[@class='headerlink']/@href")[0] == "#ce-quen-disent-les-experts"  # heading anchors
    # Sources: title, publisher, date label, language name; a republication says so.
    sources = doc.xpath(f"//section[{has_class('sources')}]//li[{has_class('source')}]")
    assert len(sources) == 3
    source = sources[1]
    assert source.xpath(".//cite")[0].text_content() == "IA\u00a0: Meta, IBM créent une alliance d’entreprises et d’universités"
    assert source.xpath(".//cite/a/@href") == ["https://www.french.hcntimes.com/?p=106704"]
    assert text_of(source.xpath(f".//*[{has_class('publisher')}]")[0]) == "Les Echos (republication sur french.hcntimes.com)"
    time = source.xpath(".//time")[0]
    assert (time.get("datetime"), text_of(time)) == ("2023-12-05", "5 décembre 2023")
    assert "français" in text_of(source.xpath(f".//*[{has_class('source-lang')}]")[0])


def test_event_pages_link_to_chronological_neighbours(real_site, real_output):
    base_path = base_path_of(site_settings(real_site)["base_url"])
    urls = [f"{base_path}{year}/{slug}/" for year, slug, *_ in REAL_EVENTS]
    titles = [title for *_, title, _ in REAL_EVENTS]
    for index, (year, slug, *_rest) in enumerate(REAL_EVENTS):
        doc = parse_html(real_output / year / slug / "index.html")
        prev_links = doc.xpath(f"//nav[{has_class('prev-next')}]//li[{has_class('prev')}]/a")
        next_links = doc.xpath(f"//nav[{has_class('prev-next')}]//li[{has_class('next')}]/a")
        if index == 0:
            assert prev_links == []
        else:
            assert [a.get("href") for a in prev_links] == [urls[index - 1]]
            assert prev_links[0].get("rel") == "prev"
            assert titles[index - 1] in text_of(prev_links[0])
        if index == len(REAL_EVENTS) - 1:
            assert next_links == []
        else:
            assert [a.get("href") for a in next_links] == [urls[index + 1]]
            assert next_links[0].get("rel") == "next"
            assert titles[index + 1] in text_of(next_links[0])


# ---------------------------------------------------------------- 5. escaping


def test_user_text_is_escaped_but_markdown_html_is_not(make_site, build_site_cli):
    sources = '\n  - publisher: "<i>Le Monde</i>"\n    title: "Un <u>article</u>"\n    date: 2024-01-02\n    lang: fr'
    root = make_site({
        "content/2024-01-02-xss.md": event_text(
            title="<script>alert(1)</script>", date="2024-01-02", body="Du texte en **gras**.\n",
            tags='["<b>x</b>"]', sources=sources,
        ),
    })
    output = root / "out"
    run = build_site_cli(root, "--output", output)
    assert run.status == 0, run.err
    page = parse_html(output / "2024" / "xss" / "index.html")
    index = parse_html(output / "index.html")
    for doc in (page, index):
        assert doc.xpath("//body//script") == []
        assert doc.xpath("//body//b") == []
        assert doc.xpath("//body//i") == []
    h1 = page.xpath("//main//h1")[0]
    assert text_of(h1) == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" in page.xpath("//title")[0].text_content()
    assert attr(page, "//head/meta[@property='og:title']/@content") == "<script>alert(1)</script> · Chronologie de test"
    assert text_of(entry_title_link(event_entries(index)[0])) == "<script>alert(1)</script>"
    assert [text_of(a) for a in page.xpath(f"//a[{has_class('tag')}]")] == ["<b>x</b>"]
    assert text_of(page.xpath(f"//*[{has_class('publisher')}]")[0]) == "<i>Le Monde</i>"
    assert text_of(page.xpath("//cite")[0]) == "Un <u>article</u>"
    assert page.xpath("//cite//u") == []
    tag_pages = sorted((output / "tags").glob("*/index.html"))
    assert len(tag_pages) == 1
    tag_page = parse_html(tag_pages[0])
    assert tag_page.xpath("//body//b") == [] and tag_page.xpath("//body//script") == []
    assert "<b>x</b>" in text_of(tag_page.xpath("//main//h1")[0])
    # The Markdown body is trusted HTML.
    assert [text_of(s) for s in page.xpath(f"//div[{has_class('prose')}]//strong")] == ["gras"]
    # The feed carries the title as text too.
    entry_title = ET.parse(output / "feed.xml").getroot().find("atom:entry/atom:title", ATOM_NS)
    assert entry_title.text.endswith("<script>alert(1)</script>")


# ---------------------------------------------------------------- 6. feed


def test_feed_of_the_real_site(real_site, real_output):
    settings = site_settings(real_site)
    parsed = feed_of(real_output)
    assert parsed.feed.title == french(settings["title"])
    assert len(parsed.entries) == len(REAL_EVENTS)
    base_path = base_path_of(settings["base_url"])
    for entry in parsed.entries:
        assert entry.link.startswith(settings["base_url"])
        assert target_file(real_output, urlsplit(entry.link).path, base_path).is_file()
    assert {entry.link for entry in parsed.entries} == {settings["base_url"] + f"{y}/{s}/" for y, s, *_ in REAL_EVENTS}


def test_feed_is_ordered_by_added_newest_first(make_site, build_site_cli):
    root = make_site({
        "content/2020-01-01-ancien.md": event_text(title="Ancien", date="2020-01-01", added="2024-01-01"),
        "content/2021-01-01-moyen.md": event_text(title="Moyen", date="2021-01-01", added="2026-01-01"),
        "content/2022-01-01-recent.md": event_text(title="Récent", date="2022-01-01", added="2025-01-01"),
    })
    output = root / "out"
    assert build_site_cli(root, "--output", output).status == 0
    parsed = feed_of(output)
    assert [entry.link for entry in parsed.entries] == [
        FIXTURE_BASE_URL + "2021/moyen/",
        FIXTURE_BASE_URL + "2022/recent/",
        FIXTURE_BASE_URL + "2020/ancien/",
    ]
    assert [entry.updated_parsed[:3] for entry in parsed.entries] == [(2026, 1, 1), (2025, 1, 1), (2024, 1, 1)]
    assert parsed.feed.title == "Chronologie de test"


# ---------------------------------------------------------------- 7. sitemap and robots.txt


def test_sitemap_lists_every_page_but_404(real_site, real_output):
    base_url = site_settings(real_site)["base_url"]
    urls = sitemap_urls(real_output)
    assert len(urls) == len(set(urls))
    expected = set()
    for page in real_output.rglob("index.html"):
        rel = page.parent.relative_to(real_output).as_posix()
        expected.add(base_url if rel == "." else f"{base_url}{rel}/")
    assert set(urls) == expected
    assert all(url.startswith(base_url) for url in urls)
    assert not any("404" in url for url in urls)
    robots = (real_output / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {base_url}sitemap.xml" in robots


# ---------------------------------------------------------------- 8. .nojekyll and CNAME


def test_nojekyll_and_no_cname_without_domain(real_output):
    assert (real_output / ".nojekyll").is_file()
    assert not (real_output / "CNAME").exists()


def test_cname_with_a_domain(make_site, build_site_cli):
    site_yaml = SITE_YAML.replace(FIXTURE_BASE_URL, "https://chronologie.example.org/") + "domain: chronologie.example.org\n"
    root = make_site({"content/2023-01-01-a.md": event_text(date="2023-01-01")}, site_yaml=site_yaml)
    output = root / "out"
    run = build_site_cli(root, "--output", output)
    assert run.status == 0, run.err
    assert run.err == ""
    assert (output / "CNAME").read_bytes() == b"chronologie.example.org\n"
    assert (output / ".nojekyll").is_file()
    assert check_links(output, "https://chronologie.example.org/") == []


# ---------------------------------------------------------------- 9. determinism


def test_builds_are_byte_identical(real_site, tmp_path):
    """Two builds in separate processes, with different hash seeds, give the same bytes."""
    outputs = []
    for seed in ("1", "4242"):
        output = tmp_path / f"build-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "--project", str(real_site), "build", "--output", str(output)],
            cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(tree_bytes(output))
    first, second = outputs
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []


# ---------------------------------------------------------------- 10. failed builds


def test_failed_build_leaves_the_old_output_untouched(real_site):
    output = real_site / "output"
    assert build(real_site).status == 0
    assert (output / "index.html").is_file()
    before = snapshot(output)
    before_dir_mtime = output.stat().st_mtime_ns

    event = real_site / "content" / "2023-12-05-ai-alliance.md"
    lines = event.read_text(encoding="utf-8").splitlines(keepends=True)
    date_line = next(i for i, line in enumerate(lines, start=1) if line.startswith("date:"))
    lines[date_line - 1] = "date: 2023-13-45\n"
    event.write_text("".join(lines), encoding="utf-8")

    run = build(real_site)
    assert run.status == 1
    assert run.out == ""
    err_lines = run.err.splitlines()
    assert any(line.startswith(f"content/2023-12-05-ai-alliance.md:{date_line}: date: ") for line in err_lines), run.err
    assert err_lines[-1] == "1 error; the output folder was not changed."
    assert snapshot(output) == before
    assert output.stat().st_mtime_ns == before_dir_mtime
    assert sorted(p.name for p in real_site.glob(".output*")) == []


# ---------------------------------------------------------------- 11. output guard


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        (lambda root: root, lambda root: "."),
        (lambda root: root / "content", lambda root: "content"),
        (lambda root: root / "templates", lambda root: "templates"),
        (lambda root: root.parent, lambda root: root.parent.as_posix()),
        (lambda root: root / "content" / "site", lambda root: "content/site"),
    ],
    ids=["project", "content", "templates", "parent", "inside-content"],
)
def test_output_guard_refuses_source_folders(make_site, build_site_cli, target, shown):
    root = make_site({"content/2023-01-01-a.md": event_text(date="2023-01-01")})
    (root.parent / "neighbour.txt").write_text("keep me", encoding="utf-8")
    before = tree_bytes(root.parent)
    run = build_site_cli(root, "--output", target(root))
    assert run.status == 1
    assert run.out == ""
    err_lines = run.err.splitlines()
    assert err_lines[0].startswith(f"{shown(root)}:1: refusing to build into"), run.err
    assert err_lines[-1] == "1 error; the output folder was not changed."
    assert tree_bytes(root.parent) == before
    assert (root / "content" / "2023-01-01-a.md").is_file()


def test_output_guard_refuses_a_foreign_non_empty_folder(make_site, build_site_cli, tmp_path):
    root = make_site({"content/2023-01-01-a.md": event_text(date="2023-01-01")})
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("not a site", encoding="utf-8")
    run = build_site_cli(root, "--output", mine)
    assert run.status == 1
    shown = mine.as_posix()
    assert run.err.splitlines()[0].startswith(f"{shown}:1: {shown} is not empty and was not made by this tool"), run.err
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "not a site"
    # An empty folder, or one a previous build made, is fine.
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build_site_cli(root, "--output", empty).status == 0
    assert build_site_cli(root, "--output", empty).status == 0


# ---------------------------------------------------------------- 12. drafts


@pytest.fixture
def drafts_site(make_site):
    return make_site({
        "content/2023-01-10-premier.md": event_text(title="Premier", date="2023-01-10"),
        "content/2023-06-01-brouillon.md": event_text(title="Pas encore prêt", date="2023-06-01", draft="true", tags="[secret]"),
        "content/2024-02-01-second.md": event_text(title="Second", date="2024-02-01"),
    })


def test_drafts_are_left_out_by_default(drafts_site, build_site_cli):
    output = drafts_site / "out"
    run = build_site_cli(drafts_site, "--output", output)
    assert run.status == 0, run.err
    match = SUMMARY.fullmatch(run.out.strip())
    assert match and match["events"] == "2 events (2 day)" and match["drafts"] == "1 draft skipped", run.out
    index = parse_html(output / "index.html")
    assert [text_of(entry_title_link(e)) for e in event_entries(index)] == ["Premier", "Second"]
    assert "Brouillon" not in text_of(index.xpath("//body")[0])
    assert not (output / "2023" / "brouillon").exists()
    assert not (output / "tags" / "secret").exists()
    assert all("brouillon" not in url for url in sitemap_urls(output))
    assert all("brouillon" not in entry.link for entry in feed_of(output).entries)
    assert len(feed_of(output).entries) == 2
    # The neighbours skip the draft.
    first = parse_html(output / "2023" / "premier" / "index.html")
    assert first.xpath(f"//li[{has_class('next')}]/a/@href") == ["/repo/2024/second/"]
    assert check_links(output, FIXTURE_BASE_URL) == []


def test_drafts_are_shown_with_a_badge_on_request(drafts_site, build_site_cli):
    output = drafts_site / "out"
    run = build_site_cli(drafts_site, "--output", output, "--drafts")
    assert run.status == 0, run.err
    match = SUMMARY.fullmatch(run.out.strip())
    assert match and match["events"] == "3 events (3 day)" and match["drafts"] == "0 drafts skipped", run.out
    index = parse_html(output / "index.html")
    entries = event_entries(index)
    assert len(entries) == 3
    draft_entry = entries[1]
    assert "is-draft" in draft_entry.get("class").split()
    assert [text_of(b) for b in draft_entry.xpath(f".//*[{has_class('draft-badge')}]")] == ["Brouillon"]
    assert all(not e.xpath(f".//*[{has_class('draft-badge')}]") for e in (entries[0], entries[2]))
    page = parse_html(output / "2023" / "brouillon" / "index.html")
    assert [text_of(b) for b in page.xpath(f"//h1//*[{has_class('draft-badge')}]")] == ["Brouillon"]
    assert (output / "tags" / "secret" / "index.html").is_file()
    assert FIXTURE_BASE_URL + "2023/brouillon/" in sitemap_urls(output)
    assert FIXTURE_BASE_URL + "2023/brouillon/" in [entry.link for entry in feed_of(output).entries]
    assert check_links(output, FIXTURE_BASE_URL) == []


# ---------------------------------------------------------------- 13. newest first


def test_newest_first_reverses_the_index_but_not_prev_next(make_site, build_site_cli):
    root = make_site(
        {
            "content/2023-01-10-a.md": event_text(title="A", date="2023-01-10"),
            "content/2023-06-b.md": event_text(title="B", date="2023-06"),
            "content/2024-03-01-c.md": event_text(title="C", date="2024-03-01"),
            "content/2025-d.md": event_text(title="D", date="2025"),
        },
        site_yaml=SITE_YAML + "sort: newest-first\n",
    )
    output = root / "out"
    run = build_site_cli(root, "--output", output)
    assert run.status == 0, run.err
    index = parse_html(output / "index.html")
    assert [text_of(entry_title_link(e)) for e in event_entries(index)] == ["D", "C", "B", "A"]
    assert [h.get("id") for h in index.xpath(f"//h2[{has_class('year-heading')}]")] == ["2025", "2024", "2023"]
    assert index.xpath(f"//nav[{has_class('year-nav')}]//a/@href") == ["#2025", "#2024", "#2023"]
    datetimes = [t.get("datetime") for t in index.xpath(f"//li[{has_class('event')}]//time")]
    assert datetimes == ["2025", "2024-03-01", "2023-06", "2023-01-10"]

    pages = {"A": "2023/a/", "B": "2023/b/", "C": "2024/c/", "D": "2025/d/"}
    chronological = ["A", "B", "C", "D"]
    for position, name in enumerate(chronological):
        doc = parse_html(output / pages[name] / "index.html")
        prev_href = doc.xpath(f"//li[{has_class('prev')}]/a/@href")
        next_href = doc.xpath(f"//li[{has_class('next')}]/a/@href")
        assert prev_href == ([f"/repo/{pages[chronological[position - 1]]}"] if position > 0 else [])
        assert next_href == ([f"/repo/{pages[chronological[position + 1]]}"] if position < 3 else [])
    assert check_links(output, FIXTURE_BASE_URL) == []



# ---------------------------------------------------------------- 14. writing inside the output folder


def test_rebuild_keeps_unchanged_files_and_removes_stale_ones(make_site, build_site_cli):
    root = make_site({
        "content/2023-01-01-a.md": event_text(title="A", date="2023-01-01", tags="[gardé]"),
        "content/2024-01-01-b.md": event_text(title="B", date="2024-01-01", tags="[retiré]"),
    })
    output = root / "out"
    assert build_site_cli(root, "--output", output).status == 0
    css = output / "static" / "style.css"
    css_mtime = css.stat().st_mtime_ns
    (root / "content" / "2024-01-01-b.md").unlink()
    run = build_site_cli(root, "--output", output)
    assert run.status == 0, run.err
    match = SUMMARY.fullmatch(run.out.strip())
    assert match and match["removed"] == "2", run.out  # b's page and the 'retiré' tag page
    assert not (output / "2024").exists() and not (output / "tags" / "retire").exists()
    assert (output / "2023" / "a" / "index.html").is_file()
    assert css.stat().st_mtime_ns == css_mtime
    assert sorted(p.name for p in output.iterdir() if p.name.startswith(".")) == [".nojekyll", ".timeline-manifest"]
    assert check_links(output, FIXTURE_BASE_URL) == []


def test_a_file_the_build_did_not_write_stops_the_build(make_site, build_site_cli):
    root = make_site({"content/2023-01-01-a.md": event_text(date="2023-01-01")})
    output = root / "out"
    assert build_site_cli(root, "--output", output).status == 0
    (output / "notes.md").write_text("à garder", encoding="utf-8")
    before = snapshot(output)
    run = build_site_cli(root, "--output", output)
    assert run.status == 1
    assert run.err.splitlines()[0] == "out:1: out holds files the last build did not write (notes.md); move them elsewhere or choose another --output"
    assert snapshot(output) == before


def test_a_users_github_pages_folder_is_not_taken_for_a_build(make_site, build_site_cli):
    """A folder with its own .nojekyll (a hand-made docs/) is not ours to replace."""
    root = make_site({"content/2023-01-01-a.md": event_text(date="2023-01-01"), "docs/.nojekyll": "", "docs/notes.md": "précieux"})
    run = build_site_cli(root, "--output", root / "docs")
    assert run.status == 1
    assert run.err.splitlines()[0] == "docs:1: docs is not empty and was not made by this tool (no .timeline-manifest); empty it or choose another --output"
    assert (root / "docs" / "notes.md").read_text(encoding="utf-8") == "précieux"


def test_entry_ids_never_collide_with_other_slugs(make_site, build_site_cli):
    root = make_site({
        "content/x.md": event_text(title="X", date="2023-01-01"),
        "content/x-title.md": event_text(title="X title", date="2023-01-02"),
    })
    output = root / "out"
    assert build_site_cli(root, "--output", output).status == 0
    assert check_links(output, FIXTURE_BASE_URL) == []
    index = parse_html(output / "index.html")
    assert [e.get("id") for e in event_entries(index)] == ["2023-x", "2023-x-title"]


def test_the_feed_keeps_the_latest_additions_up_to_feed_limit(make_site, build_site_cli):
    files = {f"content/2020-01-{day:02d}-e{day}.md": event_text(date=f"2020-01-{day:02d}", added=f"2025-02-{day:02d}") for day in range(1, 8)}
    root = make_site(files, site_yaml=SITE_YAML + "feed_limit: 3\n")
    output = root / "out"
    assert build_site_cli(root, "--output", output).status == 0
    assert [entry.link for entry in feed_of(output).entries] == [FIXTURE_BASE_URL + f"2020/e{day}/" for day in (7, 6, 5)]


def test_the_real_build_carries_every_export(real_site, real_output):
    import csv
    import json

    import icalendar

    base_url = site_settings(real_site)["base_url"]
    timelinejs = json.loads((real_output / "timeline.json").read_text(encoding="utf-8"))
    assert [e["unique_id"] for e in timelinejs["events"]] == [f"{year}-{slug}" for year, slug, *_ in REAL_EVENTS]
    assert [era["text"]["headline"] for era in timelinejs["eras"]] == ["Les débuts de Llama", "L’ère Llama 3", "Llama 4 et la superintelligence"]
    calendar = icalendar.Calendar.from_ical((real_output / "timeline.ics").read_bytes())
    assert sorted(str(e["URL"]) for e in calendar.walk("VEVENT")) == sorted(f"{base_url}{y}/{s}/" for y, s, *_ in REAL_EVENTS)
    rows = list(csv.DictReader((real_output / "events.csv").read_text(encoding="utf-8").splitlines()))
    assert [(r["slug"], r["date"]) for r in rows] == [(s, d) for _, s, d, *_ in REAL_EVENTS]
    feed = json.loads((real_output / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and len(feed["items"]) == len(REAL_EVENTS)


def test_structured_data_and_share_cards(real_site, real_output):
    import json

    base_url = site_settings(real_site)["base_url"]
    event = parse_html(real_output / "2025" / "scale-ai" / "index.html")
    article = json.loads(attr(event, "//script[@type='application/ld+json']/text()"))
    assert article["@type"] == "NewsArticle" and article["url"] == base_url + "2025/scale-ai/"
    assert article["temporalCoverage"] == "2025-06-12" and article["inLanguage"] == "fr"
    assert [s["publisher"]["name"] for s in article["isBasedOn"]] == [
        "Associated Press (sur KLIF)", "Bloomberg (republication sur beyondlink.live)", "Services Mobiles", "NewsBytes",
    ]
    index = json.loads(attr(parse_html(real_output / "index.html"), "//script[@type='application/ld+json']/text()"))
    assert index["@type"] == "ItemList" and [i["url"] for i in index["itemListElement"]] == [f"{base_url}{y}/{s}/" for y, s, *_ in REAL_EVENTS]
    for page in (event, parse_html(real_output / "index.html")):
        assert attr(page, "//meta[@property='og:image']/@content") == base_url + "static/og-default.png"
        assert attr(page, "//meta[@name='twitter:card']/@content") == "summary_large_image"
    assert (real_output / "static" / "og-default.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("language", "strings"),
    [
        ("fr", {"nav": "Chronologie", "date": "5 décembre 2023", "approx": "vers 2025", "range": "du 1er au 30 novembre 2024", "locale": "fr_FR"}),
        ("en", {"nav": "Timeline", "date": "5 December 2023", "approx": "circa 2025", "range": "1 – 30 November 2024", "locale": "en_US"}),
    ],
)
def test_the_fixture_site_in_both_languages(tmp_path, language, strings):
    project = tmp_path / "golden"
    shutil.copytree(REPO / "tests" / "golden" / "site", project)
    shutil.copytree(REPO / "templates", project / "templates")
    site_yaml = project / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("language: fr", f"language: {language}"), encoding="utf-8")
    output = tmp_path / "out"
    assert build(project, "--output", output).status == 0
    index = parse_html(output / "index.html")
    assert index.get("lang") == language
    assert attr(index, "//meta[@property='og:locale']/@content") == strings["locale"]
    assert text_of(index.xpath("//nav[@class='site-nav']//a")[0]) == strings["nav"]
    labels = [text_of(t) for t in index.xpath("//li[contains(@class, 'event')]//time")]
    assert strings["date"] in labels and strings["approx"] in labels and strings["range"] in labels


@pytest.mark.parametrize(("export", "schema"), [("timeline.json", "timelinejs.json"), ("feed.json", "jsonfeed-1.1.json")])
def test_json_exports_follow_their_schemas(real_output, export, schema):
    import json

    import jsonschema

    document = json.loads((real_output / export).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        json.loads((REPO / "tests" / "schemas" / schema).read_text(encoding="utf-8")), format_checker=jsonschema.FormatChecker()
    )
    assert [error.message for error in validator.iter_errors(document)] == []
    broken = {**document, "version": "1.0"} if export == "feed.json" else {**document, "events": [{"text": {"headline": "x"}}]}
    assert list(validator.iter_errors(broken))  # the schema does catch a broken document


def test_csv_cells_never_run_as_formulas(make_site, build_site_cli):
    import csv

    root = make_site({"content/2024-01-15-special.md": event_text(title='"=HYPERLINK(1)"', summary='"+cmd|calc"', date="2024-01-15")})
    output = root / "out"
    assert build_site_cli(root, "--output", output).status == 0
    row = next(csv.DictReader((output / "events.csv").read_text(encoding="utf-8").splitlines()))
    assert row["title"] == "'=HYPERLINK(1)" and row["summary"] == "'+cmd|calc"


def test_era_bands_link_only_to_eras_the_list_shows_and_overlaps_are_warned(make_site, build_site_cli):
    eras = '''eras:
  - name: "Première"
    start: 2023-01
    end: 2023-12
  - name: "Chevauche"
    start: 2023-06
    end: 2024-02
  - name: "Vide"
    start: 2024-06
    end: 2024-09
'''
    root = make_site({"content/2023-03-01-a.md": event_text(date="2023-03-01"), "content/2024-12-01-b.md": event_text(title="B", date="2024-12-01")}, site_yaml=SITE_YAML + eras)
    output = root / "out"
    run = build_site_cli(root, "--output", output)
    assert run.status == 0
    assert "site.yaml:6: warning: eras 'Première' and 'Chevauche' overlap; an event goes to the first of them" in run.err.splitlines()
    index = parse_html(output / "index.html")
    ids = set(index.xpath("//@id"))
    links = index.xpath("//svg//a[starts-with(@href, '#era-')]/@href")
    assert links == ["#era-premiere"] and all(link[1:] in ids for link in links)


def test_a_large_timeline_gets_one_page_per_year(make_site, build_site_cli):
    files = {f"content/202{y}-0{m}-01-e{y}{m}.md": event_text(title=f"É {y}{m}", date=f"202{y}-0{m}-01") for y in (3, 4) for m in (1, 2, 3)}
    root = make_site(files, site_yaml=SITE_YAML + "index_limit: 4\n")
    output = root / "out"
    assert build_site_cli(root, "--output", output).status == 0
    index = parse_html(output / "index.html")
    assert event_entries(index) == []  # more events than index_limit: the index links to the years
    assert index.xpath("//ul[@class='year-index']//a/@href") == ["/repo/2023/", "/repo/2024/"]
    assert index.xpath(f"//nav[{has_class('year-nav')}]//a/@href") == ["/repo/2023/", "/repo/2024/"]
    buckets = index.xpath("//svg//a[@class='bucket']/@href")
    assert buckets[0] == "/repo/2023/#2023-e31" and len(buckets) == 6
    year = parse_html(output / "2023" / "index.html")
    assert [text_of(entry_title_link(e)) for e in event_entries(year)] == ["É 31", "É 32", "É 33"]
    assert year.xpath("//nav[contains(@class, 'year-nav')]//a[@aria-current='page']/@href") == ["/repo/2023/"]
    event = parse_html(output / "2024" / "e42" / "index.html")
    assert event.xpath("//p[@class='back']/a/@href") == ["/repo/2024/#2024-e42"]
    assert check_links(output, FIXTURE_BASE_URL) == []
    assert (output / "2023" / "index.html").is_file() and f"{FIXTURE_BASE_URL}2024/" in sitemap_urls(output)
