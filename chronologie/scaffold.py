"""Starting a site (``chronologie init``) and copying the default theme's files to override them (``chronologie theme``)."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import shlex
import shutil
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .config import load_config
from .project import THEME_DIR, Project
from .render import STATIC_DIR, is_template_name

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"
EXAMPLE_EVENT = "content/2023-02-24-meta-releases-llama.md"
DESCRIPTIONS = {"en": "{title}: a dated, sourced timeline.", "fr": "{title} : une chronologie datée et sourcée."}


class InitError(ValueError):
    """A request ``init`` or ``theme`` cannot carry out; the message says why, and that nothing was written."""


@dataclass(frozen=True)
class SiteSpec:
    """What ``init`` asks: the site's language, title and address."""

    language: str
    title: str
    base_url: str


def chronologie_requirement() -> str:
    """The requirements.txt line the Pages workflow installs chronologie with: where it came from, if a runner can reach it.

    Otherwise the line is left commented out, under a note: a bare ``chronologie==X`` would fetch whatever a
    package index holds under that name.
    """
    try:
        found = importlib.metadata.distribution("chronologie")
    except importlib.metadata.PackageNotFoundError:
        return _requirement_note(f"chronologie=={__version__}", "is run here from a checkout")
    direct = json.loads(found.read_text("direct_url.json") or "{}")
    url, vcs = direct.get("url", ""), direct.get("vcs_info")
    subdirectory = f"#subdirectory={direct['subdirectory']}" if direct.get("subdirectory") else ""
    if vcs and not url.startswith("file:"):
        return f"chronologie @ {vcs['vcs']}+{url}@{vcs.get('commit_id', vcs.get('requested_revision', ''))}{subdirectory}\n"
    if "archive_info" in direct and url.startswith("https://"):
        return f"chronologie @ {url}{subdirectory}\n"
    if url:
        return _requirement_note(f"chronologie=={found.version}", "was installed here from a local folder or file")
    return f"chronologie=={found.version}\n"  # from a package index, which the runners can reach too


def _requirement_note(line: str, how: str) -> str:
    return (
        f"# What the Pages workflow installs. chronologie {how}, which GitHub's runners cannot reach.\n"
        "# Before you push, name where they can install it from: its repository, as in\n"
        "#   chronologie @ git+https://github.com/OWNER/REPOSITORY@TAG\n"
        "# or, if your package index has this version, remove the '# ' below.\n"
        f"# {line}\n"
    )


def site_files(spec: SiteSpec) -> dict[str, str]:
    """Every file of a new site, by its path in the site's folder."""
    words = SCAFFOLD / spec.language
    values = {
        "title": json.dumps(spec.title, ensure_ascii=False),  # JSON strings are valid YAML double-quoted scalars
        "description": json.dumps(DESCRIPTIONS[spec.language].format(title=spec.title), ensure_ascii=False),
        "base_url": json.dumps(spec.base_url),
    }
    return {
        "site.yaml": string.Template((words / "site.yaml").read_text(encoding="utf-8")).substitute(values),
        EXAMPLE_EVENT: string.Template((words / "event.md").read_text(encoding="utf-8")).substitute(added=dt.date.today().isoformat()),
        "templates/README.md": (words / "templates-README.md").read_text(encoding="utf-8"),
        ".github/workflows/pages.yml": (SCAFFOLD / "pages.yml").read_text(encoding="utf-8"),
        ".gitignore": (SCAFFOLD / "gitignore").read_text(encoding="utf-8"),
        "requirements.txt": chronologie_requirement(),
    }


def init_site(folder: Path, spec: SiteSpec) -> str:
    """Write a new site into ``folder`` (missing or empty), all at once or not at all; return the next steps."""
    try:
        existing = next(path for path in (folder, *folder.parents) if path.exists() or path == Path(path.anchor or "."))
        if existing.exists() and not existing.is_dir():
            raise InitError(f"{existing} is a file, not a folder; nothing was written")
        if folder.is_dir() and any(folder.iterdir()):
            raise InitError(f"{folder} is not empty; give a new or empty folder (nothing was written)")
    except OSError as exc:
        raise InitError(f"cannot look into {folder}: {exc.strerror or exc}; nothing was written") from None
    files = site_files(spec)
    if problems := settings_problems(files["site.yaml"]):
        raise InitError("the settings given would make an invalid site.yaml, nothing was written:\n" + "\n".join(problems))
    try:
        _write_all_at_once(folder, files)
    except OSError as exc:
        raise InitError(f"cannot write {folder}: {exc.strerror or exc}; nothing was written") from None
    return next_steps(folder, files)


def _write_all_at_once(folder: Path, files: dict[str, str]) -> None:
    """Lay the site out in a hidden folder beside ``folder``, then rename it into place: a failure leaves nothing."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.init-"))
    try:
        for name, text in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a site folder is not
        os.replace(staging, folder)  # onto a missing or an empty folder, in one step
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def settings_problems(text: str) -> list[str]:
    """The errors a build would find in this site.yaml (a base URL that is not one, say), before it is written."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "site.yaml"
        path.write_text(text, encoding="utf-8")
        _, problems = load_config(path, "site.yaml", None)
    return [str(p) for p in problems if not p.warning]


def next_steps(folder: Path, files: dict[str, str]) -> str:
    """What ``init`` prints: the files written, then how to preview and publish."""
    local_note = "\nBefore you push: requirements.txt does not yet say where the workflow can install chronologie from (see its note).\n" if files["requirements.txt"].startswith("#") else ""
    written = (
        ("site.yaml", "the title, address, language, tags and eras"),
        (EXAMPLE_EVENT, "an example event: edit it or replace it"),
        ("templates/", "your overrides of the default theme (see templates/README.md)"),
        (".github/workflows/pages.yml", "checks, builds and publishes the site with GitHub Pages"),
        ("requirements.txt", "what that workflow installs"),
        (".gitignore", "keeps output/ and the build cache out of git"),
    )
    width = max(len(name) for name, _ in written)
    listing = "\n".join(f"  {name.ljust(width)}  {what}" for name, what in written)
    return f"""Created a new site in {folder}/:
{listing}
{local_note}
Next steps:
  cd {shlex.quote(str(folder))}
  chronologie new "The first event" --date 2024-05-01   # add an event (a draft until you publish it)
  chronologie serve                                     # preview it, reloaded on every save
  chronologie check && chronologie build                # check everything, then build into output/
Then publish: push the folder to a GitHub repository and set Settings → Pages → Source: GitHub Actions,
or run `chronologie deploy` to push output/ to its gh-pages branch."""


def theme_files() -> list[str]:
    """The default theme's templates and assets, as a site's templates/ would name them."""
    found = (p.relative_to(THEME_DIR).as_posix() for p in THEME_DIR.rglob("*") if p.is_file())
    return sorted(name for name in found if is_template_name(name) or (name.startswith(STATIC_DIR + "/") and not name.rsplit("/", 1)[-1].startswith(".")))


def theme_listing(project: Project) -> str:
    """Where the theme lives, and each of its files, marked when the site's templates/ overrides it."""
    lines = [f"The default theme: {THEME_DIR}", "Copy a file into templates/ to change it: chronologie theme FILE", ""]
    for name in theme_files():
        mark = "  (overridden by templates/" + name + ")" if (project.templates_dir / name).is_file() and project.templates_dir.resolve() != THEME_DIR else ""
        lines.append(f"  {name}{mark}")
    return "\n".join(lines)


def copy_theme_files(project: Project, names: list[str]) -> list[str]:
    """Copy each named theme file into the site's templates/; all are checked before any is copied."""
    known = set(theme_files())
    if unknown := [name for name in names if name not in known]:
        raise InitError(f"not in the default theme: {', '.join(unknown)} (run `chronologie theme` for the list); nothing was copied")
    if taken := [name for name in names if (project.templates_dir / name).exists() or (project.templates_dir / name).is_symlink()]:
        raise InitError(f"templates/ already holds {', '.join(taken)}; nothing was copied (delete it first to start again from the theme's)")
    copied = []
    for name in names:
        target = project.templates_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as copy:  # "x": never through a link, even one made meanwhile
            copy.write((THEME_DIR / name).read_bytes())
        copied.append(f"templates/{name}")
    return copied
