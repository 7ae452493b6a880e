"""Writing the rendered site inside its output folder: stage every file, then move them into place.

A manifest of the files each build wrote lets the next build remove stale files safely and refuse
a folder holding files it did not write, so nothing of the user's is ever deleted.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem, display_path
from .uptodate import Stamp

MANIFEST = ".timeline-manifest"
_MANIFEST_HEADER = "# Files written by the last build of this folder (build.py keeps it to remove stale files safely).\n"
_STAGING = ".staging-"


class InPlace:
    """Stands for a file the output folder already holds, byte for byte, from an earlier build."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "IN_PLACE"


# A value of the files to write: nothing to write or compare, the file is already there (see ``file_stamp``).
IN_PLACE = InPlace()


@dataclass(frozen=True)
class Staged:
    """A file's bytes that a worker process has written into the staging folder already: moved in, not copied."""

    path: str
    size: int
    tree: str  # the folder, laid out as the output, that holds it

    def read(self) -> bytes:
        """The bytes, read back (only to compare them with a file already in place)."""
        with open(self.path, "rb") as file:
            return file.read()


class StagingArea:
    """The folder inside the output where a build's files wait until every stage has succeeded.

    It is made when first asked for, with the output folder if need be; ``discard`` takes away all of that
    again, so a build that fails leaves the output as it found it.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.folder = output / f"{_STAGING}{os.getpid()}"
        self.made: list[Path] = []  # folders this build made to hold it, outermost first

    def make_output(self) -> None:
        """Make the output folder (and its parents) if need be, remembering which for ``discard``."""
        if not self.output.is_dir():
            self.made = [p for p in reversed([self.output, *self.output.parents]) if not p.exists()]
            self.output.mkdir(parents=True, exist_ok=True)

    def path(self) -> Path:
        """The staging folder, made now (and the output folder) if it is not there."""
        self.make_output()
        self.folder.mkdir(exist_ok=True)
        return self.folder

    def discard(self) -> None:
        """Remove the staging folder and any folder made to hold it that is empty now."""
        shutil.rmtree(self.folder, ignore_errors=True)
        for folder in reversed(self.made):
            try:
                folder.rmdir()
            except OSError:
                break  # not empty, or not ours to remove any more



def file_stamp(path: str) -> Stamp | None:
    """The stamp of a regular file (its ctime too, which utime cannot set back), or None for anything else."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ino, found.st_ctime_ns) if stat.S_ISREG(found.st_mode) else None


@dataclass(frozen=True)
class WriteReport:
    """How many files a write changed, left alone, and removed, and the stamp of every file it left in place."""

    written: int
    unchanged: int
    removed: int
    stamps: dict[str, Stamp] = field(default_factory=dict, repr=False)
    touched: frozenset[str] = frozenset()  # the folders ("" or "a/b/") where a file was added, replaced or removed


# The last manifest read, by its file's stamp: a build reads it to check the output folder, then to write it.
_MANIFEST_READ: dict[str, tuple[Stamp, frozenset[str]]] = {}


def read_manifest(output: Path) -> frozenset[str] | None:
    """The files the previous build wrote into ``output``, or None when it has no manifest."""
    path = os.path.realpath(output / MANIFEST)  # the check and the writer may name the folder differently
    stamp = file_stamp(path)
    if stamp is not None and (read := _MANIFEST_READ.get(path)) is not None and read[0] == stamp:
        return read[1]
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return None
    # Only names inside the folder: an edited manifest must never make the build delete a file elsewhere.
    names = frozenset(line for line in text.splitlines() if line and not line.startswith("#") and _inside(line))
    if stamp is not None:
        _MANIFEST_READ.clear()
        _MANIFEST_READ[path] = (stamp, names)
    return names


def _inside(name: str) -> bool:
    return not name.startswith("/") and "\\" not in name and ".." not in name.split("/")


FolderStamp = tuple[int, int, int]  # mtime_ns, ctime_ns, inode


def folder_stamp(path: str) -> FolderStamp | None:
    """What changes whenever an entry is added to, removed from or renamed in a folder; None if not a folder."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_ctime_ns, found.st_ino) if stat.S_ISDIR(found.st_mode) else None


def _layout(names: set[str]) -> dict[str, tuple[list[str], set[str]]]:
    """For each folder ("" or "a/b/") the files and the subfolders that ``names`` put in it."""
    layout: dict[str, tuple[list[str], set[str]]] = {"": ([], set())}
    for name in names:
        folder, _, _ = name.rpartition("/")
        prefix = folder + "/" if folder else ""
        if prefix not in layout:
            layout[prefix] = ([], set())
            # Each new folder is a subfolder of its parent, up to the first one already known.
            child = prefix
            while child:
                parent = child[: child.rstrip("/").rfind("/") + 1]
                known = parent in layout
                layout.setdefault(parent, ([], set()))[1].add(child)
                if known:
                    break
                child = parent
        layout[prefix][0].append(name)
    return layout


def _existing_files(output: Path, owned: frozenset[str] | None = None, known: dict[str, FolderStamp] | None = None, seen: dict[str, FolderStamp] | None = None) -> set[str]:
    """Every file below ``output`` (relative names), staging folders of builds aside.

    A folder whose stamp is the one in ``known`` (taken when it held just what ``owned`` puts there) still holds
    just that, and is not listed: a large site has thousands of folders, and this runs on every build.
    ``seen`` gets, for each folder holding just what ``owned`` puts there, its stamp taken before it was looked at.
    """
    known = known or {}
    layout = _layout(owned) if owned is not None else {}
    found: set[str] = set()
    folders = [""]
    while folders:
        prefix = folders.pop()
        path = os.path.join(output, prefix)
        stamp = folder_stamp(path)
        files, subfolders = layout.get(prefix, ([], set()))
        if stamp is not None and known.get(prefix) == stamp and prefix in layout:
            found.update(files)
            folders.extend(subfolders)
            expected = True
        else:
            listed, inside = set(), set()
            with os.scandir(path) as entries:
                for entry in entries:
                    if not entry.is_dir(follow_symlinks=False):
                        listed.add(prefix + entry.name)
                    elif prefix or not entry.name.startswith(_STAGING):
                        inside.add(f"{prefix}{entry.name}/")
            found |= listed
            folders.extend(inside)
            # Anything else there (even an empty folder, which could fill up unseen) means listing it next time.
            expected = prefix in layout and listed == set(files) and inside == subfolders
        if seen is not None and stamp is not None and expected:
            seen[prefix] = stamp
    return found


def _source_clash(out: Path, source: Path, root: Path, shown: str) -> Problem | None:
    name = "the project folder" if source == root else display_path(source, root)
    if out == source or source.is_relative_to(out):
        return Problem(shown, 1, f"refusing to build into {shown}: it is or contains {name}, which the build reads; choose another --output")
    if out.is_relative_to(source) and source != root:
        return Problem(shown, 1, f"refusing to build into {shown}: it lies inside {name}, which the build reads; choose another --output")
    return None


def check_output_dir(
    output: Path, root: Path, protected: list[Path], known: dict[str, FolderStamp] | None = None, seen: dict[str, FolderStamp] | None = None,
) -> list[Problem]:
    """Refuse an output folder that would overwrite the project, its sources, or files the build did not write.

    ``known`` and ``seen``: the stamps of the output's folders, as ``_existing_files`` takes them.
    """
    out, root = output.resolve(), root.resolve()
    shown = display_path(output, root)
    for source in [root, *(p.resolve() for p in protected)]:
        if clash := _source_clash(out, source, root, shown):
            return [clash]
    blocker = next((p for p in [out, *out.parents] if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        return [Problem(shown, 1, f"{display_path(blocker, root)} exists and is not a folder; remove it or choose another --output")]
    owned = read_manifest(out) if out.is_dir() else None
    existing = _existing_files(out, owned, known, seen) if out.is_dir() else set()
    if not existing:
        return []
    if owned is None:
        return [Problem(shown, 1, f"{shown} is not empty and was not made by this tool (no {MANIFEST}); empty it or choose another --output")]
    foreign = sorted(existing - owned - {MANIFEST})
    if foreign:
        listed = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        return [Problem(shown, 1, f"{shown} holds files the last build did not write ({listed}); move them elsewhere or choose another --output")]
    return []


def _same_bytes(path: Path, data: bytes | Staged) -> bool:
    try:
        size, read = (data.size, data.read) if isinstance(data, Staged) else (len(data), lambda: data)
        return path.is_file() and not path.is_symlink() and path.stat().st_size == size and path.read_bytes() == read()
    except OSError:
        return False


def _remove_stale(output: Path, stale: set[str]) -> None:
    for relative in sorted(stale):
        target = output / relative
        if target.is_file() or target.is_symlink():
            target.unlink()
    # Folders left empty by the removals go too, deepest first; the output folder itself stays.
    for folder in sorted({(output / r).parent for r in stale}, key=lambda p: len(p.parts), reverse=True):
        while folder != output and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _check_nothing_in_the_way(output: Path, names, stale: set[str]) -> None:
    """Fail before anything in place changes when a file cannot be moved in: a folder (or a file not stale) in the way."""
    checked: set[str] = set()
    for name in names:
        target = os.path.join(output, name)
        if os.path.isdir(target) and not os.path.islink(target):
            raise IsADirectoryError(errno.EISDIR, "a folder is in the way of a file of the site", target)
        folder = os.path.dirname(name)
        while folder and folder not in checked:
            checked.add(folder)
            path = os.path.join(output, folder)
            if folder not in stale and os.path.lexists(path) and not os.path.isdir(path):
                raise NotADirectoryError(errno.ENOTDIR, "a file is in the way of a folder of the site", path)
            folder = os.path.dirname(folder)


def _remove_abandoned_staging(output: Path) -> None:
    """Remove the staging folders of builds that died (killed while writing): they would otherwise be published."""
    for entry in os.scandir(output):
        pid = entry.name[len(_STAGING):]
        if entry.name.startswith(_STAGING) and entry.is_dir(follow_symlinks=False) and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(entry.path, ignore_errors=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def write_site(files: dict[str, bytes | InPlace | Staged], output: Path, stamps: dict[str, Stamp] | None = None, staging_area: StagingArea | None = None) -> WriteReport:
    """Write ``files`` into ``output``: stage the changed ones, then move them in; unchanged files keep their mtime.

    A file given as ``IN_PLACE`` is neither compared nor written: ``stamps`` holds its stamp, checked by the caller.
    A ``Staged`` one is in ``staging_area`` already (rendered there by a worker process). The output folder is
    made if need be, and goes again with ``staging_area.discard()`` if writing fails.
    """
    area = staging_area or StagingArea(output)
    area.make_output()
    _remove_abandoned_staging(output)
    manifest = (_MANIFEST_HEADER + "".join(f"{name}\n" for name in sorted(files))).encode("utf-8")
    # The manifest first: should the build be killed while moving files in, the folder still lists them all.
    files = {MANIFEST: manifest, **files}
    previous = read_manifest(output) or set()
    # An output folder that held nothing before this build (a first build, or a build into a new folder): every
    # file is new and nothing can be in the way, which then needs no look at each of 10,000 paths, twice.
    empty = not previous and all(entry.startswith(_STAGING) for entry in os.listdir(output))
    changed = {name: data for name, data in files.items() if data is not IN_PLACE and (empty or not _same_bytes(output / name, data))}
    stale = previous - files.keys()
    if not empty:
        _check_nothing_in_the_way(output, changed, stale)
    staging = area.folder
    try:
        # Every byte is written before anything in place changes, so a full disk leaves the old site whole.
        if changed:
            staging.mkdir(exist_ok=True)
        sources = []
        for index, data in enumerate(changed.values()):
            if isinstance(data, Staged):
                sources.append(data.path)
                continue
            sources.append(os.path.join(staging, str(index)))
            with open(sources[-1], "wb") as file:
                file.write(data)
        _remove_stale(output, stale)
        made: set[str] = set()
        moved: dict[tuple[str, str], bool] = {}  # (staged tree, top folder) → moved in whole
        for source, (name, data) in zip(sources, changed.items()):
            if isinstance(data, Staged) and "/" in name:
                # A top folder the output lacks (a first build's years, say) moves in with every file in it.
                top = name.split("/", 1)[0]
                if (found := moved.get((data.tree, top))) is None:
                    found = moved[(data.tree, top)] = not os.path.lexists(os.path.join(output, top))
                    if found:
                        os.replace(os.path.join(data.tree, top), os.path.join(output, top))
                if found:
                    continue
            folder = os.path.dirname(name)
            if folder not in made:  # one mkdir per folder, not per file: a large site has thousands of files
                (output / folder).mkdir(parents=True, exist_ok=True)
                made.add(folder)
            os.replace(source, os.path.join(output, name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    written = len(changed.keys() - {MANIFEST})  # the manifest is bookkeeping, not part of the site
    known = stamps or {}
    now = {name: known[name] if data is IN_PLACE else file_stamp(os.path.join(output, name)) for name, data in files.items() if name != MANIFEST}
    touched = {""}  # the staging folder comes and goes there
    for name in [*changed, *stale]:
        while "/" in name:
            name = name.rpartition("/")[0]
            touched.add(name + "/")
    return WriteReport(written=written, unchanged=len(files) - 1 - written, removed=len(stale), stamps=now, touched=frozenset(touched))
