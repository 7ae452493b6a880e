"""Bad input: every problem printed as path:line: message, all in one run, no traceback, exit 1."""

from pathlib import Path

import pytest

from conftest import SITE_YAML, event_text
from chronologie.problems import display_path, display_path_by_pathlib

FINAL = "the output folder was not changed."


def errors_of(run) -> list[str]:
    """The problem lines a failed build printed, without the closing count."""
    assert run.status == 1, run.out
    assert "Traceback" not in run.err
    lines = run.err.splitlines()
    assert lines[-1].endswith(FINAL)
    return lines[:-1]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "bad-yaml.md",
            "---\ntitle: T\nsummary: [oops\ndate: 2023\n---\n",
            "content/bad-yaml.md:4: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts on line 3)",
        ),
        (
            "tab.md",
            "---\ntitle: T\n\tsummary: S\n---\n",
            "content/tab.md:3: invalid YAML: found a tab character that violates indentation (while scanning a plain scalar that starts on line 2)",
        ),
        (
            "no-fence.md",
            "title: T\nsummary: S\n",
            "content/no-fence.md:1: no front matter: the file must start with a line '---', then YAML, then '---'. Did you forget the opening '---'?",
        ),
        (
            "unclosed.md",
            "---\ntitle: T\nsummary: S\ndate: 2023\n",
            "content/unclosed.md:1: the front matter opened on line 1 is never closed: add a line '---' after the YAML",
        ),
        (
            "no-title.md",
            "---\nsummary: S\ndate: 2023\n---\n",
            "content/no-title.md:2: missing required key 'title'",
        ),
        (
            "empty-summary.md",
            "---\ntitle: T\nsummary:\ndate: 2023\n---\n",
            "content/empty-summary.md:3: 'summary' is empty; it is required",
        ),
        (
            "impossible.md",
            "---\ntitle: T\nsummary: S\ndate: 2023-02-30\n---\n",
            "content/impossible.md:4: date: '2023-02-30' does not exist: 2023-02 has 28 days",
        ),
        (
            "unparseable.md",
            "---\ntitle: T\nsummary: S\ndate: le 5 décembre\n---\n",
            "content/unparseable.md:4: date: expected YYYY, YYYY-MM or YYYY-MM-DD, '~' before it for an approximate date, or START/END for a range, got 'le 5 décembre'",
        ),
        (
            "end-before.md",
            "---\ntitle: T\nsummary: S\ndate: 2023-12-01\nend: 2023-11-01\n---\n",
            "content/end-before.md:5: end: the end 2023-11-01 is before the start 2023-12-01",
        ),
        (
            "range-before.md",
            "---\ntitle: T\nsummary: S\ndate: 2023-12/2023-11\n---\n",
            "content/range-before.md:4: date: the end 2023-11 is before the start 2023-12",
        ),
        (
            "title-list.md",
            "---\ntitle: [a, b]\nsummary: S\ndate: 2023\n---\n",
            "content/title-list.md:2: 'title' must be text, not a list",
        ),
        (
            "draft.md",
            "---\ntitle: T\nsummary: S\ndate: 2023\ndraft: maybe\n---\n",
            "content/draft.md:5: 'draft' must be true or false, got 'maybe'",
        ),
        (
            "slug.md",
            "---\ntitle: T\nsummary: S\ndate: 2023\nslug: Mon Slug\n---\n",
            "content/slug.md:5: slug 'Mon Slug' must be at most 80 lowercase letters, digits and single hyphens; try 'mon-slug'",
        ),
        (
            "dup-key.md",
            "---\ntitle: T\nsummary: S\ndate: 2023\ntitle: U\n---\n",
            "content/dup-key.md:5: duplicate key 'title' (first given on line 2)",
        ),
        (
            "not-mapping.md",
            "---\n- a\n- b\n---\n",
            "content/not-mapping.md:2: front matter must be a YAML mapping of 'key: value' lines, got a list",
        ),
        (
            "source.md",
            "---\ntitle: T\nsummary: S\ndate: 2023\nsources:\n  - publisher: P\n    date: 2023-13\n    lang: fr\n---\n",
            "content/source.md:6: missing required key 'sources[1].title'",
        ),
        (
            "quoted-bool.md",
            "---\ntitle: T\nsummary: S\ndate: 2023\ndraft: \"true\"\n---\n",
            "content/quoted-bool.md:5: 'draft' must be true or false without quotes, got 'true'",
        ),
        (
            "arabic-digits.md",
            "---\ntitle: T\nsummary: S\ndate: \"٢٠٢٣-١٢\"\n---\n",
            "content/arabic-digits.md:4: date: expected YYYY, YYYY-MM or YYYY-MM-DD, '~' before it for an approximate date, or START/END for a range, got '٢٠٢٣-١٢'",
        ),
        (
            "form-feed.md",
            "---\ntitle: T\nsummary: S\ndate: 2023\n---\nCopié\x0c depuis un PDF.\n",
            "content/form-feed.md:6: control character U+000C on this line; delete it (it often comes from copying out of a PDF)",
        ),
        (
            "added-overflow.md",
            "---\ntitle: T\nsummary: S\ndate: 2023\nadded: 0001-01-01T00:00:00+01:00\n---\n",
            "content/added-overflow.md:5: added: expected a date like 2024-04-18 or 2024-04-18T09:30:00+02:00, got '0001-01-01T00:00:00+01:00'",
        ),
        (
            "added.md",
            "---\ntitle: T\nsummary: S\ndate: 2023\nadded: yesterday\n---\n",
            "content/added.md:5: added: expected a date like 2024-04-18 or 2024-04-18T09:30:00+02:00, got 'yesterday'",
        ),
    ],
)
def test_each_bad_input_has_an_exact_message(make_site, build_site_cli, name, text, expected):
    root = make_site({f"content/{name}": text})
    assert expected in errors_of(build_site_cli(root))


def test_non_utf8_file_names_the_line(make_site, build_site_cli):
    root = make_site({"content/latin1.md": "---\ntitle: Café\nsummary: S\ndate: 2023\n---\n".encode("latin-1")})
    assert errors_of(build_site_cli(root)) == ["content/latin1.md:2: not valid UTF-8 (byte 0xe9); save the file as UTF-8"]


def test_non_utf8_template_names_the_line(make_site, build_site_cli):
    root = make_site({"content/e.md": event_text(), "templates/404.html": "{% extends 'base.html' %}\n{# café #}\n".encode("latin-1")})
    assert errors_of(build_site_cli(root)) == ["templates/404.html:2: not valid UTF-8 (byte 0xe9); save the file as UTF-8"]


def test_editor_files_in_templates_are_not_templates(make_site, build_site_cli):
    root = make_site({"content/e.md": event_text(), "templates/.event.html.swp": b"\xff\xfe\x00x", "templates/notes.md": "{% broken"})
    run = build_site_cli(root)
    assert run.status == 0, run.err


def test_template_errors_show_up_with_content_errors(make_site, build_site_cli):
    root = make_site({"content/bad.md": event_text(date="2023-02-30"), "content/good.md": event_text(title="Bon")})
    entry = root / "templates" / "_entry.html"
    text = entry.read_text(encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "event.summary" in l)
    entry.write_text(text.replace("event.summary", "event.summry"), encoding="utf-8")
    assert errors_of(build_site_cli(root)) == [
        "content/bad.md:4: date: '2023-02-30' does not exist: 2023-02 has 28 days",
        f"templates/_entry.html:{line}: 'chronologie.content.Event object' has no attribute 'summry' (first seen rendering index.html)",
    ]


def test_a_bug_in_python_code_keeps_its_traceback(make_site, monkeypatch):
    """Only faults raised by template code are the template's; a crash in a filter is a bug, not a user error."""
    from chronologie import render
    from chronologie.site import Project, build_site

    def broken(date, lang):
        raise KeyError("simulated bug")

    monkeypatch.setattr(render, "format_event_date", broken)
    root = make_site({"content/e.md": event_text()})
    with pytest.raises(KeyError, match="simulated bug"):
        build_site(Project(root))


def test_output_below_a_file_is_refused(make_site, build_site_cli, tmp_path):
    root = make_site({"content/e.md": event_text()})
    (tmp_path / "file").write_text("x", encoding="utf-8")
    run = build_site_cli(root, "--output", tmp_path / "file" / "sub")
    assert errors_of(run) == [f"{(tmp_path / 'file' / 'sub').as_posix()}:1: {(tmp_path / 'file').as_posix()} exists and is not a folder; remove it or choose another --output"]


def test_duplicate_slug_names_both_files(make_site, build_site_cli):
    root = make_site({
        "content/2023-12-05-alliance.md": event_text(),
        "content/other.md": event_text(date="2024", slug="alliance"),
    })
    assert errors_of(build_site_cli(root)) == [
        "content/other.md:5: duplicate slug 'alliance': content/2023-12-05-alliance.md:1 uses it too; "
        "rename one file or give it a different 'slug:'"
    ]


def test_every_problem_is_reported_in_one_run(make_site, build_site_cli):
    root = make_site({
        "content/a.md": "---\ntitle: T\ndate: 2023-02-30\n---\n",
        "content/b.md": "no front matter\n",
        "content/c.md": event_text(date="2024-13"),
        "content/d.md": event_text(slug="c"),
        "templates/broken.html": "{% for x in %}\n",
    })
    assert errors_of(build_site_cli(root)) == [
        "content/a.md:1: no source: list the article(s) this entry rests on under 'sources:'",  # its body is read all the same
        "content/a.md:2: missing required key 'summary'",
        "content/a.md:3: date: '2023-02-30' does not exist: 2023-02 has 28 days",
        "content/a.md:5: warning: the body is empty: write the entry below the front matter",
        "content/b.md:1: no front matter: the file must start with a line '---', then YAML, then '---'. Did you forget the opening '---'?",
        "content/c.md:4: date: month 13 in '2024-13' is not between 01 and 12",
        "templates/broken.html:1: template syntax error: Expected an expression, got 'end of statement block'",
    ]


def test_template_syntax_error_names_template_and_line(make_site, build_site_cli):
    root = make_site({"content/e.md": event_text()})
    path = root / "templates" / "event.html"
    path.write_text(path.read_text(encoding="utf-8").replace("{% endif %}", "{% endiff %}", 1), encoding="utf-8")
    (message,) = errors_of(build_site_cli(root))
    assert message.startswith("templates/event.html:")
    assert "template syntax error: Encountered unknown tag 'endiff'" in message


def test_undefined_template_variable_names_template_and_line(make_site, build_site_cli):
    root = make_site({"content/e.md": event_text()})
    entry = root / "templates" / "_entry.html"
    text = entry.read_text(encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "event.summary" in l)
    entry.write_text(text.replace("event.summary", "event.summry"), encoding="utf-8")
    assert errors_of(build_site_cli(root)) == [
        f"templates/_entry.html:{line}: 'chronologie.content.Event object' has no attribute 'summry' (first seen rendering index.html)"
    ]


def test_long_tags_and_file_names_give_short_valid_addresses(make_site, build_site_cli):
    long_name = "un-nom-de-fichier-vraiment-beaucoup-trop-long-" * 4
    root = make_site({f"content/2023-{long_name}.md": event_text(tags="[" + "étiquette très longue " * 20 + "]")})
    run = build_site_cli(root)
    assert run.status == 0, run.err
    event_pages = [p for p in (root / "output" / "2023").iterdir()]
    tag_pages = [p for p in (root / "output" / "tags").iterdir() if p.is_dir()]
    assert len(event_pages) == 1 and len(event_pages[0].name) <= 80
    assert len(tag_pages) == 1 and len(tag_pages[0].name) <= 80 and tag_pages[0].name.startswith("etiquette-tres-longue")


@pytest.mark.parametrize(
    ("name", "address"),
    [("2023-12-05.md", "2023/2023-12-05"), ("2024-05.md", "2023/2024-05"), ("2023-12-05-ai-alliance.md", "2023/ai-alliance"), ("2023-2024-bilan.md", "2023/2024-bilan")],
)
def test_slug_from_file_name(make_site, build_site_cli, name, address):
    root = make_site({f"content/{name}": event_text(date="2023")})
    assert build_site_cli(root).status == 0
    assert (root / "output" / address / "index.html").is_file()


def test_unknown_keys_are_warnings_with_a_suggestion(make_site, build_site_cli):
    root = make_site({"content/e.md": event_text(tittle="x")})
    run = build_site_cli(root)
    assert run.status == 0
    assert "content/e.md:5: warning: unknown key 'tittle'; did you mean 'title'?" in run.err.splitlines()


@pytest.mark.parametrize(
    ("site_yaml", "expected"),
    [
        ("title: T\ndescription: D\n", ["site.yaml:1: missing required key 'base_url'"]),
        ("title: [T]\ndescription: D\nbase_url: https://e.org/\n", ["site.yaml:1: 'title' must be text, not a list"]),
        ("title: T\ndescription: D\nbase_url: e.org/repo\n", ["site.yaml:3: 'base_url' must be an absolute http(s) URL such as https://user.github.io/repo/, got 'e.org/repo'"]),
        ("title: T\ndescription: D\nbase_url: https://e.org/\nsort: random\n", ["site.yaml:4: 'sort' must be one of oldest-first, newest-first, got 'random'"]),
        ("title: T\ndescription: D\nbase_url: https://e.org/\nlanguage: de\n", ["site.yaml:4: 'language' must be one of fr, en, got 'de'"]),
        ("title: T\ndescription: D\nbase_url: https://e.org/\ndomain: https://e.org\n", ["site.yaml:4: 'domain' must be a bare host name such as timeline.example.org (no scheme, no path), got 'https://e.org'"]),
        ("title: T\n  description: D\n", ["site.yaml:2: invalid YAML: mapping values are not allowed in this context"]),
        ("", ["site.yaml:1: site.yaml is empty; it needs at least title, description and base_url"]),
        ("title: T\ndescription: D\nbase_url: https://e.org/\nfeed_limit: 0\n", ["site.yaml:4: 'feed_limit' must be a whole number above 0, got '0'"]),
        ("title: T\ndescription: D\nbase_url: https://e.org/\nauthor: Ren\xe9\n", ["site.yaml:4: not valid UTF-8 (byte 0xe9); save the file as UTF-8"]),
    ],
)
def test_site_yaml_errors_name_the_key(make_site, build_site_cli, site_yaml, expected):
    root = make_site({"content/e.md": event_text()})
    (root / "site.yaml").write_bytes(site_yaml.encode("latin-1") if "\xe9" in site_yaml else site_yaml.encode("utf-8"))
    assert errors_of(build_site_cli(root)) == expected


def test_site_yaml_unknown_key_is_a_warning(make_site, build_site_cli):
    root = make_site({"content/e.md": event_text()}, site_yaml=SITE_YAML + "titel: X\n")
    run = build_site_cli(root)
    assert run.status == 0
    assert "site.yaml:6: warning: unknown key 'titel'; did you mean 'title'?" in run.err.splitlines()


def test_missing_site_yaml(make_site, build_site_cli):
    root = make_site({"content/e.md": event_text()})
    (root / "site.yaml").unlink()
    assert errors_of(build_site_cli(root)) == ["site.yaml:1: site configuration not found; run this in a site's folder, give -C DIR, or start a site with chronologie init DIR"]


def test_bad_base_url_option(make_site, build_site_cli):
    root = make_site({"content/e.md": event_text()})
    assert errors_of(build_site_cli(root, "--base-url", "/repo/")) == [
        "--base-url: must be an absolute http(s) URL such as https://user.github.io/repo/, got '/repo/'"
    ]


@pytest.mark.parametrize("path, root", [
    ("/tmp/site/content/a.md", "/tmp/site"), ("/tmp/site/content/a.md", "/tmp/site/"), ("/tmp/site", "/tmp/site"),
    ("/tmp/sitex/a.md", "/tmp/site"), ("/tmp/site/../site/content/b.md", "/tmp/site"), ("content/a.md", "."),
    ("/a/b", "/"), ("/", "/"), ("//a/b", "/"), ("/a/b", "//"), ("//a/b", "//"), ("//a", "//a"), ("/a//b/c", "/a"),
])
def test_paths_show_relative_to_the_project_as_pathlib_shows_them(path, root):
    # The quick path in strings must show what the general one, in pathlib, shows.
    assert display_path(Path(path), Path(root)) == display_path_by_pathlib(Path(path), Path(root))
