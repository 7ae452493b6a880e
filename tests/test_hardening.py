"""Hostile and unlucky inputs: each gets a clear error at its place, nothing leaks, nothing claims success."""

from __future__ import annotations

import pytest

from conftest import event_text, run_cli

BASE_URL_REFUSALS = [
    ("https://example.org/x/?", "must not hold a query or a fragment ('?' or '#'): it would end up inside every link"),
    ("https://example.org/x/#", "must not hold a query or a fragment ('?' or '#'): it would end up inside every link"),
    ("https://example.org//", "must not hold an empty, '.' or '..' path segment: links such as //static/ would lead to another host"),
    ("https://example.org//evil.example/", "must not hold an empty, '.' or '..' path segment: links such as //static/ would lead to another host"),
    ("https://example.org/a b/", "must not hold spaces, quotes, angle brackets or control characters (write %20 for a space)"),
    ("https://user:pass@example.org/", "must not hold a user name or password: they would be copied into every link"),
    ("https://example.org:99999/", "has a port that is not a number from 0 to 65535"),
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
    assert result.status == 1 and result.err.splitlines()[0] == f"--base-url:1: {reason}, got {base_url!r}"


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


def test_the_preview_never_serves_a_bare_500_for_an_escaped_control_character(make_site):
    from chronologie.serve import Preview
    from chronologie.project import Project

    root = make_site({"content/e.md": event_text(summary='"x\\x07y"')})
    preview = Preview(Project(root), None, True)
    lines = preview.rebuild(frozenset())
    assert lines[0] == "content/e.md:3: a value on this line holds the control character U+0007, written as an escape; delete it"
