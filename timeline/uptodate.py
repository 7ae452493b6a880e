"""Knowing, from file stamps alone, that nothing changed since the last build, so a rebuild has nothing to do.

After a successful build, the CLI records the stamp (size, mtime, inode) of every input it read (site.yaml,
every event file and file beside one, every template and asset, and each folder holding them) and of every
file and folder it left in the output, with the options, the generator's code and the day. When all of them
are the same, the output is exactly what a full build would write again, so the build reports the last
outcome instead. Adding or removing a file changes its folder's stamp; an input changed less than a second
before the recording build began (which a coarse clock could hide) makes the record unusable.

This module imports nothing heavy: a no-change build should not pay for Jinja, Markdown or the cache.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import pickle
import sys
from pathlib import Path

from . import __version__

RECORD = "uptodate.pickle"
_RACY_NS = 1_000_000_000

Stamp = tuple[int, int, int, int]  # size, mtime (ns), inode, ctime (ns): an edit that restores the mtime still shows


def generator_stamp() -> dict:
    """The generator's version, a hash of its source (for a copy being edited), Python's and the packages' versions."""
    source = hashlib.blake2b(digest_size=16)
    for module in sorted(Path(__file__).parent.glob("*.py")):
        source.update(module.name.encode() + b"\0" + module.read_bytes())
    return {"generator": __version__, "source": source.hexdigest(), "python": sys.version_info[:2], "packages": _installed_packages()}


def _installed_packages() -> tuple[str, ...]:
    # An upgraded markdown-it-py or Jinja can change the output: the names of the installed distributions carry
    # their versions ("Jinja2-3.1.6.dist-info"), and listing them costs far less than importlib.metadata.
    found = []
    for folder in sys.path:
        if folder.endswith("site-packages") and os.path.isdir(folder):
            found += (name for name in os.listdir(folder) if name.endswith((".dist-info", ".egg-info")))
    return tuple(sorted(found))


def stamp_of(path: str) -> Stamp | None:
    """What a file or folder (a link's target, for a link) looks like from outside; None when it is missing."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ino, found.st_ctime_ns)


def walk(folder: str, skip_hidden: bool = False) -> list[str]:
    """Every folder and file below ``folder`` (and itself), through links, skipping names starting with '.' or '_' if asked."""
    found, folders, seen = [folder], [folder], set()
    while folders:
        current = folders.pop()
        try:
            found_stat = os.stat(current)
            identity = (found_stat.st_dev, found_stat.st_ino)
            if identity in seen:
                continue  # a link back up the tree
            seen.add(identity)
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if skip_hidden and entry.name.startswith((".", "_")):
                continue
            found.append(entry.path)
            if entry.is_dir():
                folders.append(entry.path)
    return found


def output_stamps(output: str, written: dict[str, Stamp | None]) -> dict[str, Stamp | None]:
    """The stamps of files written (by name relative to ``output``), and None for ``output`` and every folder in it."""
    paths: dict[str, Stamp | None] = {output: None}
    folders = set()
    for name, stamp in written.items():
        paths[f"{output}/{name}"] = stamp
        parent = name.rpartition("/")[0]
        while parent and parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    paths.update((f"{output}/{folder}", None) for folder in sorted(folders))
    return paths


def record_file(root: Path) -> Path:
    """Where the record of the last build lives."""
    return root / ".timeline-cache" / RECORD


def record_build(root: Path, options: tuple, started_ns: int, inputs: dict[str, Stamp | None], outputs: dict[str, Stamp | None], summary: str, warnings: list[str]) -> None:
    """Keep the stamps of a successful build's inputs and outputs, and what it printed; failures only cost speed.

    Both map a path to its stamp when the build read or wrote it (taken before reading: see ``site.build_inputs``),
    or None to take it now. An input changed less than a second before the build began (a coarse clock could hide
    a second change) makes the build unrecordable; one changed after the build read it will not match its stamp.
    """
    stamps = {}
    for path, seen in inputs.items():
        stamp = seen or stamp_of(path)
        if stamp is None or stamp[1] >= started_ns - _RACY_NS:
            _forget(root)
            return
        stamps[path] = stamp
    for path, written in outputs.items():
        if (stamp := written or stamp_of(path)) is None:
            _forget(root)
            return
        stamps[path] = stamp
    record = {"generator": generator_stamp(), "options": options, "day": dt.date.today().isoformat(), "stamps": stamps, "summary": summary, "warnings": warnings}
    target = record_file(root)
    staging = target.with_name(f"{RECORD}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(exist_ok=True)
        staging.write_bytes(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(staging, target)
    except OSError:
        staging.unlink(missing_ok=True)


def _forget(root: Path) -> None:
    try:
        record_file(root).unlink(missing_ok=True)
    except OSError:
        pass  # no cache folder to speak of (a file in its place, no permission): then there is no record either


def last_outcome_if_unchanged(root: Path, options: tuple) -> tuple[str, list[str]] | None:
    """The last build's summary line and warnings when nothing it read or wrote has changed since; else None."""
    try:
        data = record_file(root).read_bytes()
    except OSError:
        return None
    gc.disable()
    try:
        record = pickle.loads(data)  # noqa: S301 - our own file, in the project folder
        if record["options"] != options or record["day"] != dt.date.today().isoformat() or record["generator"] != generator_stamp():
            return None
        if any(stamp_of(path) != stamp for path, stamp in record["stamps"].items()):
            return None
        return record["summary"], record["warnings"]
    except Exception:  # noqa: BLE001 - an unreadable record only means a full build
        return None
    finally:
        gc.enable()
