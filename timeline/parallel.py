"""Spreading a large batch of independent jobs over the machine's cores, in forked processes."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

# Below this many jobs, starting worker processes costs more than it saves (measured on 2 cores).
PARALLEL_THRESHOLD = int(os.environ.get("TIMELINE_PARALLEL_THRESHOLD", "200"))


def worker_count(jobs: int) -> int:
    """How many processes to use for ``jobs`` jobs: 1 (stay in this process) unless forking is worth it and safe."""
    workers = min(os.cpu_count() or 1, 8)
    # Forking a process that runs threads (the preview server's watcher) can deadlock: then stay serial.
    if jobs < PARALLEL_THRESHOLD or workers < 2 or threading.active_count() > 1:
        return 1
    import multiprocessing  # loaded only when worth it: a rebuild after an edit never is

    return workers if "fork" in multiprocessing.get_all_start_methods() else 1


def map_forked(function: Callable[[Any], Any], jobs: Sequence[Any], workers: int, meanwhile: Callable[[], Any] | None = None) -> list[Any]:
    """``[function(job) for job in jobs]``, in ``workers`` forked processes; they inherit this process's memory.

    ``meanwhile`` runs in this process while they work.
    """
    import concurrent.futures
    import multiprocessing

    # A worker freezes what it inherits out of its collector's passes: one pass would otherwise walk, and so
    # copy, every object of this process (about 1 s of a cold build of 10,000 events on 2 cores).
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=gc.freeze) as pool:
        results = pool.map(function, jobs)  # one job at a time: a worker done early takes the next
        if meanwhile is not None:
            meanwhile()
        return list(results)


# What the workers of map_inherited apply, and to what: they inherit both, so neither is ever pickled.
_INHERITED: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _apply_to_range(bounds: tuple[int, int]) -> list[Any]:
    function, items = _INHERITED
    return [function(item) for item in items[bounds[0]:bounds[1]]]


def map_inherited(function: Callable[[Any], Any], items: Sequence[Any], meanwhile: Callable[[], Any] | None = None) -> list[Any]:
    """``[function(item) for item in items]``, over every core when there are many; only results are pickled.

    ``function`` may be a closure: forked workers inherit it. An exception it raises reaches the caller.
    ``meanwhile``, if given, runs in this process while workers do the work; it is not run when there are none.
    """
    global _INHERITED
    if (workers := worker_count(len(items))) == 1:
        return [function(item) for item in items]
    # Many small parts: items can be uneven (a year page takes fifty times an event page), and a core left
    # with one last large part would run alone at the end.
    step = max(1, len(items) // (workers * 32))
    _INHERITED = (function, items)
    try:
        parts = map_forked(_apply_to_range, [(i, i + step) for i in range(0, len(items), step)], workers, meanwhile)
        return [result for part in parts for result in part]
    finally:
        _INHERITED = None
