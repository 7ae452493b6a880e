#!/usr/bin/env python3
"""Draw the default share image (templates/static/og-default.png, 1200×630) with Chromium, from site.yaml's title.

Usage: .venv/bin/python tests/tools/og_image.py  (run again after changing the site's title or description)
"""

import html
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    site = yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))
    dots = "".join(f'<circle cx="{80 + i * 115}" cy="60" r="{14 if i % 3 else 20}" fill="{c}"/>' for i, c in enumerate(["#0a58b5", "#c2410c", "#15803d", "#9333ea", "#be123c", "#0e7490", "#a16207", "#0a58b5", "#4d7c0f"]))
    page_html = f"""<!doctype html><html><body style="margin:0;width:1200px;height:630px;background:#faf8f4;font-family:system-ui,sans-serif;color:#1f1f22">
<div style="padding:80px 80px 0"><p style="font-size:30px;color:#0a58b5;margin:0 0 24px;font-weight:700">Chronologie</p>
<h1 style="font-size:64px;line-height:1.1;margin:0 0 28px">{html.escape(site["title"])}</h1>
<p style="font-size:28px;line-height:1.4;color:#5c5b60;margin:0;max-width:1000px">{html.escape(site["description"])}</p></div>
<svg width="1200" height="120" style="position:absolute;bottom:40px;left:0"><line x1="60" y1="60" x2="1140" y2="60" stroke="#cfc8bb" stroke-width="6"/>{dots}</svg>
</body></html>"""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 630})
        page.set_content(page_html)
        page.screenshot(path=str(REPO / "templates" / "static" / "og-default.png"))
        browser.close()
    print("templates/static/og-default.png written")


if __name__ == "__main__":
    main()
