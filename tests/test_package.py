"""The package as a new user meets it: installed from the checkout into a fresh virtualenv (pip, pipx), then used.

These tests install from the package registry, as a user's `pip install .` does: the first run downloads the
runtime requirements and the build backend, later ones find them in pip's cache.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO
from test_publish import GIT_ENV, git
from test_starting_a_site import french_in

# What `pip install .` reads: the package, its theme, and the files pyproject.toml names.
SOURCES = ("chronologie", "templates", "pyproject.toml", "README.md", "build.py", "requirements.txt")


def checkout_copy(destination: Path) -> Path:
    """The checkout's package files, copied: nothing is ever built inside the repository."""
    destination.mkdir(parents=True)
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination / name)
    return destination


def run(*args: str | Path, cwd: Path, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run a command as a user would type it, capturing what it prints."""
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtualenv with the checkout installed by `pip install .`, and the wheel pip built on the way."""
    base = tmp_path_factory.mktemp("package")
    source = checkout_copy(base / "checkout")
    environment = base / "venv"
    venv.create(environment, with_pip=True)
    pip = run(environment / "bin" / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q", ".", cwd=source)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    wheel = run(environment / "bin" / "python", "-m", "pip", "wheel", "--disable-pip-version-check", "-q", "--no-deps", "-w", base / "dist", ".", cwd=source)
    assert wheel.returncode == 0, wheel.stdout + wheel.stderr
    return environment, next((base / "dist").glob("chronologie-*.whl"))


def test_the_wheel_holds_the_package_its_theme_and_the_command(installed):
    _, wheel = installed
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    theme = {f"chronologie/theme/{p.relative_to(REPO / 'templates').as_posix()}" for p in (REPO / "templates").rglob("*") if p.is_file()}
    assert theme <= names and "chronologie/theme/static/style.css" in names
    assert {"chronologie/cli.py", "chronologie/scaffold/pages.yml", "chronologie/scaffold/en/event.md"} <= names
    assert not any(name.startswith(("tests/", "content/", "bench/")) for name in names)
    assert "[console_scripts]\nchronologie = chronologie.cli:run" in entry_points
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    required = re.findall(r"^Requires-Dist: (.+)$", metadata, re.MULTILINE)
    assert sorted(r.lower() for r in required) == sorted(d.lower() for d in declared)  # the metadata writes names lowercase


def test_the_declared_dependencies_are_pinned_as_requirements_txt_pins_them():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = {line.split("==")[0].lower(): line.strip() for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines() if "==" in line}
    assert all("==" in requirement for requirement in declared)
    assert [pins.get(requirement.split("==")[0].lower()) for requirement in declared] == declared


def test_pipx_installs_the_command(tmp_path):
    pipx = Path(sys.executable).parent / "pipx"
    assert pipx.is_file(), "pipx comes with requirements-dev.txt"
    env = {**os.environ, "PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin"), "PIPX_MAN_DIR": str(tmp_path / "man")}
    result = run(pipx, "install", "--python", sys.executable, checkout_copy(tmp_path / "checkout"), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    version = run(tmp_path / "bin" / "chronologie", "--version", cwd=tmp_path)
    assert (version.returncode, version.stdout) == (0, f"chronologie {read_version()}\n")
    started = run(tmp_path / "bin" / "chronologie", "init", tmp_path / "site", cwd=tmp_path)
    assert started.returncode == 0 and (tmp_path / "site" / "site.yaml").is_file()


def read_version() -> str:
    return re.search(r'__version__ = "([^"]+)"', (REPO / "chronologie" / "__init__.py").read_text(encoding="utf-8"))[1]


# ---------------------------------------------------------------- a new user, step by step


NEW_USER_STEPS = (
    'chronologie init history --language en --title "A history of open models" --base-url https://user.github.io/history/',
    'chronologie new "Llama 2 is released" --date 2023-07-18 --tags models --source-url https://example.org/llama-2',
    'chronologie new "Meta joins the AI Alliance" --date 2023-12-05 --tags research',
    'chronologie new "Llama 3 arrives" --date 2024-04',
    "chronologie serve",  # run with --port 0 added: a test binds a free port, never 8000
    "chronologie check",
    "chronologie build",
    "chronologie deploy --dry-run",
    "chronologie deploy",
)


def command(environment: Path, line: str) -> list[str]:
    """A step as the docs show it, run with the virtualenv's `chronologie`."""
    import shlex

    words = shlex.split(line)
    return [str(environment / "bin" / words[0]), *words[1:]]


def serve_and_edit(environment: Path, site: Path) -> None:
    """Start the preview, edit an event while it runs, and see the page change; then stop it with Ctrl+C."""
    server = subprocess.Popen([*command(environment, NEW_USER_STEPS[4]), "--port", "0"], cwd=site, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        address = None
        for line in server.stdout:
            if found := re.search(r"Serving on (http://\S+)", line):
                address = found[1]
                break
        assert address and address.startswith("http://127.0.0.1:") and address.endswith("/history/")
        event = site / "content" / "2023-07-18-llama-2-is-released.md"
        page = address + "2023/llama-2-is-released/"
        assert "Llama 2 is released" in fetch(page)
        event.write_text(event.read_text(encoding="utf-8").replace('title: "Llama 2 is released"', 'title: "Meta releases Llama 2"'), encoding="utf-8")
        deadline = time.monotonic() + 30
        while "Meta releases Llama 2" not in fetch(page):
            assert time.monotonic() < deadline, "the edit never reached the preview"
            time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0 and out.rstrip().endswith("Stopped."), out + err


def fetch(address: str) -> str:
    with urllib.request.urlopen(address, timeout=10) as response:
        return response.read().decode("utf-8")


def test_a_new_user_starts_writes_previews_checks_builds_and_publishes_an_english_site(installed, tmp_path):
    environment, _ = installed
    env = {**os.environ, **GIT_ENV}
    started = run(*command(environment, NEW_USER_STEPS[0]), cwd=tmp_path)
    assert started.returncode == 0 and "Next steps:" in started.stdout, started.stderr
    site = tmp_path / "history"
    for step in NEW_USER_STEPS[1:4]:
        created = run(*command(environment, step), cwd=site)
        assert created.returncode == 0 and created.stdout.startswith("content/"), created.stderr
    # Editors publish an entry by completing it: the first one is written out in full.
    first = site / "content" / "2023-07-18-llama-2-is-released.md"
    text = first.read_text(encoding="utf-8").replace("To be completed: one or two sentences on what happened.", "Meta publishes Llama 2 for research and commercial use.")
    text = text.replace('publisher: "To be completed"', 'publisher: "Example News"').replace('title: "To be completed"', 'title: "Llama 2 is out"')
    text = text.replace("draft: true", "draft: false").replace("Write the entry here, in your own words: the facts, the dates, the figures and the people involved.", "Meta publishes Llama 2, free for research and commercial use.")
    first.write_text(text, encoding="utf-8")
    serve_and_edit(environment, site)
    checked = run(*command(environment, "chronologie check"), cwd=site)
    # The two drafts still lack a source: a warning each, not an error, until they are published.
    assert (checked.returncode, checked.stdout) == (0, "No errors, 2 warnings: 2 events checked.\n"), checked.stderr
    assert checked.stderr == (
        "content/2023-12-05-meta-joins-the-ai-alliance.md:6: warning: no source: list the article(s) this entry rests on under 'sources:'\n"
        "content/2024-04-llama-3-arrives.md:6: warning: no source: list the article(s) this entry rests on under 'sources:'\n"
    )
    built = run(*command(environment, "chronologie build"), cwd=site)
    assert built.returncode == 0 and built.stdout.startswith("Built "), built.stderr
    assert "Meta releases Llama 2" in (site / "output" / "2023" / "llama-2-is-released" / "index.html").read_text(encoding="utf-8")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    for args in (("init", "--quiet", "--initial-branch=main"), ("add", "-A"), ("commit", "--quiet", "-m", "A new timeline"), ("remote", "add", "origin", str(remote))):
        git(site, *args)
    dry = run(*command(environment, "chronologie deploy --dry-run"), cwd=site, env=env)
    assert dry.returncode == 0 and "Dry run: would commit" in dry.stdout, dry.stderr
    assert git(remote, "branch", "--list") == ""
    published = run(*command(environment, "chronologie deploy"), cwd=site, env=env)
    assert published.returncode == 0 and published.stdout.rstrip().endswith("Published output/ to origin/gh-pages."), published.stdout + published.stderr
    files = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert "index.html" in files and "2023/llama-2-is-released/index.html" in files
    assert french_in(site) == []
