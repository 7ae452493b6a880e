"""The preview's rebuilds: ``serve`` keeps one BuildCache in memory for as long as it runs.

After every kind of change, each rebuild must give exactly the files and warnings of a build from nothing,
while parsing only the files that changed and drawing only the pages that show them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SITE_YAML, event_text
from chronologie.problems import BuildFailed
from chronologie.site import BuildCache, BuildOptions, Project, build_site

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


def outcome(build) -> tuple[dict[str, bytes], list[str]]:
    """The files and warnings of a build, or no files and every problem of a failed one."""
    try:
        report = build()
    except BuildFailed as failure:
        return {}, [str(p) for p in failure.problems]
    return dict(report.files), [str(w) for w in report.warnings]


def from_nothing(root: Path, drafts: bool) -> tuple[dict[str, bytes], list[str]]:
    return outcome(lambda: build_site(Project(root), BuildOptions(write=False, drafts=drafts)))


def preview_build(root: Path, cache: BuildCache, changed: set[Path], drafts: bool):
    """A rebuild as serve makes one (``changed``: what its watcher saw, which the build needs not be told)."""
    return build_site(Project(root), BuildOptions(write=False, drafts=drafts), cache)


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


def test_an_edited_body_is_parsed_alone_and_redraws_only_the_pages_that_show_it(make_site):
    root = make_site(EVENTS, site_yaml=YAML)
    cache = BuildCache()
    preview_build(root, cache, set(), True)
    edit(root / "content/2023-06-10-milieu.md", "Corps du texte.", "Un autre corps.")
    report = preview_build(root, cache, set(), True)
    assert report.read == ("content/2023-06-10-milieu.md",)
    # Its page and its neighbours' (they show its title), the index and tags index (they list every event), its
    # year's page, its two tags' pages (grand has a page per year), and the five exports; nothing else.
    assert report.rendered == 3 + 2 + 1 + 2 + 5
    assert report.files == from_nothing(root, True)[0]


def test_a_file_created_or_deleted_is_found_without_the_watcher_naming_it(make_site):
    root = make_site(EVENTS, site_yaml=YAML)
    cache = BuildCache()
    preview_build(root, cache, set(), True)
    add(root, "2025-05-05-inconnu.md", title="Inconnu", date="2025-05-05")
    (root / "content/2022-03-20-mars.md").unlink()
    report = preview_build(root, cache, set(), True)
    assert report.read == ("content/2025-05-05-inconnu.md",)
    assert "2025/inconnu/index.html" in report.files and "2022/mars/index.html" not in report.files
    assert report.files == from_nothing(root, True)[0]


def test_the_preview_draws_exports_when_fetched_with_a_written_builds_bytes(make_site, tmp_path):
    from chronologie.site import Later

    root = make_site(EVENTS, site_yaml=YAML)
    cache = BuildCache()
    options = BuildOptions(write=False, exports_when_fetched=True)
    report = build_site(Project(root), options, cache)
    exports = ["feed.xml", "feed.json", "timeline.json", "timeline.ics", "events.csv"]
    assert report.rendered == report.pages + 2  # the pages, the sitemap and robots.txt: no export yet
    assert all(isinstance(report.files[name], Later) for name in exports)
    build_site(Project(root), BuildOptions(output=tmp_path / "out"))
    for name in exports:
        assert report.files[name].make() == (tmp_path / "out" / name).read_bytes(), name
    edit(root / "content/2023-01-10-suite.md", "title: Suite", "title: La suite")
    report = build_site(Project(root), options, cache)
    build_site(Project(root), BuildOptions(output=tmp_path / "out"))
    for name in exports:
        assert report.files[name].make() == (tmp_path / "out" / name).read_bytes(), name


def test_a_feed_is_made_again_when_an_event_it_links_to_moves(make_site):
    """The feeds list the latest additions only; an older event moving changes them if one of them links to it."""
    root = make_site({
        "content/2025-01-01-recent.md": event_text(title="Récent", date="2025-01-01", body="Voir [l’ancien](2020-01-01-ancien.md).\n"),
        "content/2020-01-01-ancien.md": event_text(title="Ancien", date="2020-01-01"),
        "content/2021-01-01-autre.md": event_text(title="Autre", date="2021-01-01"),
    }, site_yaml=YAML + "feed_limit: 1\n")
    cache = BuildCache()
    preview_build(root, cache, set(), False)
    edit(root / "content/2020-01-01-ancien.md", "date: 2020-01-01", "date: 2019-01-01")
    report = preview_build(root, cache, set(), False)
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
    from chronologie.serve import ChangeCollector

    project = Project(tmp_path)
    collector = ChangeCollector(project, FakeLoop(), lambda changed, rewatch: None)
    content = project.content_dir
    for name in ["a.md", "~tilde.md", "#croisillon.md", "dossier/b.md", "~vieux/c.md"]:
        assert collector.is_source(content / name), name
    for name in [".#a.md", "a.md~", "a.md.swp", "4913", "_brouillons/a.md", ".git/a.md", "image.png", "a.md___jb_tmp___"]:
        assert not collector.is_source(content / name), name
    assert collector.is_source(content / "~vieux", is_directory=True)
    assert not collector.is_source(content / ".git", is_directory=True)


def test_the_watcher_names_the_pages_of_their_own_too(tmp_path):
    from chronologie.serve import ChangeCollector

    collector = ChangeCollector(Project(tmp_path), FakeLoop(), lambda changed, rewatch: None)
    pages = Project(tmp_path).content_dir / "_pages"
    assert collector.is_source(pages / "a-propos.md")
    assert collector.is_source(pages, is_directory=True)
    for name in [".a-propos.md.swp", "a-propos.md~", "_brouillon.md", "images/carte.png", "dossier/b.md"]:
        assert not collector.is_source(pages / name), name


def test_events_the_system_dropped_bring_a_rebuild(tmp_path):
    import logging

    from chronologie.serve import WATCHDOG_LOGGER, ChangeCollector, OverflowAlarm

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
