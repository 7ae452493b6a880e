"""Holding Ctrl+C back over the few steps that must not be cut in two."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl+C waits for the block to end; a process forked inside it starts with Ctrl+C held too."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def ignore_interrupts() -> None:
    """From now on this process ignores Ctrl+C, including one held back before it was forked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an ignored signal that was pending is dropped
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
