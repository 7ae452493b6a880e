"""Shared fixtures: whole fixture sites written into tmp_path, and the CLI run in-process."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from chronologie.cli import main

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

SITE_YAML = """\
title: Chronologie de test
description: Un site de test.
base_url: https://example.org/repo/
language: fr
author: Équipe de test
"""


DEFAULT_SOURCE = "\n  - publisher: Le Journal\n    title: Un article\n    date: 2023-12-05\n    lang: fr"


def event_text(title: str = "Un événement", summary: str = "Il s’est passé quelque chose.", date: str = "2023-12-05", body: str = "Corps du texte.\n", **extra: str) -> str:
    """A valid event file, with one source unless ``sources`` says otherwise; ``extra`` adds raw front-matter lines."""
    extra.setdefault("sources", DEFAULT_SOURCE)
    extra.setdefault("added", "2026-01-05")  # a published entry without it is a warning (the feeds need it)
    lines = [f"title: {title}", f"summary: {summary}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in extra.items() if value is not None]  # None leaves a key out
    return "---\n" + "\n".join(lines) + "\n---\n" + body


@pytest.fixture
def make_site(tmp_path: Path):
    """Write a project into tmp_path/site: the repo's templates, a site.yaml and the given files."""

    def make(files: dict[str, str | bytes] | None = None, *, site_yaml: str = SITE_YAML, templates: bool = True) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        if templates and not (root / "templates").exists():
            shutil.copytree(REPO / "templates", root / "templates")
        (root / "content").mkdir(exist_ok=True)
        (root / "site.yaml").write_text(site_yaml, encoding="utf-8")
        for name, data in (files or {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8")
        return root

    return make


@dataclass(frozen=True)
class Run:
    """What a CLI run printed and returned."""

    status: int
    out: str
    err: str


def run_cli(*args: str | Path) -> Run:
    """Run ``build.py`` in-process with ``args`` and capture its output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(a) for a in args])
    return Run(status, out.getvalue(), err.getvalue())


@pytest.fixture
def build_site_cli():
    """Build the project at ``root`` through the CLI: ``build_site_cli(root, "--drafts")``."""

    def build(root: Path, *args: str | Path) -> Run:
        return run_cli("--project", root, "build", *args)

    return build


def require_tool(present: bool, what: str) -> None:
    """Skip when a test tool is missing, except where CI=true: there it is a failure."""
    if present:
        return
    message = f"{what} is missing; run `make test`, which installs it"
    if os.environ.get("CI") != "true":  # outside CI only: in CI a missing tool is a failure
        pytest.skip(message)  # never where CI=true: there a missing tool fails below
    pytest.fail(message)


def require_chromium() -> None:
    """Debian's Chromium, for the browser tests."""
    require_tool(CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK), f"Chromium ({CHROMIUM})")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run, driven by Playwright."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def copy_real_site(destination: Path) -> Path:
    """A copy of the repository's own site (site.yaml, content/, templates/) to change freely."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "site.yaml", destination / "site.yaml")
    shutil.copytree(REPO / "content", destination / "content")
    shutil.copytree(REPO / "templates", destination / "templates")
    return destination
