"""Golden test: tests/golden/site built with the repo's templates must equal tests/golden/expected.

To accept an intended change of output, regenerate and review the diff in git:
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from conftest import REPO, run_cli

GOLDEN = Path(__file__).parent / "golden"


def tree(root: Path) -> dict[str, bytes]:
    """Every generated file but the verbatim copies of templates/static/, checked on their own below."""
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    return {name: data for name, data in files.items() if not name.startswith("static/")}


def describe_differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """Missing and extra files, then a unified diff per changed file."""
    report = [f"missing: {name}" for name in sorted(expected.keys() - actual.keys())]
    report += [f"unexpected: {name}" for name in sorted(actual.keys() - expected.keys())]
    for name in sorted(expected.keys() & actual.keys()):
        if expected[name] != actual[name]:
            diff = difflib.unified_diff(
                expected[name].decode("utf-8", "replace").splitlines(keepends=True),
                actual[name].decode("utf-8", "replace").splitlines(keepends=True),
                f"expected/{name}", f"actual/{name}",
            )
            report.append("".join(diff))
    return "\n".join(report)


def test_golden_site(tmp_path):
    project = tmp_path / "site"
    shutil.copytree(GOLDEN / "site", project)
    shutil.copytree(REPO / "templates", project / "templates")
    run = run_cli("--project", project, "build", "--output", tmp_path / "out")
    assert run.status == 0, run.err
    # The draft has no source yet: a warning for a draft (it would be an error once published).
    assert run.err == (
        "content/2025-annee.md:4: warning: no 'added:' date: the feeds would date this entry by its event, so an old event added today would land at the bottom for subscribers; add 'added: YYYY-MM-DD', the day it was added\n"
        "content/brouillon.md:1: warning: no source: list the article(s) this entry rests on under 'sources:'\n"
    )
    actual = tree(tmp_path / "out")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN / "expected", ignore_errors=True)
        out = tmp_path / "out"
        shutil.copytree(out, GOLDEN / "expected", ignore=lambda folder, names: ["static"] if Path(folder) == out else [])
    differences = describe_differences(tree(GOLDEN / "expected"), actual)
    assert not differences, "output differs from tests/golden/expected (UPDATE_GOLDEN=1 to accept):\n" + differences
    static = REPO / "templates" / "static"
    for source in static.rglob("*"):
        if source.is_file():
            assert (tmp_path / "out" / "static" / source.relative_to(static)).read_bytes() == source.read_bytes()
