"""The persistent build cache: the same bytes as a build without it, whatever changed; never trusted blindly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import copy_real_site, event_text, run_cli
from chronologie import cache as build_cache
from chronologie.problems import BuildFailed
from chronologie.site import BuildOptions, Project, build_site


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cached_build(root: Path) -> dict[str, bytes]:
    assert run_cli("--project", root, "build", "--output", root / "cached").status == 0
    return tree(root / "cached")


def fresh_build(root: Path) -> dict[str, bytes]:
    output = root / "fresh"
    assert run_cli("--project", root, "build", "--no-cache", "--output", output).status == 0
    return tree(output)


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.fixture
def site(make_site):
    files = {f"content/2023-0{i}-01-e{i}.md": event_text(title=f"Événement {i}", date=f"2023-0{i}-01", tags="[commun, t" + str(i) + "]") for i in range(1, 6)}
    root = make_site(files, site_yaml=(Path(__file__).parent / "golden" / "site" / "site.yaml").read_text(encoding="utf-8"))
    (root / "site.yaml").write_text((root / "site.yaml").read_text(encoding="utf-8") + 'eras:\n  - name: "Début"\n    start: 2023-01\n', encoding="utf-8")
    return root


CHANGES = {
    "nothing": lambda root: None,
    "body": lambda root: edit(root / "content/2023-03-01-e3.md", "Corps du texte.", "Un autre corps."),
    "date-moves-event": lambda root: edit(root / "content/2023-02-01-e2.md", "date: 2023-02-01", "date: 2023-05-15"),
    "title": lambda root: edit(root / "content/2023-02-01-e2.md", "Événement 2", "Renommé"),
    "delete": lambda root: (root / "content/2023-04-01-e4.md").unlink(),
    "add": lambda root: (root / "content/2024-new.md").write_text(event_text(title="Nouveau", date="2024"), encoding="utf-8"),
    "template": lambda root: edit(root / "templates/_entry.html", "event-summary", "event-summary resume"),
    "asset": lambda root: edit(root / "templates/static/style.css", "--accent: #0a58b5;", "--accent: #aa0000;"),
    "site-yaml": lambda root: edit(root / "site.yaml", "Chronologie d’essai", "Autre titre"),
    "language": lambda root: edit(root / "site.yaml", "language: fr", "language: en"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_cached_build_gives_the_bytes_of_a_build_without_cache(site, change):
    cached_build(site)
    change(site)
    assert cached_build(site) == fresh_build(site)


def test_an_unchanged_or_merely_touched_event_is_neither_parsed_nor_rendered(site):
    cached_build(site)
    report = build_site(Project(site), BuildOptions(output=site / "cached"), build_cache.load_cache(site))
    assert (report.read, report.rendered) == ((), 0)
    path = site / "content/2023-03-01-e3.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))  # as a git checkout would
    report = build_site(Project(site), BuildOptions(output=site / "cached"), build_cache.load_cache(site))
    assert (report.read, report.rendered) == ((), 0)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty"])
def test_a_corrupt_or_stale_cache_is_rebuilt_never_trusted(site, damage):
    cached_build(site)
    edit(site / "content/2023-01-01-e1.md", "Événement 1", "Changé")
    expected = fresh_build(site)
    file = build_cache.cache_file(site)
    data = file.read_bytes()
    if damage == "garbage":
        file.write_bytes(b"not a cache at all")
    elif damage == "truncated":
        file.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":
        file.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    else:
        file.write_bytes(b"")
    assert cached_build(site) == expected
    assert build_cache.load_cache(site).events  # and the cache was written afresh


@pytest.mark.parametrize("shown", [
    '<div class="full">{{ event.body_html|safe }}</div>',
    '{% if event.references %}<p class="links">{{ event.references|length }} liens</p>{% endif %}',
    '<p class="raw">{{ event }}</p>',  # its repr: nothing of the body, so the page may be kept
])
def test_what_lists_show_of_a_body_is_redrawn_there_from_the_cache(site, shown):
    edit(site / "templates/_entry.html", '<p class="event-summary">', shown + '<p class="event-summary">')
    cached_build(site)
    edit(site / "content/2023-03-01-e3.md", "Corps du texte.", "Un autre corps, qui cite [le premier](2023-01-01-e1.md).")
    built = cached_build(site)
    assert built == fresh_build(site)
    assert ("Un autre corps" in built["index.html"].decode()) == ("body_html" in shown)
    assert ('<p class="links">1 liens</p>' in built["index.html"].decode()) == ("references" in shown)


def test_deleting_the_cache_is_safe_and_no_cache_leaves_it_alone(site):
    first = cached_build(site)
    build_cache.cache_file(site).unlink()
    assert cached_build(site) == first
    before = build_cache.cache_file(site).read_bytes()
    edit(site / "content/2023-01-01-e1.md", "Événement 1", "Changé")
    fresh_build(site)
    assert build_cache.cache_file(site).read_bytes() == before


def build_in_worker_processes(site: Path, output: Path):
    import subprocess
    import sys

    from conftest import REPO

    env = {**os.environ, "TIMELINE_PARALLEL_THRESHOLD": "2"}  # parse and render in worker processes even for a small site
    return subprocess.run([sys.executable, str(REPO / "build.py"), "--project", str(site), "build", "--no-cache", "--output", str(output)], env=env, capture_output=True, text=True, check=False)


def test_parallel_parsing_and_rendering_give_the_same_bytes_as_serial(site):
    for i in range(6, 10):
        (site / "content" / f"2024-0{i}-01-p{i}.md").write_text(event_text(title=f"P {i}", date=f"2024-0{i}-01", body=f"## Partie {i}\n\nTexte *{i}*.\n"), encoding="utf-8")
    serial = fresh_build(site)
    result = build_in_worker_processes(site, site / "parallel")
    assert result.returncode == 0, result.stderr
    assert tree(site / "parallel") == serial


def test_a_parallel_build_that_fails_leaves_the_output_as_it_was(site):
    # The sitemap is rendered after the pages, which the workers have drawn by then.
    output = site / "parallel"
    original = (site / "templates/sitemap.xml").read_text(encoding="utf-8")
    (site / "templates/sitemap.xml").write_text(original + "{{ no_such_name.x }}", encoding="utf-8")
    failed = build_in_worker_processes(site, output)
    assert failed.returncode == 1 and "templates/sitemap.xml" in failed.stderr
    assert not output.exists() and not (site / ".parallel.swap").exists()  # not even made empty
    (site / "templates/sitemap.xml").write_text(original, encoding="utf-8")
    assert build_in_worker_processes(site, output).returncode == 0
    before = tree(output)
    (site / "templates/sitemap.xml").write_text(original + "{{ no_such_name.x }}", encoding="utf-8")
    edit(site / "content/2023-03-01-e3.md", "Corps du texte.", "Un autre corps.")
    assert build_in_worker_processes(site, output).returncode == 1
    assert tree(output) == before and sorted(p.name for p in output.iterdir() if p.name.startswith(".")) == [".nojekyll", ".timeline-manifest"]
    (site / "templates/sitemap.xml").write_text(original, encoding="utf-8")
    (site / "content/2026-01-01-new.md").write_text(event_text(title="Nouveau", date="2026-01-01"), encoding="utf-8")
    assert build_in_worker_processes(site, output).returncode == 0
    assert tree(output) == fresh_build(site)


def test_an_output_that_is_a_file_is_reported_by_worker_processes_as_by_one(site):
    (site / "afile").write_text("hi", encoding="utf-8")
    for output in (site / "afile", site / "afile" / "sub"):
        serial = run_cli("--project", site, "build", "--no-cache", "--output", output)
        result = build_in_worker_processes(site, output)
        assert (result.returncode, result.stderr) == (1, serial.err) and "is not a folder" in serial.err
    assert (site / "afile").read_text(encoding="utf-8") == "hi"


def test_a_cache_kept_in_memory_after_a_failed_parallel_build_redraws_what_it_drew(site, monkeypatch):
    from chronologie import parallel

    # Worker processes even for this small site, and even if an earlier test left a thread running (Playwright's
    # child watcher does), which would keep the build in one process.
    monkeypatch.setattr(parallel, "worker_count", lambda jobs: 2 if jobs >= 2 else 1)
    cache, output = build_cache.BuildCache(), site / "kept"
    build_site(Project(site), BuildOptions(output=output), cache)
    edit(site / "templates/event.html", '<article class="event-page', '<article data-edited class="event-page')
    sitemap = (site / "templates/sitemap.xml").read_text(encoding="utf-8")
    (site / "templates/sitemap.xml").write_text(sitemap + "{{ no_such_name.x }}", encoding="utf-8")
    with pytest.raises(BuildFailed):
        build_site(Project(site), BuildOptions(output=output), cache)
    (site / "templates/sitemap.xml").write_text(sitemap, encoding="utf-8")
    build_site(Project(site), BuildOptions(output=output), cache)
    assert tree(output) == fresh_build(site) and b"data-edited" in tree(output)["2023/e3/index.html"]


def test_a_template_fault_met_in_worker_processes_is_reported_as_in_one(site):
    edit(site / "templates/event.html", "{% block content %}", "{% block content %}{{ event.no_such_field.x }}")
    serial = run_cli("--project", site, "build", "--no-cache")
    result = build_in_worker_processes(site, site / "parallel")
    assert (result.returncode, result.stderr) == (1, serial.err)
    assert "templates/event.html:" in serial.err and "no_such_field" in serial.err


def test_a_cache_from_other_generator_code_is_not_trusted(site, monkeypatch):
    cached_build(site)
    assert build_cache.load_cache(site).events
    real_stamp = build_cache.generator_stamp
    monkeypatch.setattr(build_cache, "generator_stamp", lambda: ("an edited generator", *real_stamp()[1:]))
    assert not build_cache.load_cache(site).events


def test_a_cached_build_over_an_output_it_did_not_write_keeps_it_and_the_next_draws_nothing(site):
    output = site / "cached"
    assert run_cli("--project", site, "build", "--no-cache", "--output", output).status == 0
    before = {path: path.stat().st_mtime_ns for path in output.rglob("*") if path.is_file()}
    first = build_site(Project(site), BuildOptions(output=output), build_cache.load_cache(site))
    assert first.written.written == 0  # every page drawn again, and found in place already
    assert run_cli("--project", site, "build", "--output", output).status == 0  # this one records the cache
    report = build_site(Project(site), BuildOptions(output=output), build_cache.load_cache(site))
    assert (report.read, report.rendered, report.written.written) == ((), 0, 0)
    assert {path: path.stat().st_mtime_ns for path in output.rglob("*") if path.is_file()} == before


def test_an_output_restored_elsewhere_is_not_drawn_again(tmp_path):
    # As the Pages workflow restores .timeline-cache/ and output/ from actions/cache: the same bytes, with new
    # inodes and change times, so the stamps no longer match and the pages' bytes are compared instead.
    site = copy_real_site(tmp_path / "site")
    assert run_cli("-C", site, "-q").status == 0
    restored = tmp_path / "restored"
    shutil.copytree(site, restored)
    result = run_cli("-C", restored, "-v")
    assert result.status == 0
    assert "drew 0 pages afresh; the others were unchanged\n" in result.out and ", 0 changed)" in result.out
    # A page whose restored file was changed meanwhile is drawn again, and put right.
    page = restored / "output" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", "<p>tampered</p></body>"), encoding="utf-8")
    shutil.copytree(restored, tmp_path / "again")
    again = run_cli("-C", tmp_path / "again", "-v")
    assert "drew 1 page afresh; the others were unchanged\n" in again.out
    assert (tmp_path / "again" / "output" / "index.html").read_bytes() == (site / "output" / "index.html").read_bytes()
