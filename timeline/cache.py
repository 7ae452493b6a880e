"""The persistent build cache: what a build keeps in ``.timeline-cache/`` so the next one redoes only what changed.

The file is checked before it is used: a wrong magic number, checksum, generator version or Python version,
or anything that fails to load, means the cache is ignored and rebuilt, never trusted. Deleting the folder is
always safe.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path

from . import __version__
from .site import BuildCache

CACHE_DIR = ".timeline-cache"
_MAGIC = b"TLCACHE1"
_DIGEST = 32


def cache_file(root: Path) -> Path:
    """Where a project's build cache lives."""
    return root / CACHE_DIR / "build.pickle"


def _stamp() -> dict:
    # Rendered pages depend on the generator's code (its version, and its source, for a copy being edited)
    # and pickles on Python's version.
    source = hashlib.blake2b(digest_size=16)
    for module in sorted(Path(__file__).parent.glob("*.py")):
        source.update(module.name.encode() + b"\0" + module.read_bytes())
    return {"generator": __version__, "source": source.hexdigest(), "python": sys.version_info[:2]}


def load_cache(root: Path) -> BuildCache:
    """The cache the last build left, or an empty one when there is none or it cannot be trusted."""
    try:
        data = cache_file(root).read_bytes()
    except OSError:
        return BuildCache()
    magic, digest, payload = data[: len(_MAGIC)], data[len(_MAGIC) : len(_MAGIC) + _DIGEST], data[len(_MAGIC) + _DIGEST :]
    if magic != _MAGIC or hashlib.blake2b(payload, digest_size=_DIGEST).digest() != digest:
        return BuildCache()
    try:
        saved = pickle.loads(payload)  # noqa: S301 - our own file, checksummed, in the project folder
        if saved["stamp"] != _stamp():
            return BuildCache()
        cache = BuildCache(events=saved["events"], pages=saved["pages"], static=saved["static"])
        cache.environment["state"] = saved["state"]
        cache.markdown.lang = saved["lang"]
        return cache
    except Exception:  # noqa: BLE001 - any failure to load means the cache is not used, never a failed build
        return BuildCache()


def save_cache(root: Path, cache: BuildCache) -> None:
    """Keep the cache for the next build, written atomically; a failure to write only costs speed."""
    saved = {
        "stamp": _stamp(), "events": cache.events, "pages": cache.pages, "static": cache.static,
        "state": cache.environment.get("state"), "lang": cache.markdown.lang,
    }
    payload = pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL)
    target = cache_file(root)
    staging = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(exist_ok=True)
        staging.write_bytes(_MAGIC + hashlib.blake2b(payload, digest_size=_DIGEST).digest() + payload)
        os.replace(staging, target)
    except OSError:
        staging.unlink(missing_ok=True)
