"""The live preview for real: `build.py serve` in its own process, files edited on disk, Chromium watching."""

from __future__ import annotations

import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from conftest import REPO, copy_real_site, event_text, run_cli

EVENT = "content/2023-12-05-ai-alliance.md"
TITLE = "IBM et Meta lancent l’AI Alliance pour une IA ouverte"
ALLIANCE = "[id='2023-ai-alliance'] .event-title a"  # that entry's title link on the index
EVENTS = len(list((REPO / "content").glob("*.md")))
WAIT_MS = 15_000  # generous: CI machines are slow and shared


@dataclass
class Server:
    """A running preview server, its project copy and what it has printed so far."""

    process: subprocess.Popen
    project: Path
    url: str
    lines: queue.Queue
    backlog: list[str] = field(default_factory=list)  # read from the queue but not consumed yet

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.project / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def printed(self, timeout: float = 0.0) -> list[str]:
        """The lines printed and not consumed yet, waiting up to ``timeout`` for one if there are none."""
        lines, self.backlog = self.backlog, []
        try:
            if lines:
                timeout = 0.0
            lines.append(self.lines.get(timeout=timeout) if timeout else self.lines.get_nowait())
            while True:
                lines.append(self.lines.get_nowait())
        except queue.Empty:
            return lines

    def wait_for_line(self, pattern: str, timeout: float = WAIT_MS / 1000) -> str:
        """Consume printed lines up to the first that matches ``pattern``; the lines after it stay unread."""
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while time.monotonic() < deadline:
            batch = self.printed(timeout=0.1)
            for index, line in enumerate(batch):
                seen.append(line)
                if re.search(pattern, line):
                    self.backlog = batch[index + 1:]
                    return line
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s; printed: {seen}")


def start_server(project: Path, *args: str) -> Server:
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--project", str(project), "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
    )
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    server = Server(process, project, "", lines)
    serving = server.wait_for_line(r"^Serving on ")
    server.url = re.search(r"(http://\S+)", serving).group(1)
    return server


def stop_server(server: Server) -> None:
    """Ctrl+C, then check the process ended cleanly and nothing listens any more."""
    server.process.send_signal(signal.SIGINT)
    try:
        assert server.process.wait(timeout=15) == 0
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()
    server.wait_for_line(r"^Stopped\.$", timeout=5)
    server.process.stdout.close()
    address = urlsplit(server.url)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address.hostname, address.port), timeout=2).close()


@pytest.fixture
def server(tmp_path):
    running = start_server(copy_real_site(tmp_path / "project"))
    yield running
    stop_server(running)


def live_page(browser, url: str):
    """A page that counts its completed livereload handshakes (one per page load)."""
    page = browser.new_page()
    page.handshakes = 0

    def on_websocket(ws):
        def on_frame(payload):
            if '"command": "info"' in str(payload) or '"command":"info"' in str(payload):
                page.handshakes += 1
        ws.on("framesent", on_frame)

    page.on("websocket", on_websocket)
    page.goto(url)
    wait_connected(page, 1)
    return page


def wait_connected(page, count: int) -> None:
    """Wait until the page's livereload client has said hello ``count`` times in all."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while page.handshakes < count:
        assert time.monotonic() < deadline, "the page never connected to the live-reload server"
        page.wait_for_timeout(50)


def test_an_edit_on_disk_reloads_the_open_page(server, browser):
    page = live_page(browser, server.url)
    title = page.locator(ALLIANCE)
    expect(title).to_have_text(TITLE)
    server.edit(EVENT, "IBM et Meta lancent", "IBM et Meta fondent")
    # No page.reload() anywhere: the page must show the change by itself.
    expect(title).to_have_text(TITLE.replace("lancent", "fondent"), timeout=WAIT_MS)
    line = server.wait_for_line(r"^content/2023-12-05-ai-alliance\.md: ")
    assert re.fullmatch(rf"content/2023-12-05-ai-alliance\.md: \d+ pages rendered, 1 file read, {EVENTS} events, in \d+ ms", line)
    page.close()


def test_an_edit_of_the_about_page_reloads_it(server, browser):
    page = live_page(browser, server.url + "a-propos/")
    heading = page.locator("main h1")
    expect(heading).to_have_text("À propos")
    server.edit("content/_pages/a-propos.md", 'title: "À propos"', 'title: "À propos de la chronologie"')
    expect(heading).to_have_text("À propos de la chronologie", timeout=WAIT_MS)
    expect(page.locator("nav.site-nav a[aria-current='page']")).to_have_text("À propos de la chronologie")
    server.edit("content/_pages/a-propos.md", 'title: "À propos de la chronologie"', 'title: "À propos"')
    expect(heading).to_have_text("À propos", timeout=WAIT_MS)
    page.close()


def test_a_broken_file_shows_its_errors_in_the_browser_until_fixed(server, browser):
    page = live_page(browser, server.url)
    # Broken front matter in two files: the page turns into the error page naming both, with their lines.
    server.edit(EVENT, 'summary: "Le 5', 'summary: ["Le 5')
    server.edit("content/2025-04-llama-consortium.md", "date: 2025-04", "date: 2025-13")
    problems = page.locator("#problems")
    expect(problems).to_contain_text("content/2025-04-llama-consortium.md:4: date: month 13", timeout=WAIT_MS)
    expect(problems).to_contain_text(f"{EVENT}:4: invalid YAML", timeout=WAIT_MS)
    terminal = server.wait_for_line(rf"^{re.escape(EVENT)}:4: ")
    assert terminal in problems.inner_text()  # the same text as the terminal
    server.wait_for_line(r"^2 errors; the browser shows them until the next good save\.$")
    # Fixed: the site comes back, by itself.
    server.edit(EVENT, 'summary: ["Le 5', 'summary: "Le 5')
    server.edit("content/2025-04-llama-consortium.md", "date: 2025-13", "date: 2025-04")
    expect(page.locator(ALLIANCE)).to_have_text(TITLE, timeout=WAIT_MS)
    page.close()


def test_a_save_during_a_reload_still_reaches_the_page(server, browser):
    """A page loaded just before a rebuild, whose websocket connects just after it, must still catch up."""
    page = live_page(browser, server.url)
    title = page.locator(ALLIANCE)
    current = TITLE
    # Saves 60 to 160 ms apart: the second lands while the page is reloading for the first.
    for gap in (0.06, 0.08, 0.09, 0.10, 0.11, 0.12, 0.14, 0.16):
        first, second = f"Premier {gap}", f"Second {gap}"
        server.edit(EVENT, current, first)
        time.sleep(gap)
        server.edit(EVENT, first, second)
        expect(title).to_have_text(second, timeout=WAIT_MS)
        current = second
    page.close()


def test_template_changes_and_template_errors_reload_too(server, browser):
    page = live_page(browser, server.url)
    server.edit("templates/index.html", '<p class="meta">', '<p class="meta">Aperçu en direct · ')
    expect(page.locator(".intro .meta")).to_contain_text("Aperçu en direct", timeout=WAIT_MS)
    wait_connected(page, 2)
    server.edit("templates/index.html", "{% endblock %}", "{% endblok %}")
    expect(page.locator("#problems")).to_contain_text("templates/index.html:", timeout=WAIT_MS)
    expect(page.locator("#problems")).to_contain_text("template syntax error", timeout=WAIT_MS)
    wait_connected(page, 3)
    server.edit("templates/index.html", "{% endblok %}", "{% endblock %}")
    expect(page.locator(".intro .meta")).to_contain_text("Aperçu en direct", timeout=WAIT_MS)
    # A YAML error in site.yaml behaves the same way.
    wait_connected(page, 4)
    server.edit("site.yaml", "language: fr", "language: [fr")
    expect(page.locator("#problems")).to_contain_text("site.yaml:", timeout=WAIT_MS)
    wait_connected(page, 5)
    server.edit("site.yaml", "language: [fr", "language: fr")
    expect(page.locator("li.event")).to_have_count(EVENTS, timeout=WAIT_MS)
    page.close()


def fetch(url: str) -> tuple[int, dict, bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def test_served_pages_carry_the_reload_script_and_output_files_never_do(server):
    status, headers, body = fetch(server.url)
    assert status == 200 and b"/livereload.js?port=" in body
    assert body.index(b"livereload.js") < body.index(b"</head>")
    root = f"{urlsplit(server.url).scheme}://{urlsplit(server.url).netloc}/"
    status, headers, _ = fetch(root)
    assert (status, headers["Location"]) == (302, urlsplit(server.url).path)
    assert not (server.project / "output").exists()  # serving never writes the site to disk
    assert run_cli("--project", server.project, "build").status == 0
    built = list((server.project / "output").rglob("*.html"))
    assert built and all(b"livereload" not in page.read_bytes() for page in built)


def test_drafts_are_shown_and_marked_in_the_preview(server, browser):
    (server.project / "content" / "2026-brouillon.md").write_text(event_text(title="Un brouillon", date="2026", draft="true"), encoding="utf-8")
    server.wait_for_line(r"^content/2026-brouillon\.md: ")
    page = browser.new_page()
    page.goto(server.url)
    draft = page.locator("li.event.is-draft")
    expect(draft.locator(".event-title a")).to_have_text("Un brouillon")
    expect(draft.locator(".draft-badge")).to_have_text("Brouillon")
    page.close()


def test_editor_droppings_and_output_are_ignored(server):
    static = server.project / "templates" / "static"
    droppings = [
        static / "style.css~", static / ".style.css.swp", static / "4913", static / "style.css___jb_tmp___",
        server.project / "content" / ".#2023-12-05-ai-alliance.md", server.project / "templates" / "index.html.swp",
        server.project / "site.yaml~", server.project / "output" / "index.html",
    ]
    for path in droppings:
        path.parent.mkdir(exist_ok=True)
        path.write_text("x", encoding="utf-8")
    server.edit(EVENT, "IBM et Meta lancent", "IBM et Meta fondent")  # a real change right behind them
    line = server.wait_for_line(r" pages? rendered, ")
    assert line.startswith("content/2023-12-05-ai-alliance.md: "), line  # no dropping counted as a change


def test_a_burst_of_saves_gives_one_rebuild(server):
    path = server.project / EVENT
    for n in range(5):
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"\nLigne {n}.\n")
        time.sleep(0.015)
    assert server.wait_for_line(r" pages? rendered, ").startswith(f"{EVENT}: ")
    server.edit("content/2025-04-llama-consortium.md", "Meta sollicite", "Meta sollicitait")
    # Had the burst split, a second rebuild of the same file would come first.
    assert server.wait_for_line(r" pages? rendered, ").startswith("content/2025-04-llama-consortium.md: ")


def test_content_folder_deleted_moved_and_recreated(server):
    content = server.project / "content"
    backup = server.project.parent / "content-backup"
    shutil.copytree(content, backup)
    shutil.rmtree(content)
    server.wait_for_line(r"^content:1: content folder not found")
    shutil.copytree(backup, content)
    server.wait_for_line(rf" {EVENTS} events, ")
    # The new folder is watched too.
    server.edit(EVENT, "IBM et Meta lancent", "IBM et Meta fondent")
    server.wait_for_line(rf"^{re.escape(EVENT)}: ")
    # A subfolder moved out of content/ takes its events with it.
    (content / "sub").mkdir()
    (content / "2025-04-llama-consortium.md").rename(content / "sub" / "llama.md")
    server.wait_for_line(rf" {EVENTS} events, ")
    (content / "sub").rename(server.project.parent / "elsewhere")
    server.wait_for_line(rf" {EVENTS - 1} events, ")
    assert b"Meta sollicite" not in fetch(server.url)[2]


def test_requests_outside_the_site(server):
    address = urlsplit(server.url)
    base = address.path
    assert fetch(f"{address.scheme}://{address.netloc}{base.rstrip('/')}")[:2][0] == 302
    status, _, body = fetch(server.url + "nulle-part/")
    assert status == 404 and "Page introuvable".encode() in body
    request = urllib.request.Request(server.url, method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200 and response.read() == b""
    # A page elsewhere on the web cannot read the preview through a rebinding of its own host name.
    request = urllib.request.Request(server.url, headers={"Host": f"attacker.example:{address.port}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    with refused.value as error:
        assert error.code == 403


def test_a_busy_port_is_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "--project", str(copy_real_site(tmp_path / "p")), "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"error: cannot listen on 127.0.0.1:{port}: the port is already in use; choose another one with --port {port + 1}\n"
