"""User-facing problems: a location, a message, and whether it stops the build."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the user's input, printed as ``path:line: message`` (``--option: message`` for line 0)."""

    path: str
    line: int  # 0 when the problem is in a command-line option, which has no lines
    message: str
    warning: bool = False

    def __str__(self) -> str:
        prefix = "warning: " if self.warning else ""
        place = f"{self.path}:{self.line}" if self.line else self.path
        return f"{place}: {prefix}{self.message}"


class BuildFailed(Exception):
    """Raised when user input has errors; carries every problem found, warnings included."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the build."""
        return [p for p in self.problems if not p.warning]


def display_path(path: Path, root: Path) -> str:
    """Show ``path`` relative to ``root`` when it lies inside it, so messages stay short."""
    inside, base = os.path.abspath(path), os.path.abspath(root)
    # The common case in strings: pathlib takes far longer, and a cold build shows 10,000 paths. A root of
    # slashes only ("/", and "//", which POSIX keeps apart) is left to pathlib.
    if base.strip(os.sep) and not base.startswith(os.sep * 2) and not inside.startswith(os.sep * 2) and inside.startswith(base + os.sep):
        return inside[len(base) + 1:].replace(os.sep, "/")
    return display_path_by_pathlib(path, root)


def display_path_by_pathlib(path: Path, root: Path) -> str:
    """``display_path`` for any path: as written first (a linked content/ still reads as content/), then with links resolved."""
    for inside, base in ((Path(os.path.abspath(path)), Path(os.path.abspath(root))), (path.resolve(), root.resolve())):
        try:
            return inside.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def decode_utf8(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Decode a file's bytes, or say on which line it stops being UTF-8."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")]


# Characters XML 1.0 forbids (the feed and sitemap are XML), which also never belong in prose.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def control_character_problems(text: str, path: str) -> list[Problem]:
    """One problem per line holding a control character, such as a form feed pasted from a PDF."""
    if not FORBIDDEN_CHARACTERS.search(text):  # the common case, in one pass of compiled code
        return []
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        if bad := FORBIDDEN_CHARACTERS.search(line):
            problems.append(Problem(path, number, f"control character U+{ord(bad[0]):04X} on this line; delete it (it often comes from copying out of a PDF)"))
    return problems


def without_control_characters(text: str, path: str) -> tuple[str, list[Problem]]:
    """The text with U+FFFD for each control character, and a problem per line that held one.

    The rest of the file is still read, so its other problems show in the same run.
    """
    problems = control_character_problems(text, path)
    return (FORBIDDEN_CHARACTERS.sub("\ufffd", text) if problems else text), problems
