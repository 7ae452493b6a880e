#!/usr/bin/env python3
"""Screenshots for the README, taken with Chromium from the real build: docs/*.png.

Usage: .venv/bin/python tests/tools/screenshots.py  (builds the site into a temporary folder first)
"""

import functools
import http.server
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = [  # (file, path, viewport, colour scheme)
    ("index-light.png", "", (1280, 1400), "light"),
    ("index-dark.png", "", (1280, 1400), "dark"),
    ("event-phone.png", "2023/ai-alliance/", (390, 1500), "light"),
]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def main() -> None:
    base_path = urlsplit(yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))["base_url"]).path
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / base_path.strip("/")
        subprocess.run([sys.executable, str(REPO / "build.py"), "--project", str(REPO), "build", "--output", str(site)], check=True)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=scratch))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        address = f"http://127.0.0.1:{server.server_address[1]}{base_path}"
        (REPO / "docs").mkdir(exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name, path, (width, height), scheme in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
                page.goto(address + path)
                page.screenshot(path=str(REPO / "docs" / name))
                page.close()
                print(f"docs/{name}")
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
