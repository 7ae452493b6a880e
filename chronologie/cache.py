"""The build cache: events parsed from unchanged files, and pages drawn from unchanged inputs.

It is reached at two points of the build. Reading events, a file whose stat is unchanged, or whose bytes hash
as before, is not parsed again (path → stat → digest → event). Before drawing, a page whose key is unchanged
is not drawn again. A page's key is made of what the page declares (see pages.Page): its templates' digest,
site.yaml and the menu every page shows, the full fingerprint (front matter and body) of every event it shows,
the addresses its bodies' links resolve to, and every other value it is given. Nothing reads template text to
guess more or less.

The preview server keeps it in memory, with the pages' bytes. The command line pickles it into
``.timeline-cache/``, keeping for each page the stamp of the file the output folder holds instead of its
bytes. That file carries a checksum and the generator's stamp (its code, Python's and the packages'
versions); a file that fails either check, or fails to load, is ignored whole. Deleting it is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .content import ParsedFile, Tag, file_digest
from .pages import Page
from .problems import Problem
from .standalone import StandalonePage

CACHE_DIR = ".timeline-cache"
CACHE_FILE = "build.pickle"
_MAGIC = b"TLCACHE5"
Stamp = tuple[int, int, int, int]  # mtime (ns), size, inode, ctime (ns): utime cannot set the ctime back
_PLAIN = frozenset({bool, int, str, type(None), Tag, StandalonePage})  # and tuples of them: their repr shows all they hold


@dataclass(frozen=True)
class InOutput:
    """A page's bytes as the output folder holds them: the file there, if it still has this stamp or these bytes."""

    stamp: Stamp | None  # None: drawn by this build, not written yet
    # An output restored elsewhere (from a CI cache, a copy) holds the same bytes under new stamps: its file
    # is read and compared by digest, which costs far less than drawing the page again.
    digest: str = ""


def stamp_of(found: os.stat_result) -> Stamp:
    """What changes whenever a file is written, replaced or touched (an edit that restores the mtime included)."""
    return (found.st_mtime_ns, found.st_size, found.st_ino, found.st_ctime_ns)


def file_stamp(path: str) -> Stamp:
    """``stamp_of`` the file at ``path`` (a link's target, for a link)."""
    return stamp_of(os.stat(path))


class BuildCache:
    """Events by file and pages by key; the build's one cache."""

    def __init__(self, keep_bytes: bool = True) -> None:
        self.setting: Any = None  # what parsing depends on besides the file: the site's language
        self.events: dict[str, tuple[Stamp, ParsedFile]] = {}
        # A page's key, with its bytes, or the file the output holds (None until that file is written).
        self.pages: dict[str, tuple[bytes, bytes | InOutput | None]] = {}
        self.keep_bytes = keep_bytes  # False when the pages go to an output folder: no need to hold them all
        self.changed = False  # whether it holds anything the last saved copy lacks
        self.pickled: dict[str, tuple[str, bytes]] = {}  # each event file's digest and result, as last saved (see save_cache)
        self.compiled: dict[str, bytes] = {}  # Jinja's bytecode of each template, by Jinja's key (see TemplateCode)
        self.loaded: set[str] = set()  # the keys of the templates this build loaded
        self.templates: tuple[dict, dict[str, str]] = ({}, {})  # the templates' sources, and their digests

    def template_digests(self, sources: dict[str, bytes | None], work_out: Callable[[], dict[str, str]]) -> dict[str, str]:
        """The templates' digests (from ``work_out``), worked out again only when a template's source changed."""
        if sources != self.templates[0]:
            self.templates, self.changed = (sources, work_out()), True
        return self.templates[1]

    def template_code(self) -> TemplateCode:
        """Where Jinja keeps the templates it compiles for this build, and finds the ones compiled before."""
        self.loaded = set()
        return TemplateCode(self)

    def parsed_files(self, paths: list[str], setting: Any, parse: Callable[[list[tuple[str, bytes | None]]], list[ParsedFile]]) -> list[ParsedFile]:
        """What each file gives, parsing (with ``parse``) only the files whose bytes changed."""
        if setting != self.setting:
            self.events.clear()
            self.pickled.clear()
            self.setting, self.changed = setting, True
        found: dict[str, ParsedFile] = {}
        todo: list[tuple[str, bytes | None, Stamp | None]] = []
        for path in paths:
            kept, job = self._unchanged(path)
            if kept is not None:
                found[path] = kept
            elif job is not None:
                todo.append(job)
        for (path, _, stamp), result in zip(todo, parse([(path, data) for path, data, _ in todo])):
            found[path] = result
            if stamp is not None and result.digest:
                self.events[path] = (stamp, result)
        gone = self.events.keys() - found.keys()
        for path in gone:
            del self.events[path]
        self.changed = self.changed or bool(todo or gone)
        return [found[path] for path in paths if path in found]

    def _unchanged(self, path: str) -> tuple[ParsedFile | None, tuple | None]:
        """The kept result for a file, or the job of parsing it; neither for a file gone since it was listed."""
        try:
            stamp = file_stamp(path)  # before reading: a change made meanwhile shows at the next build
        except FileNotFoundError:
            return None, None
        except OSError:
            return None, (path, None, None)  # parsing reports why it cannot be read
        hit = self.events.get(path)
        if hit is None:
            return None, (path, None, stamp)
        if hit[0] == stamp:
            return hit[1], None
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError:
            return None, (path, None, None)
        if file_digest(data) == hit[1].digest:
            self.events[path] = (stamp, hit[1])  # touched, not changed
            self.changed = True
            return hit[1], None
        return None, (path, data, stamp)

    def drawn_pages(self, pages: list[Page], keys: list[bytes], in_output: Callable[[str, InOutput], InOutput | None], draw: Callable[[list[Page]], Iterable]) -> Iterator[tuple[Page, bytes | InOutput | Problem]]:
        """Each page with its bytes (or the output's file), in order, drawing (with ``draw``) only those whose key changed."""
        kept = [self._kept(page.path, key, in_output) for page, key in zip(pages, keys)]
        drawn = iter(draw([page for page, hit in zip(pages, kept) if hit is None]))
        for page, key, hit in zip(pages, keys, kept):
            if hit is not None:
                yield page, hit
                continue
            result = next(drawn)
            if type(result) is bytes:
                self.pages[page.path] = (key, result if self.keep_bytes else InOutput(None, file_digest(result)))
                self.changed = True
            yield page, result

    def _kept(self, name: str, key: bytes, in_output: Callable[[str, InOutput], InOutput | None]) -> bytes | InOutput | None:
        hit = self.pages.get(name)
        if hit is None or hit[0] != key:
            return None
        if type(hit[1]) is bytes:
            return hit[1]
        found = in_output(name, hit[1])
        if found is not None and found != hit[1]:
            self.pages[name], self.changed = (key, found), True
        return found

    def keep_pages(self, names: set[str]) -> None:
        """Forget the pages a build no longer makes, and the templates it did not load (deleted or renamed)."""
        for gone in self.pages.keys() - names:
            del self.pages[gone]
            self.changed = True
        for gone in self.compiled.keys() - self.loaded:
            del self.compiled[gone]
            self.changed = True

    def written(self, stamps: dict[str, Stamp]) -> None:
        """The output folder holds these files now: keep their stamps instead of their bytes."""
        for name, stamp in stamps.items():
            hit = self.pages.get(name)
            if hit is not None and type(hit[1]) is not bytes and hit[1].stamp != stamp:
                self.pages[name] = (hit[0], InOutput(stamp, hit[1].digest))
                self.changed = True


class TemplateCode(jinja2.BytecodeCache):
    """Jinja's bytecode cache over ``BuildCache.compiled``: compiling the templates took 0.1 s of every rebuild.

    Jinja checks a stored template against the checksum of its source, and recompiles when they differ. The
    environment's settings, which the bytecode also depends on, are in the generator's code, so its stamp covers them.
    """

    def __init__(self, cache: BuildCache) -> None:
        self.cache = cache

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill the bucket with the bytecode kept under its key, if any (Jinja discards it if stale)."""
        self.cache.loaded.add(bucket.key)
        if (code := self.cache.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep a template Jinja has just compiled."""
        self.cache.compiled[bucket.key] = bucket.bytecode_to_string()
        self.cache.changed = True


def page_keys(pages: list[Page], template_digests: dict[str, str], config_digest: str, urls_of: Callable[[Any], tuple]) -> dict[str, bytes]:
    """Each page's key: everything its bytes depend on, hashed (see the module's docstring)."""
    shown: dict[int, bytes] = {}  # by the tuple of events shown: the index, the tags index and the exports share one
    keys = {}
    for page in pages:
        if (events := shown.get(id(page.shows))) is None:
            events = shown[id(page.shows)] = _shown_digest(page.shows, urls_of)
        keys[page.path] = _page_key(page, template_digests.get(page.template, ""), config_digest, events)
    return keys


def _shown_digest(events: tuple, urls_of: Callable[[Any], tuple]) -> bytes:
    """The full fingerprint of every event shown, and the addresses their bodies' links resolve to."""
    fingerprints = "".join([event.fingerprint for event in events])
    links = [urls_of(event) for event in events if event.references]
    return hashlib.blake2b(f"{fingerprints}\0{links!r}".encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _page_key(page: Page, template_digest: str, config_digest: str, shown: bytes) -> bytes:
    given = tuple(sorted(page.given.items()))
    if not all(_is_plain(value) for _, value in given):
        raise TypeError(f"{page.path}: a value it is given is neither plain nor among the events it shows, so it cannot be keyed")
    head = repr((page.path, page.template, template_digest, config_digest, given))
    return hashlib.blake2b(head.encode("utf-8", "surrogatepass") + b"\0" + shown, digest_size=16).digest()


def _is_plain(value: Any) -> bool:
    """Whether a value shows all it holds in its repr (an event does not: its body is left out)."""
    kind = type(value)
    return kind in _PLAIN or kind is tuple and all(map(_is_plain, value))


def config_digest(config: Any) -> str:
    """A digest of everything site.yaml says (every page shows some of it)."""
    return hashlib.blake2b(repr(config).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@functools.lru_cache(maxsize=1)  # read when the cache is loaded and again when it is saved
def generator_stamp() -> tuple:
    """The generator's code, Python's version and the installed packages' names and versions."""
    source = hashlib.blake2b(digest_size=16)
    for module in sorted(Path(__file__).parent.glob("*.py")):
        source.update(module.name.encode() + b"\0" + module.read_bytes())
    packages = []
    for folder in sys.path:
        if folder.endswith("site-packages") and os.path.isdir(folder):
            packages += (name for name in os.listdir(folder) if name.endswith((".dist-info", ".egg-info")))
    return (source.hexdigest(), sys.version_info[:3], tuple(sorted(packages)))


def cache_file(root: Path) -> Path:
    """Where a project's build cache lives."""
    return root / CACHE_DIR / CACHE_FILE


def load_cache(root: Path) -> BuildCache:
    """The cache the last build left, or an empty one when there is none or it cannot be trusted."""
    try:
        with open(cache_file(root), "rb") as file:
            if file.read(len(_MAGIC)) != _MAGIC:
                return BuildCache(keep_bytes=False)
            digest, payload = file.read(4), file.read()
        if zlib.crc32(payload).to_bytes(4, "big") != digest:
            return BuildCache(keep_bytes=False)
        stamp, cache, pickled = pickle.loads(payload)  # noqa: S301 - our own file, checksummed, in the project folder
        del payload
        if stamp != generator_stamp() or not isinstance(cache, BuildCache):
            return BuildCache(keep_bytes=False)
        cache.events = {path: (stamp, pickle.loads(data)) for path, (stamp, _, data) in pickled.items()}  # noqa: S301
    except Exception:  # noqa: BLE001 - a missing, damaged or foreign cache only means doing the work again
        return BuildCache(keep_bytes=False)
    cache.pickled = {path: (digest, data) for path, (_, digest, data) in pickled.items()}
    cache.changed = False
    return cache


def save_cache(root: Path, cache: BuildCache) -> None:
    """Keep the cache for the next build, written atomically; a failure to write costs only speed.

    Each event is pickled on its own, once: a build that parsed one file pickles that one again, not all.
    """
    target = cache_file(root)
    staging = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    events, cache.events = cache.events, {}
    try:
        known, cache.pickled = cache.pickled, {}
        pickled = {path: (stamp, parsed.digest, _pickled(known.get(path), parsed)) for path, (stamp, parsed) in events.items()}
        payload = pickle.dumps((generator_stamp(), cache, pickled), protocol=pickle.HIGHEST_PROTOCOL)
        cache.pickled = {path: (digest, data) for path, (_, digest, data) in pickled.items()}
        target.parent.mkdir(exist_ok=True)
        with open(staging, "xb") as file:  # "x": never through a link someone left at that name
            file.write(_MAGIC)
            file.write(zlib.crc32(payload).to_bytes(4, "big"))
            file.write(payload)
        os.replace(staging, target)
    except OSError:
        try:
            staging.unlink(missing_ok=True)
        except OSError:
            pass  # .timeline-cache is not a folder: nothing was written
    finally:
        cache.events = events


def _pickled(known: tuple[str, bytes] | None, parsed: ParsedFile) -> bytes:
    """A file's result pickled, or as saved before when its bytes are the same."""
    if known is not None and known[0] == parsed.digest:
        return known[1]
    return pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
