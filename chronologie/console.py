"""What the commands tell the user: results on standard output, fewer with -q, more with -v.

Problems (``path:line: message``) and errors go to standard error with ``print``, whatever the verbosity:
-q never hides what went wrong.
"""

from __future__ import annotations

import logging

LOG = logging.getLogger("chronologie")
QUIET, NORMAL, VERBOSE = -1, 0, 1


class _Stdout(logging.Handler):
    """Prints each message to the standard output of the moment (a test's capture, a pipe), flushed at once."""

    def emit(self, record: logging.LogRecord) -> None:
        print(self.format(record), flush=True)


def configure(verbosity: int) -> None:
    """Show results (NORMAL), only problems (QUIET), or the details of each step too (VERBOSE)."""
    LOG.handlers[:] = [_Stdout()]
    LOG.propagate = False
    LOG.setLevel({QUIET: logging.WARNING, NORMAL: logging.INFO}.get(verbosity, logging.DEBUG))


def say(text: str) -> None:
    """A result the user asked for: what was built, published or served (hidden by -q)."""
    LOG.info(text)


def detail(text: str) -> None:
    """A step shown only with -v: each file read, each page drawn."""
    LOG.debug(text)


configure(NORMAL)  # as the commands run unless -q or -v says otherwise, also when called from Python
