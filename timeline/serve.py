"""Live preview: serve the site from memory under its base path, rebuild on every save, reload the browser.

The site is never written to disk here, so ``output/`` never holds the reload script or a draft.
livereload provides the browser side (its script, injected before ``</head>``, and its websocket);
watchdog reports file changes as they happen, so there is no polling delay.
"""

from __future__ import annotations

import errno
import html
import mimetypes
import signal
import sys
import threading
import time
import webbrowser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .problems import BuildFailed, Problem
from .site import BuildCache, Project, build_site

# Saves closer together than this make one rebuild; editors often write a file in several steps.
QUIET_SECONDS = 0.04
# ...but a steady stream of events never holds a rebuild back longer than this.
MAX_WAIT_SECONDS = 0.3
_CHANGE_EVENTS = {"created", "modified", "deleted", "moved"}
# The same snippet livereload's own server injects: it loads livereload.js from the page's own host and port.
LIVE_SCRIPT = (
    b'<script>(function(){var s=document.createElement("script");'
    b"var port=(window.location.port||(window.location.protocol=='https:'?443:80));"
    b's.src="//"+window.location.hostname+":"+port+"/livereload.js?port="+port;'
    b"document.head.appendChild(s);})();</script>"
)
_TYPES = {".xml": "application/xml; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".html": "text/html; charset=utf-8"}


def is_editor_dropping(path: Path) -> bool:
    """Swap, backup and lock files editors write beside the real one (Vim's 4913 probe included)."""
    name = path.name
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload"))
        or name == "4913"
    )


class Preview:
    """The site as last built in memory, or the problems of the last failed build, and the cache to rebuild it."""

    def __init__(self, project: Project, base_url: str | None, drafts: bool):
        self.project = project
        self.base_url = base_url
        self.drafts = drafts
        self.cache = BuildCache()
        self.files: dict[str, bytes] = {}
        self.problems: list[Problem] = []
        self.base_path = "/"

    def rebuild(self, changed: frozenset[Path]) -> list[str]:
        """Rebuild after ``changed``; return the lines to print (a summary, or every problem)."""
        started = time.perf_counter()
        try:
            report = build_site(self.project, base_url=self.base_url, drafts=self.drafts, cache=self.cache, write=False, changed=changed)
        except BuildFailed as failure:
            self.problems = failure.problems
            n = len(failure.errors)
            return [str(p) for p in failure.problems] + [f"{n} error{'s' if n != 1 else ''}; the browser shows them until the next good save."]
        self.files, self.problems = report.files, []
        self.base_path = urlsplit(report.base_url).path or "/"
        elapsed = (time.perf_counter() - started) * 1000
        what = describe_changes(changed, self.project.root) or "built"
        return [str(w) for w in report.warnings] + [
            f"{what}: {report.rendered} pages rendered, {len(report.read)} files read, {report.events} events, in {elapsed:.0f} ms"
        ]


def describe_changes(changed: frozenset[Path], root: Path) -> str:
    """'content/a.md' or 'content/a.md, site.yaml and 3 more', for the terminal."""
    names = sorted(p.relative_to(root).as_posix() if p.is_relative_to(root) else p.as_posix() for p in changed)
    shown = ", ".join(names[:2])
    return shown + (f" and {len(names) - 2} more" if len(names) > 2 else "")


def error_page(problems: list[Problem]) -> bytes:
    """The page shown instead of the site while the build fails: every problem, as the terminal prints it."""
    errors = [p for p in problems if not p.warning]
    lines = "\n".join(html.escape(str(p)) for p in problems)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed ({len(errors)} error{'s' if len(errors) != 1 else ''})</title>
<style>
body {{ margin: 0; font: 1rem/1.5 system-ui, sans-serif; background: #fff4f2; color: #2b0d08; }}
main {{ max-width: 60rem; margin: 0 auto; padding: 2rem 1rem; }}
h1 {{ color: #a3160b; font-size: 1.5rem; }}
pre {{ white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid #f0b5ab; border-radius: .5rem; padding: 1rem; font-size: .95rem; }}
</style>
</head>
<body>
<main>
<h1>Build failed: {len(errors)} error{'s' if len(errors) != 1 else ''}</h1>
<p>Fix the files below and save: this page reloads by itself and the site comes back.</p>
<pre id="problems">{lines}</pre>
</main>
</body>
</html>
""".encode("utf-8")


class SiteHandler(web.RequestHandler):
    """Serves the in-memory site under its base path, or the error page while the build fails."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def set_default_headers(self) -> None:
        # Every reload must show the latest build, never a cached copy.
        self.set_header("Cache-Control", "no-store")

    def head(self, path: str) -> None:
        self.get(path)

    def get(self, path: str) -> None:
        preview = self.preview
        request_path = "/" + path
        base = preview.base_path
        if base != "/" and request_path == "/":
            return self.redirect(base)
        name = self._file_name(request_path, base)
        if preview.problems and not (name in preview.files and not name.endswith(".html")):
            return self._send(500, ".html", error_page(preview.problems))
        if name in preview.files:
            return self._send(200, Path(name).suffix, preview.files[name])
        if f"{name}/index.html" in preview.files:
            return self.redirect(request_path + "/")
        self._send(404, ".html", preview.files.get("404.html", b"<!doctype html><html><head><title>404</title></head><body>Not found</body></html>"))

    @staticmethod
    def _file_name(request_path: str, base: str) -> str:
        if not request_path.startswith(base):
            return "\0outside"  # never a file name: outside the base path there is nothing to serve
        relative = request_path[len(base):]
        return relative + "index.html" if relative == "" or relative.endswith("/") else relative

    def _send(self, status: int, suffix: str, body: bytes) -> None:
        self.set_status(status)
        self.set_header("Content-Type", _TYPES.get(suffix) or mimetypes.guess_type("x" + suffix)[0] or "application/octet-stream")
        self.finish(body)


class _Injector(LiveScriptInjector):
    script = LIVE_SCRIPT


def make_application(preview: Preview) -> web.Application:
    """The Tornado application: livereload's endpoints, then the site."""
    # LiveReloadHandler keeps its settings on the class; its reload message names the changed path.
    LiveReloadHandler.watcher = SimpleNamespace(filepath=None)
    LiveReloadHandler.live_css = True
    return web.Application(
        [
            (r"/livereload", LiveReloadHandler),
            (r"/livereload\.js", LiveReloadJSHandler),
            (r"/(.*)", SiteHandler, {"preview": preview}),
        ],
        transforms=[_Injector],
        log_function=lambda handler: None,  # one line per rebuild, not one per request
    )


class ChangeCollector(FileSystemEventHandler):
    """Turns watchdog's events (on its own thread) into one debounced rebuild on the server's loop."""

    def __init__(self, project: Project, loop: IOLoop, rebuild):
        self.project = project
        self.loop = loop
        self.rebuild = rebuild
        self.pending: set[Path] = set()
        self.first_seen = 0.0
        self.timer = None

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Note a change to a watched source; ignore directories, editor droppings and reads."""
        if event.event_type not in _CHANGE_EVENTS or event.is_directory:
            return
        for raw in filter(None, (event.src_path, getattr(event, "dest_path", ""))):
            path = Path(raw if isinstance(raw, str) else raw.decode())
            if self.is_source(path):
                self.loop.add_callback(self._note, path)

    def is_source(self, path: Path) -> bool:
        """Content, templates (assets included) and site.yaml; never output/ or anything else."""
        if is_editor_dropping(path):
            return False
        if path == self.project.config_file or path.is_relative_to(self.project.templates_dir):
            return True
        # In content/ only Markdown matters: tools such as sed -i write a temporary file beside it.
        return path.is_relative_to(self.project.content_dir) and path.suffix == ".md"

    def _note(self, path: Path) -> None:
        now = time.monotonic()
        if not self.pending:
            self.first_seen = now
        self.pending.add(path)
        if self.timer is not None:
            self.loop.remove_timeout(self.timer)
        delay = min(QUIET_SECONDS, max(0.0, self.first_seen + MAX_WAIT_SECONDS - now))
        self.timer = self.loop.call_later(delay, self._fire)

    def _fire(self) -> None:
        changed, self.pending, self.timer = frozenset(self.pending), set(), None
        self.rebuild(changed)


def watch(project: Project, collector: ChangeCollector) -> Observer:
    """Start watching content/, templates/ and site.yaml (its folder, filtered to that one file)."""
    observer = Observer(timeout=0.1)  # its threads notice a stop within this time
    for folder in (project.content_dir, project.templates_dir):
        if folder.is_dir():
            observer.schedule(collector, str(folder), recursive=True)
    observer.schedule(collector, str(project.root), recursive=False)
    observer.start()
    return observer


def listen(application: web.Application, host: str, port: int) -> tuple[HTTPServer, int]:
    """Bind the server; raise OSError with the system's reason when the address cannot be used."""
    sockets = bind_sockets(port, address=host)
    server = HTTPServer(application)
    server.add_sockets(sockets)
    return server, sockets[0].getsockname()[1]


def serve(project: Project, host: str, port: int, open_browser: bool, base_url: str | None, drafts: bool) -> int:
    """Run the preview server until Ctrl+C; return the exit status."""
    loop = IOLoop.current()
    # Ctrl+C and SIGTERM stop the loop between two callbacks, never in the middle of a rebuild; set
    # before anything else, so that a signal during the first build or start-up is not lost either.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.asyncio_loop.add_signal_handler(sig, loop.stop)
    preview = Preview(project, base_url, drafts)
    try:
        server, port = listen(make_application(preview), host, port)
    except OSError as exc:
        reason = "the port is already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        hint = f"; choose another one with --port {port + 1}" if exc.errno == errno.EADDRINUSE else ""
        print(f"error: cannot listen on {host}:{port}: {reason}{hint}", file=sys.stderr)
        return 1
    for line in preview.rebuild(frozenset()):
        print(line, flush=True)

    def rebuild(changed: frozenset[Path]) -> None:
        for line in preview.rebuild(changed):
            print(line, flush=True)
        css_only = changed and all(p.suffix == ".css" for p in changed) and not preview.problems
        LiveReloadHandler.reload_waiters(path=next(iter(changed)).name if css_only else "*")

    observer = watch(project, ChangeCollector(project, loop, rebuild))
    address = f"http://{'[' + host + ']' if ':' in host else host}:{port}{preview.base_path}"
    print(f"Serving on {address} (drafts {'shown' if drafts else 'hidden'}); press Ctrl+C to stop.", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(address,), daemon=True).start()
    try:
        loop.start()
    finally:
        observer.stop()
        server.stop()
        observer.join(timeout=5)
    print("Stopped.", flush=True)
    return 0
