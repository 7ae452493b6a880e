#!/usr/bin/env python3
"""Build the timeline site. Run ``python build.py --help`` for every command and option."""

import os
import sys

from timeline.cli import main

if __name__ == "__main__":
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # A closed pipe (build.py ... | head): nothing more can be shown, and Python must not try again on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    sys.exit(status)
