"""A cache must never serve a stale page: list templates that read an event's body without naming ``body_html``.

A theme may reach an event's body indirectly (``event|attr("body" ~ "_html")``), so no search of the template's
text finds it. After an edit of that event's body, a build with the cache must still show the new value on the
index and on the event's tag pages, as a build without the cache does.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import event_text
from test_cache_equivalence import build, tree, tree_difference

SUMMARY_LINE = '<p class="event-summary">{{ event.summary }}</p>\n'

# What _entry.html (drawn by _events.html for the index and the tag pages) gets below each event's summary.
MARKERS = {
    "length": ("n", '<p class="event-measure"><span class="n">{{ (event|attr("body" ~ "_html"))|length }}</span></p>'),
    "wordcount": ("w", '<p class="event-measure"><span class="w">{{ (event|attr("body" ~ "_html"))|striptags|wordcount }}</span></p>'),
}

OLD_BODY = "Trois mots ici.\n"
NEW_BODY = "Un corps bien plus long, pour que la longueur et le nombre de mots changent vraiment ici.\n"


class Marks(HTMLParser):
    """For each list entry (``<li id=…>`` holding an event card), the text of its ``<span class=…>`` marker."""

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker, self.entry, self.inside, self.found = marker, None, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and "event" in (attrs.get("class") or "").split() and attrs.get("id"):
            self.entry = attrs["id"]
        elif tag == "span" and self.marker in (attrs.get("class") or "").split() and self.entry:
            self.inside = True
            self.found[self.entry] = ""

    def handle_endtag(self, tag):
        if tag == "span":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.found[self.entry] += data


def marks(page: Path, marker: str) -> dict[str, str]:
    parser = Marks(marker)
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def prose(page: Path) -> str:
    """The body as an event page shows it: what ``{{ body|safe }}`` put inside ``<div class="prose">``."""
    match = re.search(r'<div class="prose">\n(.*?)\n  </div>', page.read_text(encoding="utf-8"), re.S)
    assert match, f"{page}: no <div class=\"prose\"> (templates/event.html changed?)"
    return match.group(1)


@pytest.fixture
def site(make_site):
    root = make_site({
        "content/2023-01-01-e1.md": event_text(title="Premier", date="2023-01-01", tags="[commun, premier]", body=OLD_BODY),
        "content/2023-06-01-e2.md": event_text(title="Deuxième", date="2023-06-01", tags="[commun]", body="Autre corps, sans rapport.\n"),
        "content/2024-02-01-e3.md": event_text(title="Troisième", date="2024-02-01", tags="[autre]", body="Un troisième corps.\n"),
    })
    return root


@pytest.mark.parametrize("kind", MARKERS)
def test_a_list_that_reads_bodies_indirectly_is_redrawn_after_a_body_edit(site, tmp_path, kind):
    marker, line = MARKERS[kind]
    entry = site / "templates" / "_entry.html"
    text = entry.read_text(encoding="utf-8")
    assert SUMMARY_LINE in text, "templates/_entry.html changed: put the marker elsewhere"
    entry.write_text(text.replace(SUMMARY_LINE, SUMMARY_LINE + "    " + line + "\n"), encoding="utf-8")
    out = tmp_path / "out"
    lists = [out / "index.html", out / "tags" / "commun" / "index.html", out / "tags" / "premier" / "index.html"]
    anchor = "2023-e1"

    build(site, out)
    before = {page: marks(page, marker).get(anchor) for page in lists}
    assert all(before.values()), f"the marker <span class={marker!r}> is missing for {anchor} on some list page: {before}"

    event = site / "content" / "2023-01-01-e1.md"
    event.write_text(event.read_text(encoding="utf-8").replace(OLD_BODY, NEW_BODY), encoding="utf-8")
    build(site, out)
    fresh = tmp_path / "fresh"
    build(site, fresh, "--no-cache")

    # What the value must be now, found without the list pages: from the event page, and from the words written.
    shown = prose(fresh / "2023" / "e1" / "index.html")
    assert "nombre de mots" in shown
    expected = str(len(shown)) if kind == "length" else str(len(re.findall(r"\w+", NEW_BODY)))
    assert before[lists[0]] != expected, f"the edit should change the value ({expected} before and after): change NEW_BODY"
    for page in lists:
        relative = page.relative_to(out).as_posix()
        assert marks(fresh / relative, marker).get(anchor) == expected, f"--no-cache build: {relative} shows {marks(fresh / relative, marker).get(anchor)!r} for {anchor}, not {expected!r}"
    stale = {page.relative_to(out).as_posix(): marks(page, marker).get(anchor) for page in lists}
    wrong = {name: value for name, value in stale.items() if value != expected}
    difference = tree_difference(tree(fresh), tree(out), "no-cache", "cached")
    assert not wrong and not difference, (
        f"cached build: stale <span class={marker!r}> for {anchor} (expected {expected}, {before[lists[0]]} before the edit): {wrong}\n{difference}"
    )
