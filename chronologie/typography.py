"""French typography: « » quotes and the non-breaking spaces French puts before : ; ? ! % and inside guillemets."""

from __future__ import annotations

import re
from collections.abc import Callable

NBSP = "\u00a0"  # before a colon and inside guillemets
NARROW_NBSP = "\u202f"  # before ; ? ! and the % of a figure

_STRAIGHT_QUOTES = re.compile(r'"([^"\n]+)"')
_AFTER_OPENING = re.compile(r"«[ \u00a0\u202f]*")
_BEFORE_CLOSING = re.compile(r"[ \u00a0\u202f]*»")
_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]+:")
_PERCENT = re.compile(r"(?<=\d)[ \u00a0\u202f]*%")
# Before ; ? ! a space is added when it is missing, but only at the end of a word followed by a space or
# the end of the text, so that "page?x=1", "http://" and "18:22" are left alone.
_BEFORE_TALL = re.compile(r"(?<=\w)[ \u00a0\u202f]*([;?!]+)(?=\s|$|[»)\]])|[ \u00a0]+([;?!]+)")


def for_language(language: str) -> Callable[[str], str]:
    """The typography of a site's language for plain text: French rules for "fr", the text as written otherwise."""
    return french if language == "fr" else str


def french(text: str) -> str:
    """Apply French typography to prose (never call it on code)."""
    text = _STRAIGHT_QUOTES.sub(lambda m: f"«{NBSP}{m[1].strip()}{NBSP}»", text)
    text = _AFTER_OPENING.sub("«" + NBSP, text)
    text = _BEFORE_CLOSING.sub(NBSP + "»", text)
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _PERCENT.sub(NARROW_NBSP + "%", text)
    return _BEFORE_TALL.sub(lambda m: NARROW_NBSP + (m[1] or m[2]), text)
