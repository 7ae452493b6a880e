"""``include_cached``: a template drawn once for what it is given, as Hugo's partialCached, kept between builds.

An event's entry shows on its year page and on each of its tags' pages: a cold build draws it once per process,
and a preview rebuild after an edit draws only the edited event's entry again. What is cached must never show:
these tests count how often the included template is drawn, and check what it shows against a fresh drawing.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from conftest import SITE_YAML, event_text
from timeline.content import read_events
from timeline.markup import MarkdownRenderer
from timeline.render import include_cached, make_environment, template_closures
from timeline.site import BuildCache, Project, build_site

PAGE = '{% for e in events %}{{ include_cached("entry.html", event=e, n=n) -}}{% endfor %}'


def environment(tmp_path: Path, entry: str, page: str = PAGE) -> tuple[jinja2.Environment, dict, list]:
    """An environment over two templates; ``drawn`` lists every drawing of entry.html (its ``mark()`` calls)."""
    folder = tmp_path / "templates"
    folder.mkdir(parents=True)
    (folder / "entry.html").write_text(entry, encoding="utf-8")
    (folder / "page.html").write_text(page, encoding="utf-8")
    env = make_environment(folder, "fr")
    drawn: list = []
    env.globals["mark"] = lambda value: drawn.append(value) or ""
    return env, template_closures(env, folder), drawn


def events(tmp_path: Path, titles: dict[str, str]) -> list:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    for slug, title in titles.items():
        (content / f"2024-01-0{len(slug)}-{slug}.md").write_text(event_text(title=title, body=f"Corps de {slug}.\n"), encoding="utf-8")
    found = read_events(content, tmp_path, MarkdownRenderer("fr"))
    assert not [p for p in found.problems if not p.warning]
    return sorted(found.events, key=lambda e: e.slug)


def draw(env: jinja2.Environment, closures: dict, **context) -> str:
    env.globals["include_cached"] = include_cached(env, closures)  # as render_site does, once a build
    return env.get_template("page.html").render(**context)


def test_an_entry_is_drawn_once_for_what_it_is_given_and_again_when_that_changes(tmp_path):
    env, closures, drawn = environment(tmp_path, "{{ mark(event.slug) }}[{{ event.title }} {{ n }}]")
    a, bb = events(tmp_path, {"a": "Premier", "bb": "Second"})
    assert draw(env, closures, events=[a, bb, a], n=1) == "[Premier 1][Second 1][Premier 1]"
    assert drawn == ["a", "bb"]
    # The next build keeps them, for the same event and the same number; another number is another drawing.
    assert draw(env, closures, events=[bb, a], n=1) + draw(env, closures, events=[a], n=2) == "[Second 1][Premier 1][Premier 2]"
    assert drawn == ["a", "bb", "a"]
    # An edited title is another front matter: drawn again, showing the new title.
    (tmp_path / "content" / "2024-01-01-a.md").write_text(event_text(title="Premier revu", body="Corps de a.\n"), encoding="utf-8")
    edited = [e for e in events_again(tmp_path) if e.slug == "a"][0]
    assert draw(env, closures, events=[edited], n=1) == "[Premier revu 1]"
    assert drawn == ["a", "bb", "a", "a"]


def events_again(tmp_path: Path) -> list:
    found = read_events(tmp_path / "content", tmp_path, MarkdownRenderer("fr"))
    return list(found.events)


def test_an_entry_that_shows_the_body_or_is_given_a_value_without_a_key_is_drawn_every_time(tmp_path):
    env, closures, drawn = environment(tmp_path, "{{ mark(1) }}{{ event.body_html|safe }}")
    a, = events(tmp_path, {"a": "Premier"})
    assert draw(env, closures, events=[a, a], n=1) == "<p>Corps de a.</p><p>Corps de a.</p>"
    assert drawn == [1, 1]
    env, closures, drawn = environment(tmp_path / "other", "{{ mark(1) }}{{ n.x }}", PAGE.replace("n=n", "n={'x': n}"))
    assert draw(env, closures, events=[a, a], n=3) == "33"
    assert drawn == [1, 1]


def test_an_entry_sees_the_site_globals_and_what_it_is_given_only(tmp_path):
    env, closures, _ = environment(tmp_path, "{{ lang }} {{ event.slug }} {{ secret }}", PAGE)
    a, = events(tmp_path, {"a": "Premier"})
    with pytest.raises(jinja2.UndefinedError, match="'secret' is undefined"):
        draw(env, closures, events=[a], n=1, secret="de la page")


def test_the_page_key_covers_the_template_it_includes_cached(tmp_path):
    env, closures, _ = environment(tmp_path, "[{{ event.title }}]")
    before = closures["page.html"].digest
    (tmp_path / "templates" / "entry.html").write_text("({{ event.title }})", encoding="utf-8")
    assert template_closures(env, tmp_path / "templates")["page.html"].digest != before
    # Named by anything but text, it could be any template: every one counts.
    env, closures, _ = environment(tmp_path / "other", "x", '{{ include_cached(name, event=1) }}')
    before = closures["page.html"].digest
    (tmp_path / "other" / "templates" / "entry.html").write_text("y", encoding="utf-8")
    assert template_closures(env, tmp_path / "other" / "templates")["page.html"].digest != before


def test_a_preview_rebuild_draws_only_the_edited_entry_and_shows_it_everywhere(make_site, monkeypatch):
    files = {f"content/2024-0{m}-1{m}-evenement-{m}.md": event_text(title=f"Événement {m}", date=f"2024-0{m}-1{m}", tags="[politique]") for m in range(1, 8)}
    root = make_site(files, site_yaml=SITE_YAML + "index_limit: 3\n")
    project, cache = Project(root), BuildCache()
    build_site(project, cache=cache, write=False)
    drawn: list = []
    render = jinja2.Template.render

    def counted(template, *args, **kwargs):
        if template.name == "_entry.html":
            drawn.append(dict(*args, **kwargs)["event"].slug)
        return render(template, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", counted)
    edited = root / "content" / "2024-03-13-evenement-3.md"
    edited.write_text(event_text(title="Événement 3, revu", date="2024-03-13", tags="[politique]"), encoding="utf-8")
    report = build_site(project, cache=cache, write=False, changed=frozenset([edited]))
    assert drawn == ["evenement-3"]  # once, for its year page and its tag's year page
    fresh = build_site(project, write=False).files
    assert {name: report.files[name] for name in fresh} == fresh
    assert "Événement 3, revu" in report.files["2024/index.html"].decode() and "Événement 3, revu" in report.files["tags/politique/2024/index.html"].decode()


def test_an_asset_the_entry_includes_shows_its_new_version_in_the_preview(make_site):
    files = {f"content/2024-0{m}-1{m}-evenement-{m}.md": event_text(title=f"Événement {m}", date=f"2024-0{m}-1{m}") for m in range(1, 5)}
    root = make_site(files, site_yaml=SITE_YAML + "index_limit: 2\n")
    icon = root / "templates" / "static" / "marque.svg"
    icon.write_text("<svg>ancienne</svg>", encoding="utf-8")
    entry = root / "templates" / "_entry.html"
    entry.write_text('{% include "static/marque.svg" %}' + entry.read_text(encoding="utf-8"), encoding="utf-8")
    project, cache = Project(root), BuildCache()
    assert "<svg>ancienne</svg>" in build_site(project, cache=cache, write=False).files["2024/index.html"].decode()
    icon.write_text("<svg>nouvelle</svg>", encoding="utf-8")  # the same environment: only an asset changed
    report = build_site(project, cache=cache, write=False, changed=frozenset([icon]))
    assert "<svg>nouvelle</svg>" in report.files["2024/index.html"].decode() and "ancienne" not in report.files["2024/index.html"].decode()
    fresh = build_site(project, write=False).files
    assert {name: report.files[name] for name in fresh} == fresh


def test_keys_tell_apart_what_shows_differently():
    from timeline.model import YearGroup
    from timeline.render import dependency_key

    assert dependency_key(True) != dependency_key(1) and dependency_key(False) != dependency_key(0)
    assert dependency_key([1, 2]) != dependency_key((1, 2))
    assert dependency_key(YearGroup(2024, (), anchor=True)) != dependency_key(YearGroup(2024, (), anchor=False))
