"""Randomized edits: after every edit, a build with the cache gives the bytes of a build without it.

A seeded random walk over a small site: body, date, tag, template, include, asset and site.yaml edits, events
deleted, renamed and added, the language switched. After each step the site is built with the cache into the same
output folder, then with ``--no-cache`` into a new one, and the two trees must be the same, byte for byte.

The helpers ``tree`` and ``tree_difference`` are shared with test_stale_pages.py and test_atomic_output.py.
"""

from __future__ import annotations

import difflib
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import REPO, event_text, run_cli

# --------------------------------------------------------------------------------------------------------------
# Shared helpers: a folder as {relative posix path: bytes}, and a readable account of how two of them differ.


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones included), by relative POSIX path, with its bytes."""
    folder = Path(folder)
    found: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def _text(data: bytes) -> list[str] | None:
    try:
        return data.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return None


def tree_difference(expected: dict[str, bytes], actual: dict[str, bytes], expected_label: str = "expected", actual_label: str = "actual", diffs: int = 3, lines: int = 60) -> str:
    """'' when the trees are equal; otherwise the missing, extra and changed files and a unified diff of the first few."""
    missing = sorted(expected.keys() - actual.keys())
    extra = sorted(actual.keys() - expected.keys())
    changed = sorted(name for name in expected.keys() & actual.keys() if expected[name] != actual[name])
    if not (missing or extra or changed):
        return ""

    def listing(names: list[str]) -> str:
        return ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")

    report = [f"{actual_label} differs from {expected_label}:"]
    if missing:
        report.append(f"  {len(missing)} file(s) missing: {listing(missing)}")
    if extra:
        report.append(f"  {len(extra)} extra file(s): {listing(extra)}")
    if changed:
        report.append(f"  {len(changed)} file(s) with other bytes: {listing(changed)}")
    shown = 0
    for name in changed:
        if shown == diffs:
            break
        before, after = _text(expected[name]), _text(actual[name])
        if before is None or after is None:
            report.append(f"--- {name}: binary, {len(expected[name])} bytes in {expected_label}, {len(actual[name])} in {actual_label}")
        else:
            diff = list(difflib.unified_diff(before, after, f"{expected_label}/{name}", f"{actual_label}/{name}", n=2))
            report.append("".join(diff[:lines]).rstrip("\n") + (f"\n  ... ({len(diff) - lines} more diff lines)" if len(diff) > lines else ""))
        shown += 1
    return "\n".join(report)


def assert_same_tree(expected: dict[str, bytes], actual: dict[str, bytes], context: str = "", expected_label: str = "no-cache", actual_label: str = "cached") -> None:
    difference = tree_difference(expected, actual, expected_label, actual_label)
    assert not difference, f"{context}\n{difference}" if context else difference


def build(root: Path, output: Path, *options: str) -> None:
    """An in-process build that must succeed."""
    run = run_cli("--project", root, "build", "--output", output, *options)
    assert run.status == 0, f"build {' '.join(options)} failed (status {run.status}):\n{run.err}{run.out}"


# --------------------------------------------------------------------------------------------------------------
# The site, as a model from which its files are written (only the files whose bytes change are written).

WORDS = "modèle données calcul licence poids publication laboratoire sécurité évaluation coût serveur puce annonce recherche version marché stratégie accès code".split()
TAG_POOL = ["alpha", "beta", "gamma", "stratégie", "régulation", "open-source"]
TITLES = ["Chronologie de test", "Une autre chronologie", "Chronologie : troisième titre"]
DESCRIPTIONS = ["Un site de test.", "Une description plus longue du site de test.", "Encore une autre description."]
ERAS = [
    "",
    'eras:\n  - name: "Début"\n    start: 2022-06\n    end: 2023-12\n',
    'eras:\n  - name: "Début"\n    start: 2021\n    end: 2022-12\n    colour: "#dbe7f7"\n  - name: "Suite"\n    start: 2023-01\n',
]


def png(shade: int) -> bytes:
    """A valid 2×2 grey PNG, its grey given by ``shade``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes([shade % 256]) * 2 for _ in range(2))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@dataclass
class Event:
    ident: int
    stem: str  # the file name in content/, without .md
    title: str
    date: str
    tags: list[str]
    words: str
    links: list[int] = field(default_factory=list)  # idents of the events its body links to
    image: bool = False


@dataclass
class Model:
    events: dict[int, Event]
    title: str = TITLES[0]
    description: str = DESCRIPTIONS[0]
    sort: str = "oldest-first"
    eras: int = 0
    language: str = "fr"
    shade: int = 40
    counter: int = 0

    def fresh(self) -> int:
        self.counter += 1
        return self.counter

    def site_yaml(self) -> str:
        return (
            f'title: "{self.title}"\ndescription: "{self.description}"\nbase_url: https://example.org/repo/\n'
            f"language: {self.language}\nauthor: Équipe de test\nsort: {self.sort}\n{ERAS[self.eras]}"
        )

    def event_file(self, event: Event) -> str:
        body = event.words + "\n"
        for target in event.links:
            body += f"\nVoir aussi [voir]({self.events[target].stem}.md).\n"
        if event.image:
            body += "\n![Carte](images/carte.png)\n"
        extra = {"tags": "[" + ", ".join(event.tags) + "]"} if event.tags else {}
        return event_text(title=event.title, summary=f"\"Ce qui s’est passé : {event.title.lower()}.\"", date=event.date, body=body, **extra)

    def files(self) -> dict[str, bytes]:
        files = {"site.yaml": self.site_yaml().encode(), "content/images/carte.png": png(self.shade)}
        files.update((f"content/{e.stem}.md", self.event_file(e).encode()) for e in self.events.values())
        return files


def sync(root: Path, model: Model, written: dict[str, bytes]) -> None:
    """Make site.yaml and content/ what ``model`` says, touching only the files whose bytes change."""
    wanted = model.files()
    for name in written.keys() - wanted.keys():
        (root / name).unlink()
    for name, data in wanted.items():
        if written.get(name) != data:
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    written.clear()
    written.update(wanted)


def random_date(rng: random.Random) -> str:
    year, month, day = rng.randint(2021, 2025), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}", f"{year}"])


def random_words(rng: random.Random) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 30)))
    return text[0].upper() + text[1:] + "."


def initial_model(rng: random.Random) -> Model:
    dates = ["2023-01-01", "2023-03", "2022", "2023-06-15", "2024-02-10", "2021-11", "2024-09-30", "2025-01-05"]
    events = {}
    for ident, date in enumerate(dates, start=1):
        events[ident] = Event(ident, f"{date}-e{ident}", f"Événement {ident}", date, rng.sample(TAG_POOL, rng.randint(1, 3)), random_words(rng))
    events[2].links = [1]  # [voir](2023-01-01-e1.md)
    events[5].links = [1, 3]
    events[4].image = True
    return Model(events)


# Template edits, each one flips between two valid texts (so an edit can come back to bytes a cache saw before).
TOGGLES = {
    "base.html": [
        ('<meta charset="utf-8">\n', '<meta charset="utf-8">\n<meta name="generator" content="chronologie">\n'),
        ('<a class="skip-link"', '<a class="skip-link skip"'),
    ],
    "event.html": [
        ('<div class="prose">', '<div class="prose event-body">'),
        ("← {{ t.back_to_timeline }}", "⟵ {{ t.back_to_timeline }}"),
    ],
    "_entry.html": [
        ('<p class="event-summary">', '<p class="event-summary resume">'),
        ("{{ event.summary }}</p>", "{{ event.summary }}</p>\n    <p class=\"length\">{{ event.body_html|length }}</p>"),
    ],
    "_date.html": [
        ('<time class="date date-', '<time class="when date date-'),
        ("{{ date|date_label }}", "{{ date|date_label|upper }}"),
    ],
}


def edit_template(root: Path, rng: random.Random, model: Model, names: list[str]) -> str:
    name = rng.choice(names)
    path = root / "templates" / name
    text = path.read_text(encoding="utf-8")
    if rng.random() < 0.3:  # a value never seen before
        number = model.fresh()
        if re.search(r"\{# v\d+ #\}", text):
            text = re.sub(r"\{# v\d+ #\}", f"{{# v{number} #}}", text)
        else:
            text = f"{{# v{number} #}}" + text
        what = f"comment v{number}"
    else:
        old, new = rng.choice(TOGGLES[name])
        if new in text:
            text, what = text.replace(new, old, 1), f"undo {new.strip()[:40]!r}"
        else:
            assert old in text, f"templates/{name} no longer holds {old!r}: update TOGGLES"
            text, what = text.replace(old, new, 1), f"{old.strip()[:40]!r} → {new.strip()[:40]!r}"
    path.write_text(text, encoding="utf-8")
    return f"template {name}: {what}"


def edit_asset(root: Path, rng: random.Random, model: Model) -> str:
    static = root / "templates" / "static"
    choice = rng.choice(["css", "css", "extra"])
    if choice == "extra":
        extra = static / "extra.txt"
        if extra.exists():
            extra.unlink()
            return "asset static/extra.txt removed"
        extra.write_text(f"Un fichier de plus {model.fresh()}.\n", encoding="utf-8")
        return "asset static/extra.txt added"
    css = static / "style.css"
    text = css.read_text(encoding="utf-8")
    number = model.fresh()
    text = re.sub(r"/\* v\d+ \*/\n$", "", text) + f"/* v{number} */\n"
    css.write_text(text, encoding="utf-8")
    return f"asset static/style.css: comment v{number}"


def pick(rng: random.Random, model: Model) -> Event:
    return model.events[rng.choice(sorted(model.events))]


def step(root: Path, rng: random.Random, model: Model) -> str:
    """Apply one random edit (to the model, or to the templates on disk) and say what it was."""
    kind = rng.choice(["body", "date", "tags", "template", "include", "site", "delete", "rename", "add", "language"])
    if kind == "body":
        event = pick(rng, model)
        roll = rng.random()
        others = [i for i in model.events if i != event.ident and i not in event.links]
        if roll < 0.15 and others:
            event.links.append(rng.choice(others))
            return f"body of {event.stem}: link to {model.events[event.links[-1]].stem} added"
        if roll < 0.25 and event.links:
            gone = event.links.pop(rng.randrange(len(event.links)))
            return f"body of {event.stem}: link to {model.events[gone].stem} removed"
        if roll < 0.35:
            event.image = not event.image
            return f"body of {event.stem}: image {'added' if event.image else 'removed'}"
        if roll < 0.45:
            model.shade += 17
            return f"content/images/carte.png: other bytes (shade {model.shade})"
        event.words = random_words(rng)
        return f"body of {event.stem}: new words"
    if kind == "date":
        event = pick(rng, model)
        old, event.date = event.date, random_date(rng)
        return f"date of {event.stem}: {old} → {event.date}"
    if kind == "tags":
        event = pick(rng, model)
        roll = rng.random()
        unused = [t for t in TAG_POOL if t not in event.tags]
        if roll < 0.4 and unused:
            event.tags.append(rng.choice(unused))
            return f"tags of {event.stem}: {event.tags[-1]} added"
        if roll < 0.7 and event.tags:
            gone = event.tags.pop(rng.randrange(len(event.tags)))
            return f"tags of {event.stem}: {gone} removed"
        used = sorted({t for e in model.events.values() for t in e.tags})
        if not used:
            event.tags.append("alpha")
            return f"tags of {event.stem}: alpha added"
        old = rng.choice(used)
        new = f"thème-{model.fresh()}"
        for other in model.events.values():
            other.tags = [new if t == old else t for t in other.tags]
        return f"tag {old} renamed {new} everywhere"
    if kind == "template":
        return edit_template(root, rng, model, ["base.html", "event.html"])
    if kind == "include":
        if rng.random() < 0.3:
            return edit_asset(root, rng, model)
        return edit_template(root, rng, model, ["_entry.html", "_date.html"])
    if kind == "site":
        what = rng.choice(["title", "description", "sort", "eras"])
        if what == "title":
            model.title = rng.choice([t for t in TITLES if t != model.title])
        elif what == "description":
            model.description = rng.choice([d for d in DESCRIPTIONS if d != model.description])
        elif what == "sort":
            model.sort = "newest-first" if model.sort == "oldest-first" else "oldest-first"
        else:
            model.eras = rng.choice([i for i in range(len(ERAS)) if i != model.eras])
        return f"site.yaml: {what} → {getattr(model, what)}"
    if kind == "delete":
        if len(model.events) <= 3:
            return "nothing (too few events to delete one)"
        event = pick(rng, model)
        del model.events[event.ident]
        for other in model.events.values():
            other.links = [i for i in other.links if i != event.ident]
        return f"{event.stem} deleted (and the links to it)"
    if kind == "rename":
        event = pick(rng, model)
        old, event.stem = event.stem, f"{event.date}-renomme-{event.ident}-{model.fresh()}"
        return f"{old}.md renamed {event.stem}.md (links to it follow)"
    if kind == "add":
        ident = max(model.events) + 1
        date = random_date(rng)
        event = Event(ident, f"{date}-nouveau-{ident}", f"Nouvel événement {ident}", date, rng.sample(TAG_POOL, rng.randint(0, 2)), random_words(rng))
        if rng.random() < 0.5:
            event.links = [rng.choice(sorted(model.events))]
        model.events[ident] = event
        return f"{event.stem} added" + (f", linking to {model.events[event.links[0]].stem}" if event.links else "")
    model.language = "en" if model.language == "fr" else "fr"
    return f"site.yaml: language → {model.language}"


def walk(tmp_path: Path, make_site, seed: int, steps: int, cached_build) -> None:
    """The random walk for ``seed``; ``cached_build(root, output)`` runs the build under test and returns its status and stderr."""
    rng = random.Random(seed)
    model = initial_model(rng)
    root = make_site()
    written: dict[str, bytes] = {}
    sync(root, model, written)
    out = tmp_path / "out"
    history: list[str] = ["initial build"]
    for number in range(steps + 1):
        if number:
            history.append(step(root, rng, model))
            sync(root, model, written)
        where = f"seed {seed}, step {number}; edits so far:\n" + "\n".join(f"  {i}. {h}" for i, h in enumerate(history))
        status, err = cached_build(root, out)
        assert status == 0, f"the cached build failed (status {status}) at {where}\n{err}"
        fresh = tmp_path / f"fresh-{number}"
        run = run_cli("--project", root, "build", "--no-cache", "--output", fresh)
        assert run.status == 0, f"the --no-cache build failed at {where}\n{run.err}"
        assert_same_tree(tree(fresh), tree(out), f"cached output ≠ --no-cache output at {where}")
        shutil.rmtree(fresh)


def in_process(root: Path, out: Path) -> tuple[int, str]:
    run = run_cli("--project", root, "build", "--output", out)
    return run.status, run.err


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_cached_build_equals_a_build_without_cache(tmp_path, make_site, seed):
    walk(tmp_path, make_site, seed, 20, in_process)


def test_every_cached_build_with_worker_processes_equals_a_build_without_cache(tmp_path, make_site):
    """The same walk, each cached build a real build.py process made to use workers even on this small site."""
    env = {**os.environ, "TIMELINE_PARALLEL_THRESHOLD": "1"}

    def subprocess_build(root: Path, out: Path) -> tuple[int, str]:
        done = subprocess.run([sys.executable, REPO / "build.py", "--project", root, "build", "--output", out], env=env, capture_output=True, text=True, timeout=120)
        return done.returncode, done.stderr

    walk(tmp_path, make_site, 11, 6, subprocess_build)
