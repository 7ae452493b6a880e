#!/usr/bin/env python3
"""Performance at scale, side by side with Hugo, MkDocs and Pelican: prints a table for each corpus size.

Usage: compare.py [--sizes 1000 10000] [--runs 3] [--no-browser] [--peers hugo,mkdocs,pelican] [--only-peers]

For each size N it writes a seeded corpus (make_corpus.py) and measures, as the median of --runs runs:
cold build (no cache), no-change rebuild, rebuild after editing one event's body, rebuild after changing one
event's date (it moves in the timeline), peak memory of a cold build, edit-to-visible in `serve` (Chromium; see edit_to_reload.py),
and the peers' cold builds of the same corpus: Hugo (Debian's `hugo`, bench/hugo's minimal layout), MkDocs and
Pelican (from bench/.peers-venv, which `make peers` fills from requirements-bench.txt; bench/mkdocs's and
bench/pelican's minimal layouts). The cold builds run in turns (ours, then each peer's), each into a new, empty
folder. Times are whole-process wall-clock; ratios to the peers, taken in the same run, hold better on a noisy
machine than times. --peers chooses the peers (default: those installed; "none" for none); --only-peers times
the peers alone, to check their layouts while our build cannot run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, NamedTuple

from make_corpus import make_corpus

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
# MkDocs and Pelican live in a virtualenv of their own (`make peers`): their pins may differ from the project's.
PEERS_BIN = BENCH / ".peers-venv" / "bin"


# As on a user's machine, Python keeps compiled modules (__pycache__/); an environment that turns that off (some
# sandboxes set PYTHONDONTWRITEBYTECODE) would add about 50 ms of compiling the generator to every build.
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run(command: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall-clock seconds and peak memory (KB) of one command, which must succeed."""
    # Its messages go to a file: a pipe read only once the command has ended would block it after 64 KB.
    with tempfile.TemporaryFile() as messages:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=messages, env=ENVIRONMENT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            messages.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed: {messages.read().decode(errors='replace')[-500:]}")
    return elapsed, usage.ru_maxrss


def build(project: Path, *extra: str) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "--project", str(project), "build", *extra]


class Event(NamedTuple):
    """One event of the corpus, as the peers take it: full dates (they have no partial ones), same body, same tags."""
    stem: str
    title: str  # as in the corpus's YAML: in double quotes
    date: str
    summary: str  # in double quotes too
    tags: list[str]
    body: str


def corpus_events(corpus: Path) -> list[Event]:
    events = []
    for source in sorted((corpus / "content").glob("*.md")):
        text = source.read_text(encoding="utf-8")
        front, body = text.split("\n---\n", 1)
        date = re.search(r"^date: (\S+)$", front, re.M)[1]
        full = (date + "-01-01")[:10] if len(date) == 4 else (date + "-01")[:10]
        tags = re.search(r"^tags: \[(.+)\]$", front, re.M)[1].split(", ")
        events.append(Event(source.stem, re.search(r"^title: (.+)$", front, re.M)[1], full,
                            re.search(r"^summary: (.+)$", front, re.M)[1], tags, body))
    return events


def unquoted(text: str) -> str:
    return text[1:-1] if len(text) > 1 and text[0] == text[-1] == '"' else text


def hugo_site(events: list[Event], target: Path) -> Path:
    """bench/hugo with the events in content/events/ (YAML front matter)."""
    shutil.copytree(BENCH / "hugo", target, ignore=shutil.ignore_patterns("__pycache__"))
    content = target / "content" / "events"
    content.mkdir(parents=True)
    for event in events:
        (content / f"{event.stem}.md").write_text(
            f"---\ntitle: {event.title}\ndate: {event.date}\nsummary: {event.summary}\ntags: [{', '.join(event.tags)}]\n---\n{event.body}", encoding="utf-8")
    return target


def mkdocs_site(events: list[Event], target: Path) -> Path:
    """bench/mkdocs with docs/: an index page, the events in docs/events/ (YAML front matter), a page per tag."""
    shutil.copytree(BENCH / "mkdocs", target, ignore=shutil.ignore_patterns("__pycache__"))
    docs = target / "docs"
    (docs / "events").mkdir(parents=True)
    (docs / "tags").mkdir()
    (docs / "index.md").write_text("---\ntitle: Corpus de mesure\n---\n", encoding="utf-8")
    for event in events:
        (docs / "events" / f"{event.stem}.md").write_text(
            f"---\ntitle: {event.title}\ndate: {event.date}\nsummary: {event.summary}\ntags: [{', '.join(event.tags)}]\n---\n{event.body}", encoding="utf-8")
    for tag in sorted({tag for event in events for tag in event.tags}):
        (docs / "tags" / f"{tag}.md").write_text(f"---\ntitle: {tag}\ntag: {tag}\n---\n", encoding="utf-8")
    return target


def pelican_site(events: list[Event], target: Path) -> Path:
    """bench/pelican with the events as articles in content/ (Pelican's "Key: value" metadata)."""
    shutil.copytree(BENCH / "pelican", target, ignore=shutil.ignore_patterns("__pycache__"))
    content = target / "content"
    content.mkdir()
    for event in events:
        (content / f"{event.stem}.md").write_text(
            f"Title: {unquoted(event.title)}\nDate: {event.date}\nSummary: {unquoted(event.summary)}\nTags: {', '.join(event.tags)}\n\n{event.body}", encoding="utf-8")
    return target


class Peer(NamedTuple):
    label: str
    site: Callable[[list[Event], Path], Path]  # its input, made from the corpus's events
    command: Callable[[str, Path, Path], list[str]]  # (executable, site, output folder) → a cold build
    version: Callable[[str], str]  # executable → its version


def _version(arguments: list[str], word: int) -> Callable[[str], str]:
    return lambda executable: subprocess.run([executable, *arguments], capture_output=True, text=True).stdout.split()[word]


PEERS = {
    "hugo": Peer("Hugo", hugo_site, lambda hugo, site, output: [hugo, "--quiet", "-s", str(site), "-d", str(output)],
                 _version(["version"], 1)),
    "mkdocs": Peer("MkDocs", mkdocs_site, lambda mkdocs, site, output: [
        mkdocs, "build", "--quiet", "--config-file", str(site / "mkdocs.yml"), "--site-dir", str(output)], _version(["--version"], 2)),
    "pelican": Peer("Pelican", pelican_site, lambda pelican, site, output: [
        pelican, "--quiet", "--ignore-cache", "--settings", str(site / "pelicanconf.py"), "--output", str(output)], _version(["--version"], 0)),
}


def executable(peer: str) -> str | None:
    """The peer's command: MkDocs' and Pelican's from bench/.peers-venv (else PATH), Hugo's from PATH."""
    if (PEERS_BIN / peer).exists():
        return str(PEERS_BIN / peer)
    return shutil.which(peer)


def check_output(peer: str, output: Path, events: list[Event]) -> None:
    """A peer's first cold build made a page per event, an index and a page per tag (or its layout is wrong)."""
    pages = sum(1 for _ in output.glob("events/*/index.html"))
    tags = sum(1 for _ in output.glob("tags/*/index.html"))
    expected = len({tag for event in events for tag in event.tags})
    if pages != len(events) or tags != expected or not (output / "index.html").exists():
        raise RuntimeError(f"{PEERS[peer].label} made {pages} event pages of {len(events)}, {tags} tag pages of {expected}"
                           f"{'' if (output / 'index.html').exists() else ', no index'}, in {output}")


def median_of(runs: int, prepare, command) -> float:
    times = []
    for _ in range(runs):
        prepare()
        times.append(run(command)[0])
    return statistics.median(times)


def measure(size: int, runs: int, browser: bool, peers: dict[str, str], ours: bool = True) -> dict[str, float | str]:
    """Figures for one size: ours under their keys ("cold", "no change", …), the peers' cold builds under their names."""
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        corpus = make_corpus(size, scratch / "corpus")
        events = corpus_events(corpus)
        sites = {name: PEERS[name].site(events, scratch / name) for name in peers}
        output, cache = corpus / "output", corpus / ".timeline-cache"

        def clean() -> None:
            shutil.rmtree(output, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)

        figures: dict[str, float | str] = {}
        # Our cold build and each peer's in turns, each into a new folder, all of them removed at the end. Removing
        # one before the next build would tax that build, not measure it: for a minute or more after thousands
        # of files are deleted, this machine's file system (ext4 without a journal) checks every recently freed
        # inode before it hands out a new one (the kernel's recently_deleted), and making ten thousand folders
        # took from 3 to 16 s of system time instead of under 2, unevenly between the tools.
        cold: dict[str, list[float]] = {name: [] for name in (["cold"] if ours else []) + list(peers)}
        for number in range(runs):
            if ours:
                cold["cold"].append(run(build(corpus, "--no-cache", "--output", str(scratch / f"cold-{number}")))[0])
            for name, command in peers.items():
                target = scratch / f"{name}-{number}"
                cold[name].append(run(PEERS[name].command(command, sites[name], target), cwd=sites[name])[0])
                if number == 0:
                    check_output(name, target, events)
        figures.update((name, statistics.median(times)) for name, times in cold.items())
        if not ours:
            return figures
        clean()
        figures["memory"] = run(build(corpus, "--no-cache"))[1] / 1024
        run(build(corpus))  # warm the cache
        figures["no change"] = median_of(runs, lambda: None, build(corpus))
        event = sorted((corpus / "content").glob("*.md"))[size // 2]
        original = event.read_text(encoding="utf-8")
        counter = iter(range(10**6))
        figures["edit body"] = median_of(runs, lambda: event.write_text(original.replace("Une précision", f"Une précision {next(counter)}"), encoding="utf-8"), build(corpus))
        # Another day in a year the corpus already has (1990-2025): the event moves among the others.
        dates = iter(f"{1995 + i % 10}-0{1 + i % 9}-1{i % 9}" for i in range(10**6))
        figures["move date"] = median_of(runs, lambda: event.write_text(re.sub(r"^date: .+$", f"date: {next(dates)}", original, count=1, flags=re.M), encoding="utf-8"), build(corpus))
        event.write_text(original, encoding="utf-8")
        figures["reload"] = figures["reload seen"] = "not measured"
        if browser:
            from edit_to_reload import CHROMIUM_ARGS, measure as reload_times
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                year = re.search(r"^date: (\d{4})", original, re.M)[1]
                reloads = reload_times(chromium, corpus, event, runs, f"{year}/")
                figures["reload"], figures["reload seen"] = statistics.median(reloads.visible) / 1000, statistics.median(reloads.seen) / 1000
                chromium.close()
        return figures


def machine_speed() -> str:
    """How fast this machine is right now, for reading absolute times: a Python loop, and making small files."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    loop = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        for number in range(2000):
            folder = os.path.join(scratch, str(number))
            os.mkdir(folder)
            with open(os.path.join(folder, "index.html"), "wb") as file:
                file.write(b"x" * 10_000)
        files = time.perf_counter() - started
    return f"machine right now: 10 million additions in {loop:.2f} s, 2,000 folders with a 10 KB file in {files:.2f} s"


def chosen_peers(parser: argparse.ArgumentParser, names: str | None) -> tuple[dict[str, str], list[str]]:
    """The peers to run, name → executable, and those left out because they are not installed."""
    if names is None:
        found = {name: executable(name) for name in PEERS}
        return {name: command for name, command in found.items() if command}, [name for name, command in found.items() if not command]
    chosen = {}
    for name in filter(None, (name.strip().lower() for name in names.split(","))):
        if name == "none":
            continue
        if name not in PEERS:
            parser.error(f"unknown peer {name!r}: choose among {', '.join(PEERS)}, or none")
        if not (command := executable(name)):
            parser.error(f"{PEERS[name].label} is not installed: `make {'hugo' if name == 'hugo' else 'peers'}`")
        chosen[name] = command
    return chosen, []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true", help="skip edit-to-reloaded (needs Chromium)")
    parser.add_argument("--peers", metavar="hugo,mkdocs,pelican", help="the peers whose cold builds run in turns with ours "
                        "(default: those installed; none for none)")
    parser.add_argument("--only-peers", action="store_true", help="time the peers' cold builds alone, not our generator")
    args = parser.parse_args()
    peers, missing = chosen_peers(parser, args.peers)
    ours = not args.only_peers
    if not ours and not peers:
        parser.error("--only-peers with no peer to run")
    before = machine_speed()
    rows = {size: measure(size, args.runs, ours and not args.no_browser, peers, ours) for size in args.sizes}
    print(f"{before[0].upper()}{before[1:]}; after the runs: {machine_speed().removeprefix('machine right now: ')}.")
    versions = ", ".join(f"{PEERS[name].label} {PEERS[name].version(command)}" for name, command in peers.items()) or "no peer"
    absent = f" (not installed: {', '.join(PEERS[name].label for name in missing)})" if missing else ""
    print(f"Median of {args.runs} runs, whole-process wall-clock; {versions} on the same corpus{absent}.")
    print(f"{'':30}" + "".join(f"{size:>16,} events" for size in args.sizes))

    def line(label: str, value: Callable[[dict], float | str | None], unit: str = "s") -> None:
        cells = []
        for size in args.sizes:
            figure = value(rows[size])
            if isinstance(figure, float):
                cells.append(f"{figure:>19.0f} MB" if unit == "MB" else f"{figure:>21.2f}×" if unit == "×" else f"{figure:>20.2f} s")
            else:
                cells.append(f"{figure or 'not measured':>22}")
        print(f"{label:30}" + "".join(cells))

    if ours:
        for label, key in [("cold build (no cache)", "cold"), ("no-change rebuild", "no change"), ("rebuild, one body edited", "edit body"),
                           ("rebuild, one date moved", "move date"), ("edit-to-visible (serve)", "reload"),
                           ("  …seen by Playwright", "reload seen")]:
            line(label, lambda row: row[key])
    for name in peers:
        line(f"{PEERS[name].label} cold build", lambda row: row[name])
    if ours:
        line("peak memory, cold build", lambda row: row["memory"], "MB")
        for name in peers:
            line(f"cold build ÷ {PEERS[name].label}", lambda row: row["cold"] / row[name], "×")
        if "hugo" in peers:
            line("one-edit rebuild ÷ Hugo cold", lambda row: row["edit body"] / row["hugo"], "×")
        print()
        print("Targets (at 10,000 events unless said):")
        for text in target_lines(rows):
            print("  " + text)


def target_lines(rows: dict[int, dict[str, float | str]]) -> list[str]:
    """Each target of the performance issue, with the figure measured and whether it is met."""
    def figure(size: int, key: str) -> float | None:
        value = rows.get(size, {}).get(key)
        return value if isinstance(value, float) else None

    def ratio(size: int, key: str, to: str) -> float | None:
        ours, theirs = figure(size, key), figure(size, to)
        return None if ours is None or theirs is None else ours / theirs

    def check(text: str, value: float | None, limit: float, shown: str, under: bool = False) -> str:
        """Met when ``value`` is at most ``limit`` (below it, if ``under``)."""
        if value is None:
            return f"{text}: not measured"
        met = value < limit if under else value <= limit
        return f"{text}: {shown.format(value)} — {'met' if met else 'NOT met'}"

    def milliseconds(size: int) -> float | None:
        seconds = figure(size, "reload")
        return None if seconds is None else seconds * 1000

    cold_hugo = ratio(10000, "cold", "hugo")
    aim = "" if cold_hugo is None or cold_hugo > 2.5 else " (the aim of 2× too)" if cold_hugo <= 2 else " (not the aim of 2×)"
    return [
        check("cold build at most 2.5× Hugo's (aim 2×)", cold_hugo, 2.5, "{:.2f}×") + aim,
        check("cold build at least 2× faster than MkDocs' (≤ 0.5×)", ratio(10000, "cold", "mkdocs"), 0.5, "{:.2f}×"),
        check("cold build at least 2× faster than Pelican's (≤ 0.5×)", ratio(10000, "cold", "pelican"), 0.5, "{:.2f}×"),
        check("one-edit rebuild at most 0.25× Hugo's cold build", ratio(10000, "edit body", "hugo"), 0.25, "{:.2f}×"),
        check("no-change rebuild under 1 s", figure(10000, "no change"), 1, "{:.2f} s", under=True),
        check("serve edit-to-visible under 500 ms", milliseconds(10000), 500, "{:.0f} ms", under=True),
        check("serve edit-to-visible under 250 ms at 1,000 events", milliseconds(1000), 250, "{:.0f} ms", under=True),
        check("peak memory under 300 MB", figure(10000, "memory"), 300, "{:.0f} MB", under=True),
    ]


if __name__ == "__main__":
    main()
