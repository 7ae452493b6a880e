#!/usr/bin/env python3
"""Draw the default theme's share image (templates/static/og-default.png, 1200×630) with Chromium.

It shows a timeline's dots and no words: the theme serves every site, in every language, so it carries no
site's title (og:title and og:description carry those). A site draws its own and puts it in its templates/static/.
Usage: .venv/bin/python tests/tools/og_image.py
"""

from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
COLOURS = ["#0b57b5", "#c2410c", "#15803d", "#9333ea", "#be123c", "#0e7490", "#a16207", "#0b57b5", "#4d7c0f"]


def main() -> None:
    dots = "".join(f'<circle cx="{80 + i * 115}" cy="315" r="{20 if i % 3 == 0 else 14}" fill="{c}"/>' for i, c in enumerate(COLOURS))
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630"><rect width="1200" height="630" fill="#f9f8f5"/><rect x="60" y="311" width="1080" height="8" rx="4" fill="#d6d0c4"/>{dots}</svg>'
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 630})
        page.set_content(f"<!doctype html><html><body style='margin:0'>{svg}</body></html>")
        page.screenshot(path=str(REPO / "templates" / "static" / "og-default.png"))
        browser.close()
    print("templates/static/og-default.png written")


if __name__ == "__main__":
    main()
