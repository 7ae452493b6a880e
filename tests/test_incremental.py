"""Warm rebuilds (the preview server's): redo only what a change affects, and give exactly a cold build's bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import event_text
from chronologie.site import BuildCache, BuildOptions, Project, build_site


def cold(root: Path) -> dict[str, bytes]:
    return build_site(Project(root), BuildOptions(write=False, drafts=True)).files


def warm(root: Path, cache: BuildCache):
    return build_site(Project(root), BuildOptions(write=False, drafts=True), cache)


@pytest.fixture
def site(make_site):
    files = {f"content/2023-0{i}-01-e{i}.md": event_text(title=f"Événement {i}", date=f"2023-0{i}-01", tags="[commun, t" + str(i) + "]") for i in range(1, 7)}
    return make_site(files)


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_unchanged_rebuild_reads_and_renders_nothing(site):
    cache = BuildCache()
    first = warm(site, cache)
    assert len(first.read) == 6 and first.rendered == first.pages + 2 + 5  # pages, sitemap, robots.txt and exports
    again = warm(site, cache)
    assert again.read == () and again.rendered == 0
    assert again.files == first.files


def test_editing_one_body_reads_one_file_and_renders_what_shows_it(site):
    cache = BuildCache()
    warm(site, cache)
    edit(site / "content/2023-03-01-e3.md", "Corps du texte.", "Un autre corps.")
    report = warm(site, cache)
    assert report.read == ("content/2023-03-01-e3.md",)
    # Every page that shows the event, whatever its templates read of it: its own, its two neighbours' (they
    # show its title), the index, the tags index, its two tags' pages and the five exports.
    assert report.rendered == 1 + 2 + 1 + 1 + 2 + 5
    assert report.files == cold(site)


def test_a_body_edit_redraws_the_lists_whose_templates_show_bodies(site):
    edit(site / "templates/_entry.html", '<p class="event-summary">', '<div class="full">{{ event.body_html|safe }}</div><p class="event-summary">')
    cache = BuildCache()
    warm(site, cache)
    edit(site / "content/2023-03-01-e3.md", "Corps du texte.", "Un autre corps.")
    report = warm(site, cache)
    # The same pages as for any other edit of the event: they all show it.
    assert report.rendered == 1 + 2 + 1 + 1 + 2 + 5
    assert report.files == cold(site)
    assert "Un autre corps." in report.files["index.html"].decode()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda root: edit(root / "content/2023-02-01-e2.md", "date: 2023-02-01", "date: 2023-05-15"), id="date-moves-event"),
        pytest.param(lambda root: edit(root / "content/2023-02-01-e2.md", "title: Événement 2", "title: Renommé"), id="title"),
        pytest.param(lambda root: edit(root / "content/2023-02-01-e2.md", "tags: [commun, t2]", "tags: [t9]"), id="tags"),
        pytest.param(lambda root: (root / "content/2023-04-01-e4.md").unlink(), id="delete"),
        pytest.param(lambda root: (root / "content/2024-new.md").write_text(event_text(title="Nouveau", date="2024"), encoding="utf-8"), id="add"),
        pytest.param(lambda root: (root / "content/2023-01-01-e1.md").rename(root / "content/2023-01-01-renamed.md"), id="rename"),
        pytest.param(lambda root: edit(root / "content/2023-05-01-e5.md", "date: 2023-05-01", "date: 2023-05-01\ndraft: true"), id="draft"),
        pytest.param(lambda root: edit(root / "templates/_entry.html", "event-summary", "event-summary resume"), id="template"),
        pytest.param(lambda root: edit(root / "templates/static/style.css", "--accent: #0a58b5;", "--accent: #aa0000;"), id="asset"),
        pytest.param(lambda root: edit(root / "site.yaml", "title: Chronologie de test", "title: Autre titre"), id="site-yaml"),
        pytest.param(lambda root: edit(root / "site.yaml", "language: fr", "language: en"), id="language"),
    ],
)
def test_any_change_gives_a_cold_builds_bytes(site, change):
    cache = BuildCache()
    warm(site, cache)
    change(site)
    assert warm(site, cache).files == cold(site)


def test_a_change_that_keeps_size_and_mtime_is_read_all_the_same(site):
    path = site / "content/2023-03-01-e3.md"
    cache = BuildCache()
    warm(site, cache)
    stat = path.stat()
    edit(path, "Événement 3", "Événement X")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    report = warm(site, cache)  # the file's ctime moved, which utime cannot set back
    assert report.read == ("content/2023-03-01-e3.md",)
    assert report.files == cold(site)


def test_a_template_edit_hidden_from_stat_redraws_its_pages(site):
    path = site / "templates" / "_entry.html"
    cache = BuildCache()
    warm(site, cache)
    stat = path.stat()
    edit(path, "event-summary", "event-resume")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert warm(site, cache).files == cold(site)


def test_an_unreadable_file_is_a_problem_not_a_crash(site, monkeypatch):
    from chronologie.problems import BuildFailed

    import builtins

    from chronologie import content

    def unreadable_open(path, *args, **kwargs):
        if Path(path).name == "2023-02-01-e2.md":
            raise PermissionError(13, "Permission denied")
        return builtins.open(path, *args, **kwargs)

    # Tests run as root, which file modes do not stop: the content reader's open() refuses instead.
    monkeypatch.setattr(content, "open", unreadable_open, raising=False)
    with pytest.raises(BuildFailed) as failed:
        warm(site, BuildCache())
    assert [str(p) for p in failed.value.problems] == ["content/2023-02-01-e2.md:1: cannot read this file: Permission denied"]


def test_the_preview_survives_a_generator_bug_and_recovers(site, monkeypatch):
    from chronologie import serve

    preview = serve.Preview(Project(site), None, drafts=True)
    assert preview.rebuild(frozenset())[-1].startswith("built: ")

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(serve, "build_site", broken)
    lines = preview.rebuild(frozenset())
    assert lines[0] == "Internal error in the generator (please report it):"
    assert lines[-1] == "RuntimeError: simulated bug"
    assert preview.problems == lines  # what the browser shows
    monkeypatch.undo()
    assert preview.rebuild(frozenset())[-1].startswith("built: ") and preview.problems == []
