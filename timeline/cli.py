"""Command line: ``python build.py [build] [--output DIR] [--base-url URL] [--drafts]``."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from .problems import BuildFailed
from .project import Project

DESCRIPTION = """\
Build a static timeline site from Markdown events.

Reads site.yaml, content/**/*.md (YAML front matter + Markdown) and templates/,
and writes the site into output/ (or --output). With no command, builds.

Every problem in the input is reported at once as path:line: message, and the
build exits with status 1, the previous output unchanged. Warnings are
printed but do not stop the build.
"""


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, got {text!r}")
    return int(text)


def _host(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("give an address such as 127.0.0.1 (or 0.0.0.0 for every interface)")
    return text.strip().strip("[]")


def make_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per verb."""
    parser = argparse.ArgumentParser(prog="build.py", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=Path("."), metavar="DIR", help="the project folder holding site.yaml, content/ and templates/ (default: the current folder)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_build(commands)
    _add_check(commands)
    _add_serve(commands)
    _add_new(commands)
    _add_import(commands)
    _add_deploy(commands)
    return parser


def _add_build(commands) -> None:
    """The ``build`` command and its options."""
    build = commands.add_parser("build", help="build the site (the default)", description="Build the site into output/. Nothing is written unless every file is valid; then output/ switches to the new site in one atomic step, unchanged files keeping their modification time.")
    build.add_argument("--output", type=Path, metavar="DIR", help="where to write the site (default: output/ in the project)")
    build.add_argument("--base-url", metavar="URL", help="override site.yaml's base_url, e.g. https://user.github.io/repo/")
    build.add_argument("--drafts", action="store_true", help="include events marked 'draft: true' (they are left out by default)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors: nothing is written if there is any")
    build.add_argument("--no-cache", action="store_true", help="ignore and do not update .timeline-cache/ (the output is the same either way)")


def _add_check(commands) -> None:
    """The ``check`` command and its options."""
    check = commands.add_parser(
        "check",
        help="validate everything without writing anything",
        description=(
            "Run every check the build runs, write nothing, and print each problem as path:line: message: "
            "front matter, dates and ranges, duplicate slugs, tags not in site.yaml's list, links between events, "
            "images, events without a source; as warnings, future dates and empty bodies. "
            "Exit status: 1 with any error (or any warning with --strict), else 0."
        ),
    )
    check.add_argument("--strict", action="store_true", help="make warnings fatal")
    check.add_argument("--drafts", action="store_true", help="check as a build with --drafts would")


def _add_serve(commands) -> None:
    """The ``serve`` command and its options."""
    serve = commands.add_parser(
        "serve",
        help="preview the site with live reload",
        description=(
            "Serve the site from memory at the path of base_url (http://127.0.0.1:8000/repo/ for "
            "https://user.github.io/repo/), rebuild on every save in content/, templates/ and site.yaml, and "
            "reload the open page. Build errors are shown in the browser until the next good save. "
            "Drafts are shown and marked. Nothing is written to output/."
        ),
    )
    serve.add_argument("--host", type=_host, default="127.0.0.1", help="address to listen on (default: 127.0.0.1; 0.0.0.0 exposes the preview to your network)")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--open", action="store_true", help="open the preview in a web browser")
    serve.add_argument("--base-url", metavar="URL", help="override site.yaml's base_url (its path is where the preview lives)")
    serve.add_argument("--no-drafts", action="store_true", help="hide drafts, to preview exactly what will be published")


def _add_new(commands) -> None:
    """The ``new`` command and its options."""
    new = commands.add_parser(
        "new",
        help="create a draft event with complete front matter",
        description="Create content/<date>-<slug>.md with valid front matter (draft: true) and a body skeleton, then print its path.",
    )
    new.add_argument("title", help="the event's title, in French; the slug comes from it (Société générale : l'IA → societe-generale-l-ia)")
    new.add_argument("--date", required=True, help="the event date: 2024-04-18, 2024-04, 2024, ~2024-04 or START/END")
    new.add_argument("--tags", default="", help="comma-separated tags, e.g. llama,open-source")
    new.add_argument("--source-url", metavar="URL", help="the address of the article it rests on")


def _add_import(commands) -> None:
    """The ``import`` command and its options."""
    imported = commands.add_parser(
        "import",
        help="turn a saved article into a draft event",
        description=(
            "Convert an article saved as text, HTML or Markdown into a draft event: title, publication date, outlet, "
            "boilerplate removed, a proposed event date, and a sources entry. The draft is a starting point to rewrite "
            "in your own words."
        ),
    )
    imported.add_argument("article", type=Path, help="the saved article (.txt, .html or .md)")
    imported.add_argument("--date", help="the event date, when the article does not give it")
    imported.add_argument("--tags", default="", help="comma-separated tags")


def _add_deploy(commands) -> None:
    """The ``deploy`` command and its options."""
    deploy = commands.add_parser(
        "deploy",
        help="build and publish output/ to the gh-pages branch",
        description=(
            "Build the site, then commit output/ to the gh-pages branch with ghp-import and push it. "
            "output/ holds .nojekyll, and CNAME when site.yaml names a domain. A failed push exits with "
            "status 1 and git's reason. Warns when content/ has uncommitted changes."
        ),
    )
    deploy.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    deploy.add_argument("--branch", default="gh-pages", help="branch to publish to (default: gh-pages)")
    deploy.add_argument("--message", help="commit message on that branch (default: names the source commit)")
    deploy.add_argument("--dry-run", action="store_true", help="build and say what would be pushed, but commit and push nothing")
    deploy.add_argument("--base-url", metavar="URL", help="override site.yaml's base_url")


def run_new(args: argparse.Namespace) -> int:
    """Create a draft event and print its path."""
    from .authoring import Draft

    sources = ()
    if args.source_url:
        sources = ({"publisher": "À compléter", "title": "À compléter", "date": args.date, "lang": "fr", "url": args.source_url},)
    notes = ("TODO: la date de la source est celle de l’événement ; mettez sa date de publication.",) if sources else ()
    return write_draft(args.project, Draft(args.title, args.date, split_tags(args.tags), sources=sources, notes=notes))


def split_tags(text: str) -> tuple[str, ...]:
    """'llama, open-source' → ('llama', 'open-source')."""
    return tuple(t.strip() for t in text.split(",") if t.strip())


def write_draft(project_dir: Path, draft) -> int:
    """Write a draft event into the project and print its path; refusals are one line and status 1."""
    from .authoring import AuthoringError, create_event

    try:
        path = create_event(Project(project_dir), draft)
    except AuthoringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    root = Path(project_dir).resolve()
    print(path.relative_to(root) if path.is_relative_to(root) else path)
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Import an article as a draft event and print its path."""
    from .importer import draft_from_article

    if not args.article.is_file():
        print(f"error: {args.article}: no such file", file=sys.stderr)
        return 1
    draft, warnings = draft_from_article(args.article, args.date, split_tags(args.tags))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if draft is None:
        print("Nothing was written.", file=sys.stderr)
        return 1
    return write_draft(args.project, draft)


def run_deploy(args: argparse.Namespace) -> int:
    """Build and push to GitHub Pages' branch."""
    from .deploy import deploy  # ghp-import loads only for this command

    return deploy(Project(args.project), args.remote, args.branch, args.message, args.dry_run, args.base_url)


def run_serve(args: argparse.Namespace) -> int:
    """Run the preview server until Ctrl+C."""
    from .serve import serve  # Tornado and watchdog load only for this command

    return serve(Project(args.project), args.host, args.port, args.open, args.base_url, not args.no_drafts)


def count(n: int, word: str) -> str:
    """'1 error', '2 warnings'."""
    return f"{n} {word}{'s' if n != 1 else ''}"


def print_failure(failure: BuildFailed, strict: bool, outcome: str) -> None:
    """Every problem, then one line saying how many and what happened."""
    for problem in failure.problems:
        print(problem, file=sys.stderr)
    warnings = len(failure.problems) - len(failure.errors)
    tally = count(len(failure.errors), "error") + (f" and {count(warnings, 'warning')} (--strict makes warnings fatal)" if strict and warnings else "")
    print(f"{tally}; {outcome}.", file=sys.stderr)


def run_build(args: argparse.Namespace) -> int:
    """Build, print problems or the summary line, and return the exit status."""
    from .cache import load_cache, save_cache
    from .site import BuildOptions, build_site

    project = Project(args.project)
    options = BuildOptions(getattr(args, "output", None), getattr(args, "base_url", None), getattr(args, "drafts", False), getattr(args, "strict", False))
    cache = None if getattr(args, "no_cache", False) else load_cache(project.root)
    try:
        report = build_site(project, options, cache)
    except BuildFailed as failure:
        print_failure(failure, options.strict, "the output folder was not changed")
        return 1
    try:
        for warning in report.warnings:
            print(warning, file=sys.stderr)
        print(report.summary())
        if cache is not None and cache.changed:
            save_cache(project.root, cache)
    except KeyboardInterrupt:
        raise KeyboardInterrupt("the output folder holds the new build; the cache was not saved") from None
    return 0


def run_check(args: argparse.Namespace) -> int:
    """Run the build's checks without writing; print every problem and return the exit status."""
    from .site import build_site

    from .site import BuildOptions

    try:
        report = build_site(Project(args.project), BuildOptions(drafts=args.drafts, strict=args.strict, write=False))
    except BuildFailed as failure:
        print_failure(failure, args.strict, "nothing was written")
        return 1
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    print(f"No errors, {count(len(report.warnings), 'warning')}: {count(report.events, 'event')} checked.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``build.py``."""
    args = make_parser().parse_args(argv)
    # A build makes millions of small objects that live until it ends: Python's default collector would walk
    # them over and over. Collecting far less often (cycles are still freed) took a cold build of 10,000 events
    # from 19.6 to 17.1 s and a no-change rebuild from 1.9 to 1.5 s (see README, "Command line").
    gc.set_threshold(100_000, 50, 1000)
    try:
        return run_command(args)
    except KeyboardInterrupt as interrupt:
        print(f"Interrupted: {interrupt.args[0] if interrupt.args else 'the output folder was not changed'}.", file=sys.stderr)
        return 130


def run_command(args: argparse.Namespace) -> int:
    """Run the command ``args`` names."""
    if args.command == "serve":
        return run_serve(args)
    if args.command == "deploy":
        return run_deploy(args)
    if args.command == "check":
        return run_check(args)
    if args.command == "new":
        return run_new(args)
    if args.command == "import":
        return run_import(args)
    return run_build(args)
