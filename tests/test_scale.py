"""Rebuilds at scale: pages left in place, per-template re-rendering, tags by year, a damaged output mended.

Inside a build, a page whose output file is still the one the last build wrote is not rendered again, and an
edited template re-renders only the pages that use it. Every build goes into tmp_path.
"""

from __future__ import annotations

import os
import shutil
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from conftest import SITE_YAML, event_text, run_cli
from chronologie import cache as build_cache
from chronologie import site as site_module
from chronologie.site import BuildOptions, Project, build_site

BASE_URL = "https://example.org/repo/"
BASE_PATH = "/repo/"
# "Built 14 pages (30 files, 30 changed) in output/: 5 events (5 day), 1 draft skipped, in 0.31 s"
SUMMARY = re.compile(r"Built (?P<pages>\d+) pages \((?P<files>\d+) files, (?P<changed>\d+) changed(?:, \d+ removed)?\) in (?P<output>\S+): (?P<tail>.+), in \d+\.\d\d s")
EMPTY_BODY_WARNING = "content/2024-05-01-vide.md:13: warning: the body is empty: write the entry below the front matter"

# Five published events over three years, one draft. 'grand' has five events (above index_limit: 2, so one page
# per year), 'petit' two (listed on its page), 'seul' one. 'vide' has an empty body: a warning on every build.
EVENTS = {
    "content/2022-03-01-debut.md": event_text(title="Début", date="2022-03-01", tags="[grand, petit]", body="Voir la ![carte](images/carte.png).\n"),
    "content/2023-01-10-suite.md": event_text(title="Suite", date="2023-01-10", tags="[grand]"),
    "content/2023-06-10-milieu.md": event_text(title="Milieu", date="2023-06-10", tags="[grand, seul]"),
    "content/2024-02-01-fin.md": event_text(title="Fin", date="2024-02-01", tags="[grand, petit]"),
    "content/2024-05-01-vide.md": event_text(title="Vide", date="2024-05-01", tags="[grand]", body=""),
    "content/2024-07-01-brouillon.md": event_text(title="Brouillon", date="2024-07-01", tags="[grand]", draft="true"),
    "content/images/carte.png": b"\x89PNG\r\n\x1a\n not really an image",
}
SCALE_YAML = SITE_YAML + "index_limit: 2\n"


# ---------------------------------------------------------------- helpers


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file and folder below ``folder`` (and itself) with its bytes and mtime_ns."""
    state = {".": (None, folder.stat().st_mtime_ns)}
    for path in sorted(folder.rglob("*")):
        state[path.relative_to(folder).as_posix()] = (None if path.is_dir() else path.read_bytes(), path.stat().st_mtime_ns)
    return state


def build(root: Path, *args: str | Path):
    """A CLI build of ``root``; fails the test unless it succeeds."""
    run = run_cli("--project", root, "build", *args)
    assert run.status == 0, run.err
    return run


def fresh(root: Path, *args: str | Path) -> dict[str, bytes]:
    """The files of a ``--no-cache`` build into a folder of its own (outside the project)."""
    output = root.parent / "fresh"
    assert not output.exists()
    build(root, "--no-cache", "--output", output, *args)
    return tree(output)


def summary_of(run) -> re.Match:
    match = SUMMARY.fullmatch(run.out.rstrip("\n"))
    assert match, run.out
    return match


def without_time(out: str) -> str:
    """A summary line without the time it took."""
    return re.sub(r", in \d+\.\d\d s\n\Z", "", out)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def replace_keeping_stamp(path: Path, data: bytes) -> None:
    """Replace a file by another with ``data`` (a new inode, as an editor saving atomically makes) and its old mtime."""
    old = path.stat()
    assert len(data) == old.st_size and data != path.read_bytes()
    staging = path.with_name(path.name + ".new")
    staging.write_bytes(data)
    os.replace(staging, path)
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))


def flip_a_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]


@pytest.fixture
def site(make_site):
    """The fixture site."""
    return make_site(EVENTS, site_yaml=SCALE_YAML)


# ---------------------------------------------------------------- 1. any change gives a fresh build's bytes


def add_event(root: Path) -> None:
    (root / "content" / "2025-01-01-nouveau.md").write_text(event_text(title="Nouveau", date="2025-01-01", tags="[grand]"), encoding="utf-8")


CHANGES = {
    "body": lambda root: edit(root / "content/2023-01-10-suite.md", "Corps du texte.", "Un tout autre corps de texte."),
    "body-same-size": lambda root: edit(root / "content/2023-01-10-suite.md", "Corps du texte.", "Corps du texta."),
    "add": add_event,
    "delete": lambda root: (root / "content/2023-06-10-milieu.md").unlink(),
    "image": lambda root: (root / "content/images/carte.png").write_bytes(b"\x89PNG\r\n\x1a\n another picture"),
    "template": lambda root: edit(root / "templates/event.html", '<article class="event-page', '<!-- modifié -->\n<article class="event-page'),
    "asset": lambda root: edit(root / "templates/static/style.css", "--accent: #0a58b5;", "--accent: #aa0000;"),
    "site-yaml": lambda root: edit(root / "site.yaml", "title: Chronologie de test", "title: Autre titre"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_any_change_gives_a_fresh_builds_bytes(site, change):
    build(site)
    change(site)
    build(site)
    assert tree(site / "output") == fresh(site)


@pytest.mark.parametrize("damage", ["edited", "deleted", "replaced-same-size"])
def test_a_damaged_output_file_is_restored(site, damage):
    build(site)
    page = site / "output/2023/suite/index.html"
    expected = page.read_bytes()
    if damage == "edited":
        page.write_bytes(expected.replace(b"Suite", b"Changed by hand"))
    elif damage == "deleted":
        page.unlink()
    else:
        replace_keeping_stamp(page, expected.replace(b"Suite", b"Autre"))
    build(site)
    assert page.read_bytes() == expected
    assert tree(site / "output") == fresh(site)


def test_a_foreign_file_in_the_output_stops_the_build(site):
    build(site)
    (site / "output" / "notes.txt").write_text("à garder", encoding="utf-8")
    before = snapshot(site / "output")
    run = run_cli("--project", site, "build")
    assert run.status == 1 and run.out == ""
    assert run.err.splitlines() == [
        EMPTY_BODY_WARNING,
        "output:1: output holds files the last build did not write (notes.txt); move them elsewhere or choose another --output",
        "1 error; the output folder was not changed.",
    ]
    assert snapshot(site / "output") == before


def link_elsewhere(root: Path, name: str) -> Path:
    """Move ``root/name`` out of the project and leave a symbolic link to it in its place; return the real path."""
    real = root.parent / f"shared-{name.replace('/', '-')}"
    (root / name).rename(real)
    (root / name).symlink_to(real)
    return real


def test_a_linked_content_folder_keeps_its_images(site):
    link_elsewhere(site, "content")
    run = run_cli("--project", site, "build")
    assert (run.status, run.err) == (0, EMPTY_BODY_WARNING + "\n")
    assert (site / "output/media/images/carte.png").read_bytes() == EVENTS["content/images/carte.png"]


# ---------------------------------------------------------------- 3. pages still in place are not rendered again


def warm_build(root: Path):
    """A full build into output/ with the cache the last CLI build left."""
    return build_site(Project(root), BuildOptions(), build_cache.load_cache(root))


def event_pages(output: Path) -> list[str]:
    return sorted(p.relative_to(output).as_posix() for p in output.glob("[0-9][0-9][0-9][0-9]/*/index.html"))


def test_pages_still_in_place_are_not_rendered_again(site):
    build(site)
    report = warm_build(site)
    assert report.rendered == 0 and report.written.written == 0
    pages = event_pages(site / "output")
    assert len(pages) == 5
    gone, replaced = site / "output" / pages[0], site / "output" / pages[1]
    expected = replaced.read_bytes()
    gone.unlink()
    replace_keeping_stamp(replaced, expected.replace(b"<html", b"<HTML"))
    report = warm_build(site)
    assert report.rendered == 2 and report.written.written == 2
    assert (site / "output" / pages[0]).is_file() and (site / "output" / pages[1]).read_bytes() == expected
    assert tree(site / "output") == fresh(site)


def test_a_page_overwritten_in_place_with_its_stamp_kept_is_rendered_again(site):
    build(site)
    page = site / "output/2023/suite/index.html"
    old, expected = page.stat(), page.read_bytes()
    page.write_bytes(expected.replace(b"Suite", b"Autre"))  # same file, same size
    os.utime(page, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert warm_build(site).rendered == 1
    assert page.read_bytes() == expected


# ---------------------------------------------------------------- 4. an edited template re-renders only its pages


def page_template(name: str) -> str:
    """The template that draws an output page, from its path (see render.list_pages)."""
    patterns = [
        (r"index\.html", "index.html"), (r"404\.html", "404.html"), (r"tags/index\.html", "tags.html"),
        (r"\d{4}/index\.html", "year.html"), (r"\d{4}/[^/]+/index\.html", "event.html"),
        (r"tags/[^/]+/index\.html", "tag.html"), (r"tags/[^/]+/\d{4}/index\.html", "tag_year.html"),
    ]
    found = [template for pattern, template in patterns if re.fullmatch(pattern, name)]
    assert len(found) == 1, name
    return found[0]


TEMPLATE_EDITS = {
    "event.html": ('<article class="event-page', '<!-- marque -->\n<article class="event-page', {"event.html"}, 5),
    "tag.html": ('<header class="intro">', '<!-- marque -->\n<header class="intro">', {"tag.html"}, 3),
    # The index, 3 year pages, 3 tag pages, 3 year pages of 'grand'.
    "_entry.html": ('<li class="event', '<!-- marque -->\n<li class="event', {"index.html", "year.html", "tag.html", "tag_year.html"}, 10),
}


@pytest.mark.parametrize("template", TEMPLATE_EDITS)
def test_an_edited_template_renders_only_its_pages(site, template):
    build(site)
    before = tree(site / "output")
    old, new, users, count = TEMPLATE_EDITS[template]
    expected = sorted(name for name in before if name.endswith(".html") and page_template(name) in users)
    assert len(expected) == count, expected
    edit(site / "templates" / template, old, new)
    report = warm_build(site)
    assert report.rendered == len(expected)
    marked = {name for name, data in tree(site / "output").items() if b"<!-- marque -->" in data}
    # The index and the large tag's page link to year pages: they use the entry template but show no entry.
    assert marked == {name for name in expected if template != "_entry.html" or b'<li class="event' in before[name]}
    assert tree(site / "output") == fresh(site)


# ---------------------------------------------------------------- 5. a tag with many events gets a page per year


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def entry_titles(doc) -> list[str]:
    return [text_of(a) for a in doc.xpath("//li[contains(concat(' ', @class, ' '), ' event ')]//*[contains(@class, 'event-title')]/a")]


def broken_links(output: Path, page: Path) -> list[str]:
    """Every link, stylesheet, script or image of ``page`` under the site's address that no output file answers."""
    doc, problems = parse(page), []
    for element in doc.xpath("//a[@href] | //link[@href] | //script[@src] | //img[@src]"):
        url = element.get("href") or element.get("src")
        parts = urlsplit(url)
        if parts.netloc and not url.startswith(BASE_URL):
            continue  # another site
        if url.startswith("#"):
            target = page
        else:
            if not parts.path.startswith(BASE_PATH):
                problems.append(f"{url}: outside {BASE_PATH}")
                continue
            target = output / unquote(parts.path[len(BASE_PATH):])
            if parts.path.endswith("/"):
                target /= "index.html"
        if not target.is_file():
            problems.append(f"{url}: no {target.relative_to(output)}")
        elif parts.fragment and parts.fragment not in parse(target).xpath("//@id"):
            problems.append(f"{url}: no id {parts.fragment!r}")
    return problems


def test_a_large_tag_gets_a_page_per_year(site):
    build(site)
    output = site / "output"
    tag = parse(output / "tags/grand/index.html")
    assert entry_titles(tag) == []
    assert [(a.get("href"), text_of(li)) for li in tag.xpath("//nav[@class='year-nav']/ul/li") for a in li.xpath("a")] == [
        ("/repo/tags/grand/2022/", "2022 1 événement"),
        ("/repo/tags/grand/2023/", "2023 2 événements"),
        ("/repo/tags/grand/2024/", "2024 2 événements"),
    ]
    expected = {"2022": ["Début"], "2023": ["Suite", "Milieu"], "2024": ["Fin", "Vide"]}  # not the draft
    assert sorted(p.parent.name for p in (output / "tags/grand").glob("*/index.html")) == sorted(expected)
    for year, titles in expected.items():
        page = parse(output / "tags/grand" / year / "index.html")
        assert entry_titles(page) == titles
        nav = page.xpath("//nav[contains(@class, 'year-nav')]//a")
        assert [a.get("href") for a in nav] == [f"/repo/tags/grand/{y}/" for y in expected]
        assert [a.get("href") for a in nav if a.get("aria-current") == "page"] == [f"/repo/tags/grand/{year}/"]
    for page in ["tags/grand/index.html", *(f"tags/grand/{year}/index.html" for year in expected)]:
        assert broken_links(output, output / page) == [], page


def test_a_small_tag_lists_its_events_on_its_page(site):
    build(site)
    output = site / "output"
    for tag, titles in {"petit": ["Début", "Fin"], "seul": ["Milieu"]}.items():
        page = parse(output / "tags" / tag / "index.html")
        assert entry_titles(page) == titles
        assert page.xpath("//ul[@class='tag-index']") == []
        assert sorted(p.name for p in (output / "tags" / tag).iterdir()) == ["index.html"]
        assert broken_links(output, output / "tags" / tag / "index.html") == []


# ---------------------------------------------------------------- 6. a damaged cache shard is ignored and rewritten


# ---------------------------------------------------------------- found by review: each once let stale output through


def test_a_change_of_language_reaches_the_cached_events_of_later_builds(site):
    # French typography shows in this title ("Quoi\u00a0: pourquoi\u202f?"), on the 2023 page the later edit redraws.
    (site / "content/2023-03-01-quoi.md").write_text(event_text(title='"Quoi : pourquoi ?"', date="2023-03-01", tags="[grand]"), encoding="utf-8")
    build(site)
    edit(site / "site.yaml", "language: fr", "language: en")
    build(site)
    edit(site / "content/2023-01-10-suite.md", "Corps du texte.", "Autre corps.")  # then an unrelated edit
    build(site)
    assert tree(site / "output") == fresh(site)


def test_templates_are_followed_as_jinja_reads_them(site):
    templates = site / "templates"
    (templates / "logo.svg").write_text('<svg>{% include "_colour.txt" %}</svg>', encoding="utf-8")
    (templates / "_colour.txt").write_text("red", encoding="utf-8")
    edit(templates / "event.html", "{% block content %}", '{% block content %}{% include "./logo.svg" %}')
    build(site)
    (templates / "_colour.txt").write_text("blue", encoding="utf-8")  # two includes away, named with "./"
    build(site)
    assert "<svg>blue</svg>" in (site / "output/2023/suite/index.html").read_text(encoding="utf-8")
    assert tree(site / "output") == fresh(site)


def test_a_future_date_warning_is_checked_on_the_day_of_each_build(make_site, monkeypatch):
    root = make_site({"content/2030-01-01-plus-tard.md": event_text(title="Plus tard", date="2030-01-01")})
    warning = "content/2030-01-01-plus-tard.md:4: warning: the date 2030-01-01 is in the future"
    assert warning in build(root).err
    import datetime as dt

    class Later(dt.date):
        @classmethod
        def today(cls):
            return dt.date(2031, 1, 1)

    monkeypatch.setattr(site_module.dt, "date", Later)
    assert warning not in build(root, "--strict").err  # the cached event no longer carries it


def test_manifest_lines_outside_the_output_are_never_removed(site):
    build(site)
    outside = site.parent / "keep.txt"
    outside.write_text("à garder", encoding="utf-8")
    manifest = site / "output/.timeline-manifest"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "../../keep.txt\n../content/2023-01-10-suite.md\n" + f"{outside}\n", encoding="utf-8")
    edit(site / "content/2023-01-10-suite.md", "Corps du texte.", "Autre corps.")
    build(site)
    assert outside.read_text(encoding="utf-8") == "à garder" and (site / "content/2023-01-10-suite.md").exists()


def test_a_cache_folder_that_is_a_file_costs_speed_not_the_build(site):
    (site / ".timeline-cache").write_text("not a folder", encoding="utf-8")
    edit(site / "content/2023-01-10-suite.md", "Corps du texte.", "Autre corps.")
    assert run_cli("--project", site, "build").status == 0
    assert tree(site / "output") == fresh(site)


# ---------------------------------------------------------------- 9. the output's folders, looked at only when they changed


def test_a_folder_in_the_way_stops_the_build_whether_it_holds_files_or_not(site):
    build(site)
    edit(site / "content/2023-01-10-suite.md", "Corps du texte.", "Autre corps.")
    (site / "output/feed.xml").unlink()
    (site / "output/feed.xml").mkdir()
    (site / "output/feed.xml/notes.txt").write_text("à garder", encoding="utf-8")
    for foreign in ("feed.xml/notes.txt", "feed.xml/"):
        before = snapshot(site / "output")
        run = run_cli("--project", site, "build")
        assert run.status == 1
        assert run.err.splitlines()[-2:] == [
            f"output:1: output holds files the last build did not write ({foreign}); move them elsewhere or choose another --output",
            "1 error; the output folder was not changed.",
        ]
        assert snapshot(site / "output") == before
        (site / "output/feed.xml/notes.txt").unlink(missing_ok=True)  # an empty folder: still not the site's
    (site / "output/feed.xml").rmdir()
    build(site)
    assert tree(site / "output") == fresh(site)


def test_a_folder_emptied_by_hand_is_the_sites_and_gets_its_page_back(site):
    build(site)
    (site / "output/2023/suite/index.html").unlink()
    build(site)
    assert tree(site / "output") == fresh(site)


def test_a_link_put_into_the_swap_folder_never_leads_a_write_into_the_output(site):
    build(site)
    build(site, "--drafts")  # a build that changes files: the swap folder now holds the previous site
    swap = site / ".output.swap"
    assert (swap / "2023").is_dir()
    shutil.rmtree(swap / "2023")
    (swap / "2023").symlink_to(site / "output" / "2023")
    kept = snapshot(site / "output" / "2023")
    edit(site / "content/2023-01-10-suite.md", "Corps du texte.", "Autre corps.")
    build(site)
    assert tree(site / "output") == fresh(site)
    assert not (swap / "2023").is_symlink()
    # The old 2023 pages went to the swap folder whole (the exchange), not written through the link.
    assert {name for name in kept if name.endswith(".html")} <= {p.relative_to(swap / "2023").as_posix() for p in (swap / "2023").rglob("*.html")}


def test_two_builds_at_once_leave_the_newest_site_in_place(site):
    import subprocess
    import sys

    from conftest import REPO

    command = [sys.executable, str(REPO / "build.py"), "--project", str(site), "build", "--no-cache"]
    for round_ in range(4):
        edit(site / "content/2023-01-10-suite.md", "Corps du texte", f"Corps du texte {round_}")
        builds = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        assert [build.wait(timeout=120) for build in builds] == [0, 0], [build.stderr.read() for build in builds]
        for build_ in builds:
            build_.stderr.close()
        expected = fresh(site)
        assert tree(site / "output") == expected, f"round {round_}"
        shutil.rmtree(site.parent / "fresh")
