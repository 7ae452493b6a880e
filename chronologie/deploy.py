"""Publishing: build, then push the output folder to the gh-pages branch with ghp-import."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ghp_import

from .console import say
from .problems import BuildFailed
from .site import BuildOptions, Project, build_site
from .write import MANIFEST


def git(root: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run git in ``root`` and capture what it says."""
    return subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, text=True, check=False)


def uncommitted_sources(project: Project) -> list[str]:
    """Source files (content/, templates/, site.yaml) that differ from the last commit, untracked ones included."""
    result = git(project.root, "status", "--porcelain", "-z", "--untracked-files=all", "--", "content", "templates", "site.yaml")
    entries = result.stdout.split("\0")
    names, skip = [], False
    for entry in entries:
        if skip or not entry:
            skip = False
            continue
        names.append(entry[3:])
        skip = entry[0] in "RC"  # a rename is followed by its old name
    return sorted(names)


def already_published(project: Project, remote: str, branch: str, output: Path) -> bool:
    """Whether the remote branch already holds exactly these files, so that a new commit would change nothing."""
    listing = git(project.root, "ls-tree", "-r", "-z", f"refs/remotes/{remote}/{branch}")
    if listing.returncode != 0:
        return False
    published = {}
    for entry in filter(None, listing.stdout.split("\0")):
        meta, path = entry.split("\t", 1)
        published[path] = meta.split()[2]
    files = sorted(p for p in output.rglob("*") if p.is_file())
    hashes = git(project.root, "hash-object", "--stdin-paths", stdin="\n".join(str(p) for p in files)).stdout.split()
    return published == {p.relative_to(output).as_posix(): h for p, h in zip(files, hashes)}


def branch_problem(project: Project, remote: str, branch: str) -> str | None:
    """Why ``branch`` cannot receive the site: a bad name, the branch checked out, or a branch holding the sources."""
    if git(project.root, "check-ref-format", "--branch", branch).returncode != 0:
        return f"{branch!r} is not a valid branch name"
    if git(project.root, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip() == branch:
        return f"{branch!r} is the branch checked out here; publishing would replace your sources with the built site (use gh-pages)"
    for ref in (f"refs/heads/{branch}", f"refs/remotes/{remote}/{branch}"):
        if git(project.root, "cat-file", "-e", f"{ref}:site.yaml").returncode == 0:
            return f"{branch!r} holds site.yaml, so it carries the sources; publishing would replace them with the built site"
    return None


def default_message(project: Project) -> str:
    """'Publish the timeline from 1a2b3c4', naming the commit the site was built from."""
    head = git(project.root, "rev-parse", "--short", "HEAD").stdout.strip()
    return f"Publish the timeline from {head}" if head else "Publish the timeline"


def repository_problem(project: Project, remote: str, branch: str) -> str | None:
    """Why the project's repository cannot publish to ``remote``'s ``branch``, or None when it can."""
    if git(project.root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        return f"{project.root} is not in a git repository; deploy pushes a branch of the project's repository"
    if git(project.root, "remote", "get-url", remote).returncode != 0:
        return f"no git remote named {remote!r}; add it with `git remote add {remote} URL` or choose one with --remote"
    if problem := branch_problem(project, remote, branch):
        return problem
    identity = git(project.root, "var", "GIT_COMMITTER_IDENT")
    if identity.returncode != 0:
        reason = identity.stderr.strip().splitlines()[-1] if identity.stderr.strip() else "set user.name and user.email"
        return f"git does not know who you are, so it cannot commit: {reason}"
    return None


@dataclass(frozen=True)
class DeployOptions:
    """Where ``deploy`` publishes, and how."""

    remote: str = "origin"
    branch: str = "gh-pages"
    message: str | None = None  # the commit message on the branch; the default names the source commit
    dry_run: bool = False
    base_url: str | None = None  # overrides site.yaml's


def deploy(project: Project, options: DeployOptions) -> int:
    """Build the site and push output/ to the remote's branch; return the exit status."""
    if problem := repository_problem(project, options.remote, options.branch):
        print(f"error: {problem}", file=sys.stderr)
        return 1
    changed = uncommitted_sources(project)
    if changed:
        listed = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        print(f"warning: uncommitted changes in the sources ({listed}); the published site will differ from what is committed", file=sys.stderr)
    try:
        report = build_site(project, BuildOptions(base_url=options.base_url))
    except BuildFailed as failure:
        for problem in failure.problems:
            print(problem, file=sys.stderr)
        n = len(failure.errors)
        print(f"{n} error{'s' if n != 1 else ''}; nothing was published.", file=sys.stderr)
        return 1
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    say(report.summary())
    message = options.message or default_message(project)
    if options.dry_run:
        say(f"Dry run: would commit {len(report.files)} files from {report.output}/ to {options.branch} ({message!r}) and push it to {options.remote}.")
        return 0
    with published_view(project.default_output.resolve()) as view:
        return publish(project, options, view, message, report.output)


def fetch_published(project: Project, remote: str, branch: str) -> str | None:
    """Bring refs/remotes/<remote>/<branch> up to date with the remote (dropped if the branch is gone); git's reason if it cannot."""
    tracking = f"refs/remotes/{remote}/{branch}"
    listing = git(project.root, "ls-remote", "--heads", remote, f"refs/heads/{branch}")
    if listing.returncode != 0:
        return _reason(listing)
    if not listing.stdout.strip():
        git(project.root, "update-ref", "-d", tracking)  # deleted there: what an earlier fetch left is stale
        return None
    fetched = git(project.root, "fetch", "--quiet", remote, f"+refs/heads/{branch}:{tracking}")
    return _reason(fetched) if fetched.returncode != 0 else None


def _reason(result: subprocess.CompletedProcess) -> str:
    """git's own reason: its first ``fatal:`` line (the lines after it are general advice)."""
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    fatal = [line.removeprefix("fatal: ") for line in lines if line.startswith(("fatal: ", "error: "))]
    return (fatal or lines or [f"git exited with status {result.returncode}"])[0]


@contextlib.contextmanager
def published_view(output: Path):
    """The output's files without the build's bookkeeping (its manifest), hard-linked into a hidden folder beside it."""
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=f".{output.name}.publish-") as folder:
        view = Path(folder)
        for path in sorted(p for p in output.rglob("*") if p.is_file() and not p.is_symlink()):
            name = path.relative_to(output)
            if name.as_posix() == MANIFEST:
                continue
            (view / name).parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, view / name)
            except OSError:
                shutil.copy2(path, view / name)  # a file system without hard links
        yield view


def publish(project: Project, options: DeployOptions, view: Path, message: str, shown: str | None) -> int:
    """Commit ``view`` onto the branch as the remote has it now, and push it; return the exit status."""
    remote, branch = options.remote, options.branch
    target = f"{remote}/{branch}"
    # Build on the branch as the remote has it now, or the push would be refused as out of date.
    if reason := fetch_published(project, remote, branch):
        print(f"error: could not fetch {branch} from {remote}: {reason}; nothing was published", file=sys.stderr)
        return 1
    if already_published(project, remote, branch, view):
        say(f"Nothing to publish: {target} already holds this build.")
        return 0
    # ghp-import works on the repository of the current folder; git prints its own reasons on failure.
    with contextlib.chdir(project.root):
        try:
            ghp_import.ghp_import(str(view), mesg=message, remote=remote, branch=branch, push=True)
        except ghp_import.GhpError as exc:
            print(f"error: could not prepare {branch}: {exc.message}", file=sys.stderr)
            return 1
        except subprocess.CalledProcessError as exc:
            print(f"error: git push to {target} failed (git exited with status {exc.returncode}, its reason is above); nothing was published", file=sys.stderr)
            return 1
    say(f"Published {shown}/ to {target}.")
    return 0
