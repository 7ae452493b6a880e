"""The real site in a real browser (Debian's Chromium driven by Playwright), served over HTTP under its base path."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from conftest import REPO, copy_real_site, require_tool, run_cli

# Browser defaults that the site's stylesheet overrides.
EVENTS = len(list((REPO / "content").glob("*.md")))
UNSTYLED_BACKGROUNDS = {"rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)"}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging every request to stderr."""

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture
def served_site(tmp_path: Path):
    """Build the real site and serve it at http://127.0.0.1:<port><base path>; yields the index URL."""
    project = copy_real_site(tmp_path / "project")
    base_url = yaml.safe_load((project / "site.yaml").read_text(encoding="utf-8"))["base_url"]
    base_path = urlsplit(base_url).path or "/"
    if not base_path.endswith("/"):
        base_path += "/"

    web_root = tmp_path / "www"
    web_root.mkdir()
    output = web_root.joinpath(*[part for part in base_path.split("/") if part])
    run = run_cli("--project", project, "build", "--output", output)
    assert run.status == 0, run.err

    handler = functools.partial(QuietHandler, directory=str(web_root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base_path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def start_of(iso: str) -> dt.date:
    """The first day an HTML datetime of any precision ('2023', '2023-11', '2023-12-05') can mean."""
    parts = [int(p) for p in iso.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def test_site_in_chromium(served_site, browser):
    index_url = served_site
    failed: list[str] = []
    errors: list[str] = []
    foreign: list[str] = []

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.hostname != "127.0.0.1":
            foreign.append(request.url)

    def settle(page):
        # Let the page's own late requests (the favicon) finish, so leaving it does not abort them.
        page.wait_for_load_state("networkidle")

    def watch(page):
        page.on("request", on_request)
        page.on("requestfailed", lambda request: failed.append(f"{request.url}: {request.failure}"))
        page.on("response", lambda response: errors.append(f"{response.url}: {response.status}") if response.status >= 400 else None)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        watch(page)

        response = page.goto(index_url)
        assert response is not None and response.status == 200
        settle(page)
        entries = page.locator("li.event")
        assert entries.count() == EVENTS
        datetimes = page.eval_on_selector_all("li.event time[datetime]", "els => els.map(e => e.getAttribute('datetime'))")
        assert len(datetimes) == EVENTS
        starts = [start_of(value) for value in datetimes]
        assert starts == sorted(starts) and len(set(starts)) == EVENTS, datetimes

        links = page.locator("li.event .event-title a")
        titles = [text.strip() for text in links.all_inner_texts()]
        assert len(titles) == EVENTS
        for position, title in enumerate(titles):
            link = page.locator("li.event .event-title a").nth(position)
            expected_url = urljoin(index_url, link.get_attribute("href"))
            with page.expect_navigation() as navigation:
                link.click()
            assert navigation.value is not None and navigation.value.status == 200
            settle(page)
            assert page.url == expected_url
            assert page.locator("main h1").inner_text().strip() == title
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background not in UNSTYLED_BACKGROUNDS, f"{page.url}: stylesheet not applied ({background})"
            assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"
            page.go_back()
            page.wait_for_url(index_url)
            settle(page)
            assert page.locator("li.event").count() == EVENTS

        # A phone-sized viewport never scrolls sideways, on the index or on any event page.
        phone = browser.new_context(viewport={"width": 375, "height": 812})
        small = phone.new_page()
        watch(small)
        for url in [index_url, *(urljoin(index_url, href) for href in page.eval_on_selector_all("li.event .event-title a", "els => els.map(e => e.getAttribute('href'))"))]:
            response = small.goto(url)
            assert response is not None and response.status == 200
            settle(small)
            widths = small.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
            assert widths["inner"] == 375
            assert widths["scroll"] <= widths["inner"], f"{url} scrolls sideways at 375px: {widths}"
        phone.close()
    finally:
        context.close()

    assert failed == []
    assert errors == []
    assert foreign == []


LONG_URL = "https://www.example.org/pixels/article/2024/05/29/un-tres-long-chemin-d-adresse-qui-ne-se-coupe-pas-naturellement_6236000_4408996.html"


def test_long_words_and_wide_tables_never_widen_a_phone_screen(make_site, tmp_path, browser):
    from conftest import event_text

    body = f"{LONG_URL}\n\n| a | b | c | d | e |\n|---|---|---|---|---|\n" + "| " + " | ".join(f"colonne-tres-large-{i}" for i in range(5)) + " |\n"
    root = make_site({"content/2024-06-long.md": event_text(title="Unmotextrêmementlongsansespace" * 3, summary=f"Voir {LONG_URL}", date="2024-06", body=body, tags="[" + "x" * 70 + "]")})
    web_root = tmp_path / "www"
    run = run_cli("--project", root, "build", "--output", web_root / "repo")
    assert run.status == 0, run.err
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(web_root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/repo/"
    try:
        for width in (320, 375):
            page = browser.new_page(viewport={"width": width, "height": 800})
            for path in ("", "2024/long/", "tags/"):
                page.goto(base + path)
                widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                assert widths == [width, width], f"{path or 'index'} at {width}px: {widths}"
            page.close()
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- the timeline experience


def test_tag_filter_without_a_reload_keeps_the_state_in_the_address(served_site, browser):
    index_url = served_site
    page = browser.new_page()
    try:
        page.goto(index_url)
        llama = page.locator("li.event[data-tags~='llama']")
        expected = llama.count()
        assert 0 < expected < EVENTS
        page.locator("li.event[data-tags~='llama'] a.tag", has_text="llama").first.click()
        page.wait_for_url(f"{index_url}?tag=llama#contenu")
        assert page.locator("li.event:visible").count() == expected
        assert page.locator(".axis .mark.is-dimmed").count() == EVENTS - expected
        assert "Llama" in page.locator("#filter-status").inner_text()  # the tag's label from site.yaml
        page.go_back()
        page.wait_for_url(index_url)
        assert page.locator("li.event:visible").count() == EVENTS and page.locator("#filter-status").is_hidden()
        page.go_forward()
        assert page.locator("li.event:visible").count() == expected
        page.goto(index_url + "?tag=llama")  # a shared link opens filtered
        assert page.locator("li.event:visible").count() == expected
        page.locator(".filter-clear").click()
        assert page.locator("li.event:visible").count() == EVENTS
    finally:
        page.close()
    # Without JavaScript the same link leads to the tag page.
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(index_url)
        page.locator("li.event a.tag", has_text="llama").first.click()
        page.wait_for_url(f"{index_url}tags/llama/")
        assert page.locator("li.event").count() == expected
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_type_has_no_axe_violation(served_site, browser, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        for path in ("", "2023/ai-alliance/", "tags/llama/", "tags/", "404.html"):
            page.goto(served_site + path)
            results = axe.run(page)
            assert results.violations_count == 0, f"{path or 'index'} ({scheme}):\n{results.generate_report()}"
    finally:
        context.close()


def test_keyboard_deep_links_and_weight(served_site, browser):
    page = browser.new_page()
    try:
        page.goto(served_site)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "contenu"
        # The axis: every mark is a link with an accessible name, reachable by keyboard.
        marks = page.locator(".axis a.mark")
        assert marks.count() == EVENTS and all(name for name in marks.evaluate_all("ms => ms.map(m => m.getAttribute('aria-label'))"))
        page.goto(served_site + "#2023-ai-alliance")
        assert page.evaluate("document.querySelector(':target').id") == "2023-ai-alliance"
        assert page.locator("[id='2023-ai-alliance']").is_visible()
        weights = page.evaluate("performance.getEntriesByType('resource').map(r => [r.name, r.encodedBodySize])")
    finally:
        page.close()
    index = (len(urllib_get(served_site)) + sum(size for name, size in weights if name.endswith((".css", ".js"))))
    assert index <= 60 * 1024, f"index with its CSS and JS weighs {index} bytes"


def urllib_get(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


TIMELINEJS = Path(os.environ.get("TEST_NODE_MODULES", REPO / ".venv" / "node" / "node_modules")) / "@knight-lab" / "timelinejs" / "dist"
TIMELINEJS_PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="css/timeline.css"></head>
<body><div id="tl" style="width:1000px;height:600px"></div><script src="js/timeline.js"></script><script>
window.state = {errors: []};
window.addEventListener("error", e => window.state.errors.push(String(e.message)));
fetch("timeline.json").then(r => r.json()).then(data => {
  const timeline = new TL.Timeline("tl", data, {language: "en", script_path: "js/", font: null});
  timeline.on("loaded", () => { window.state.loaded = true; });
});
</script></body></html>"""


def test_timeline_json_loads_in_timelinejs_unchanged(tmp_path, browser):
    require_tool((TIMELINEJS / "js" / "timeline.js").is_file(), f"TimelineJS ({TIMELINEJS})")
    project = copy_real_site(tmp_path / "project")
    assert run_cli("--project", project, "build", "--output", tmp_path / "out").status == 0
    web = tmp_path / "web"
    shutil.copytree(TIMELINEJS / "js", web / "js")
    shutil.copytree(TIMELINEJS / "css", web / "css")
    shutil.copy2(tmp_path / "out" / "timeline.json", web / "timeline.json")
    (web / "index.html").write_text(TIMELINEJS_PAGE, encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(web)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        page.wait_for_function("window.state.loaded === true", timeout=20_000)
        assert page.evaluate("window.state.errors") == []
        assert page.locator(".tl-slide").count() == EVENTS + 1  # the title slide, then one per event
        assert page.locator(".tl-timemarker").count() == EVENTS
        assert page.locator(".tl-timeera").count() == 3
        # Adjacent eras meet: one that ends in March 2024 runs to the end of 31 March, where the next one starts.
        bands = sorted(page.evaluate("[...document.querySelectorAll('.tl-timeera')].map(e => [parseFloat(e.style.left), parseFloat(e.style.left) + parseFloat(e.style.width)])"))
        gaps = [round(later[0] - earlier[1], 2) for earlier, later in zip(bands, bands[1:])]
        assert len(gaps) == 2 and all(abs(gap) <= 0.05 for gap in gaps), f"gaps between the era bands: {gaps} px"
        page.close()
    finally:
        server.shutdown()
        server.server_close()


def test_the_filter_ignores_unknown_tags_and_yields_to_deep_links(served_site, browser):
    page = browser.new_page()
    try:
        page.goto(served_site + "?tag=nulle-part")
        assert page.locator("li.event:visible").count() == EVENTS and page.locator("#filter-status").is_hidden()
        # A deep link to an entry the filter hides clears the filter, so the link still leads to it.
        page.goto(served_site + "?tag=europe#2023-llama-1")
        assert page.locator("[id='2023-llama-1']").is_visible()
        assert page.locator("li.event:visible").count() == EVENTS and "tag=" not in page.url
        page.goto(served_site + "?tag=europe")
        hidden_years = page.locator(".year-nav li[hidden]").count()
        assert hidden_years >= 1  # years with nothing to show are not offered
        assert page.locator(".axis .mark.is-dimmed").first.evaluate("m => getComputedStyle(m).pointerEvents") == "none"
    finally:
        page.close()
