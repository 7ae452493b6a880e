#!/usr/bin/env python3
"""Write N generated events into DIR/content (plus site.yaml and the repo's templates): a seeded, repeatable corpus.

Usage: make_corpus.py N DIR [--seed S]

Each event has about 350 words of Markdown (headings, a list, links, emphasis, a blockquote), 2 or 3 of
12 tags, and a date at day, month or year precision, like the corpus the performance figures were taken on.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TAGS = ["llama", "open-source", "europe", "alliances", "financement", "startups", "régulation", "recherche", "puces", "cloud", "sécurité", "stratégie"]
WORDS = (
    "modèle données calcul entraînement ouverture licence poids publication développeurs entreprise laboratoire "
    "université régulation sécurité évaluation performance coût serveur puce partenariat annonce communauté "
    "recherche version paramètres contexte utilisateurs produit marché concurrence investissement stratégie "
    "infrastructure accès code documentation benchmark usage transparence risque gouvernance europe startup"
).split()
SITE_YAML = """\
title: "Corpus de mesure"
description: "Un corpus généré pour mesurer le générateur."
base_url: "https://example.org/bench/"
language: fr
sort: oldest-first
"""


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(9, 15)) for _ in range(sentences))


def body(rng: random.Random, number: int) -> str:
    """About 350 words: three sections, a list, a link, emphasis and a blockquote."""
    return "\n\n".join([
        paragraph(rng, 5),
        "## Contexte",
        paragraph(rng, 4) + f" Voir [le dossier {number}](https://example.org/dossiers/{number}) et **les chiffres clés**.",
        "- " + "\n- ".join(sentence(rng, 6) for _ in range(4)),
        "## Analyse",
        "> " + sentence(rng, 18),
        paragraph(rng, 5) + " *Une précision* s’impose.",
        "## Suites",
        paragraph(rng, 5),
        "### Réactions",
        paragraph(rng, 4),
    ]) + "\n"


def event(rng: random.Random, number: int) -> tuple[str, str]:
    """The file name and text of event ``number``."""
    year, month, day = rng.randint(1990, 2025), rng.randint(1, 12), rng.randint(1, 28)
    precision = rng.choice(["day", "day", "month", "year"])
    date = {"day": f"{year}-{month:02d}-{day:02d}", "month": f"{year}-{month:02d}", "year": f"{year}"}[precision]
    tags = ", ".join(rng.sample(TAGS, rng.randint(2, 3)))
    front = (
        f"---\ntitle: \"Événement {number} : {sentence(rng, 5)[:-1]}\"\n"
        f"summary: \"{sentence(rng, 16)}\"\ndate: {date}\ntags: [{tags}]\nadded: 2026-01-01\n"
        f"sources:\n  - publisher: \"Le Quotidien\"\n    title: \"Dossier {number}\"\n    date: {date}\n    lang: fr\n---\n"
    )
    return f"{date}-evenement-{number:05d}.md", front + body(rng, number)


def make_corpus(count: int, target: Path, seed: int = 2024) -> Path:
    """Write a whole project with ``count`` events into ``target``; the same arguments give the same bytes."""
    rng = random.Random(seed)
    content = target / "content"
    if content.exists():
        shutil.rmtree(content)
    content.mkdir(parents=True)
    (target / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    if not (target / "templates").exists():
        shutil.copytree(REPO / "templates", target / "templates")
    for number in range(count):
        name, text = event(rng, number)
        (content / name).write_text(text, encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    make_corpus(args.count, args.target, args.seed)
    print(f"{args.count} events written to {args.target / 'content'}")


if __name__ == "__main__":
    main()
