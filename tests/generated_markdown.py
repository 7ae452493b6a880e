"""Seeded random Markdown bodies: prose as editors write it, and hostile text full of marks and brackets.

``tests/test_quickparse.py`` renders them both ways (pulldown-cmark's events and markdown-it-py) and compares.
"""

from __future__ import annotations

import random

PROSE_WORDS = (
    "Meta", "Llama", "modèle", "ouvert", "été", "Zuckerberg", "l’IA", "2023", "poids", "licence", "d’entraînement",
    "Yann LeCun", "open source", "milliards", "paramètres", "Paris", "Station F", "Hugging Face", "Mistral",
    "« ouverte »", "« modèle de fondation »", "(selon Meta)", "40 %", "7,5 milliards", "12\u00a0%", "n°\u00a03",
    "c’est-à-dire", "l’Union européenne", "AI Act", "GPT-4", "2024-04-18", "5", "x", "À", "œuvre", "—", "…",
)
PROSE_PUNCT = ("", "", "", ",", ".", " :", " ;", " ?", " !", "…", " »", "’s")
PROSE_DESTINATIONS = (
    "autre.md", "2023-12-05-ai-alliance.md", "../images/carte.png", "dossier/événement.md", "a.md#section",
    "#ancre", "https://exemple.fr/é?q=1", "https://example.org/(a)", "mailto:redaction@exemple.fr",
    "/absolu.md", "fichier%20x.md", "a%C3%A9.md", "é.md", "x.png", "a(b)c.md", "HTTP://ÉXEMPLE.fr/",
    "//cdn.example/x.js", "image.JPG", "./b.md", "sub/../c.md", "https://ai.meta.com/blog/llama-3/",
)
DESTINATIONS = PROSE_DESTINATIONS + ("javascript:alert(1)", "data:image/png;base64,AAA", "file:x")
TITLES = ("", "", "", ' "Un titre"', " 'titre'", " (titre)", ' "a « b » : c"')
LABELS = ("ref", "Ref", "REF", "autre ref", "Élan", "x", "source 1")
HOSTILE_WORDS = PROSE_WORDS + (
    "«", "»", ":", ";", "?", "!", "’", "'", '"', ".", ",", "(", ")", "[", "]", "*", "**", "_", "__", "***", "`",
    "``", "#", "-", "+", "=", "%", "$", "/", "\u00a0", "\u202f", "€", "•", "1.", "2)", "a*b*c", "a_b_c", "foo*",
    "*bar", "** x **", "`code`", "`` a ` b ``", "`x", "![", "](", "__x__y",
)


def _inline(rng: random.Random, words: tuple[str, ...], n: int, hostile: bool, nested: bool = False) -> str:
    out = []
    destinations = DESTINATIONS if hostile else PROSE_DESTINATIONS
    for _ in range(n):
        r = rng.random()
        if r < 0.62 or (nested and not hostile and r < 0.8):
            out.append(rng.choice(words) + ("" if hostile else rng.choice(PROSE_PUNCT)))
        elif r < 0.72:
            out.append(f"[{_inline(rng, words, rng.randint(0 if hostile else 1, 3), hostile, True)}]({rng.choice(destinations)}{rng.choice(TITLES)})")
        elif r < 0.76:
            alt = _inline(rng, words, rng.randint(0, 2), hostile, True) if hostile else " ".join(rng.choice(PROSE_WORDS) for _ in range(2))
            out.append(f"![{alt}]({rng.choice(destinations)}{rng.choice(TITLES)})")
        elif r < 0.8:
            out.append(f"[{rng.choice(LABELS)}]" + rng.choice(("", "[]", "[ref]", "[x]")))
        elif r < 0.9:
            mark = rng.choice(("*", "_", "**", "__", "***", "`"))
            out.append(f"{mark}{_inline(rng, words, rng.randint(1, 3), hostile, nested)}{mark}")
        else:
            out.append(rng.choice(words) + rng.choice(words))
    return rng.choice((" ", " ", " ", "", "  ") if hostile else (" ",)).join(out)


def _block(rng: random.Random, words: tuple[str, ...], hostile: bool, depth: int = 0) -> str:
    r = rng.random()
    line = lambda n: _inline(rng, words, rng.randint(1, n), hostile)  # noqa: E731
    if r < 0.3 or depth > 3:
        return rng.choice(("\n", "  \n", "\n")).join(line(12) for _ in range(rng.randint(1, 3)))
    if r < 0.42:
        closing = rng.choice(("", " #", " ##", "#", " ")) if hostile else ""
        return "#" * rng.randint(1, 7 if hostile else 4) + " " + line(6) + closing
    if r < 0.47:
        return line(5) + "\n" + rng.choice(("===", "---", "-", "= =", " ===") if hostile else ("===", "---"))
    if r < 0.65:
        marker = rng.choice(("-", "*", "+", "1.", "3.", "1)", "0.", "10."))
        items = []
        for _ in range(rng.randint(1, 4)):
            inner = _block(rng, words, hostile, depth + 1)
            pad = " " * (len(marker) + 1)
            items.append(marker + " " + inner.replace("\n", "\n" + pad))
        return ("\n\n" if rng.random() < 0.3 else "\n").join(items)
    if r < 0.75:
        inner = _block(rng, words, hostile, depth + 1)
        markers = ("> ", ">", "> > ") if hostile else ("> ",)
        return "\n".join(rng.choice(markers) + text if rng.random() < (0.9 if hostile else 1) else text for text in inner.split("\n"))
    if r < 0.8:
        return rng.choice(("---", "***", "___", "- - -", "* * *", "--", "____") if hostile else ("---", "***"))
    if r < 0.86:
        fence = rng.choice(("```", "````"))
        info = rng.choice(("", "python", "py x", " js", "é"))
        body = "\n".join(line(5) for _ in range(rng.randint(0, 3)))
        return f"{fence}{info}\n{body}\n" + (rng.choice((fence, fence + "`", "", "``")) if hostile else fence)
    if r < 0.9:
        return "\n".join("    " + line(4) for _ in range(rng.randint(1, 3)))
    if r < 0.95:
        return f"[{rng.choice(LABELS)}]: {rng.choice(DESTINATIONS if hostile else PROSE_DESTINATIONS)}{rng.choice(TITLES)}"
    return " " * rng.randint(1, 5 if hostile else 3) + line(5)


def body(rng: random.Random, hostile: bool) -> str:
    """One body of one to seven blocks."""
    words = HOSTILE_WORDS if hostile else PROSE_WORDS
    blocks = [_block(rng, words, hostile) for _ in range(rng.randint(1, 7))]
    return "".join(block + rng.choice(("\n\n", "\n", "\n\n\n") if hostile else ("\n\n",)) for block in blocks)
