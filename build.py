#!/usr/bin/env python3
"""Build the timeline site. Run ``python build.py --help`` for every command and option."""

import gc
import sys

from timeline.cli import main

if __name__ == "__main__":
    status = main()
    # What a large build leaves lives until exit: spare the interpreter a last walk over millions of objects.
    gc.freeze()
    sys.exit(status)
