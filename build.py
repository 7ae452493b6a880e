#!/usr/bin/env python3
"""Build the timeline site from this checkout: the same commands as ``chronologie``. Run ``python build.py --help``."""

from chronologie.cli import run

if __name__ == "__main__":
    run()
