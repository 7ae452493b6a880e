"""Rebuilds at scale: the no-change quick path, pages left in place, per-template re-rendering, tags by year, cache shards.

A second CLI build with nothing changed is answered from ``.timeline-cache/uptodate.pickle`` (timeline/uptodate.py)
without building; any change to an input, an option, the output or the generator's code makes it a full build that
gives exactly a ``--no-cache`` build's bytes. Inside a full build, a page whose output file is still the one the last
build wrote is not rendered again, and an edited template re-renders only the pages that use it.

The record of a build is refused when an input changed less than a second before the build began, so the tests
set the inputs' modification times into the past (``backdate``) wherever they need a record. Every build goes
into tmp_path.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from conftest import SITE_YAML, event_text, run_cli
from timeline import cache as build_cache
from timeline import site as site_module
from timeline import uptodate
from timeline.site import Project, build_site
from timeline.write import IN_PLACE

BASE_URL = "https://example.org/repo/"
BASE_PATH = "/repo/"
# "Built 14 pages (30 files, 30 changed) in output/: 5 events (5 day), 1 draft skipped, in 0.31 s"
SUMMARY = re.compile(r"Built (?P<pages>\d+) pages \((?P<files>\d+) files, (?P<changed>\d+) changed(?:, \d+ removed)?\) in (?P<output>\S+): (?P<tail>.+), in \d+\.\d\d s")
EMPTY_BODY_WARNING = "content/2024-05-01-vide.md:12: warning: the body is empty: write the entry below the front matter"

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


def input_paths(root: Path) -> list[Path]:
    """Every input a build reads, files and folders: site.yaml, content/ and templates/ with all below them."""
    paths = [root / "site.yaml"]
    for top in (root / "content", root / "templates"):
        paths += [top, *sorted(top.rglob("*"))]
    return paths


def backdate(paths: list[Path], seconds: int = 60) -> None:
    """Set the modification time of ``paths`` ``seconds`` into the past, as files from an old checkout have it."""
    when = time.time_ns() - seconds * 1_000_000_000
    for path in paths:
        os.utime(path, ns=(when, when), follow_symlinks=False)


def recently_changed(root: Path, seconds: int = 10) -> list[Path]:
    """The inputs modified in the last ``seconds``."""
    since = time.time_ns() - seconds * 1_000_000_000
    return [path for path in input_paths(root) if path.lstat().st_mtime_ns > since]


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


@pytest.fixture(autouse=True)
def fixed_generator_code(monkeypatch):
    """The generator's code stamp, taken once: a build is not made a full one by an edit of timeline/ during the run."""
    stamp = uptodate.generator_stamp()
    monkeypatch.setattr(uptodate, "generator_stamp", lambda: stamp)
    monkeypatch.setattr(build_cache, "generator_stamp", lambda: stamp)  # the cache's own stamp (cache._stamp)


@pytest.fixture
def site(make_site):
    """The fixture site, every input one minute old: its first build can be recorded."""
    root = make_site(EVENTS, site_yaml=SCALE_YAML)
    backdate(input_paths(root))
    return root


@pytest.fixture
def full_builds(monkeypatch):
    """Every full build (timeline.site.build_site) the CLI ran since the fixture was set up."""
    calls = []
    real = site_module.build_site

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(site_module, "build_site", counting)
    return calls


def full_build(root: Path, calls: list, *args: str | Path):
    """A CLI build that must be a full one."""
    before = len(calls)
    run = build(root, *args)
    assert len(calls) == before + 1, "the build took the quick path"
    return run


def quick_build(root: Path, calls: list, *args: str | Path):
    """A CLI build that must take the quick path."""
    before = len(calls)
    run = build(root, *args)
    assert len(calls) == before, "the build was a full one"
    return run


# ---------------------------------------------------------------- 1. the no-change quick path


def test_no_change_build_takes_the_quick_path(site):
    first = build(site)
    assert first.err == EMPTY_BODY_WARNING + "\n"
    built = summary_of(first)
    assert built["changed"] == built["files"]
    record = uptodate.record_file(site).read_bytes(), uptodate.record_file(site).stat().st_mtime_ns
    output = snapshot(site / "output")
    # A full build would find this cache corrupt and write it again; the quick path never opens it.
    build_cache.cache_file(site).write_bytes(b"corrupt")
    again = build(site)
    assert again.err == first.err
    quick = summary_of(again)
    assert (quick["pages"], quick["files"], quick["changed"], quick["output"], quick["tail"]) == (built["pages"], built["files"], "0", "output/", built["tail"])
    assert snapshot(site / "output") == output
    assert build_cache.cache_file(site).read_bytes() == b"corrupt"
    assert (uptodate.record_file(site).read_bytes(), uptodate.record_file(site).stat().st_mtime_ns) == record
    # It says what a full build with nothing to do says.
    uptodate.record_file(site).unlink()
    full = build(site)
    assert full.err == again.err
    assert without_time(full.out) == without_time(again.out)
    assert snapshot(site / "output") == output
    assert build_cache.cache_file(site).read_bytes() != b"corrupt"


def test_no_change_build_does_not_build(site, monkeypatch):
    first = build(site)

    def no_full_build(*args, **kwargs):
        raise AssertionError("a build with nothing changed ran a full build")

    monkeypatch.setattr(site_module, "build_site", no_full_build)
    again = build(site)
    assert (again.err, summary_of(again)["changed"]) == (first.err, "0")


@pytest.mark.parametrize("racy", ["site.yaml", "content/2023-01-10-suite.md", "content", "templates/_entry.html", "templates/static"])
def test_an_input_changed_within_a_second_of_the_build_is_not_recorded(site, full_builds, racy):
    os.utime(site / racy, ns=(time.time_ns(), time.time_ns() - 500_000_000))  # half a second ago
    first = full_build(site, full_builds)
    assert not uptodate.record_file(site).exists()
    backdate([site / racy], seconds=30)  # now old enough to be trusted, and not the stamp the first build saw
    again = full_build(site, full_builds)
    assert again.err == first.err and summary_of(again)["changed"] == "0"
    assert uptodate.record_file(site).is_file()
    quick_build(site, full_builds)


# ---------------------------------------------------------------- 2. any change is a full build, with a fresh build's bytes


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


@pytest.mark.parametrize("backdated", [False, True], ids=["mtime-now", "mtime-in-the-past"])
@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_changed_input_is_a_full_build(site, full_builds, change, backdated):
    build(site)
    before = tree(site / "output")
    change(site)
    if backdated:  # half a minute old: still not the stamp the record holds
        backdate(recently_changed(site), seconds=30)
    full_build(site, full_builds)
    expected = fresh(site)
    assert tree(site / "output") == expected != before
    # A change made just now is too recent to trust a record; one in the past is recorded, and then trusted.
    assert uptodate.record_file(site).exists() == backdated
    (quick_build if backdated else full_build)(site, full_builds)
    assert tree(site / "output") == expected


@pytest.mark.parametrize("option", [["--drafts"], ["--base-url", "https://autre.example.net/site/"], ["--output", "elsewhere"]], ids=["drafts", "base-url", "output"])
def test_other_options_are_a_full_build(site, full_builds, option):
    build(site)
    default = snapshot(site / "output")
    option = [site.parent / "elsewhere" if arg == "elsewhere" else arg for arg in option]
    output = site.parent / "elsewhere" if "--output" in option else site / "output"
    full_build(site, full_builds, *option)
    if "--output" in option:
        assert tree(output) == fresh(site)
    else:
        assert tree(output) == fresh(site, *option) != {name: data for name, (data, _) in default.items() if data is not None}
    quick_build(site, full_builds, *option)  # recorded with these options
    if "--output" in option:
        full_build(site, full_builds)  # the record is of the other folder's build; output/ was left alone
        assert snapshot(site / "output") == default


@pytest.mark.parametrize("damage", ["edited", "deleted", "replaced-same-size"])
def test_a_damaged_output_file_is_restored(site, full_builds, damage):
    build(site)
    page = site / "output/2023/suite/index.html"
    expected = page.read_bytes()
    if damage == "edited":
        page.write_bytes(expected.replace(b"Suite", b"Changed by hand"))
    elif damage == "deleted":
        page.unlink()
    else:
        replace_keeping_stamp(page, expected.replace(b"Suite", b"Autre"))
    full_build(site, full_builds)
    assert page.read_bytes() == expected
    assert tree(site / "output") == fresh(site)


def test_a_foreign_file_in_the_output_stops_the_build(site, full_builds):
    build(site)
    (site / "output" / "notes.txt").write_text("à garder", encoding="utf-8")
    before = snapshot(site / "output")
    run = run_cli("--project", site, "build")
    assert len(full_builds) == 2  # the first build and this one
    assert run.status == 1 and run.out == ""
    assert run.err.splitlines() == [
        EMPTY_BODY_WARNING,
        "output:1: output holds files the last build did not write (notes.txt); move them elsewhere or choose another --output",
        "1 error; the output folder was not touched.",
    ]
    assert snapshot(site / "output") == before


def test_other_generator_code_is_a_full_build(site, full_builds, monkeypatch):
    build(site)
    real = uptodate.generator_stamp
    monkeypatch.setattr(uptodate, "generator_stamp", lambda: {**real(), "source": "an edited generator"})
    full_build(site, full_builds)
    assert tree(site / "output") == fresh(site)
    quick_build(site, full_builds)  # recorded by this code


def test_an_upgraded_package_changes_the_generator_stamp(tmp_path, monkeypatch):
    packages = tmp_path / "lib" / "site-packages"
    (packages / "markdown_it_py-4.3.0.dist-info").mkdir(parents=True)
    (packages / "markdown_it").mkdir()
    monkeypatch.setattr(sys, "path", [str(packages)])
    before = uptodate._installed_packages()
    assert before == ("markdown_it_py-4.3.0.dist-info",)
    (packages / "markdown_it_py-4.3.0.dist-info").rename(packages / "markdown_it_py-4.4.0.dist-info")
    assert uptodate._installed_packages() == ("markdown_it_py-4.4.0.dist-info",)


def link_elsewhere(root: Path, name: str) -> Path:
    """Move ``root/name`` out of the project and leave a symbolic link to it in its place; return the real path."""
    real = root.parent / f"shared-{name.replace('/', '-')}"
    (root / name).rename(real)
    (root / name).symlink_to(real)
    return real


SYMLINKED = {
    "content-folder": ("content", lambda real: (real / "2025-01-01-nouveau.md").write_text(event_text(title="Nouveau", date="2025-01-01"), encoding="utf-8")),
    "site-yaml": ("site.yaml", lambda real: edit(real, "title: Chronologie de test", "title: Autre titre")),
    "static-folder": ("templates/static", lambda real: (real / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")),
}


@pytest.mark.parametrize("linked", SYMLINKED)
def test_a_change_behind_a_symbolic_link_is_a_full_build(site, full_builds, linked):
    name, change = SYMLINKED[linked]
    edit(site / "content/2022-03-01-debut.md", "![carte](images/carte.png)", "carte")  # see the test below
    real = link_elsewhere(site, name)
    backdate([*input_paths(site), real])
    build(site)
    assert uptodate.record_file(site).is_file()
    change(real)
    full_build(site, full_builds)
    assert tree(site / "output") == fresh(site)


def test_a_linked_content_folder_keeps_its_images(site):
    link_elsewhere(site, "content")
    run = run_cli("--project", site, "build")
    assert (run.status, run.err) == (0, EMPTY_BODY_WARNING + "\n")
    assert (site / "output/media/images/carte.png").read_bytes() == EVENTS["content/images/carte.png"]


# ---------------------------------------------------------------- 3. pages still in place are not rendered again


def warm_build(root: Path):
    """A full build into output/ with the cache the last CLI build left."""
    return build_site(Project(root), cache=build_cache.load_cache(root))


def event_pages(output: Path) -> list[str]:
    return sorted(p.relative_to(output).as_posix() for p in output.glob("[0-9][0-9][0-9][0-9]/*/index.html"))


def test_pages_still_in_place_are_not_rendered_again(site):
    build(site)
    report = warm_build(site)
    assert report.rendered == 0
    pages = event_pages(site / "output")
    assert len(pages) == 5 and all(report.files[name] is IN_PLACE for name in pages)
    gone, replaced = site / "output" / pages[0], site / "output" / pages[1]
    expected = replaced.read_bytes()
    gone.unlink()
    replace_keeping_stamp(replaced, expected.replace(b"<html", b"<HTML"))
    report = warm_build(site)
    assert report.rendered == 2
    assert report.files[pages[0]] != IN_PLACE and report.files[pages[1]] == expected
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


def test_the_templates_that_include_the_entry_are_the_expected_ones():
    """What test_an_edited_template_renders_only_its_pages assumes of the templates (as grep shows them)."""
    templates = Path(__file__).resolve().parent.parent / "templates"
    including = lambda target: {p.name for p in templates.glob("*.*") if p.is_file() and f'"{target}"' in p.read_text(encoding="utf-8")}  # noqa: E731
    assert including("_entry.html") == {"_events.html"}
    assert including("_events.html") == {"index.html", "year.html", "tag.html", "tag_year.html"}


# The edit, the templates whose pages it must re-render, and how many pages they draw on the fixture site.
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


@pytest.mark.parametrize("damage", ["truncated", "flipped"])
def test_a_damaged_shard_is_ignored_and_rewritten(site, damage):
    build(site)
    damaged_event = str(site / "content/2022-03-01-debut.md")
    # Shards go by full path, which differs from run to run: edit an event kept in another shard.
    others = [site / name for name, text in EVENTS.items() if name.endswith(".md") and "Corps du texte." in text and str(site / name) != damaged_event]
    edited_event = next(p for p in others if build_cache.shard_of(str(p)) != build_cache.shard_of(damaged_event))
    shard = build_cache.shard_file(site, build_cache.shard_of(damaged_event))
    stamp = build_cache._stamp()
    assert damaged_event in build_cache._unpack(shard, stamp)["events"]
    data = shard.read_bytes()
    shard.write_bytes(data[: len(data) // 2] if damage == "truncated" else flip_a_byte(data))
    assert build_cache._unpack(shard, stamp) is None
    assert damaged_event not in build_cache.load_cache(site).events
    edit(edited_event, "Corps du texte.", "Un autre corps de texte.")  # so the next build is a full one
    build(site)
    assert tree(site / "output") == fresh(site)
    assert damaged_event in build_cache._unpack(shard, stamp)["events"]
    assert set(build_cache.load_cache(site).events) == {str(p) for p in (site / "content").glob("*.md")}


# ---------------------------------------------------------------- found by review: each once let stale output through


def test_a_change_of_language_reaches_the_cached_events_of_later_builds(site):
    # French typography shows in this title ("Quoi\u00a0: pourquoi\u202f?"), on the 2023 page the later edit redraws.
    (site / "content/2023-03-01-quoi.md").write_text(event_text(title='"Quoi : pourquoi ?"', date="2023-03-01", tags="[grand]"), encoding="utf-8")
    backdate(input_paths(site))
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


def test_a_damaged_compiled_template_is_compiled_again(site):
    build(site)
    for compiled in (site / ".timeline-cache/templates").glob("*.cache"):
        compiled.write_bytes(compiled.read_bytes()[:40])
    edit(site / "content/2023-01-10-suite.md", "Corps du texte.", "Autre corps.")
    build(site)
    assert tree(site / "output") == fresh(site)


def test_a_record_from_another_project_does_not_answer_for_this_one(site, full_builds):
    shared = site.parent / "shared-output"
    build(site, "--output", shared)
    other = site.parent / "other"
    other.mkdir()
    for name in ("site.yaml", "content", "templates"):
        (other / name).symlink_to(site / name) if name != "site.yaml" else (other / name).write_text((site / name).read_text(encoding="utf-8").replace("title:", "title: Autre —", 1), encoding="utf-8")
    backdate([other / "site.yaml"])
    (other / ".timeline-cache").mkdir()
    (other / ".timeline-cache/uptodate.pickle").write_bytes((site / ".timeline-cache/uptodate.pickle").read_bytes())
    full_build(other, full_builds, "--output", shared)


def test_a_cache_folder_that_is_a_file_costs_speed_not_the_build(site):
    (site / ".timeline-cache").write_text("not a folder", encoding="utf-8")
    edit(site / "content/2023-01-10-suite.md", "Corps du texte.", "Autre corps.")  # recent: the record is refused
    assert run_cli("--project", site, "build").status == 0
    assert tree(site / "output") == fresh(site)


def test_a_folder_in_the_way_fails_the_build_before_anything_in_place_changes(site):
    build(site)
    edit(site / "content/2023-01-10-suite.md", "Corps du texte.", "Autre corps.")
    (site / "output/feed.xml").unlink()
    (site / "output/feed.xml").mkdir()
    before = snapshot(site / "output")
    run = run_cli("--project", site, "build")
    assert run.status == 1
    assert run.err.splitlines()[-2:] == ["output/feed.xml:1: could not write the site: a folder is in the way of a file of the site", "1 error; the output folder was not touched."]
    assert snapshot(site / "output") == before
    (site / "output/feed.xml").rmdir()
    build(site)
    assert tree(site / "output") == fresh(site)


# ---------------------------------------------------------------- 9. the output's folders, looked at only when they changed


def test_unchanged_output_folders_are_not_listed_and_a_foreign_file_in_one_is_still_found(site, monkeypatch):
    from types import SimpleNamespace

    from timeline.write import _existing_files

    build(site)
    # A build a minute later: the folders the first one made are old enough to be trusted when unchanged.
    later = SimpleNamespace(perf_counter=time.perf_counter, time_ns=lambda: time.time_ns() + 60 * 1_000_000_000)
    monkeypatch.setattr(site_module, "time", later)
    edit(site / "content/2024-02-01-fin.md", "Corps du texte.", "Un autre corps.")
    build(site)
    folders = build_cache.load_cache(site).written["folders"]
    assert "2022/debut/" in folders and "2024/fin/" not in folders  # the folder just written is listed next time
    owned = set((site / "output" / ".timeline-manifest").read_text(encoding="utf-8").splitlines()[1:])
    trusted = _existing_files(site / "output", owned, folders)
    assert trusted == _existing_files(site / "output")  # what a full listing finds
    (site / "output/2022/debut/notes.txt").write_text("à garder", encoding="utf-8")
    run = run_cli("--project", site, "build")
    assert run.status == 1, run.out
    assert "output holds files the last build did not write (2022/debut/notes.txt)" in run.err


def test_a_file_put_later_into_an_empty_folder_of_the_output_is_found(site, monkeypatch):
    from types import SimpleNamespace

    build(site)
    (site / "output/2022/vide").mkdir()  # no file yet: the build passes, and must not vouch for 2022/ from now on
    later = SimpleNamespace(perf_counter=time.perf_counter, time_ns=lambda: time.time_ns() + 60 * 1_000_000_000)
    monkeypatch.setattr(site_module, "time", later)
    edit(site / "content/2024-02-01-fin.md", "Corps du texte.", "Un autre corps.")
    build(site)
    assert "2022/" not in build_cache.load_cache(site).written["folders"]
    (site / "output/2022/vide/notes.txt").write_text("à garder", encoding="utf-8")
    edit(site / "content/2024-02-01-fin.md", "Un autre corps.", "Encore un autre corps.")
    run = run_cli("--project", site, "build")
    assert run.status == 1, run.out
    assert "output holds files the last build did not write (2022/vide/notes.txt)" in run.err
