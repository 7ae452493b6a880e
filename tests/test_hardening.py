"""Hostile and unlucky inputs: each gets a clear error at its place, nothing leaks, nothing claims success."""

from __future__ import annotations

import json
import os

import pytest

from conftest import event_text, run_cli

BASE_URL_REFUSALS = [
    ("https://example.org/x/?", "must not hold a query or a fragment ('?' or '#'): it would end up inside every link"),
    ("https://example.org/x/#", "must not hold a query or a fragment ('?' or '#'): it would end up inside every link"),
    ("https://example.org//", "must not hold an empty, '.' or '..' path segment: links such as //static/ would lead to another host"),
    ("https://example.org//evil.example/", "must not hold an empty, '.' or '..' path segment: links such as //static/ would lead to another host"),
    ("https://example.org/a b/", "must not hold spaces, quotes, angle brackets or control characters (write %20 for a space)"),
    ("https://user@example.org/", "must not hold a user name or password: they would be copied into every link"),
    ("https://example.org:99999/", "has a port that is not a number from 0 to 65535"),
    ("https://example.org/%2e%2e/", "must not hold an empty, '.' or '..' path segment: links such as //static/ would lead to another host"),
    ("https://example.org/x/%2E/", "must not hold an empty, '.' or '..' path segment: links such as //static/ would lead to another host"),
]


def site_yaml(base_url: str) -> str:
    return f'title: T\ndescription: D\nbase_url: "{base_url}"\n'


@pytest.mark.parametrize(("base_url", "reason"), BASE_URL_REFUSALS)
def test_base_urls_that_break_links_are_refused_in_site_yaml(make_site, base_url, reason):
    root = make_site({"content/e.md": event_text()}, site_yaml=site_yaml(base_url))
    result = run_cli("-C", root)
    assert result.status == 1
    assert result.err.splitlines()[0] == f"site.yaml:3: 'base_url' {reason}, got {base_url!r}"
    assert not (root / "output").exists()


@pytest.mark.parametrize(("base_url", "reason"), BASE_URL_REFUSALS)
def test_base_urls_that_break_links_are_refused_as_options(make_site, base_url, reason):
    root = make_site({"content/e.md": event_text()})
    result = run_cli("-C", root, "--base-url", base_url)
    assert result.status == 1 and result.err.splitlines()[0] == f"--base-url: {reason}, got {base_url!r}"


def test_a_refused_base_url_never_repeats_its_password(make_site):
    root = make_site({"content/e.md": event_text()}, site_yaml=site_yaml("https://user:s3cret@example.org/"))
    for result in (run_cli("-C", root), run_cli("-C", root, "--base-url", "https://user:s3cret@example.org/")):
        assert result.status == 1 and "s3cret" not in result.err
        assert result.err.splitlines()[0].endswith("must not hold a user name or password: they would be copied into every link, got 'https://user:***@example.org/'")


@pytest.mark.parametrize("base_url", ["https://user.github.io/repo/", "http://127.0.0.1:8000/preview/", "https://example.org", "https://[::1]:8080/x/"])
def test_ordinary_base_urls_still_build(make_site, base_url):
    root = make_site({"content/e.md": event_text()}, site_yaml=site_yaml(base_url))
    assert run_cli("-C", root, "-q").status == 0


@pytest.mark.parametrize("escape", ["\\x07", "\\x00", "\\x1b", "\\uFFFE"])
def test_control_characters_written_as_yaml_escapes_are_errors_at_their_line(make_site, escape):
    root = make_site({"content/e.md": event_text(title=f'"A{escape}B"')})
    result = run_cli("check", "-C", root)
    code = {"\\x07": "0007", "\\x00": "0000", "\\x1b": "001B", "\\uFFFE": "FFFE"}[escape]
    assert result.status == 1
    assert result.err.splitlines()[0] == f"content/e.md:2: a value on this line holds the control character U+{code}, written as an escape; delete it"


def test_a_control_character_escape_in_site_yaml_is_an_error_with_the_others(make_site):
    root = make_site({"content/e.md": event_text()}, site_yaml='title: "Site\\x07"\ndescription: D\nbase_url: "https://e.org/?"\n')
    result = run_cli("-C", root)
    assert result.status == 1
    assert result.err.splitlines()[:2] == [
        "site.yaml:1: a value on this line holds the control character U+0007, written as an escape; delete it",
        "site.yaml:3: 'base_url' must not hold a query or a fragment ('?' or '#'): it would end up inside every link, got 'https://e.org/?'",
    ]


def test_a_raw_control_character_does_not_hide_the_files_other_problems(make_site):
    body = "Copié\x01 d’un PDF.\n\nVoir [la suite](2099-01-01-nulle-part.md).\n"
    root = make_site({"content/e.md": event_text(title='"A\\x07B"', date="2024-13", body=body, sources=None)})
    result = run_cli("check", "-C", root)
    assert result.status == 1
    assert result.err.splitlines()[:5] == [
        "content/e.md:1: no source: list the article(s) this entry rests on under 'sources:'",
        "content/e.md:2: a value on this line holds the control character U+0007, written as an escape; delete it",
        "content/e.md:4: date: month 13 in '2024-13' is not between 01 and 12",
        "content/e.md:7: control character U+0001 on this line; delete it (it often comes from copying out of a PDF)",
        "content/e.md:9: link to '2099-01-01-nulle-part.md': no event content/2099-01-01-nulle-part.md",
    ]


def test_a_raw_control_character_in_site_yaml_does_not_hide_its_other_problems(make_site):
    root = make_site({"content/e.md": event_text()}, site_yaml='title: "Site\x0c"\ndescription: D\nbase_url: "https://e.org/?"\n')
    result = run_cli("-C", root)
    assert result.status == 1
    assert result.err.splitlines()[:2] == [
        "site.yaml:1: control character U+000C on this line; delete it (it often comes from copying out of a PDF)",
        "site.yaml:3: 'base_url' must not hold a query or a fragment ('?' or '#'): it would end up inside every link, got 'https://e.org/?'",
    ]


def test_the_preview_never_serves_a_bare_500_for_an_escaped_control_character(make_site):
    from chronologie.serve import Preview
    from chronologie.project import Project

    root = make_site({"content/e.md": event_text(summary='"x\\x07y"')})
    preview = Preview(Project(root), None, True)
    lines = preview.rebuild(frozenset())
    assert lines[0] == "content/e.md:3: a value on this line holds the control character U+0007, written as an escape; delete it"


# ---------------------------------------------------------------- links and special files under content/


def test_links_fifos_and_loops_under_content_are_warnings_and_never_read(make_site, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "2024-01-01-hidden.md").write_text(event_text(title="Hidden"), encoding="utf-8")
    root = make_site({"content/e.md": event_text()})
    content = root / "content"
    (content / "loop.md").symlink_to("loop.md")
    (content / "dangling.md").symlink_to("nothing-here.md")
    (content / "linked").symlink_to(elsewhere, target_is_directory=True)
    os.mkfifo(content / "fifo.md")
    result = run_cli("-C", root)
    assert result.status == 0, result.err
    assert result.err.splitlines() == [
        "content/dangling.md:1: warning: not a readable file (a dangling link, a loop of links, a FIFO or a device): it is not read",
        "content/fifo.md:1: warning: not a readable file (a dangling link, a loop of links, a FIFO or a device): it is not read",
        "content/linked:1: warning: a link to a folder: folders reached through links are not read",
        "content/loop.md:1: warning: not a readable file (a dangling link, a loop of links, a FIFO or a device): it is not read",
    ]
    assert "Hidden" not in (root / "output" / "index.html").read_text(encoding="utf-8")


def test_a_media_file_that_links_outside_content_is_refused(make_site, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG private")
    root = make_site({"content/e.md": event_text(body="![Carte](carte.png)\n")})
    (root / "content" / "carte.png").symlink_to(secret)
    result = run_cli("-C", root)
    assert result.status == 1
    assert result.err.splitlines()[0] == "content/e.md:12: 'carte.png': content/carte.png is a link to a file outside content/, which would be published; put the file itself there"
    assert not (root / "output").exists()


def test_theme_never_copies_through_a_link(make_site, tmp_path):
    root = make_site({"content/e.md": event_text()}, templates=False)
    (root / "templates").mkdir()
    (root / "templates" / "event.html").symlink_to(tmp_path / "planted.html")  # dangling: exists() is False
    result = run_cli("-C", root, "theme", "event.html")
    assert (result.status, result.err) == (1, "error: templates/ already holds event.html; nothing was copied (delete it first to start again from the theme's)\n")
    assert not (tmp_path / "planted.html").exists()


def test_the_cache_is_never_written_through_a_planted_link(make_site, tmp_path):
    root = make_site({"content/e.md": event_text()})
    (root / ".timeline-cache").mkdir()
    planted = tmp_path / "planted"
    (root / ".timeline-cache" / f"build.pickle.{os.getpid()}.tmp").symlink_to(planted)
    assert run_cli("-C", root, "-q").status == 0  # in-process: the staging file's name holds this pid
    assert not planted.exists()


# ---------------------------------------------------------------- TimelineJS, which renders its texts as HTML


def test_every_text_timelinejs_renders_as_html_is_escaped(make_site):
    attack = "<img src=x onerror=alert(1)>"
    site = 'title: "T <b>"\ndescription: "D <i>"\nbase_url: https://e.org/\nlanguage: en\ntags:\n  llama: "' + attack + '"\neras:\n  - name: "' + attack + '"\n    start: 2023\n'
    root = make_site({"content/e.md": event_text(title=attack, summary=attack, tags="[llama]")}, site_yaml=site)
    assert run_cli("-C", root, "-q").status == 0
    data = json.loads((root / "output" / "timeline.json").read_text(encoding="utf-8"))
    slide = data["events"][0]
    shown = [slide["group"], slide["display_date"], slide["text"]["headline"], slide["text"]["text"], data["eras"][0]["text"]["headline"], data["title"]["text"]["headline"], data["title"]["text"]["text"]]
    assert slide["group"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert not any("<img" in text or "<b>" in text or "<i>" in text for text in shown)


# ---------------------------------------------------------------- calendars and feeds


def test_two_project_sites_on_one_host_never_share_a_calendar_uid(make_site, tmp_path):
    uids = []
    for repo in ("first", "second"):
        root = make_site({"content/2024-01-01-e.md": event_text(date="2024-01-01")}, site_yaml=f"title: T\ndescription: D\nbase_url: https://user.github.io/{repo}/\n")
        assert run_cli("-C", root, "--output", tmp_path / repo, "-q").status == 0
        uids += [line for line in (tmp_path / repo / "timeline.ics").read_text(encoding="utf-8").splitlines() if line.startswith("UID:")]
    assert uids == ["UID:2024-e@user.github.io/first", "UID:2024-e@user.github.io/second"]


def test_two_sites_on_one_host_on_two_ports_never_share_a_calendar_uid(make_site, tmp_path):
    uids = []
    for port in ("8443", "9443"):
        root = make_site({"content/2024-01-01-e.md": event_text(date="2024-01-01")}, site_yaml=f"title: T\ndescription: D\nbase_url: https://example.org:{port}/p/\n")
        assert run_cli("-C", root, "--output", tmp_path / port, "-q").status == 0
        uids += [line for line in (tmp_path / port / "timeline.ics").read_text(encoding="utf-8").splitlines() if line.startswith("UID:")]
    assert uids == ["UID:2024-e@example.org:8443/p", "UID:2024-e@example.org:9443/p"]


def test_a_published_entry_without_added_is_a_warning_and_new_and_import_always_write_it(make_site, tmp_path):
    root = make_site({"content/2024-01-01-e.md": event_text(date="2024-01-01", added=None)})
    result = run_cli("check", "-C", root)
    assert result.status == 0
    assert result.err == (
        "content/2024-01-01-e.md:4: warning: no 'added:' date: the feeds would date this entry by its event, so an old event"
        " added today would land at the bottom for subscribers; add 'added: YYYY-MM-DD', the day it was added\n"
    )
    assert run_cli("-C", root, "new", "Un autre", "--date", "2023").status == 0
    article = tmp_path / "article.txt"
    article.write_text("Un titre d’article\n\nLe Journal\n\nPublié le 5 décembre 2023\n\nUn texte.\n", encoding="utf-8")
    assert run_cli("-C", root, "import", article).status == 0
    written = [p for p in (root / "content").glob("*.md") if p.name != "2024-01-01-e.md"]
    assert len(written) == 2 and all("\nadded: " in p.read_text(encoding="utf-8") for p in written)


# ---------------------------------------------------------------- import


def test_import_given_a_folder_or_an_oversized_file_says_so(make_site, tmp_path):
    root = make_site({})
    folder = tmp_path / "articles"
    folder.mkdir()
    result = run_cli("-C", root, "import", folder)
    assert (result.status, result.err) == (1, f"error: {folder}: is a folder; give one saved article (.txt, .html or .md); nothing was written\n")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"Un titre\n\n" + b"Du texte. " * 600_000)
    result = run_cli("-C", root, "import", huge)
    assert (result.status, result.err) == (1, f"error: {huge}: is 6.0 MB, and import reads at most 5 MB: save the article alone; nothing was written\n")
    missing = run_cli("-C", root, "import", tmp_path / "absent.txt")
    assert missing.err == f"error: {tmp_path / 'absent.txt'}: no such file; nothing was written\n"
    assert list((root / "content").iterdir()) == []



def test_a_file_with_a_bad_date_reports_its_other_problems_in_the_same_run(make_site):
    bad = "---\ntitle: T\nsummary: S\ndate: 2024-13\n---\nVoir [l’autre](absent.md) et ![x](manque.png).\n\n- [ ] une tâche\n"
    root = make_site({"content/a.md": bad, "content/b.md": event_text()})
    result = run_cli("check", "-C", root)
    assert result.status == 1
    assert result.err.splitlines()[:-1] == [
        "content/a.md:1: no source: list the article(s) this entry rests on under 'sources:'",
        "content/a.md:4: date: month 13 in '2024-13' is not between 01 and 12",
        "content/a.md:6: 'manque.png': no file content/manque.png (files an entry shows must sit in content/)",
        "content/a.md:6: link to 'absent.md': no event content/absent.md; did you mean 'b.md'?",
        "content/a.md:8: warning: a task list item (GitHub Markdown) is shown as typed: this Markdown engine leaves it as text",
    ]


def test_a_placeholder_is_caught_as_written_and_ordinary_words_are_not(make_site):
    fine = event_text(summary="To be completed by 2027, the plant will train Llama models.", date="2024-01-01")
    root = make_site({"content/2024-01-01-fine.md": fine, "content/2024-01-02-left.md": event_text(summary='"À compléter : une ou deux phrases."', date="2024-01-02")})
    result = run_cli("check", "-C", root)
    assert result.status == 1
    assert result.err.splitlines()[:-1] == ["content/2024-01-02-left.md:1: still holds a placeholder of 'new' or 'import' ('À compléter'): complete it or keep 'draft: true'"]


def test_a_source_missing_a_key_is_not_also_called_no_source(make_site, build_site_cli):
    source = '\n  - {publisher: "Le Monde", title: "Un titre", date: 2024-05-01, url: "https://example.org/a"}'
    root = make_site({"content/2024-05-01-a.md": event_text(date="2024-05-01", sources=source)})
    run = build_site_cli(root, "--output", root / "out")
    assert run.status == 1
    assert "missing required key 'sources[1].lang'" in run.err
    assert "no source" not in run.err, run.err
