#!/usr/bin/env python3
"""Build the timeline site. Run ``python build.py --help`` for every command and option."""

import os
import sys

from timeline.cli import main

if __name__ == "__main__":
    status = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(status)  # a profiler, debugger or coverage tool writes its results on the way out
    # A large build's cache is a million objects, kept until now (cli.kept_until_exit): freeing them one by one
    # on the way out would take a tenth of a second. Nothing else is left to close but the standard streams.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        pass  # a closed pipe (build.py ... | head): nothing more can be shown
    os._exit(status)
