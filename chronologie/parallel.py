"""Spreading many independent jobs over the machine's cores, in forked worker processes that die with this one."""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .interrupts import ignore_interrupts, interrupts_held

# Below this many jobs, starting worker processes costs more than it saves (measured on 2 cores).
PARALLEL_THRESHOLD = int(os.environ.get("TIMELINE_PARALLEL_THRESHOLD", "200"))
_PR_SET_PDEATHSIG = 1

# What the workers apply, and to what: forked workers inherit both, so neither is ever pickled.
_INHERITED: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def worker_count(jobs: int) -> int:
    """How many processes to use for ``jobs`` jobs: 1 (stay in this process) unless forking is worth it and safe."""
    workers = min(os.cpu_count() or 1, 8)
    # Forking a process that runs threads (the preview server's watcher) can deadlock: then stay serial.
    if jobs < PARALLEL_THRESHOLD or workers < 2 or threading.active_count() > 1:
        return 1
    import multiprocessing  # loaded only when worth it: a rebuild after an edit never is

    return workers if "fork" in multiprocessing.get_all_start_methods() else 1


def _start_worker(parent: int) -> None:
    # A worker dies with the build that forked it, even when that is killed outright, and leaves Ctrl+C to it.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: a worker still ends when the pool's pipe closes
    if os.getppid() != parent:
        os._exit(1)  # the build died before the line above took effect
    ignore_interrupts()
    # What it inherits stays out of its collector's passes, which would otherwise touch, and so copy, every
    # object of the build (a cold build of 10,000 events: 20.4 s without this, 18.3 s with it).
    gc.freeze()


def _apply_to_range(bounds: tuple[int, int]) -> list[Any]:
    function, items = _INHERITED
    return [function(item) for item in items[bounds[0]:bounds[1]]]


def map_in_workers(function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    """``[function(item) for item in items]``, over every core when there are many; only results are pickled."""
    return list(imap_in_workers(function, items))


def imap_in_workers(function: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
    """``function(item)`` for each item, in order, as they are made: over every core when there are many.

    ``function`` may be a closure: forked workers inherit it. An exception it raises reaches the caller. The
    workers run ahead of the caller, which can use each result (write a page, say) while they make the next.
    """
    global _INHERITED
    if (workers := worker_count(len(items))) == 1:
        yield from map(function, items)
        return
    import concurrent.futures
    import multiprocessing

    # Many small parts: items can be uneven (a year page takes fifty times an event page), and a core left
    # with one last large part would run alone at the end.
    step = max(1, len(items) // (workers * 16))
    _INHERITED = (function, items)
    try:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)) as pool:
            try:
                # The workers are forked here. A Ctrl+C in the instant between a fork and _start_worker would
                # stop a worker half made, and the pool would wait for it forever: it waits for the end of this.
                with interrupts_held():
                    parts = pool.map(_apply_to_range, [(i, i + step) for i in range(0, len(items), step)])
                for part in parts:
                    yield from part
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)  # Ctrl+C or a fault: the parts not started never run
                raise
    finally:
        _INHERITED = None
