#!/usr/bin/env python3
"""Performance at scale, side by side with Hugo: prints a table for each corpus size.

Usage: compare.py [--sizes 1000 10000] [--runs 3] [--no-browser]

For each size N it writes a seeded corpus (make_corpus.py) and measures, as the median of --runs runs:
cold build (no cache), no-change rebuild, rebuild after editing one event's body, rebuild after changing one
event's date (it moves in the timeline), peak memory of a cold build, edit-to-reloaded in `serve` (Chromium),
and Hugo's cold build of the same corpus with bench/hugo's minimal layout (Debian's `hugo`), run in turns with
our cold build, each into a new, empty folder. Times are whole-process wall-clock; ratios to Hugo, taken in the same run, hold better on a noisy
machine than times.
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

from make_corpus import make_corpus

REPO = Path(__file__).resolve().parent.parent
HUGO_LAYOUT = Path(__file__).resolve().parent / "hugo"


# As on a user's machine, Python keeps compiled modules (__pycache__/); an environment that turns that off (some
# sandboxes set PYTHONDONTWRITEBYTECODE) would add about 50 ms of compiling the generator to every build.
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run(command: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall-clock seconds and peak memory (KB) of one command, which must succeed."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENVIRONMENT)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read().decode()[-500:]}")
    process.stderr.close()
    return elapsed, usage.ru_maxrss


def build(project: Path, *extra: str) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "--project", str(project), "build", *extra]


def hugo_site(corpus: Path, target: Path) -> Path:
    """The same events as a Hugo site: full dates (Hugo has no partial ones), same bodies, same tags."""
    shutil.copytree(HUGO_LAYOUT, target)
    content = target / "content" / "events"
    content.mkdir(parents=True)
    for source in sorted((corpus / "content").glob("*.md")):
        text = source.read_text(encoding="utf-8")
        front, body = text.split("\n---\n", 1)
        date = re.search(r"^date: (\S+)$", front, re.M)[1]
        full = (date + "-01-01")[:10] if len(date) == 4 else (date + "-01")[:10]
        title = re.search(r"^title: (.+)$", front, re.M)[1]
        summary = re.search(r"^summary: (.+)$", front, re.M)[1]
        tags = re.search(r"^tags: (.+)$", front, re.M)[1]
        (content / source.name).write_text(f"---\ntitle: {title}\ndate: {full}\nsummary: {summary}\ntags: {tags}\n---\n{body}", encoding="utf-8")
    return target


def median_of(runs: int, prepare, command) -> float:
    times = []
    for _ in range(runs):
        prepare()
        times.append(run(command)[0])
    return statistics.median(times)


def measure(size: int, runs: int, browser: bool) -> dict[str, float | str]:
    with tempfile.TemporaryDirectory() as scratch:
        corpus = make_corpus(size, Path(scratch) / "corpus")
        hugo = hugo_site(corpus, Path(scratch) / "hugo")
        output, cache = corpus / "output", corpus / ".timeline-cache"

        def clean() -> None:
            shutil.rmtree(output, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)

        figures: dict[str, float | str] = {}
        # Our cold build and Hugo's in turns, each into a new folder, all of them removed at the end. Removing
        # one before the next build would tax that build, not measure it: for a minute or more after thousands
        # of files are deleted, this machine's file system (ext4 without a journal) checks every recently freed
        # inode before it hands out a new one (the kernel's recently_deleted), and making ten thousand folders
        # took from 3 to 16 s of system time instead of under 2, unevenly between the tools.
        ours, hugos = [], []
        for number in range(runs):
            ours.append(run(build(corpus, "--no-cache", "--output", str(Path(scratch) / f"cold-{number}")))[0])
            hugos.append(run(["hugo", "--quiet", "-s", str(hugo), "-d", str(Path(scratch) / f"hugo-{number}")])[0])
        figures["cold"], figures["hugo"] = statistics.median(ours), statistics.median(hugos)
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
        figures["reload"] = "not measured"
        if browser:
            from edit_to_reload import CHROMIUM_ARGS, measure as reload_times
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                year = re.search(r"^date: (\d{4})", original, re.M)[1]
                figures["reload"] = statistics.median(reload_times(chromium, corpus, event, runs, f"{year}/")) / 1000
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true", help="skip edit-to-reloaded (needs Chromium)")
    args = parser.parse_args()
    before = machine_speed()
    rows = {size: measure(size, args.runs, not args.no_browser) for size in args.sizes}
    print(f"{before[0].upper()}{before[1:]}; after the runs: {machine_speed().removeprefix('machine right now: ')}.")
    print(f"Median of {args.runs} runs, whole-process wall-clock; Hugo {subprocess.run(['hugo', 'version'], capture_output=True, text=True).stdout.split()[1]} on the same corpus.")
    header = f"{'':30}" + "".join(f"{size:>16,} events" for size in args.sizes)
    print(header)
    labels = [("cold build (no cache)", "cold"), ("no-change rebuild", "no change"), ("rebuild, one body edited", "edit body"),
              ("rebuild, one date moved", "move date"), ("edit-to-reloaded (serve)", "reload"), ("Hugo cold build", "hugo")]
    for label, key in labels:
        cells = []
        for size in args.sizes:
            value = rows[size][key]
            cells.append(f"{value:>20.2f} s" if isinstance(value, float) else f"{value:>22}")
        print(f"{label:30}" + "".join(cells))
    print(f"{'peak memory, cold build':30}" + "".join(f"{rows[s]['memory']:>19.0f} MB" for s in args.sizes))
    print(f"{'cold build ÷ Hugo':30}" + "".join(f"{rows[s]['cold'] / rows[s]['hugo']:>21.2f}×" for s in args.sizes))
    print(f"{'one-edit rebuild ÷ Hugo cold':30}" + "".join(f"{rows[s]['edit body'] / rows[s]['hugo']:>21.2f}×" for s in args.sizes))
    if 10000 in rows:
        print()
        print("Targets at 10,000 events:")
        for line in target_lines(rows[10000]):
            print("  " + line)


def target_lines(row: dict[str, float | str]) -> list[str]:
    """Each target of the performance issue, with the figure measured and whether it is met."""
    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else "met" if ok else "NOT met"

    reload = row["reload"]
    checks = [
        (f"cold build at most 1.5× Hugo: {row['cold'] / row['hugo']:.2f}×", row["cold"] <= 1.5 * row["hugo"]),
        (f"one-edit rebuild under 1 s (and 4× faster than Hugo's build): {row['edit body']:.2f} s", row["edit body"] < 1 and row["edit body"] * 4 <= row["hugo"]),
        (f"no-change rebuild under 0.5 s: {row['no change']:.2f} s", row["no change"] < 0.5),
        ("edit-to-reloaded under 500 ms: " + (f"{reload * 1000:.0f} ms" if isinstance(reload, float) else reload), reload < 0.5 if isinstance(reload, float) else None),
        (f"peak memory under 400 MB: {row['memory']:.0f} MB", row["memory"] < 400),
    ]
    return [f"{text} — {verdict(ok)}" for text, ok in checks]


if __name__ == "__main__":
    main()
