"""The persistent build cache: what a build keeps in ``.timeline-cache/`` so the next one redoes only what changed.

Parsed events live in shard files by path, so an edit rewrites one small shard, not every event; everything
else (page keys, file stamps, assets, the results kept across events) lives in one file, which names events
by path and fingerprint rather than holding copies. Every file is checked before it is used: a wrong magic
number, checksum, generator version or Python version, or anything that fails to load, means that file is
ignored and its contents rebuilt, never trusted. Each entry is also checked against the files it stands for
(stat, content hash, page key), so files from different builds never mix wrongly. Deleting the folder is
always safe.
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import pickle
import struct
import zlib
from pathlib import Path

from .content import Event
from .model import Shapes
from .render import CompiledTemplates
from .site import BuildCache
from .uptodate import generator_stamp

CACHE_DIR = ".timeline-cache"
_MAGIC = b"TLCACHE4"
_DIGEST = 4  # a CRC-32: it catches damage, which is all it is for, at a quarter of a cryptographic hash's cost
SHARDS = 32
_TRAILER = struct.Struct(">QI")  # at a cache file's end: the pickle's length, how many buffers follow it
_LENGTH = struct.Struct(">Q")  # each buffer's length, before the trailer
_EXPORTS = "exports"  # under this name, saved_shards holds the pieces of the exports the cache holds
# The results across events that cost a rebuild more to work out again than to load (measured at 10,000
# events): the order and groups, the checks, the month axis. Pages and groups are quicker made again.
_KEPT_RESULTS = ("timeline", "future", "slugs", "tags", "precisions", "axis", "years")


def cache_file(root: Path) -> Path:
    """Where a project's build cache keeps everything but the parsed events."""
    return root / CACHE_DIR / "build.pickle"


def shard_file(root: Path, shard: int) -> Path:
    """Where one shard of the parsed events lives."""
    return root / CACHE_DIR / f"events-{shard:02d}.pickle"


def exports_file(root: Path) -> Path:
    """Where the exports' per-event pieces live: apart, as most builds leave them all as they were."""
    return root / CACHE_DIR / "exports.pickle"


def shard_of(path: str) -> int:
    """The shard an event file's entry goes to; stable across runs, unlike hash()."""
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % SHARDS


def _stamp() -> dict:
    # Rendered pages depend on the generator's code and pickles on Python's version.
    return generator_stamp()


def _unpack(path: Path, stamp: dict) -> dict | None:
    """A cache file's contents, or None when it is missing, damaged or from other code.

    A file is the magic number, a checksum, then the payload: a pickle, the buffers it left out of band (event
    bodies), their lengths, and the pickle's length and how many buffers there are (``_TRAILER``).
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None
    magic, digest, payload = data[: len(_MAGIC)], data[len(_MAGIC) : len(_MAGIC) + _DIGEST], memoryview(data)[len(_MAGIC) + _DIGEST :]
    if magic != _MAGIC or checksum(payload) != digest:
        return None
    try:
        stream, count = _TRAILER.unpack_from(payload, len(payload) - _TRAILER.size)
        lengths_at = len(payload) - _TRAILER.size - _LENGTH.size * count
        buffers, offset = [], stream
        for (length,) in _LENGTH.iter_unpack(payload[lengths_at : lengths_at + _LENGTH.size * count]):
            buffers.append(payload[offset : offset + length])  # views of the file's bytes: nothing is copied
            offset += length
        if offset != lengths_at:
            return None
        saved = pickle.loads(payload[:stream], buffers=buffers)  # noqa: S301 - our own file, checksummed, in the project folder
        return saved if isinstance(saved, dict) and saved.get("stamp") == stamp else None
    except Exception:  # noqa: BLE001 - any failure to load means the file is not used, never a failed build
        return None


def checksum(payload: bytes, start: int = 0) -> bytes:
    """The check a cache file carries of its payload (``start``: the value so far, for a payload written in parts)."""
    return zlib.crc32(payload, start).to_bytes(_DIGEST, "big")


# The events a main file being loaded names, by position (see _Referring): set only while it loads.
_REFERRED: list = []


def _referred(position: int) -> Event:
    return _REFERRED[position]


def _referred_shapes(positions: tuple) -> Shapes:
    return Shapes(_REFERRED[item].shape if type(item) is int else item for item in positions)


class _Referring(pickle.Pickler):
    """Pickles the events of the cache (and lists of their shapes) as positions in a list, not as copies.

    Python calls ``reducer_override`` once per object that is not of a built-in type: a few calls per event.
    """

    def __init__(self, file, events: list[Event]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.positions = {id(event): position for position, event in enumerate(events)}
        self.shape_positions = {id(event.shape): position for position, event in enumerate(events)}

    def reducer_override(self, obj):
        if (position := self.positions.get(id(obj))) is not None:
            return _referred, (position,)
        if type(obj) is Shapes:  # a shape no event of the cache has (a deleted file's, say) is copied
            return _referred_shapes, (tuple([self.shape_positions.get(id(shape), shape) for shape in obj]),)
        return NotImplemented


def _pickle_referring(value, events: dict) -> tuple[list[tuple[str, str]], bytes]:
    """The events of ``events`` by file and fingerprint, and ``value`` pickled naming them (the shards hold them)."""
    named = [(path, entry[2]) for path, entry in events.items() if entry[2] is not None]
    out = io.BytesIO()
    _Referring(out, [event for _, event in named]).dump(value)
    return [(path, event.fingerprint) for path, event in named], out.getvalue()


def _unpickle_referring(names: list[tuple[str, str]], data: bytes, events: dict):
    """What ``_pickle_referring`` pickled, with the events of ``events``; raises if one is missing or differs."""
    global _REFERRED
    referred = []
    for path, fingerprint in names:
        event = events[path][2]
        if event is None or event.fingerprint != fingerprint:
            raise ValueError(f"{path}: not the event the cache's pages were made from")
        referred.append(event)
    _REFERRED = referred
    try:
        return pickle.loads(data)  # noqa: S301 - our own file, checksummed, in the project folder
    finally:
        _REFERRED = []


def _shard_unchanged(events: dict, saved: dict | None) -> bool:
    # The very entries loaded or saved last: read_events puts a new tuple in for any file it reads again
    # (a change of language empties the events, so every entry is new then too), event_pieces a new table.
    return saved is not None and events.keys() == saved.keys() and all(entry is saved[path] for path, entry in events.items())


def _compiled(root: Path, stamp: dict) -> CompiledTemplates:
    salt = hashlib.blake2b(repr(sorted(stamp.items())).encode(), digest_size=8).hexdigest()
    return CompiledTemplates(root / CACHE_DIR / "templates", salt)


def _empty(root: Path, stamp: dict) -> BuildCache:
    cache = BuildCache()
    cache.environment["compiled"] = _compiled(root, stamp)
    return cache


def load_cache(root: Path) -> BuildCache:
    """The cache the last build left, or an empty one when there is none or it cannot be trusted."""
    # Unpickling makes many objects at once: the collector would walk them again and again.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load(root)
    finally:
        if paused:
            gc.enable()


def _load(root: Path) -> BuildCache:
    stamp = _stamp()
    saved = _unpack(cache_file(root), stamp)
    if saved is None:
        return _empty(root, stamp)
    try:
        cache = BuildCache(static=saved["static"], written=saved["written"])
        cache.environment.update(state=saved["state"], references=saved["references"], compiled=_compiled(root, stamp))
        cache.markdown.lang = saved["lang"]
    except (KeyError, TypeError, AttributeError):
        return _empty(root, stamp)
    for shard in range(SHARDS):
        part = _unpack(shard_file(root, shard), stamp)
        events = part.get("events") if part else None
        # Parsed in another language (a save cut short between a shard and this file): typography differs.
        if isinstance(events, dict) and part.get("lang") == cache.markdown.lang:
            cache.events.update(events)
            cache.saved_shards[shard] = dict(events)
    cache.unread["fragments"] = lambda: _load_pieces(root, stamp, cache)
    try:
        # Page keys and results across events, which name the events they were made from: kept only when every
        # one is in the shards just loaded, as it was (a shard lost or from another build would mismatch them).
        kept = _unpickle_referring(*saved["kept"], cache.events)
        cache.pages.update(kept["pages"])
        cache.memo.update(kept["memo"])
    except Exception:  # noqa: BLE001 - any failure only means rendering pages again
        cache.pages.clear()
        cache.memo.clear()
    return cache


def _load_pieces(root: Path, stamp: dict, cache: BuildCache) -> None:
    # Each piece is filed under everything it shows (see exports.piece_keys): any found is right to use.
    part = _unpack(exports_file(root), stamp)
    if part and isinstance(fragments := part.get("fragments"), dict):
        cache.fragments.update(fragments)
        cache.saved_shards[_EXPORTS] = dict(fragments)


class _HashingWriter:
    """A file that hashes and counts what is written to it: the pickle streams to disk, never whole in memory."""

    def __init__(self, file) -> None:
        self.file, self.crc, self.written = file, 0, 0

    def write(self, data) -> int:
        self.crc = zlib.crc32(data, self.crc)
        self.written += len(data)
        return self.file.write(data)


def _write_atomically(target: Path, saved: dict) -> None:
    """Write ``saved`` as ``_unpack`` reads it, through a staging file: a reader never sees half a file."""
    staging = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        with open(staging, "wb") as file:
            file.write(_MAGIC + bytes(_DIGEST))  # the digest, once the payload is written
            writer = _HashingWriter(file)
            buffers: list[pickle.PickleBuffer] = []
            pickle.Pickler(writer, protocol=5, buffer_callback=buffers.append).dump(saved)
            stream, lengths = writer.written, []
            for buffer in buffers:
                raw = buffer.raw()
                writer.write(raw)
                lengths.append(raw.nbytes)
            writer.write(b"".join(_LENGTH.pack(length) for length in lengths) + _TRAILER.pack(stream, len(lengths)))
            file.seek(len(_MAGIC))
            file.write(writer.crc.to_bytes(_DIGEST, "big"))
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)


def save_cache(root: Path, cache: BuildCache) -> None:
    """Keep the cache for the next build, each file written atomically; a failure to write only costs speed.

    The pages' bytes are dropped from ``cache``: they are in the output folder.
    """
    stamp = _stamp()
    # A page's bytes stay in the output folder only: the cache keeps what they were made from, and the stamp
    # of the file written, which is enough to know it need not be rendered again (see site.build_site).
    for name, (key, _) in cache.pages.items():
        cache.pages[name] = (key, None)
    saved = {
        "stamp": stamp, "static": cache.static, "written": cache.written,
        "state": cache.environment.get("state"), "references": cache.environment.get("references", {}), "lang": cache.markdown.lang,
        "kept": _pickle_referring({"pages": cache.pages, "memo": {name: cache.memo[name] for name in _KEPT_RESULTS if name in cache.memo}}, cache.events),
    }
    shards: dict[int, dict] = {shard: {} for shard in range(SHARDS)}
    for path, entry in cache.events.items():
        shards[shard_of(path)][path] = entry
    try:
        cache_file(root).parent.mkdir(exist_ok=True)
        for shard, events in shards.items():
            if not _shard_unchanged(events, cache.saved_shards.get(shard)):
                _write_atomically(shard_file(root, shard), {"stamp": stamp, "lang": cache.markdown.lang, "events": events})
                cache.saved_shards[shard] = events
        if "fragments" not in cache.unread and not _shard_unchanged(cache.fragments, cache.saved_shards.get(_EXPORTS)):
            _write_atomically(exports_file(root), {"stamp": stamp, "fragments": cache.fragments})
            cache.saved_shards[_EXPORTS] = dict(cache.fragments)
        _write_atomically(cache_file(root), saved)
        if compiled := cache.environment.get("compiled"):
            compiled.save()
    except OSError:
        pass
