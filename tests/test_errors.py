"""Bad input: every problem printed as path:line: message, all in one run, no traceback, exit 1."""

import pytest

from conftest import SITE_YAML, event_text

FINAL = "the output folder was not touched."


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
            "content/slug.md:5: slug 'Mon Slug' must be lowercase letters, digits and single hyphens; try 'mon-slug'",
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
        "content/a.md:2: missing required key 'summary'",
        "content/a.md:3: date: '2023-02-30' does not exist: 2023-02 has 28 days",
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
        f"templates/_entry.html:{line}: 'timeline.content.Event object' has no attribute 'summry' (first seen rendering index.html)"
    ]


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
    ],
)
def test_site_yaml_errors_name_the_key(make_site, build_site_cli, site_yaml, expected):
    root = make_site({"content/e.md": event_text()}, site_yaml=site_yaml)
    assert errors_of(build_site_cli(root)) == expected


def test_site_yaml_unknown_key_is_a_warning(make_site, build_site_cli):
    root = make_site({"content/e.md": event_text()}, site_yaml=SITE_YAML + "titel: X\n")
    run = build_site_cli(root)
    assert run.status == 0
    assert "site.yaml:6: warning: unknown key 'titel'; did you mean 'title'?" in run.err.splitlines()


def test_missing_site_yaml(make_site, build_site_cli):
    root = make_site({"content/e.md": event_text()})
    (root / "site.yaml").unlink()
    assert errors_of(build_site_cli(root)) == ["site.yaml:1: site configuration not found; create site.yaml (see README)"]


def test_bad_base_url_option(make_site, build_site_cli):
    root = make_site({"content/e.md": event_text()})
    assert errors_of(build_site_cli(root, "--base-url", "/repo/")) == [
        "--base-url:1: must be an absolute http(s) URL such as https://user.github.io/repo/, got '/repo/'"
    ]
