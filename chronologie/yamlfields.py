"""Typed, line-numbered reading of a YAML mapping, shared by ``site.yaml`` and front matter.

We walk PyYAML's node tree instead of its constructed objects: nodes keep the raw text
(so ``2024`` stays a string, not an int) and the line of every key, for ``path:line:`` messages.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import FORBIDDEN_CHARACTERS, Problem

# LibYAML's parser is ten times faster than the pure-Python one; fall back when it is absent.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_STR = "tag:yaml.org,2002:str"


def compose(text: str, path: str, first_line: int, problems: list[Problem]) -> Node | None:
    """Parse YAML text into a node tree; a syntax error becomes a problem at its real line."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        if node is not None and "\\" in text:  # only an escape (\x07, \u0000) can put one there: the raw text was checked
            problems += escaped_control_characters(node, path, first_line)
        return node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        detail = exc.problem or exc.context or "syntax error"
        if exc.context and exc.problem:
            started = exc.context_mark.line + first_line if exc.context_mark else line
            where = f" that starts on line {started}" if started != line else ""
            detail = f"{exc.problem} ({exc.context}{where})"
        problems.append(Problem(path, line, f"invalid YAML: {detail}"))
    except yaml.reader.ReaderError as exc:
        line = first_line + text.count("\n", 0, exc.position)
        problems.append(Problem(path, line, f"invalid YAML: character U+{exc.character:04X} is not allowed" if isinstance(exc.character, int) else f"invalid YAML: {exc.reason}"))
    except yaml.YAMLError as exc:
        problems.append(Problem(path, first_line, f"invalid YAML: {' '.join(str(exc).split())}"))
    return None


def escaped_control_characters(node: Node, path: str, first_line: int) -> list[Problem]:
    """A problem for each value that an escape gave a control character XML and HTML forbid (``"A\\x07B"``)."""
    found, pending = [], [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ScalarNode):
            if bad := FORBIDDEN_CHARACTERS.search(current.value):
                line = first_line + current.start_mark.line
                found.append(Problem(path, line, f"a value on this line holds the control character U+{ord(bad[0]):04X}, written as an escape; delete it"))
        elif isinstance(current, SequenceNode):
            pending.extend(current.value)
        elif isinstance(current, MappingNode):
            pending.extend(item for pair in current.value for item in pair)
    return sorted(found)


class MappingReader:
    """Reads typed values out of one YAML mapping node, recording a problem for each bad value."""

    def __init__(self, node: MappingNode, path: str, first_line: int, problems: list[Problem], what: str = ""):
        self.node = node
        self.path = path
        self.first_line = first_line
        self.problems = problems
        self.what = what  # prefix for nested keys, e.g. "sources[1]."
        self.entries: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            # Interned: every event repeats the same keys, which the build cache then stores once per file.
            key = sys.intern(key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value))
            if key in self.entries:
                first = self.line_of(self.entries[key][0])
                self.error(key_node, f"duplicate key '{self.what}{key}' (first given on line {first})")
                continue
            self.entries[key] = (key_node, value_node)

    def line_of(self, node: Node) -> int:
        """The 1-based file line of a node."""
        return self.first_line + node.start_mark.line

    @property
    def line(self) -> int:
        """The line where this mapping starts."""
        return self.line_of(self.node)

    def error(self, node: Node | None, message: str, warning: bool = False) -> None:
        """Record a problem at a node's line (or the mapping's)."""
        line = self.line_of(node) if node is not None else self.line
        self.problems.append(Problem(self.path, line, message, warning))

    def key_line(self, key: str) -> int:
        """The line of ``key``, or of the mapping when the key is absent."""
        return self.line_of(self.entries[key][0]) if key in self.entries else self.line

    def _value(self, key: str, required: bool) -> Node | None:
        if key not in self.entries:
            if required:
                self.error(None, f"missing required key '{self.what}{key}'")
            return None
        node = self.entries[key][1]
        if isinstance(node, ScalarNode) and node.tag == _NULL and node.value in ("", "~", "null", "Null", "NULL"):
            if required:
                self.error(node, f"'{self.what}{key}' is empty; it is required")
            return None
        return node

    def text(self, key: str, required: bool = False) -> str | None:
        """A scalar as the exact text written (numbers and dates are not converted)."""
        node = self._value(key, required)
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a mapping"
            self.error(node, f"'{self.what}{key}' must be text, not {kind}")
            return None
        value = node.value.strip()
        if not value and required:
            self.error(node, f"'{self.what}{key}' is empty; it is required")
            return None
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        """A YAML boolean (true/false)."""
        node = self._value(key, required=False)
        if node is None:
            return default
        if isinstance(node, ScalarNode) and node.tag == _BOOL:
            return node.value.lower() in ("true", "yes", "on", "y")
        quoted = isinstance(node, ScalarNode) and node.style in ("'", '"')
        self.error(node, f"'{self.what}{key}' must be true or false{' without quotes' if quoted else ''}, got {_shown(node)}")
        return default

    def text_list(self, key: str) -> list[tuple[str, int]]:
        """A list of scalars, each with its line; a single scalar is accepted as a one-item list."""
        node = self._value(key, required=False)
        if node is None:
            return []
        if isinstance(node, ScalarNode):
            return [(node.value.strip(), self.line_of(node))] if node.value.strip() else []
        if not isinstance(node, SequenceNode):
            self.error(node, f"'{self.what}{key}' must be a list")
            return []
        items = []
        for item in node.value:
            if isinstance(item, ScalarNode) and item.value.strip():
                items.append((item.value.strip(), self.line_of(item)))
            else:
                self.error(item, f"each item of '{self.what}{key}' must be non-empty text, got {_shown(item)}")
        return items

    def labelled_list(self, key: str) -> list[tuple[str, str, int]]:
        """Names with their labels and lines: a mapping ``name: label`` in order, or a list of names (each its own label)."""
        node = self._value(key, required=False)
        if not isinstance(node, MappingNode):
            return [(name, name, line) for name, line in self.text_list(key)]
        items = []
        for name, label in node.value:
            if not (isinstance(name, ScalarNode) and name.value.strip()):
                self.error(name, f"each name in '{self.what}{key}' must be non-empty text, got {_shown(name)}")
            elif not (isinstance(label, ScalarNode) and label.value.strip()):
                self.error(label, f"'{self.what}{key}.{name.value.strip()}' must be its label as text, got {_shown(label)}")
            else:
                items.append((name.value.strip(), label.value.strip(), self.line_of(name)))
        return items

    def mapping_list(self, key: str, required: bool = False) -> list[MappingReader]:
        """A list of mappings, each wrapped in its own reader."""
        node = self._value(key, required)
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self.error(node, f"'{self.what}{key}' must be a list of mappings (each item starts with '- ')")
            return []
        readers = []
        for index, item in enumerate(node.value, start=1):
            if isinstance(item, MappingNode):
                readers.append(MappingReader(item, self.path, self.first_line, self.problems, f"{key}[{index}]."))
            else:
                self.error(item, f"each item of '{self.what}{key}' must be a mapping with keys, got {_shown(item)}")
        return readers

    def warn_unknown(self, known: Iterable[str]) -> None:
        """Warn about each key not in ``known``, suggesting the closest known key."""
        known = list(known)
        for key, (key_node, _) in self.entries.items():
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"; did you mean '{self.what}{close[0]}'?" if close else f" (known keys: {', '.join(known)})"
                self.error(key_node, f"unknown key '{self.what}{key}'{hint}", warning=True)


def _shown(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return repr(node.value)
    return "a list" if isinstance(node, SequenceNode) else "a mapping"


def as_mapping(node: Node | None, path: str, line: int, problems: list[Problem], what: str) -> MappingNode | None:
    """Check that a document's root is a mapping; anything else is reported."""
    if node is None:
        return None
    if not isinstance(node, MappingNode):
        problems.append(Problem(path, line, f"{what} must be a YAML mapping of 'key: value' lines, got {_shown(node)}"))
        return None
    return node
