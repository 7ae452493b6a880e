"""Switching the output folder to a new build in one atomic step: it is wholly the old site or wholly the new.

The new site is laid out in a hidden folder beside the output (``.output.swap`` for ``output/``): a file the
output already holds, byte for byte, becomes a hard link to it there, so it keeps its bytes and modification
time; the others are written. One atomic exchange of the two folders (``renameat2`` with ``RENAME_EXCHANGE``)
then puts the new site in place. The old one stays in the hidden folder, and the next build brings it up to
date by changing only what differs from the output, instead of laying out every file again. Until the
exchange the output is only read, so a build that fails or is killed before it leaves the old site whole.

A manifest of the files each build wrote lets the next build refuse a folder holding files it did not write,
so nothing of the user's is ever replaced or deleted.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .cache import InOutput, Stamp, file_stamp, stamp_of
from .content import file_digest
from .problems import Problem, display_path

MANIFEST = ".timeline-manifest"
_MANIFEST_HEADER = "# Files written by the last build of this folder (build.py reads it to never replace a file it did not write).\n"
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


@dataclass(frozen=True)
class WriteReport:
    """How many files a build changed, left alone and removed, and the stamp of every file of the site."""

    written: int
    unchanged: int
    removed: int
    stamps: dict[str, Stamp] = field(default_factory=dict, repr=False)


def swap_folder(output: Path) -> Path:
    """The hidden folder beside the output where the next site is laid out: ``.output.swap`` for ``output/``."""
    return output.parent / f".{output.name}.swap"


def holds(output: Path | str, name: str, stamp: Stamp) -> bool:
    """Whether the output's file ``name`` is still the one that had ``stamp`` (a link or folder never is)."""
    try:
        found = os.lstat(f"{output}/{name}")
    except OSError:
        return False
    return stat.S_ISREG(found.st_mode) and stamp_of(found) == stamp


def read_manifest(output: Path) -> frozenset[str] | None:
    """The files the previous build wrote into ``output``, or None when it has no manifest."""
    try:
        text = (output / MANIFEST).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def existing_files(folder: Path | str, refuse_links: bool = False) -> dict[str, int] | None:
    """Every file (or link, or anything but a folder) below ``folder`` by relative name, with its inode, and each
    empty folder as ``name/``; folders through links are not entered. With ``refuse_links``, None when any entry
    is a link.
    """
    found: dict[str, int] = {}
    pending = [""]
    while pending:
        prefix, empty = pending.pop(), True
        with os.scandir(os.path.join(folder, prefix)) as entries:
            for entry in entries:
                empty = False
                if refuse_links and entry.is_symlink():
                    return None
                if entry.is_dir(follow_symlinks=False):
                    pending.append(f"{prefix}{entry.name}/")
                else:
                    found[prefix + entry.name] = entry.inode()  # read with the listing: no call of its own
        if empty and prefix:
            found[prefix] = 0
    return found


def _source_clash(out: Path, source: Path, root: Path, shown: str) -> Problem | None:
    name = "the project folder" if source == root else display_path(source, root)
    if out == source or source.is_relative_to(out):
        return Problem(shown, 1, f"refusing to build into {shown}: it is or contains {name}, which the build reads; choose another --output")
    if out.is_relative_to(source) and source != root:
        return Problem(shown, 1, f"refusing to build into {shown}: it lies inside {name}, which the build reads; choose another --output")
    return None


def output_clash(output: Path, root: Path, protected: list[Path]) -> list[Problem]:
    """Refuse an output folder that is or holds the project or its sources, or that a file stands in the way of."""
    out, root = output.resolve(), root.resolve()
    shown = display_path(output, root)
    for source in [root, *(p.resolve() for p in protected)]:
        if clash := _source_clash(out, source, root, shown):
            return [clash]
    blocker = next((p for p in [out, *out.parents, swap_folder(out)] if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        return [Problem(shown, 1, f"{display_path(blocker, root)} exists and is not a folder; remove it or choose another --output")]
    return []


def foreign_files(output: Path, root: Path, existing: dict[str, int]) -> list[Problem]:
    """Refuse an output folder holding files (or empty folders) the last build did not write: they would be lost."""
    if not existing:
        return []
    shown = display_path(output, root.resolve())
    owned = read_manifest(output.resolve())
    if owned is None:
        return [Problem(shown, 1, f"{shown} is not empty and was not made by this tool (no {MANIFEST}); empty it or choose another --output")]
    folders = {name[: index + 1] for name in owned for index, char in enumerate(name) if char == "/"}
    if foreign := sorted(existing.keys() - owned - folders - {MANIFEST}):  # an empty folder of the site's is the site's
        listed = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        return [Problem(shown, 1, f"{shown} holds files the last build did not write ({listed}); move them elsewhere or choose another --output")]
    return []


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        return not os.path.islink(path) and os.path.getsize(path) == len(data) and Path(path).read_bytes() == data
    except OSError:
        return False


class InMemory:
    """Where a build that writes nothing keeps its files (the preview, ``check``).

    With ``later``, the exports are kept as what draws them, not drawn (see site.Later).
    """

    def __init__(self, later: bool = False) -> None:
        self.files: dict[str, bytes] = {}
        self.later = later

    @property
    def names(self) -> list[str]:
        """The files added so far, in order."""
        return list(self.files)

    def in_output(self, name: str, kept: InOutput) -> InOutput | None:
        """Nothing is ever in an output."""
        return None

    def add(self, name: str, data: bytes) -> None:
        """Keep one file of the site."""
        self.files[name] = data

    def abandon(self) -> None:
        """The build failed: there is nothing to take away."""


class OutputSwitch:
    """The new site, laid out beside the output file by file as it is drawn, then put in place at once.

    Files the output already holds are only noted until a file differs: a build that changes nothing writes
    nothing. Nothing may be added before ``check`` found no problem.
    """

    def __init__(self, output: Path) -> None:
        self.out = os.path.realpath(output)
        self.swap = str(swap_folder(Path(self.out)))
        self.live: dict[str, int] = {}  # the output's files and their inodes, once ``check`` has listed them
        self.names: list[str] = []
        self.unlinked: list[str] | None = []  # files in place, not yet linked into the swap folder (None: all are)
        self.written = 0
        self.made_swap = False  # whether this build made the swap folder (one kept from earlier builds stays)
        self.in_swap: dict[str, int] = {}  # what the swap folder held when this build started laying out in it
        self.lock: int | None = None  # the output's parent folder, locked while this build uses the output

    def check(self, output: Path, root: Path, protected: list[Path]) -> list[Problem]:
        """Why the build must not write into this output folder: a clash with the sources, or files of the user's.

        From here until ``finish`` or ``release``, another build waits for this one to be done with the output.
        """
        if problems := output_clash(output, root, protected):
            return problems
        if os.path.isdir(os.path.dirname(self.out)):
            self.lock = os.open(os.path.dirname(self.out), os.O_RDONLY)
            fcntl.flock(self.lock, fcntl.LOCK_EX)  # two builds at once would each swap the other's site away
        self.live = existing_files(self.out) if os.path.isdir(self.out) else {}
        return foreign_files(output, root, self.live)

    def release(self) -> None:
        """Let another build use the output."""
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None

    def in_output(self, name: str, kept: InOutput) -> InOutput | None:
        """The output's file ``name`` if it still holds the bytes ``kept`` stands for: by its stamp, else by its digest."""
        if kept.stamp is not None and holds(self.out, name, kept.stamp):
            return kept
        if not kept.digest or name not in self.live:
            return None
        path = os.path.join(self.out, name)
        try:
            found = os.lstat(path)
            with open(path, "rb") as file:
                same = stat.S_ISREG(found.st_mode) and file_digest(file.read()) == kept.digest
        except OSError:
            return None
        return InOutput(stamp_of(found), kept.digest) if same else None

    def add(self, name: str, data: bytes | InOutput) -> None:
        """One file of the new site (``InOutput``: the one the output holds)."""
        self.names.append(name)
        if name in self.live and (type(data) is InOutput or _same_bytes(os.path.join(self.out, name), data)):
            if self.unlinked is None:
                self._link(name)
            else:
                self.unlinked.append(name)
            return
        self._lay_out()
        _write_into(os.path.join(self.swap, name), data)
        self.written += name != MANIFEST  # the manifest is bookkeeping, not part of the site

    def _lay_out(self) -> None:
        """Start laying out the new site in the swap folder, with the files in place so far."""
        if self.unlinked is None:
            return
        self._prepare_swap()
        for name in self.unlinked:
            self._link(name)
        self.unlinked = None

    def _link(self, name: str) -> None:
        """The output's file ``name`` in the swap folder too, as a hard link (there already since the build before last, often)."""
        if self.in_swap.get(name) != self.live[name]:
            target = os.path.join(self.swap, name)
            _clear(target)
            os.link(os.path.join(self.out, name), target, follow_symlinks=False)

    def _prepare_swap(self) -> None:
        """The swap folder as the last build left it, or a new one; one holding a link (never ours) starts afresh.

        A link there could lead a write into the live output.
        """
        if os.path.islink(self.swap) or os.path.lexists(self.swap) and not os.path.isdir(self.swap):
            os.unlink(self.swap)
        found = existing_files(self.swap, refuse_links=True) if os.path.isdir(self.swap) else {}
        if found is None:
            shutil.rmtree(self.swap)
        self.made_swap = not os.path.isdir(self.swap)
        os.makedirs(self.swap, exist_ok=True)
        self.in_swap = found or {}

    def abandon(self) -> None:
        """The build failed: take away the swap folder if this build made it (the output was never touched)."""
        if self.made_swap:
            shutil.rmtree(self.swap, ignore_errors=True)
        self.release()

    def finish(self) -> WriteReport:
        """Put the new site in place in one step (unless it is the output's already); what changed."""
        self.add(MANIFEST, (_MANIFEST_HEADER + "".join(f"{name}\n" for name in sorted(self.names))).encode("utf-8"))
        names = set(self.names)
        removed = len(self.live.keys() - names)
        try:
            if self.unlinked is not None and not removed:
                return WriteReport(0, len(names) - 1, 0, _stamps(self.out, names))
            self._lay_out()
            _remove(self.swap, self.in_swap.keys() - names)
            if os.path.isdir(self.out):
                exchange(self.out, self.swap)
            else:
                os.makedirs(os.path.dirname(self.out), exist_ok=True)
                os.rename(self.swap, self.out)
            return WriteReport(self.written, len(names) - 1 - self.written, removed, _stamps(self.out, names))
        finally:
            self.release()


def _stamps(out: str, names) -> dict[str, Stamp]:
    return {name: file_stamp(os.path.join(out, name)) for name in names if name != MANIFEST}


def _make_parent(path: str) -> None:
    """The folders holding ``path`` in the hidden folder, with any file in their way removed (it is ours)."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = folder
        while not os.path.lexists(blocker) or os.path.isdir(blocker) and not os.path.islink(blocker):
            blocker = os.path.dirname(blocker)
        os.unlink(blocker)
        os.makedirs(folder, exist_ok=True)


def _clear(path: str) -> None:
    """Take away whatever is at ``path`` in the hidden folder: it may be a link to the output's file, never written through."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        _make_parent(path)
    except IsADirectoryError:
        shutil.rmtree(path)
    except NotADirectoryError:
        _make_parent(path)


def _write_into(target: str, data: bytes) -> None:
    _clear(target)
    with open(target, "xb") as file:
        file.write(data)


def _remove(folder: str, names: set[str]) -> None:
    """Remove ``names`` (files, and empty folders as ``name/``) from the hidden folder, then the folders they leave empty."""
    for name in names:
        if not name.endswith("/"):
            os.unlink(os.path.join(folder, name))
    parents = {name.rstrip("/") for name in names if name.endswith("/")} | {os.path.dirname(n) for n in names if "/" in n.rstrip("/")}
    for parent in sorted(parents, key=len, reverse=True):
        while parent and os.path.isdir(os.path.join(folder, parent)) and not os.listdir(os.path.join(folder, parent)):
            os.rmdir(os.path.join(folder, parent))
            parent = os.path.dirname(parent)


def exchange(first: str, second: str) -> None:
    """Swap two folders in one atomic step (Linux's renameat2); elsewhere, in three renames."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), first)
    parked = f"{second}.{os.getpid()}"
    os.rename(first, parked)
    os.rename(second, first)
    os.rename(parked, second)
