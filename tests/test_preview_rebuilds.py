"""The preview's rebuilds at scale: a watcher's word, results kept across events, exports made when fetched.

``serve`` rebuilds with one BuildCache for as long as it runs. Its watcher names every change, so a rebuild looks
only at the event files named (``watched=True``), unless a folder or a non-Markdown path below content/ changed.
Results that read only the events' shapes (order, groups, checks, the month axis) are kept while the shapes are
equal, and pages whose inputs are the same objects keep their keys. Feeds and exports are made when fetched.
After every kind of change, each rebuild must give exactly the files and warnings of a build from nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SITE_YAML, event_text
from timeline.render import Deferred
from timeline.problems import BuildFailed
from timeline.site import BuildCache, Project, build_site, names_only_event_files

EVENTS = {
    "content/2022-03-01-debut.md": event_text(title="Début", date="2022-03-01", tags="[grand, petit]", body="Voir [la suite](2023-01-10-suite.md).\n"),
    "content/2022-03-20-mars.md": event_text(title="Mars", date="2022-03-20", tags="[grand]"),
    "content/2023-01-10-suite.md": event_text(title="Suite", date="2023-01-10", tags="[grand]"),
    "content/2023-06-10-milieu.md": event_text(title="Milieu", date="2023-06-10", tags="[grand, seul]"),
    "content/2024-02-01-fin.md": event_text(title="Fin", date="2024-02-01", tags="[grand, petit]"),
    "content/2024-07-01-brouillon.md": event_text(title="Brouillon", date="2024-07-01", tags="[grand]", draft="true"),
}
# index_limit 2: the index links to year pages and draws months, as a large timeline does.
YAML = SITE_YAML + "index_limit: 2\n"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add(root: Path, name: str, **fields: str) -> Path:
    path = root / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(event_text(**fields), encoding="utf-8")
    return path


def files_of(report) -> dict[str, bytes]:
    return {name: data() if isinstance(data, Deferred) else data for name, data in report.files.items()}


def outcome(build) -> tuple[dict[str, bytes], list[str]]:
    """The files and warnings of a build, or no files and every problem of a failed one."""
    try:
        report = build()
    except BuildFailed as failure:
        return {}, [str(p) for p in failure.problems]
    return files_of(report), [str(w) for w in report.warnings]


def from_nothing(root: Path, drafts: bool) -> tuple[dict[str, bytes], list[str]]:
    return outcome(lambda: build_site(Project(root), write=False, drafts=drafts))


def preview_build(root: Path, cache: BuildCache, changed: set[Path], drafts: bool):
    return build_site(Project(root), write=False, drafts=drafts, cache=cache, changed=frozenset(changed), watched=True, defer_exports=True)


# Each change returns the paths a watcher would name. They run in this order on one preview.
CHANGES = {
    "body": lambda root: [edit(root / "content/2023-01-10-suite.md", "Corps du texte.", "Un autre corps."), root / "content/2023-01-10-suite.md"][1:],
    "title of a month's first event": lambda root: [edit(root / "content/2022-03-01-debut.md", "title: Début", "title: Le début"), root / "content/2022-03-01-debut.md"][1:],
    "summary": lambda root: [edit(root / "content/2024-02-01-fin.md", "summary: Il s’est", "summary: Il s’était"), root / "content/2024-02-01-fin.md"][1:],
    "date within its year": lambda root: [edit(root / "content/2023-06-10-milieu.md", "date: 2023-06-10", "date: 2023-01-02"), root / "content/2023-06-10-milieu.md"][1:],
    "date to another year": lambda root: [edit(root / "content/2023-06-10-milieu.md", "date: 2023-01-02", "date: 2021-05"), root / "content/2023-06-10-milieu.md"][1:],
    "tag added": lambda root: [edit(root / "content/2024-02-01-fin.md", "tags: [grand, petit]", "tags: [grand, petit, nouveau]"), root / "content/2024-02-01-fin.md"][1:],
    "tag spelled otherwise": lambda root: [edit(root / "content/2022-03-20-mars.md", "tags: [grand]", "tags: [Grand]"), root / "content/2022-03-20-mars.md"][1:],
    "draft published": lambda root: [edit(root / "content/2024-07-01-brouillon.md", "draft: true", "draft: false"), root / "content/2024-07-01-brouillon.md"][1:],
    "event added": lambda root: [add(root, "2025-01-01-nouveau.md", title="Nouveau", date="2025-01-01", tags="[grand]")],
    "linked event moves to another year": lambda root: [edit(root / "content/2023-01-10-suite.md", "date: 2023-01-10", "date: 2021-01-10"), root / "content/2023-01-10-suite.md"][1:],
    "linked event deleted": lambda root: [(root / "content/2023-01-10-suite.md").unlink(), root / "content/2023-01-10-suite.md"][1:],
    "linked event back": lambda root: [add(root, "2023-01-10-suite.md", title="Suite", date="2023-01-10", tags="[grand]")],
    "slug changed": lambda root: [edit(root / "content/2025-01-01-nouveau.md", "title: Nouveau", "slug: autre-nom\ntitle: Nouveau"), root / "content/2025-01-01-nouveau.md"][1:],
    "folder of events moved in": lambda root: [shutil.move(str(add(root.parent / "ailleurs", "2020-02-02-loin.md", title="Loin", date="2020-02-02").parent), str(root / "content" / "archives")), root / "content" / "archives"][1:],
    "folder deleted": lambda root: [shutil.rmtree(root / "content" / "archives"), root / "content" / "archives"][1:],
    "future date": lambda root: [edit(root / "content/2022-03-20-mars.md", "date: 2022-03-20", "date: 2999-01-01"), root / "content/2022-03-20-mars.md"][1:],
    "template": lambda root: [edit(root / "templates/year.html", "{% block content %}", "{% block content %}<!-- modifié -->"), root / "templates/year.html"][1:],
}


@pytest.mark.parametrize("drafts", [True, False], ids=["drafts-shown", "drafts-hidden"])
def test_every_preview_rebuild_gives_a_fresh_builds_files(make_site, drafts):
    root = make_site(EVENTS, site_yaml=YAML)
    # The month axis draws the title of each month's first event: kept axes must show the latest title.
    edit(root / "templates/_axis.html", 'aria-label="{{ bucket.month|month_label }}', 'data-first="{{ bucket.first.title }}" aria-label="{{ bucket.month|month_label }}')
    cache = BuildCache()
    preview_build(root, cache, set(), drafts)
    failed = []
    for name, change in CHANGES.items():
        changed = change(root)
        files, problems = outcome(lambda: preview_build(root, cache, set(changed), drafts))
        expected_files, expected_problems = from_nothing(root, drafts)
        assert files.keys() == expected_files.keys(), name
        different = [path for path in files if files[path] != expected_files[path]]
        assert different == [], f"after '{name}', these differ from a fresh build: {different}"
        assert problems == expected_problems, name
        failed += [name] if not files else []
    assert failed == ["linked event deleted"]  # a link to it remains: that build fails, and the next one mends it
    assert 'data-first="Le début"' in files["index.html"].decode()


def test_an_edited_body_keeps_the_timeline_and_the_other_pages(make_site):
    root = make_site(EVENTS, site_yaml=YAML)
    cache = BuildCache()
    preview_build(root, cache, set(), True)
    plan, pages = cache.memo["timeline"][1], dict(cache.memo["pages"])
    edit(root / "content/2023-06-10-milieu.md", "Corps du texte.", "Un autre corps.")
    report = preview_build(root, cache, {root / "content/2023-06-10-milieu.md"}, True)
    assert report.read == ("content/2023-06-10-milieu.md",)
    assert cache.memo["timeline"][1] is plan  # not sorted or grouped again
    # Year pages and tag pages without the event are the very same objects: their keys are not worked out again.
    kept = [path for path, page in cache.memo["pages"].items() if page is pages.get(path)]
    assert kept == ["404.html", "2022/index.html", "2024/index.html", "tags/grand/index.html", "tags/petit/index.html"]
    edit(root / "content/2023-06-10-milieu.md", "date: 2023-06-10", "date: 2022-06-10")
    preview_build(root, cache, {root / "content/2023-06-10-milieu.md"}, True)
    assert cache.memo["timeline"][1] is not plan


def test_the_folders_are_not_walked_again_but_every_file_is_stated(make_site):
    """The watcher names files created and deleted; an edit it missed (behind a link, dropped events) still shows."""
    root = make_site(EVENTS, site_yaml=YAML)
    cache = BuildCache()
    preview_build(root, cache, set(), True)
    edit(root / "content/2023-01-10-suite.md", "Corps du texte.", "Corps vu.")
    edit(root / "content/2024-02-01-fin.md", "Corps du texte.", "Corps vu aussi.")
    unnamed = add(root, "2025-05-05-inconnu.md", title="Inconnu", date="2025-05-05")
    report = preview_build(root, cache, {root / "content/2023-01-10-suite.md"}, True)
    assert report.read == ("content/2023-01-10-suite.md", "content/2024-02-01-fin.md")
    assert "2025/inconnu/index.html" not in report.files  # a new file the watcher did not name: no walk found it
    # A build not vouched for by a watcher (the CLI, a first build, a folder named) walks every folder.
    report = build_site(Project(root), write=False, drafts=True, cache=cache, changed=frozenset({root / "content"}), watched=True)
    assert report.read == ("content/2025-05-05-inconnu.md",) and unnamed.exists()
    assert "2025/inconnu/index.html" in report.files


def test_which_changes_let_the_preview_trust_the_watcher(tmp_path):
    content = tmp_path / "content"
    (content / "dossier").mkdir(parents=True)
    (content / "a.md").write_text("x", encoding="utf-8")
    listing = [str(content / "a.md"), str(content / "parti.md")]
    assert names_only_event_files(frozenset({content / "a.md"}), content, listing)
    assert names_only_event_files(frozenset({content / "parti.md"}), content, listing)  # a deleted event file
    assert names_only_event_files(frozenset({tmp_path / "site.yaml", tmp_path / "templates/x.html"}), content, listing)
    assert not names_only_event_files(frozenset({content / "dossier"}), content, listing)  # a folder
    assert not names_only_event_files(frozenset({content / "image.png"}), content, listing)
    assert not names_only_event_files(frozenset({content / "inconnu.md"}), content, listing)  # gone, never seen: a folder?
    assert not names_only_event_files(frozenset({content}), content, listing)


def test_exports_are_made_when_fetched_with_a_written_builds_bytes(make_site, tmp_path):
    root = make_site(EVENTS, site_yaml=YAML)
    report = preview_build(root, BuildCache(), set(), False)
    exports = ["feed.xml", "feed.json", "timeline.json", "timeline.ics", "events.csv"]
    assert all(isinstance(report.files[name], Deferred) for name in exports)
    build_site(Project(root), output=tmp_path / "out")
    for name in exports:
        assert report.files[name]() == (tmp_path / "out" / name).read_bytes(), name
        assert report.files[name]() is report.files[name]()  # made once


def test_a_feed_is_made_again_when_an_event_it_links_to_moves(make_site):
    """The feeds list the latest additions only; an older event moving changes them if one of them links to it."""
    root = make_site({
        "content/2025-01-01-recent.md": event_text(title="Récent", date="2025-01-01", body="Voir [l’ancien](2020-01-01-ancien.md).\n"),
        "content/2020-01-01-ancien.md": event_text(title="Ancien", date="2020-01-01"),
        "content/2021-01-01-autre.md": event_text(title="Autre", date="2021-01-01"),
    }, site_yaml=YAML + "feed_limit: 1\n")
    cache = BuildCache()

    def rebuild(changed: Path | None = None):  # as the CLI builds: exports made, or kept, at once
        return build_site(Project(root), write=False, cache=cache, changed=frozenset({changed} if changed else ()), watched=True)

    feed = rebuild().files["feed.xml"]
    edit(root / "content/2021-01-01-autre.md", "Corps du texte.", "Un autre corps.")
    assert rebuild(root / "content/2021-01-01-autre.md").files["feed.xml"] is feed  # that event is not in the feed
    edit(root / "content/2020-01-01-ancien.md", "date: 2020-01-01", "date: 2019-01-01")
    report = rebuild(root / "content/2020-01-01-ancien.md")
    assert "https://example.org/repo/2019/ancien/" in report.files["feed.xml"].decode()
    assert report.files == from_nothing(root, False)[0]


class FakeLoop:
    """Tornado's loop as the watcher's collector uses it: callbacks run at once, timers are only counted."""

    def __init__(self) -> None:
        self.timers = []

    def add_callback(self, function, *args) -> None:
        function(*args)

    def call_later(self, delay: float, function):
        self.timers.append((delay, function))
        return len(self.timers)

    def remove_timeout(self, timer) -> None:
        pass


def test_the_watcher_names_exactly_the_files_a_build_reads_as_events(tmp_path):
    from timeline.serve import ChangeCollector

    project = Project(tmp_path)
    collector = ChangeCollector(project, FakeLoop(), lambda changed, rewatch: None)
    content = project.content_dir
    for name in ["a.md", "~tilde.md", "#croisillon.md", "dossier/b.md", "~vieux/c.md"]:
        assert collector.is_source(content / name), name
    for name in [".#a.md", "a.md~", "a.md.swp", "4913", "_brouillons/a.md", ".git/a.md", "image.png", "a.md___jb_tmp___"]:
        assert not collector.is_source(content / name), name
    assert collector.is_source(content / "~vieux", is_directory=True)
    assert not collector.is_source(content / ".git", is_directory=True)


def test_events_the_system_dropped_bring_a_full_look(tmp_path):
    import logging

    from timeline.serve import WATCHDOG_LOGGER, ChangeCollector, OverflowAlarm

    project = Project(tmp_path)
    collector = ChangeCollector(project, FakeLoop(), lambda changed, rewatch: None)
    alarm = OverflowAlarm(collector)
    logging.getLogger(WATCHDOG_LOGGER).addHandler(alarm)
    try:
        # What watchdog's inotify module logs when the kernel's queue overflowed.
        logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed; filesystem events were lost")
    finally:
        logging.getLogger(WATCHDOG_LOGGER).removeHandler(alarm)
    assert collector.pending == {project.content_dir}
    assert not names_only_event_files(frozenset(collector.pending), project.content_dir, [])


def test_an_asset_a_template_includes_shows_its_edit_in_the_preview(make_site):
    root = make_site(EVENTS, site_yaml=YAML)
    edit(root / "templates/base.html", "<body", '{% include "static/favicon.svg" %}<body')
    cache = BuildCache()
    preview_build(root, cache, set(), True)
    svg = root / "templates/static/favicon.svg"
    svg.write_text(svg.read_text(encoding="utf-8").replace("<svg", "<svg data-modifie='oui'", 1), encoding="utf-8")
    files, _ = outcome(lambda: preview_build(root, cache, {svg}, True))
    assert b"data-modifie" in files["index.html"]
    assert files == from_nothing(root, True)[0]


def test_renamed_large_tags_leave_nothing_behind(make_site):
    root = make_site(EVENTS, site_yaml=YAML)
    cache = BuildCache()
    preview_build(root, cache, set(), True)
    names = ["grand"] + [f"grand{n}" for n in range(5)]
    for old, new in zip(names, names[1:]):
        changed = set()
        for path in (root / "content").glob("*.md"):
            text = path.read_text(encoding="utf-8")
            if f"[{old}" in text:
                path.write_text(text.replace(f"[{old}", f"[{new}"), encoding="utf-8")
                changed.add(path)
        preview_build(root, cache, changed, True)
    assert set(cache.memo["large tags"]) == {"grand4"}
    assert not [name for name in cache.memo if "grand" in name]


def test_event_files_deleted_unseen_leave_the_listing(make_site):
    root = make_site(EVENTS, site_yaml=YAML)
    cache = BuildCache()
    preview_build(root, cache, set(), True)
    gone = [root / "content/2022-03-20-mars.md", root / "content/2023-06-10-milieu.md"]  # next to each other
    for path in gone:
        path.unlink()
    report = preview_build(root, cache, set(), True)  # the watcher named neither
    assert not {str(path) for path in gone} & set(cache.listing)
    assert report.files.keys() == from_nothing(root, True)[0].keys()
