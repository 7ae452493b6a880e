"""Command line: ``python build.py [build] [--output DIR] [--base-url URL] [--drafts]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .problems import BuildFailed
from .site import Project, build_site

DESCRIPTION = """\
Build a static timeline site from Markdown events.

Reads site.yaml, content/**/*.md (YAML front matter + Markdown) and templates/,
and writes the site into output/ (or --output). With no command, builds.

Every problem in the input is reported at once as path:line: message, and the
build exits with status 1 without touching the previous output. Warnings are
printed but do not stop the build.
"""


def make_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per verb."""
    parser = argparse.ArgumentParser(prog="build.py", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=Path("."), metavar="DIR", help="the project folder holding site.yaml, content/ and templates/ (default: the current folder)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the site (the default)", description="Build the site into output/. Nothing is written unless every file is valid; then only changed files are replaced and stale ones removed.")
    build.add_argument("--output", type=Path, metavar="DIR", help="where to write the site (default: output/ in the project)")
    build.add_argument("--base-url", metavar="URL", help="override site.yaml's base_url, e.g. https://user.github.io/repo/")
    build.add_argument("--drafts", action="store_true", help="include events marked 'draft: true' (they are left out by default)")
    return parser


def run_build(args: argparse.Namespace) -> int:
    """Build, print problems or the summary line, and return the exit status."""
    project = Project(args.project)
    try:
        report = build_site(project, getattr(args, "output", None), getattr(args, "base_url", None), getattr(args, "drafts", False))
    except BuildFailed as failure:
        for problem in failure.problems:
            print(problem, file=sys.stderr)
        n = len(failure.errors)
        print(f"{n} error{'s' if n != 1 else ''}; the output folder was not touched.", file=sys.stderr)
        return 1
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    print(report.summary())
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``build.py``."""
    args = make_parser().parse_args(argv)
    return run_build(args)
