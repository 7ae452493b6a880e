"""The README and docs/: every command they show is run by a test, every option a synopsis names exists."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from chronologie.cli import main
from conftest import REPO, run_cli
from test_package import NEW_USER_STEPS

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# Commands the docs show that this file runs, in a site that `init` wrote.
DOC_STEPS = (
    "chronologie check --strict --format github",
    "chronologie theme",
    "chronologie theme event.html static/style.css",
    "chronologie build",
)
# Commands run elsewhere, and where.
RUN_ELSEWHERE = {
    "make site": "test_make_site_builds_this_site, below",
    "make test": ".ci/run, which CI runs",
    "pipx install .": "test_package.py::test_pipx_installs_the_command",
    "cd history": "test_package.py's new user works in the folder init made",
    "UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py": "test_golden.py, which writes tests/golden/expected when it is set",
}


def blocks(kind: str) -> list[tuple[Path, str]]:
    """Every line of the docs' code blocks of that kind (sh, text), comments and blank lines left out."""
    found = []
    for document in DOCUMENTS:
        for block in re.finditer(rf"^```{kind}\n(.*?)^```", document.read_text(encoding="utf-8"), re.S | re.M):
            found += [(document, line.split("  #")[0].strip()) for line in block[1].splitlines() if line.strip() and not line.startswith("#")]
    return found


def test_every_command_the_docs_show_is_run_by_a_test():
    run = set(NEW_USER_STEPS) | set(DOC_STEPS) | set(RUN_ELSEWHERE)
    shown = blocks("sh")
    assert len(shown) >= 15
    assert [f"{path.name}: {line}" for path, line in shown if line not in run] == []


def test_the_inline_install_command_is_the_one_the_package_test_runs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "`python3 -m venv ~/.chronologie && ~/.chronologie/bin/python -m pip install .`" in readme  # test_package's `installed` fixture


def test_the_commands_the_docs_show_run(tmp_path, monkeypatch):
    assert run_cli("init", tmp_path / "history", "--language", "en").status == 0
    monkeypatch.chdir(tmp_path / "history")
    for step in DOC_STEPS:
        result = run_cli(*shlex.split(step)[1:])
        assert result.status == 0, f"{step}: {result.err}"
    assert (tmp_path / "history" / "templates" / "event.html").is_file() and (tmp_path / "history" / "output" / "index.html").is_file()


@pytest.mark.parametrize("synopsis", [line for _, line in blocks("text") if line.startswith("chronologie ")], ids=lambda line: " ".join(line.split()[:2]))
def test_every_option_a_synopsis_names_exists(synopsis, capsys):
    words = synopsis.split()
    verb = words[1] if len(words) > 1 and words[1] in ("build", "check", "serve", "new", "import", "deploy", "init", "theme") else None
    if verb is None and "[build]" in words:
        verb = "build"
    with pytest.raises(SystemExit):
        main([verb, "--help"] if verb else ["--help"])
    shown = capsys.readouterr().out
    for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", synopsis):
        assert re.search(rf"(?<![\w-]){re.escape(option)}\b", shown), f"{option} is not an option of {verb or 'chronologie'}"


def test_the_readme_is_short_and_opens_with_the_two_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) < 10_000
    assert blocks("sh")[:2] == [(REPO / "README.md", "make site"), (REPO / "README.md", "make test")]
    for page in ("writing.md", "site-yaml.md", "theming.md", "publishing.md", "commands.md", "design.md"):
        assert f"docs/{page}" in readme and (REPO / "docs" / page).is_file()


def test_make_site_builds_this_site(tmp_path):
    copy = tmp_path / "checkout"
    copy.mkdir()
    for name in ("Makefile", "build.py", "site.yaml", "requirements.txt", "requirements-dev.txt"):
        shutil.copy2(REPO / name, copy / name)
    for name in ("chronologie", "content", "templates"):
        shutil.copytree(REPO / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / ".venv").symlink_to(REPO / ".venv")  # the test environment, already set up: make only builds
    result = subprocess.run(["make", "site"], cwd=copy, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Built " in result.stdout and (copy / "output" / "index.html").is_file()
