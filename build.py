#!/usr/bin/env python3
"""Build the timeline site. Run ``python build.py --help`` for every command and option."""

import sys

from timeline.cli import main

if __name__ == "__main__":
    sys.exit(main())
