"""Command line: ``chronologie [COMMAND] [OPTIONS]`` (``python build.py`` in this checkout), building with no command."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from . import __version__, console
from .problems import BuildFailed, Problem
from .project import Project

DESCRIPTION = """\
Build a static timeline site from Markdown events.

Reads site.yaml, content/**/*.md (YAML front matter + Markdown) and templates/
(your overrides of the default theme), and writes the site into output/. With no
command, builds: `chronologie --strict` is `chronologie build --strict`.

Every problem in the input is reported at once as path:line: message, and the
build exits with status 1, the previous output unchanged. Warnings are
printed but do not stop the build.
"""

EXIT_CODES = """\
exit status:
  0    done (warnings may have been printed)
  1    problems in the input, or the command could not do what it was asked
       (the message says what was left unchanged)
  2    the command line is wrong (an unknown command or option, a bad value)
  130  interrupted (Ctrl+C)
"""

VERBS = ("build", "check", "serve", "new", "import", "deploy", "init", "theme")
GLOBAL_WITH_VALUE = ("-C", "--project")
GLOBAL_FLAGS = ("-q", "--quiet", "-v", "--verbose")


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, got {text!r}")
    return int(text)


def _host(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("give an address such as 127.0.0.1 (or 0.0.0.0 for every interface)")
    return text.strip().strip("[]")


def _add_global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """-C/--project, -q and -v: on the main parser and on every command, so they may come before or after it."""
    default = (lambda value: argparse.SUPPRESS) if suppress else (lambda value: value)  # a command's copy never overrides
    parser.add_argument("-C", "--project", type=Path, default=default(Path(".")), metavar="DIR", help="the site's folder, holding site.yaml, content/ and templates/ (default: the current folder)")
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=console.QUIET, default=default(console.NORMAL), help="print only problems and errors")
    loudness.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=console.VERBOSE, default=default(console.NORMAL), help="also print each step: the files read, the pages drawn")


class _Parser(argparse.ArgumentParser):
    """A command's parser, which takes no abbreviated options either."""

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_abbrev=False, **kwargs)


def make_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per verb."""
    # No abbreviations: "--proj" before a command would otherwise be read as a build option and reject the command.
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION, epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"chronologie {__version__}")
    _add_global_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for add in (_add_build, _add_check, _add_serve, _add_new, _add_import, _add_deploy, _add_init, _add_theme):
        _add_global_options(add(commands), suppress=True)
    return parser


def _add_build(commands) -> argparse.ArgumentParser:
    """The ``build`` command and its options."""
    build = commands.add_parser("build", help="build the site (the default)", epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter, description="Build the site into output/. Nothing is written unless every file is valid; then output/ switches to the new site in one atomic step, unchanged files keeping their modification time.")
    build.add_argument("--output", type=Path, metavar="DIR", help="where to write the site (default: output/ in the project)")
    build.add_argument("--base-url", metavar="URL", help="override site.yaml's base_url, e.g. https://user.github.io/repo/")
    build.add_argument("--drafts", action="store_true", help="include events marked 'draft: true' (they are left out by default)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors: nothing is written if there is any")
    build.add_argument("--no-cache", action="store_true", help="ignore and do not update .timeline-cache/ (the output is the same either way)")
    return build


def _add_check(commands) -> argparse.ArgumentParser:
    """The ``check`` command and its options."""
    check = commands.add_parser(
        "check",
        help="validate everything without writing anything",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Run every check the build runs, write nothing, and print each problem as path:line: message: "
            "front matter, dates and ranges, duplicate slugs, tags not in site.yaml's list, links between events, "
            "images, events without a source; as warnings, future dates, empty bodies, and syntax of other tools "
            "(MkDocs, Hugo, Jekyll) that the Markdown engine leaves as text."
        ),
    )
    check.add_argument("--strict", action="store_true", help="make warnings fatal")
    check.add_argument("--drafts", action="store_true", help="check as a build with --drafts would")
    check.add_argument("--format", choices=("text", "github"), default="text", help="text: path:line: message (the default); github: GitHub Actions annotations, shown on the pull request's files")
    return check


def _add_serve(commands) -> argparse.ArgumentParser:
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
    return serve


def _add_new(commands) -> argparse.ArgumentParser:
    """The ``new`` command and its options."""
    new = commands.add_parser(
        "new",
        help="create a draft event with complete front matter",
        description="Create content/<date>-<slug>.md with valid front matter (draft: true) and a body skeleton in the language of site.yaml, then print its path.",
    )
    new.add_argument("title", help="the event's title; the slug comes from it (Llama 3: the release → llama-3-the-release)")
    new.add_argument("--date", required=True, help="the event date: 2024-04-18, 2024-04, 2024, ~2024-04 or START/END")
    new.add_argument("--tags", default="", help="comma-separated tags, e.g. llama,open-source")
    new.add_argument("--source-url", metavar="URL", help="the address of the article it rests on")
    return new


def _add_import(commands) -> argparse.ArgumentParser:
    """The ``import`` command and its options."""
    imported = commands.add_parser(
        "import",
        help="turn a saved article into a draft event",
        description=(
            "Convert an article saved as text, HTML or Markdown into a draft event: title, publication date, outlet, "
            "boilerplate removed, a proposed event date, and a sources entry; its notes are in the language of "
            "site.yaml. The draft is a starting point to rewrite in your own words."
        ),
    )
    imported.add_argument("article", type=Path, help="the saved article (.txt, .html or .md)")
    imported.add_argument("--date", help="the event date, when the article does not give it")
    imported.add_argument("--tags", default="", help="comma-separated tags")
    return imported


def _add_deploy(commands) -> argparse.ArgumentParser:
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
    return deploy


def _add_init(commands) -> argparse.ArgumentParser:
    """The ``init`` command and its options."""
    init = commands.add_parser(
        "init",
        help="start a new site in an empty folder",
        description=(
            "Write a new site into DIR: site.yaml, content/ with one example event, templates/ for your overrides "
            "of the default theme, a GitHub Pages workflow, the requirements.txt it installs, and a .gitignore. "
            "DIR must be empty or not exist yet; nothing is written unless all of it is."
        ),
    )
    init.add_argument("directory", type=Path, metavar="DIR", help="the folder to create the site in")
    init.add_argument("--language", choices=("fr", "en"), default="en", help="the site's language: its interface, dates, and what new and import write (default: en)")
    init.add_argument("--title", help="the site's title (default: the folder's name)")
    init.add_argument("--base-url", metavar="URL", default="https://example.org/", help="where the site will be published, e.g. https://user.github.io/repo/ (default: https://example.org/)")
    return init


def _add_theme(commands) -> argparse.ArgumentParser:
    """The ``theme`` command and its options."""
    theme = commands.add_parser(
        "theme",
        help="list the default theme's files, or copy some into templates/ to change them",
        description=(
            "With no FILE, print where the default theme lives and list its templates and assets, marking those "
            "the site overrides. With FILEs (as listed, e.g. event.html or static/style.css), copy each into the "
            "site's templates/, where it overrides the theme's; an existing file is never overwritten."
        ),
    )
    theme.add_argument("files", nargs="*", metavar="FILE", help="a theme file to copy into templates/")
    return theme


def with_build_verb(argv: list[str]) -> list[str]:
    """``--strict`` → ``build --strict``: the build's options work without the word, as the default command."""
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg in GLOBAL_WITH_VALUE:
            index += 2
        elif arg in GLOBAL_FLAGS or arg.startswith(("--project=", "-C")) or (arg.startswith("-") and not arg.startswith("--") and set(arg[1:]) <= {"q", "v"}):
            index += 1
        else:
            break
    if index < len(argv) and argv[index].startswith("-") and argv[index] not in ("-h", "--help", "--version", "-"):
        return [*argv[:index], "build", *argv[index:]]
    return argv


def run_new(args: argparse.Namespace) -> int:
    """Create a draft event and print its path."""
    from .authoring import AuthoringError, new_draft, site_language

    try:
        lang = site_language(Project(args.project))
    except AuthoringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return write_draft(args.project, new_draft(args.title, args.date, split_tags(args.tags), args.source_url, lang))


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
    from .authoring import AuthoringError, site_language
    from .importer import draft_from_article

    if problem := article_problem(args.article):
        print(f"error: {args.article}: {problem}; nothing was written", file=sys.stderr)
        return 1
    try:
        lang = site_language(Project(args.project))
    except AuthoringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    draft, warnings = draft_from_article(args.article, args.date, split_tags(args.tags), lang)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if draft is None:
        print("Nothing was written.", file=sys.stderr)
        return 1
    return write_draft(args.project, draft)


MAX_ARTICLE_BYTES = 5_000_000  # an article saved as text or HTML is rarely over 1 MB; import takes about 1.3 s a MB


def article_problem(path: Path) -> str | None:
    """Why ``import`` cannot read ``path`` as one saved article, or None."""
    if path.is_dir():
        return "is a folder; give one saved article (.txt, .html or .md)"
    if not path.is_file():
        return "no such file"
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        return f"is {size / 1e6:.1f} MB, and import reads at most {MAX_ARTICLE_BYTES / 1e6:.0f} MB: save the article alone"
    return None


def run_deploy(args: argparse.Namespace) -> int:
    """Build and push to GitHub Pages' branch."""
    from .deploy import DeployOptions, deploy  # ghp-import loads only for this command

    return deploy(Project(args.project), DeployOptions(args.remote, args.branch, args.message, args.dry_run, args.base_url))


def run_serve(args: argparse.Namespace) -> int:
    """Run the preview server until Ctrl+C."""
    from .serve import ServeOptions, serve  # Tornado and watchdog load only for this command

    return serve(Project(args.project), ServeOptions(args.host, args.port, args.open, args.base_url, not args.no_drafts))


def run_init(args: argparse.Namespace) -> int:
    """Write a new site and print the next steps."""
    from .scaffold import InitError, SiteSpec, init_site

    try:
        steps = init_site(args.directory, SiteSpec(args.language, args.title or args.directory.resolve().name, args.base_url))
    except InitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    console.say(steps)
    return 0


def run_theme(args: argparse.Namespace) -> int:
    """List the theme's files, or copy some into the site's templates/."""
    from .scaffold import InitError, copy_theme_files, theme_listing

    project = Project(args.project)
    if not args.files:
        console.say(theme_listing(project))
        return 0
    try:
        for path in copy_theme_files(project, args.files):
            console.say(f"Copied {path}: edit it there; it overrides the theme's.")
    except InitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def count(n: int, word: str) -> str:
    """'1 error', '2 warnings'."""
    return f"{n} {word}{'s' if n != 1 else ''}"


@dataclass(frozen=True)
class Annotations:
    """How ``check --format github`` writes problems: paths from the folder the workflow runs in, warnings as errors under --strict."""

    project: Path
    strict: bool = False

    def line(self, problem: Problem) -> str:
        """``::error file=content/x.md,line=3::message``, escaped as GitHub Actions' workflow commands require."""
        level = "warning" if problem.warning and not self.strict else "error"
        full, here = (self.project / problem.path).resolve(), Path.cwd().resolve()
        path = full.relative_to(here).as_posix() if full.is_relative_to(here) and not problem.path.startswith("-") else problem.path
        return f"::{level} file={_escape(path, True)},line={problem.line}::{_escape(problem.message)}"


def _escape(text: str, is_property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text


def print_problems(problems: list[Problem], annotations: Annotations | None = None) -> None:
    """Each problem as ``path:line: message`` on standard error, or as a GitHub annotation on standard output."""
    for problem in problems:
        if annotations is not None:
            print(annotations.line(problem))
        else:
            print(problem, file=sys.stderr)


def print_failure(failure: BuildFailed, strict: bool, outcome: str, annotations: Annotations | None = None) -> None:
    """Every problem, then one line saying how many and what happened."""
    print_problems(failure.problems, annotations)
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
        print_problems(list(report.warnings))
        for path in report.read:
            console.detail(f"read {path}")
        console.detail(f"drew {count(report.rendered, 'page')} afresh; the others were unchanged")
        console.say(report.summary())
        if cache is not None and cache.changed:
            save_cache(project.root, cache)
    except KeyboardInterrupt:
        raise KeyboardInterrupt("the output folder holds the new build; the cache was not saved") from None
    return 0


def run_check(args: argparse.Namespace) -> int:
    """Run the build's checks without writing; print every problem and return the exit status."""
    from .site import BuildOptions, build_site

    annotations = Annotations(args.project, args.strict) if args.format == "github" else None
    try:
        report = build_site(Project(args.project), BuildOptions(drafts=args.drafts, strict=args.strict, write=False))
    except BuildFailed as failure:
        print_failure(failure, args.strict, "nothing was written", annotations)
        return 1
    print_problems(list(report.warnings), annotations)
    console.say(f"No errors, {count(len(report.warnings), 'warning')}: {count(report.events, 'event')} checked.")
    return 0


COMMANDS = {"serve": run_serve, "deploy": run_deploy, "check": run_check, "new": run_new, "import": run_import, "init": run_init, "theme": run_theme}


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """Parse the command line and run the command it names; return the exit status."""
    args = make_parser(prog).parse_args(with_build_verb(sys.argv[1:] if argv is None else list(argv)))
    console.configure(args.verbosity)
    # A build makes millions of small objects that live until it ends: Python's default collector would walk
    # them over and over. Collecting far less often (cycles are still freed) took a cold build of 10,000 events
    # from 19.6 to 17.1 s and a no-change rebuild from 1.9 to 1.5 s (see docs/design.md).
    gc.set_threshold(100_000, 50, 1000)
    try:
        return COMMANDS.get(args.command, run_build)(args)
    except KeyboardInterrupt as interrupt:
        print(f"Interrupted: {interrupt.args[0] if interrupt.args else 'the output folder was not changed'}.", file=sys.stderr)
        return 130


def run(prog: str | None = None) -> None:
    """The console script ``chronologie`` (and ``build.py``): run ``main`` and exit with its status."""
    try:
        status = main(prog=prog)
        sys.stdout.flush()
    except BrokenPipeError:
        # A closed pipe (chronologie ... | head): nothing more can be shown, and Python must not try again on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    sys.exit(status)
