"""Kill the build anywhere: the output folder is always the old site (A) or the new one (B), never a mix.

A site big enough for a build to take a second or two (the repository's site plus generated events) is built
(tree A), then changed so that most pages change and some files come and go; tree B is what a build without the
cache writes for it. Then the real build.py, with worker processes, is killed at delays spread over a whole
build: each time the output must be exactly A or exactly B, and no worker may outlive it. Ctrl+C must stop it
with one line and no traceback. A read-only or full output folder must give one clear error that tells the
truth about whether the folder changed.
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import REPO, copy_real_site, event_text, require_tool
from test_cache_equivalence import tree, tree_difference

GENERATED = 800  # events added to the repository's site: a build of the changed site takes 1 to 2 s on 2 shared cores
KILLS = 25  # at delays spread evenly over a whole build
RANDOM_KILLS = 6  # at seeded random delays around when a build changes the output; each followed by a build that must recover
MARKER = "TIMELINE_ATOMIC_TEST_MARKER"
# What a build may leave in its output folder besides the site (tree A or B, .timeline-manifest included):
# nothing, even when killed (this matches no name; an older design left .staging-<pid>/ folders there).
# Beside the output folder, a build may keep what it likes (a hidden .out.swap/, say), so long as a build after a
# killed one leaves nothing there that a normal build does not.
BOOKKEEPING = re.compile(r"(?!)")
SERIAL = {"TIMELINE_PARALLEL_THRESHOLD": "1000000"}
WORKERS = {"TIMELINE_PARALLEL_THRESHOLD": "1"}


def make_corpus(count: int, target: Path) -> Path:
    spec = importlib.util.spec_from_file_location("make_corpus", REPO / "bench" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_corpus(count, target)


def split_bookkeeping(files: dict[str, bytes]) -> tuple[dict[str, bytes], list[str]]:
    site = {name: data for name, data in files.items() if not BOOKKEEPING.match(name)}
    return site, sorted({BOOKKEEPING.match(name).group(0) for name in files.keys() - site.keys()})


def marked(marker: str) -> list[int]:
    """The live (not zombie) processes whose environment holds ``MARKER=marker``."""
    needle = f"{MARKER}={marker}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as file:
                environment = file.read().split(b"\0")
            with open(f"/proc/{entry}/stat", "rb") as file:
                state = file.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if needle in environment and state not in (b"Z", b"X"):
            found.append(int(entry))
    return found


def survivors(marker: str, grace: float = 2.0) -> list[str]:
    """Wait up to ``grace`` seconds for every process of ``marker`` to end; SIGKILL (by PID) and describe those left."""
    deadline = time.monotonic() + grace
    while (left := marked(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    described = []
    for pid in left:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            parent = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
        except OSError:
            command, parent = "?", "?"
        described.append(f"pid {pid} (parent {parent}): {command[:100]}")
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return described


def put_back(folder: Path, snapshot: Path, expected: dict[str, bytes]) -> None:
    """Make ``folder`` hold exactly the files of ``snapshot`` (``expected`` is its tree), with their mtimes.

    Only what differs is put back (a killed build mostly leaves things as they were, and copying the whole site
    each time would cost more than the build). A file is never written in place: its inode may be shared (hard
    links) with another file a build keeps.
    """
    try:
        current = tree(folder) if folder.is_dir() and not folder.is_symlink() else None
        if current is None:
            raise FileNotFoundError(folder)
        for name in current.keys() - expected.keys():
            (folder / name).unlink()
        for name, data in expected.items():
            path, original = folder / name, (snapshot / name).stat()
            if current.get(name) != data:
                if path.is_symlink() or path.exists():
                    path.unlink()
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            if path.stat().st_mtime_ns != original.st_mtime_ns:
                os.utime(path, ns=(original.st_atime_ns, original.st_mtime_ns))
        for where, _, _ in sorted(os.walk(folder), key=lambda entry: -len(entry[0])):
            relative = Path(where).relative_to(folder)
            if relative != Path(".") and not (snapshot / relative).is_dir():
                os.rmdir(where)  # emptied above: a folder only B (or a build's bookkeeping) has
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(snapshot, folder, symlinks=True)
    assert tree(folder) == expected


@dataclass
class Site:
    root: Path
    live: Path  # holds the output folder and whatever a build keeps beside it
    logs: Path
    snapshot: Path  # ``live`` as build A left it
    cache_snapshot: Path  # .timeline-cache/ as build A left it
    a: dict[str, bytes]
    b: dict[str, bytes]
    duration: float | None = None  # of a whole build from A to B, once measured

    @property
    def out(self) -> Path:
        return self.live / "out"

    def siblings(self) -> list[str]:
        """What a build keeps beside the output folder."""
        return sorted(set(os.listdir(self.live)) - {"out"})

    def restore_a(self) -> None:
        """The output folder (bytes and mtimes), what lies beside it, and the cache, as right after build A."""
        cache = self.root / ".timeline-cache"
        if cache.exists():
            shutil.rmtree(cache)
        shutil.copytree(self.cache_snapshot, cache, symlinks=True)
        put_back(self.live, self.snapshot, self.snapshot_tree)

    def __post_init__(self) -> None:
        self.snapshot_tree = tree(self.snapshot)

    def start(self, marker: str, name: str) -> subprocess.Popen:
        """The real build of the changed site into the output folder, with workers, in its own session."""
        env = {**os.environ, **WORKERS, MARKER: marker}
        with open(self.logs / f"{name}.out", "wb") as out, open(self.logs / f"{name}.err", "wb") as err:
            return subprocess.Popen(
                [sys.executable, REPO / "build.py", "--project", self.root, "build", "--output", self.out],
                env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True,
            )

    def stderr(self, name: str) -> str:
        return (self.logs / f"{name}.err").read_text(encoding="utf-8", errors="replace")

    def state(self) -> tuple[str, list[str], str]:
        """'A', 'B' or 'mixed', the bookkeeping found inside, and (when mixed) how the folder differs from A and B."""
        found, bookkeeping = split_bookkeeping(tree(self.out) if self.out.is_dir() else {})
        if found == self.a:
            return "A", bookkeeping, ""
        if found == self.b:
            return "B", bookkeeping, ""
        as_a = sum(1 for n, d in found.items() if self.a.get(n) == d and self.b.get(n) != d)
        as_b = sum(1 for n, d in found.items() if self.b.get(n) == d and self.a.get(n) != d)
        closer = ("A", self.a) if as_a >= as_b else ("B", self.b)
        detail = f"{as_a} files only as in A, {as_b} only as in B; against {closer[0]}:\n" + tree_difference(closer[1], found, closer[0], "output", diffs=2, lines=30)
        return "mixed", bookkeeping, detail


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def build_to_end(site: Site, name: str, watch: bool = False) -> tuple[int, float, tuple[float, float] | None]:
    """Run a whole build: its status, its duration and, with ``watch``, when the output began and ended changing.

    Watching reads index.html and .timeline-manifest every few milliseconds: the first moment either differs
    from A, and the first moment both are B's, bound when the build changes what the folder shows.
    """
    marker = f"{uuid.uuid4()}-{name}"
    started = time.monotonic()
    process = site.start(marker, name)
    first = last = None
    probes = [name for name in ("index.html", ".timeline-manifest") if name in site.a and name in site.b]
    try:
        while watch and process.poll() is None and time.monotonic() - started < 300:
            now = time.monotonic() - started
            seen = [_read(site.out / probe) for probe in probes]
            if first is None and any(data != site.a[probe] for probe, data in zip(probes, seen)):
                first = now
            if last is None and all(data == site.b[probe] for probe, data in zip(probes, seen)):
                last = now
            time.sleep(0.003)
        status = process.wait(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        left = survivors(marker)
    assert not left, f"{name}: processes outlived a build that ended normally: {left}"
    window = (first, last if last is not None else first) if first is not None else None
    return status, time.monotonic() - started, window


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Site:
    base = tmp_path_factory.mktemp("atomic")
    root = copy_real_site(base / "site")
    corpus = make_corpus(GENERATED, base / "corpus")
    declared = list((yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8")) or {}).get("tags") or [])  # names, whether listed or labelled
    generated = sorted((corpus / "content").glob("*.md"))
    for number, path in enumerate(generated):
        text = path.read_text(encoding="utf-8")
        if declared:  # site.yaml lists the tags events may use: give the generated events some of those
            chosen = [declared[(number + k) % len(declared)] for k in range(min(2, len(declared)))]
            text = re.sub(r"^tags: \[.*\]$", "tags: [" + ", ".join(chosen) + "]", text, count=1, flags=re.M)
        (root / "content" / path.name).write_text(text, encoding="utf-8")
    shutil.rmtree(corpus)
    live, logs = base / "live", base / "logs"
    live.mkdir()
    logs.mkdir()
    out = live / "out"
    env = {**os.environ, **WORKERS}
    done = subprocess.run([sys.executable, REPO / "build.py", "--project", root, "build", "--output", out], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    snapshot, cache_snapshot = base / "snapshot-a", base / "cache-a"
    shutil.copytree(live, snapshot, symlinks=True)
    shutil.copytree(root / ".timeline-cache", cache_snapshot, symlinks=True)
    a = tree(out)

    # B: a new title on every page, the events of a whole year gone (its folder too), a few more gone, a few added
    # (two in a year the site never had, so a new top folder comes).
    config = root / "site.yaml"
    text = config.read_text(encoding="utf-8")
    assert re.search(r"^title: .*$", text, re.M)
    config.write_text(re.sub(r"^title: .*$", 'title: "Un autre titre, pour que chaque page change"', text, count=1, flags=re.M), encoding="utf-8")
    names = [p.name for p in generated]
    rng = random.Random(7)
    gone = [n for n in names if n.startswith("1990")] + rng.sample([n for n in names if not n.startswith("1990")], 4)
    for name in gone:
        (root / "content" / name).unlink()
    tags = "[" + ", ".join(declared[:2] if declared else ["llama", "europe"]) + "]"
    for date, slug in [("1985-03-04", "nouveau-a"), ("1985-11", "nouveau-b"), ("2024-06-01", "nouveau-c"), ("2024-07", "nouveau-d")]:
        (root / "content" / f"{date}-{slug}.md").write_text(event_text(title=f"\"Ajouté : {slug}\"", date=date, tags=tags, body="Un événement ajouté.\n"), encoding="utf-8")
    fresh = base / "expected" / "b"
    done = subprocess.run([sys.executable, REPO / "build.py", "--project", root, "build", "--no-cache", "--output", fresh], env={**os.environ, **SERIAL}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    b = tree(fresh)
    shutil.rmtree(fresh.parent)
    assert a.keys() - b.keys() and b.keys() - a.keys(), "B should remove some files of A and add some"
    assert sum(1 for n in a.keys() & b.keys() if a[n] != b[n]) > len(a) // 2, "most files should change from A to B"
    return Site(root, live, logs, snapshot, cache_snapshot, a, b)


def test_a_build_killed_anywhere_leaves_the_old_site_or_the_new_one(big_site):
    site = big_site
    # A whole build from A, twice: it must give B and keep the modification time of every file A and B share.
    durations, windows = [], []
    for attempt in range(2):
        site.restore_a()
        before = {name: (site.out / name).stat().st_mtime_ns for name in site.a}
        status, seconds, window = build_to_end(site, f"full-{attempt}", watch=True)
        assert status == 0, site.stderr(f"full-{attempt}")
        durations.append(seconds)
        windows += [window] if window else []
        state, bookkeeping, detail = site.state()
        assert state == "B" and not bookkeeping, f"a whole build did not give tree B ({state}, {bookkeeping}):\n{detail}"
        touched = [n for n in site.a.keys() & site.b.keys() if site.a[n] == site.b[n] and (site.out / n).stat().st_mtime_ns != before[n]]
        assert not touched, f"{len(touched)} file(s) the same in A and B got a new modification time: {touched[:10]}"
    # The shorter one: the machine is shared, and a slow outlier would send half the kills after the build's end
    # (the random kills below aim at when the output changes, whatever the duration).
    duration = site.duration = min(durations)
    # What builds keep beside the output folder once they end normally (a hidden swap folder, say).
    steady = set(site.siblings()) | set(os.listdir(site.snapshot)) - {"out"}

    # The random kills aim at when the build changes the output folder (seen from outside), give or take 0.15 s.
    if windows:
        low, high = max(0.0, min(w[0] for w in windows) - 0.15), min(max(durations), max(w[1] for w in windows) + 0.15)
    else:
        low, high = duration / 2, duration
    rng = random.Random(2024)
    delays = [duration * (i + 0.5) / KILLS for i in range(KILLS)] + [rng.uniform(low, high) for _ in range(RANDOM_KILLS)]
    problems, rows, bookkeeping_seen, killed = [], [], {}, 0
    for number, delay in enumerate(delays):
        recover = number >= KILLS  # the random kills are each followed by a whole build
        site.restore_a()
        marker, name = f"{uuid.uuid4()}-{number}", f"kill-{number}"
        started = time.monotonic()
        process = site.start(marker, name)
        try:
            time.sleep(max(0.0, delay - (time.monotonic() - started)))
            finished_first = process.poll() is not None
            if not finished_first:
                process.send_signal(signal.SIGKILL)
                killed += 1
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            left = survivors(marker)
        state, bookkeeping, detail = site.state()
        if bookkeeping:
            bookkeeping_seen[state] = bookkeeping_seen.get(state, 0) + 1
        beside = sorted(set(site.siblings()) - steady)
        rows.append(
            f"  kill {number:2} at {delay:5.2f} s: {'finished before the kill' if finished_first else 'killed'}, output {state}"
            + (f", {', '.join(bookkeeping)} left inside" if bookkeeping else "") + (f", {', '.join(beside)} left beside" if beside else "")
            + (f", {len(left)} survivor(s)" if left else "")
        )
        if left:
            problems.append(f"kill {number} at {delay:.2f} s: {len(left)} process(es) outlived the killed build by 2 s (killed now): " + "; ".join(left[:3]))
        if state == "mixed":
            problems.append(f"kill {number} at {delay:.2f} s: the output is neither A nor B: {detail}")
        if recover or state == "mixed":  # the next build must clean up after the killed one and give B
            try:
                status, _, _ = build_to_end(site, f"recover-{number}")
            except AssertionError as exc:  # its workers outlived it: say so, and go on killing
                problems.append(f"kill {number}: {exc}")
                status = 0
            state, bookkeeping, detail = site.state()
            beside = sorted(set(site.siblings()) - steady)
            if status != 0 or state != "B" or bookkeeping or beside:
                problems.append(
                    f"kill {number} at {delay:.2f} s: the next build gave status {status}, output {state}, left inside {bookkeeping}, beside {beside}: "
                    f"{site.stderr(f'recover-{number}').strip()[-600:]}\n{detail}"
                )
    left_behind = ", ".join(f"{count} time(s) beside tree {state}" for state, count in sorted(bookkeeping_seen.items())) or "never"
    seen = ", ".join(f"{w[0]:.2f}–{w[1]:.2f} s" for w in windows) or "not seen"
    summary = f"whole build: {' and '.join(f'{d:.2f}' for d in durations)} s; output seen changing at {seen}; random kills in {low:.2f}–{high:.2f} s; kept beside the output: {sorted(steady) or 'nothing'}; bookkeeping left in the output {left_behind}\n" + "\n".join(rows)
    print(summary)
    assert not problems, f"{len(problems)} problem(s) over {len(delays)} kills:\n" + "\n".join(problems) + "\n" + summary
    assert killed >= KILLS // 2, f"only {killed} of the builds were still running when killed: the site is too small to test this\n{summary}"


@pytest.mark.parametrize("fraction", [0.3, 0.55, 0.8])
def test_ctrl_c_stops_the_build_with_one_line_and_leaves_a_or_b(big_site, fraction):
    site = big_site
    if site.duration is None:
        site.restore_a()
        status, site.duration, _ = build_to_end(site, "ctrl-c-timing")
        assert status == 0, site.stderr("ctrl-c-timing")
    duration = site.duration
    # Later tries come sooner, for when the build was done before the first: the last, 50 ms in, is always mid-build
    # (starting Python and importing the generator take longer than that).
    for delay in (duration * fraction, duration * fraction / 2, 0.05):
        site.restore_a()
        marker, name = f"{uuid.uuid4()}-ctrl-c", f"ctrl-c-{fraction}-{delay:.2f}"
        process = site.start(marker, name)
        try:
            time.sleep(delay)
            if process.poll() is not None:
                continue
            os.killpg(process.pid, signal.SIGINT)  # what a terminal does: the whole foreground group gets it
            try:
                status = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                status = None
            break
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            left = survivors(marker)
    else:
        pytest.fail(f"the build ended before {delay:.2f} s each time: no Ctrl+C was tested")
    err = site.stderr(name)
    state, bookkeeping, detail = site.state()
    lines = [line for line in err.splitlines() if line.strip()]
    problems = []
    if status is None:
        problems.append("the build did not stop within 30 s of Ctrl+C")
    elif status == 0 and state != "B":
        problems.append(f"status 0 after Ctrl+C but the output is {state}")
    if left:
        problems.append(f"{len(left)} process(es) outlived it: {left[:3]}")
    if "Traceback" in err or (status != 0 and len(lines) != 1):
        problems.append(f"stderr is {len(lines)} line(s), {'with' if 'Traceback' in err else 'without'} a traceback; expected one line")
    if state == "mixed":
        problems.append(f"the output is neither A nor B: {detail}")
    says_unchanged, says_changed = claims(err)
    if state == "A" and says_changed or state == "B" and says_unchanged:
        problems.append(f"the output is {state}, which stderr contradicts")
    shown = err if len(err) < 3000 else err[:1500] + "\n[...]\n" + err[-1500:]
    assert not problems, f"Ctrl+C at {delay:.2f} s (status {status}, output {state}, bookkeeping {bookkeeping}):\n" + "\n".join(problems) + f"\n--- stderr:\n{shown}"


# --------------------------------------------------------------------------------------------------------------
# A read-only or full output folder. We run as root, so chmod stops nothing: the output is a small tmpfs mounted
# in a private mount namespace (``unshare -m``), which vanishes with the process, read-only or nearly full. The
# output is a folder inside it, so that whatever the build keeps beside the output is on that filesystem too.

MOUNTED_BUILD = r"""
set -e
mount -t tmpfs -o size=64m,mode=0755 tmpfs "$MNT"
cp -a "$SNAPSHOT/." "$MNT/"
if [ "$MODE" = read-only ]; then
  mount -o remount,ro "$MNT"
else
  used=$(df --output=used -B1 "$MNT" | tail -n 1)
  mount -o remount,size=$((used + 8192)) "$MNT"
fi
set +e
"$PYTHON" "$BUILD" --project "$ROOT" build --output "$MNT/out" >"$LOGS/stdout" 2>"$LOGS/stderr"
echo $? >"$LOGS/status"
cp -a "$MNT/." "$AFTER/"
"""
CLAIMS_UNCHANGED = re.compile(r"not (been )?(touched|changed|modified|written)|unchanged|left (exactly )?as it was|intact|nothing was (written|changed)", re.I)
CLAIMS_CHANGED = re.compile(r"(partly|partially|was|were|has been|have been) (changed|modified|updated|written|replaced)|incomplete|some files|holds the new|new build", re.I)


def claims(err: str) -> tuple[bool, bool]:
    """Whether ``err`` says the output folder is unchanged, and whether it says it changed."""
    return bool(CLAIMS_UNCHANGED.search(err)), bool(CLAIMS_CHANGED.search(CLAIMS_UNCHANGED.sub("", err)))

REASONS = {"read-only": "read-only", "full": "no space left"}


def unshare_problem(tmp_path: Path) -> str | None:
    """None when this machine lets a process mount a tmpfs in its own mount namespace; else why not."""
    if not shutil.which("unshare"):
        return "no unshare command"
    probe = tmp_path / "probe"
    probe.mkdir()
    try:
        done = subprocess.run(["unshare", "-m", "sh", "-c", f'mount -t tmpfs -o size=1m tmpfs "{probe}" && touch "{probe}/x"'], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unshare -m failed: {exc}"
    if done.returncode != 0:
        return f"unshare -m with a tmpfs mount failed: {done.stderr.strip()}"
    if any(probe.iterdir()):
        return "the tmpfs mount leaked out of its namespace"
    return None


@pytest.mark.parametrize("workers", [False, True], ids=["serial", "workers"])
@pytest.mark.parametrize("mode", ["read-only", "full"])
def test_a_read_only_or_full_output_gives_one_clear_error_that_tells_the_truth(tmp_path, mode, workers):
    problem = unshare_problem(tmp_path)
    # Skipped only outside CI: where CI=true a machine that cannot do this fails the test.
    require_tool(problem is None, f"a tmpfs mounted in a private namespace, for a read-only or full folder (as root, chmod does not stop writes): {problem}")
    root = copy_real_site(tmp_path / "site")
    snapshot = tmp_path / "a"  # the output folder of build A, and what the build keeps beside it
    done = subprocess.run([sys.executable, REPO / "build.py", "--project", root, "build", "--output", snapshot / "out"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    a = tree(snapshot / "out")
    config = root / "site.yaml"
    config.write_text(re.sub(r"^title: .*$", 'title: "Un autre titre"', config.read_text(encoding="utf-8"), count=1, flags=re.M), encoding="utf-8")
    mount, after, logs = tmp_path / "mnt", tmp_path / "after", tmp_path / "logs"
    for folder in (mount, after, logs):
        folder.mkdir()
    env = {
        **os.environ, **(WORKERS if workers else SERIAL), "MNT": str(mount), "SNAPSHOT": str(snapshot), "MODE": mode,
        "PYTHON": sys.executable, "BUILD": str(REPO / "build.py"), "ROOT": str(root), "LOGS": str(logs), "AFTER": str(after),
    }
    done = subprocess.run(["unshare", "-m", "sh", "-c", MOUNTED_BUILD], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and (logs / "status").exists(), f"the mounted build could not run: {done.stderr}"
    status = int((logs / "status").read_text())
    err = (logs / "stderr").read_text(encoding="utf-8", errors="replace")
    lines = [line for line in err.splitlines() if line.strip()]
    unchanged = tree(after / "out") == a
    problems = []
    if status != 1:
        problems.append(f"status {status}, not 1")
    if "Traceback" in err:
        problems.append("a traceback")
    reason = [line for line in lines if REASONS[mode] in line.lower()]
    if len(reason) != 1:
        problems.append(f"{len(reason)} line(s) give the reason ({REASONS[mode]!r}); expected one")
    says_unchanged, says_changed = claims(err)
    if unchanged and not says_unchanged:
        problems.append("the output is unchanged but no sentence says so")
    if unchanged and says_changed:
        problems.append("the output is unchanged but a sentence says it changed")
    if not unchanged and (says_unchanged or not says_changed):
        problems.append("the output changed but stderr does not say so (or says it did not)")
    if not unchanged:
        problems.append("the output changed: " + tree_difference(a, tree(after / "out"), "A", "output", diffs=1, lines=20))
    assert not problems, f"{mode} output ({'workers' if workers else 'serial'}): " + "; ".join(problems) + f"\n--- stderr ({len(lines)} lines):\n{err if len(err) < 3000 else err[:1000] + chr(10) + '[...]' + chr(10) + err[-2000:]}"
