"""Live preview: serve the site from memory under its base path, rebuild on every save, reload the browser.

The site is never written to disk here, so ``output/`` never holds the reload script or a draft.
livereload provides the browser side (its client script and websocket); watchdog reports file changes
as they happen, so there is no polling delay.
"""

from __future__ import annotations

import errno
import html
import ipaddress
import logging
import mimetypes
import signal
import sys
import threading
import time
import traceback
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .config import load_config
from .console import say
from .content import is_event_name
from .problems import BuildFailed, Problem, display_path
from .cache import BuildCache
from .render import STATIC_DIR, is_template_name
from .site import BuildOptions, Later, Project, build_site
from .standalone import PAGES_DIR, is_page_name

# Saves closer together than this make one rebuild; editors and "save all" write files in quick bursts.
QUIET_SECONDS = 0.075
# Once every file written is closed (or renamed into place), the burst is most likely over: wait only this.
SETTLED_SECONDS = 0.04
# Events that end a write: the file is whole.
_SETTLING_EVENTS = {"closed", "moved", "deleted"}
# ...but a steady stream of events never holds a rebuild back longer than this.
MAX_WAIT_SECONDS = 1.0
# Events that only mean somebody read a file (our own build does) are not changes.
_READ_EVENTS = {"opened", "closed_no_write"}
_FOLDER_EVENTS = {"created", "deleted", "moved"}
_EDITOR_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload", ".kate-swp", ".orig", ".bak", ".rej", "___jb_tmp___", "___jb_old___")
_TYPES = {".xml": "application/xml; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".html": "text/html; charset=utf-8"}
BUILD_URL = "/livereload/build"


def is_editor_dropping(path: Path) -> bool:
    """Swap, backup and lock files editors write beside the real one (Vim's 4913 probe included)."""
    return path.name.startswith((".", "#", "~")) or path.name.endswith(_EDITOR_SUFFIXES) or path.name == "4913"


def live_script(build: int) -> bytes:
    """What served pages get before ``</head>``: livereload's client, and a check that the page is current.

    The client loads from the page's own host and port. Once connected, the page asks which build is live:
    a save that landed while the page was loading would otherwise never reach it.
    """
    return (
        '<script>(function(){var s=document.createElement("script");'
        "var port=(window.location.port||(window.location.protocol=='https:'?443:80));"
        's.src="//"+window.location.hostname+":"+port+"/livereload.js?port="+port;'
        "document.head.appendChild(s);"
        'document.addEventListener("LiveReloadConnect",function(){setTimeout(function(){'
        f'fetch("{BUILD_URL}",{{cache:"no-store"}}).then(function(r){{return r.text()}})'
        f'.then(function(b){{if(b!=="{build}")location.reload()}})'
        "},0)});})();</script>"
    ).encode()


class Preview:
    """The site as last built in memory, or the problems of the last failed build, and the cache to rebuild it."""

    def __init__(self, project: Project, base_url: str | None, drafts: bool):
        self.project = project
        self.base_url = base_url
        self.drafts = drafts
        self.cache = BuildCache()
        self.files: dict[str, bytes | Later] = {}
        self.problems: list[str] = []  # the lines of the error page; empty while the site builds
        self.base_path = "/"
        self.build = 0  # counts rebuilds, so a page can tell whether it is the latest
        self.warnings: set[Problem] = set()

    def rebuild(self, changed: frozenset[Path]) -> list[str]:
        """Rebuild after ``changed``; return the lines to print (a summary, or every problem)."""
        started = time.perf_counter()
        self.build += 1
        try:
            report = build_site(self.project, BuildOptions(base_url=self.base_url, drafts=self.drafts, write=False, exports_when_fetched=True), self.cache)
        except BuildFailed as failure:
            self._find_base_path()
            n = len(failure.errors)
            self.problems = [str(p) for p in failure.problems]
            return self.problems + [f"{n} error{'s' if n != 1 else ''}; the browser shows them until the next good save."]
        except Exception:
            # A bug, not the user's input: keep its traceback, and keep serving so the next save can retry.
            self.cache = BuildCache()
            self.problems = ["Internal error in the generator (please report it):", *traceback.format_exc().splitlines()]
            return self.problems
        self.files, self.problems = report.files, []
        self.base_path = unquote(urlsplit(report.base_url).path) or "/"
        new_warnings = [w for w in report.warnings if w not in self.warnings]
        self.warnings = set(report.warnings)
        elapsed = (time.perf_counter() - started) * 1000
        read = len(report.read)
        what = describe_changes(changed, self.project.root) or "built"
        return [str(w) for w in new_warnings] + [
            f"{what}: {report.rendered} page{'s' if report.rendered != 1 else ''} rendered, "
            f"{read} file{'s' if read != 1 else ''} read, {report.events} events, in {elapsed:.0f} ms"
        ]

    def _find_base_path(self) -> None:
        # Content or templates may be broken while site.yaml is fine: keep serving at the right path.
        config, _ = load_config(self.project.config_file, "site.yaml", self.base_url)
        if config is not None:
            self.base_path = unquote(config.base_path)


def describe_changes(changed: frozenset[Path], root: Path) -> str:
    """'content/a.md' or 'content/a.md, site.yaml and 3 more', for the terminal."""
    names = sorted(display_path(p, root) for p in changed)
    shown = ", ".join(names[:2])
    return shown + (f" and {len(names) - 2} more" if len(names) > 2 else "")


def error_page(lines: list[str]) -> bytes:
    """The page shown instead of the site while the build fails: every problem, as the terminal prints it."""
    errors = sum(1 for line in lines if ": warning: " not in line)
    title = f"Build failed ({errors} problem{'s' if errors != 1 else ''})"
    text = "\n".join(html.escape(line) for line in lines)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ margin: 0; font: 1rem/1.5 system-ui, sans-serif; background: #fff4f2; color: #2b0d08; }}
main {{ max-width: 60rem; margin: 0 auto; padding: 2rem 1rem; }}
h1 {{ color: #a3160b; font-size: 1.5rem; }}
pre {{ white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid #f0b5ab; border-radius: .5rem; padding: 1rem; font-size: .95rem; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>Fix the files below and save: this page reloads by itself and the site comes back.</p>
<pre id="problems">{text}</pre>
</main>
</body>
</html>
""".encode("utf-8")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


class HostCheck:
    """Refuses requests whose Host header is not this machine, so a web page cannot read the preview through DNS rebinding."""

    def __init__(self, bound_host: str):
        self.open_to_all = not _is_loopback(bound_host)  # bound to a network address on purpose

    def allows(self, host_header: str) -> bool:
        """Whether a request naming ``host_header`` may be answered."""
        if self.open_to_all:
            return True
        host = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
        return _is_loopback(host)


class SiteHandler(web.RequestHandler):
    """Serves the in-memory site under its base path, or the error page while the build fails."""

    def initialize(self, preview: Preview, hosts: HostCheck) -> None:
        self.preview = preview
        self.hosts = hosts

    def prepare(self) -> None:
        if not self.hosts.allows(self.request.host):
            raise web.HTTPError(403, reason="Host not allowed; open the address the server printed")

    def set_default_headers(self) -> None:
        # Every reload must show the latest build, never a cached copy.
        self.set_header("Cache-Control", "no-store")

    def head(self, path: str) -> None:
        self.get(path)

    def get(self, path: str) -> None:
        preview = self.preview
        request_path = "/" + path
        base = preview.base_path
        if base != "/" and request_path in ("/", base.rstrip("/")):
            return self.redirect(base)
        name = self._file_name(request_path, base)
        if preview.problems and not (name in preview.files and not name.endswith(".html")):
            return self._send(500, ".html", error_page(preview.problems))
        if name in preview.files:
            body = preview.files[name]
            if isinstance(body, Later):
                body = preview.files[name] = body.make()
            return self._send(200, Path(name).suffix, body)
        if f"{name}/index.html" in preview.files:
            return self.redirect(request_path + "/")
        self._send(404, ".html", preview.files.get("404.html", b"<!doctype html><html><head><title>Not found</title></head><body>Not found</body></html>"))

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


class BuildNumberHandler(web.RequestHandler):
    """Answers which build is live, for pages that connect after a rebuild they missed."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/plain")
        self.finish(str(self.preview.build))


def make_application(preview: Preview, hosts: HostCheck) -> web.Application:
    """The Tornado application: livereload's endpoints, the build number, then the site."""

    class Injector(web.OutputTransform):
        """Puts the live script before ``</head>`` (or ``</body>``) of every HTML response."""

        def transform_first_chunk(self, status_code, headers, chunk, finishing):
            if "html" in headers.get("Content-Type", ""):
                script = live_script(preview.build)
                marker = b"</head>" if b"</head>" in chunk else b"</body>"
                if marker in chunk:
                    chunk = chunk.replace(marker, script + marker, 1)
                    if "Content-Length" in headers:
                        headers["Content-Length"] = str(int(headers["Content-Length"]) + len(script))
            return status_code, headers, chunk

    class LiveSocket(LiveReloadHandler):
        """livereload's websocket, open only to pages of this preview."""

        def check_origin(self, origin: str) -> bool:
            return hosts.allows(urlsplit(origin).netloc or "")

    # LiveReloadHandler keeps its settings on the class; its reload message names the changed path.
    LiveReloadHandler.watcher = SimpleNamespace(filepath=None)
    LiveReloadHandler.live_css = True
    return web.Application(
        [
            (r"/livereload", LiveSocket),
            (r"/livereload\.js", LiveReloadJSHandler),
            (BUILD_URL, BuildNumberHandler, {"preview": preview}),
            (r"/(.*)", SiteHandler, {"preview": preview, "hosts": hosts}),
        ],
        transforms=[Injector],
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
        self.rewatch = False  # content/ or templates/ itself was created, moved or deleted
        self.writing: set[Path] = set()  # files changed and not yet closed

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Note a change to a watched source; ignore editor droppings and mere reads."""
        if event.event_type in _READ_EVENTS:
            return
        if event.is_directory and event.event_type not in _FOLDER_EVENTS:
            return  # a folder is "modified" whenever a file in it is: the file's own event says more
        settled = event.event_type in _SETTLING_EVENTS
        for raw in filter(None, (event.src_path, getattr(event, "dest_path", ""))):
            path = Path(raw if isinstance(raw, str) else raw.decode())
            if path in (self.project.content_dir, self.project.templates_dir):
                self.loop.add_callback(self._note, path, True, settled)
            elif self.is_source(path, event.is_directory):
                self.loop.add_callback(self._note, path, False, settled)

    def is_source(self, path: Path, is_directory: bool = False) -> bool:
        """Content Markdown, templates and assets, site.yaml, and folders below content/ or templates/."""
        content, templates = self.project.content_dir, self.project.templates_dir
        if path.is_relative_to(content):
            # Exactly the files (and folders) a build reads events and pages from. Editors' droppings never end in ".md".
            parts = path.relative_to(content).parts
            if parts[:1] == (PAGES_DIR,) and len(parts) <= 2:
                return is_directory or (len(parts) == 2 and is_page_name(parts[1]))
            return (is_directory or path.suffix == ".md") and all(map(is_event_name, parts))
        if is_editor_dropping(path):
            return False
        if is_directory:
            return path.is_relative_to(content) or path.is_relative_to(templates)
        if path == self.project.config_file:
            return True
        if path.is_relative_to(templates):
            relative = path.relative_to(templates).as_posix()
            return relative.split("/")[0] == STATIC_DIR or is_template_name(relative)
        return False

    def _note(self, path: Path, rewatch: bool, settled: bool = False) -> None:
        now = time.monotonic()
        if not self.pending:
            self.first_seen = now
        self.pending.add(path)
        self.rewatch = self.rewatch or rewatch
        if settled:
            self.writing.discard(path)
        else:
            self.writing.add(path)
        if self.timer is not None:
            self.loop.remove_timeout(self.timer)
        quiet = QUIET_SECONDS if self.writing else SETTLED_SECONDS
        delay = min(quiet, max(0.0, self.first_seen + MAX_WAIT_SECONDS - now))
        self.timer = self.loop.call_later(delay, self._fire)

    def _fire(self) -> None:
        changed, self.pending, self.timer = frozenset(self.pending), set(), None
        self.writing.clear()
        rewatch, self.rewatch = self.rewatch, False
        self.rebuild(changed, rewatch)


class OverflowAlarm(logging.Handler):
    """watchdog's warning that the system dropped events (which it only logs), turned into a rebuild."""

    def __init__(self, collector: ChangeCollector):
        super().__init__(logging.WARNING)
        self.collector = collector

    def emit(self, record: logging.LogRecord) -> None:
        """Ask for a full look on the server's loop (this runs on watchdog's thread)."""
        if "overflow" in record.getMessage().lower():
            collector = self.collector
            collector.loop.add_callback(collector._note, collector.project.content_dir, False, True)


WATCHDOG_LOGGER = "watchdog.observers"


class Watcher:
    """watchdog watches on content/ and templates/ (recursive) and on the project folder (for site.yaml)."""

    def __init__(self, project: Project, collector: ChangeCollector):
        self.project = project
        self.collector = collector
        self.observer = Observer(timeout=0.1)  # its threads notice a stop within this time
        self.folders: dict[Path, object] = {}
        self.alarm = OverflowAlarm(collector)
        logging.getLogger(WATCHDOG_LOGGER).addHandler(self.alarm)
        self.observer.schedule(collector, str(project.root), recursive=False)
        self.refresh()
        self.observer.start()

    def refresh(self) -> None:
        """Watch content/ and templates/ afresh: after they are deleted and recreated, old watches see nothing."""
        for folder in (self.project.content_dir, self.project.templates_dir):
            if folder in self.folders:
                try:
                    self.observer.unschedule(self.folders.pop(folder))
                except KeyError:
                    pass  # watchdog already dropped the watch of a deleted folder
            if folder.is_dir():
                self.folders[folder] = self.observer.schedule(self.collector, str(folder), recursive=True)

    def stop(self) -> None:
        """Stop watching and wait for watchdog's threads."""
        logging.getLogger(WATCHDOG_LOGGER).removeHandler(self.alarm)
        self.observer.stop()
        self.observer.join(timeout=5)


def listen(application: web.Application, host: str, port: int) -> tuple[HTTPServer, int]:
    """Bind the server; raise OSError with the system's reason when the address cannot be used."""
    sockets = bind_sockets(port, address=host)
    server = HTTPServer(application)
    server.add_sockets(sockets)
    return server, sockets[0].getsockname()[1]


def _address(host: str, port: int, path: str = "") -> str:
    return f"{'[' + host + ']' if ':' in host else host}:{port}{path}"


@dataclass(frozen=True)
class ServeOptions:
    """Where the preview listens, and what it shows."""

    host: str = "127.0.0.1"
    port: int = 8000  # 0 picks a free one
    open_browser: bool = False
    base_url: str | None = None  # overrides site.yaml's: its path is where the preview lives
    drafts: bool = True


def serve(project: Project, options: ServeOptions) -> int:
    """Run the preview server until Ctrl+C; return the exit status."""
    host, port, drafts = options.host, options.port, options.drafts
    loop = IOLoop.current()
    # Ctrl+C and SIGTERM stop the loop between two callbacks, never in the middle of a rebuild; set
    # before anything else, so that a signal during the first build or start-up is not lost either.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.asyncio_loop.add_signal_handler(sig, loop.stop)
    for name in ("tornado.access", "tornado.general"):
        logging.getLogger(name).setLevel(logging.ERROR)  # a malformed request is not worth a line
    preview = Preview(project, options.base_url, drafts)
    try:
        server, port = listen(make_application(preview, HostCheck(host)), host, port)
    except OSError as exc:
        busy = exc.errno == errno.EADDRINUSE
        reason = "the port is already in use" if busy else (exc.strerror or str(exc))
        hint = f"; choose another one with --port {port + 1}" if busy else ""
        print(f"error: cannot listen on {_address(host, port)}: {reason}{hint}", file=sys.stderr)
        return 1
    watcher: Watcher

    def rebuild(changed: frozenset[Path], rewatch: bool) -> None:
        if rewatch:
            watcher.refresh()
        _show(preview.rebuild(changed), preview)
        css_only = all(p.suffix == ".css" for p in changed) and not preview.problems
        LiveReloadHandler.reload_waiters(path=next(iter(changed)).name if css_only else "*")

    # Watching before the first build: a save during it is seen, and so every later build can trust the watcher.
    watcher = Watcher(project, ChangeCollector(project, loop, rebuild))
    try:
        _show(preview.rebuild(frozenset()), preview)
        address = "http://" + _address(host, port, preview.base_path)
        say(f"Serving on {address} (drafts {'shown' if drafts else 'hidden'}); press Ctrl+C to stop.")
        if options.open_browser:
            threading.Thread(target=_open, args=(address,), daemon=True).start()
        loop.start()
    finally:
        watcher.stop()
        server.stop()
    say("Stopped.")
    return 0


def _show(lines: list[str], preview: Preview) -> None:
    """A rebuild's lines: a failed one's always (problems are never hidden), a good one's unless -q."""
    for line in lines:
        if preview.problems:
            print(line, flush=True)
        else:
            say(line)


def _open(address: str) -> None:
    if not webbrowser.open(address):
        print(f"No web browser found here; open {address} yourself.", flush=True)
