"""Starting a site with ``init``, overriding the theme one file at a time, and the command line's conventions."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from chronologie import __version__
from chronologie.cli import main
from conftest import REPO, event_text, run_cli

EN_SOURCE = "\n  - publisher: The Daily\n    title: A story\n    date: 2023-12-05\n    lang: en"
FRENCH = re.compile(r"[àâçéèêëîïôûùüÿœæ«»ÀÂÇÉÈÊÎÔÛ]|\b(?:le|la|les|des|une|est|pour|dans|avec|sur|du|au|aux|vos|votre|À compléter|Écrivez)\b")


def french_in(folder: Path) -> list[str]:
    """Every text file of ``folder`` (the build's own bookkeeping aside) with a French word or letter, and the line."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".timeline-cache" not in p.parts):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # an image
        for number, line in enumerate(text.splitlines(), start=1):
            # The tool's own name is French ("chronologie"): it names the command, not the site's language.
            if FRENCH.search(line.replace("chronologie", "")):
                found.append(f"{path.relative_to(folder)}:{number}: {line.strip()[:120]}")
    return found


@pytest.fixture
def english_site(tmp_path):
    root = tmp_path / "history"
    assert run_cli("init", root, "--title", "A history of open models", "--base-url", "https://user.github.io/history/").status == 0
    return root


# ---------------------------------------------------------------- init


def test_init_writes_an_english_site_that_checks_clean_and_builds(english_site, tmp_path):
    names = sorted(p.relative_to(english_site).as_posix() for p in english_site.rglob("*") if p.is_file())
    assert names == [".github/workflows/pages.yml", ".gitignore", "content/2023-02-24-meta-releases-llama.md", "requirements.txt", "site.yaml", "templates/README.md"]
    settings = yaml.safe_load((english_site / "site.yaml").read_text(encoding="utf-8"))
    assert (settings["title"], settings["language"], settings["base_url"]) == ("A history of open models", "en", "https://user.github.io/history/")
    assert "chronologie theme event.html" in (english_site / "templates" / "README.md").read_text(encoding="utf-8")
    assert run_cli("check", "--strict", "-C", english_site).out == "No errors, 0 warnings: 1 event checked.\n"
    built = run_cli("-C", english_site)
    assert built.status == 0 and built.err == ""
    page = (english_site / "output" / "2023" / "meta-releases-llama" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Meta releases LLaMA to researchers" in page
    assert french_in(english_site) == []


def test_init_writes_the_workflow_of_this_repository():
    workflow = (REPO / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert (REPO / "chronologie" / "scaffold" / "pages.yml").read_text(encoding="utf-8") == workflow


def test_init_prints_the_next_steps(tmp_path):
    result = run_cli("init", tmp_path / "site", "--language", "fr", "--title", "Une chronologie")
    assert result.status == 0 and result.err == ""
    assert result.out.startswith(f"Created a new site in {tmp_path / 'site'}/:\n")
    for step in ("chronologie new ", "chronologie serve", "chronologie check && chronologie build", "Source: GitHub Actions", "chronologie deploy"):
        assert step in result.out


def test_a_french_site_from_init_is_french(tmp_path):
    root = tmp_path / "site"
    assert run_cli("init", root, "--language", "fr", "--title", "Les modèles ouverts").status == 0
    settings = yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8"))
    assert (settings["language"], settings["description"]) == ("fr", "Les modèles ouverts : une chronologie datée et sourcée.")
    assert "Le 24 février 2023, Meta annonce LLaMA" in (root / "content" / "2023-02-24-meta-releases-llama.md").read_text(encoding="utf-8")
    assert run_cli("check", "--strict", "-C", root).status == 0


@pytest.mark.parametrize("existing", ["a file inside", "a file instead"])
def test_init_refuses_a_folder_that_is_not_empty_and_writes_nothing(tmp_path, existing):
    target = tmp_path / "site"
    if existing == "a file inside":
        target.mkdir()
        (target / "notes.txt").write_text("mine\n", encoding="utf-8")
        expected = f"error: {target} is not empty; give a new or empty folder (nothing was written)\n"
    else:
        target.write_text("mine\n", encoding="utf-8")
        expected = f"error: {target} is a file, not a folder; nothing was written\n"
    result = run_cli("init", target)
    assert (result.status, result.out, result.err) == (1, "", expected)
    assert sorted(p.name for p in tmp_path.rglob("*")) == (["notes.txt", "site"] if existing == "a file inside" else ["site"])


def test_init_refuses_a_base_url_the_build_would_refuse(tmp_path):
    result = run_cli("init", tmp_path / "site", "--base-url", "user.github.io/repo")
    assert result.status == 1
    assert result.err == (
        "error: the settings given would make an invalid site.yaml, nothing was written:\n"
        "site.yaml:5: 'base_url' must be an absolute http(s) URL such as https://user.github.io/repo/, got 'user.github.io/repo'\n"
    )
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------- the theme, overridden one file at a time


def test_a_site_template_overrides_the_theme_and_the_others_come_from_it(english_site):
    theme_base = (REPO / "templates" / "base.html").read_text(encoding="utf-8")
    (english_site / "templates" / "base.html").write_text(theme_base.replace("<body", '<body data-mine="yes"'), encoding="utf-8")
    (english_site / "templates" / "static").mkdir()
    (english_site / "templates" / "static" / "style.css").write_text("body { color: rebeccapurple; }\n", encoding="utf-8")
    assert run_cli("-C", english_site, "-q").status == 0
    page = (english_site / "output" / "index.html").read_text(encoding="utf-8")
    assert 'data-mine="yes"' in page and 'class="event-card"' in page  # base.html is the site's, _entry.html the theme's
    assert (english_site / "output" / "static" / "style.css").read_text(encoding="utf-8") == "body { color: rebeccapurple; }\n"
    assert (english_site / "output" / "static" / "filter.js").read_bytes() == (REPO / "templates" / "static" / "filter.js").read_bytes()
    # Deleting an override brings the theme's file back, in a cached build as in a fresh one.
    (english_site / "templates" / "base.html").unlink()
    (english_site / "templates" / "static" / "style.css").unlink()
    assert run_cli("-C", english_site, "-q").status == 0
    assert 'data-mine="yes"' not in (english_site / "output" / "index.html").read_text(encoding="utf-8")
    assert (english_site / "output" / "static" / "style.css").read_bytes() == (REPO / "templates" / "static" / "style.css").read_bytes()
    assert run_cli("-C", english_site, "--no-cache", "--output", english_site / "fresh", "-q").status == 0
    for path in (english_site / "fresh").rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (english_site / "output" / path.relative_to(english_site / "fresh")).read_bytes(), path


def test_theme_lists_its_files_and_copies_one_to_override(english_site):
    listing = run_cli("theme", "-C", english_site)
    assert listing.status == 0
    assert "  event.html\n" in listing.out and "  static/style.css\n" in listing.out
    copied = run_cli("-C", english_site, "theme", "event.html", "static/style.css")
    assert (copied.status, copied.err) == (0, "")
    assert copied.out == "Copied templates/event.html: edit it there; it overrides the theme's.\nCopied templates/static/style.css: edit it there; it overrides the theme's.\n"
    assert (english_site / "templates" / "event.html").read_bytes() == (REPO / "templates" / "event.html").read_bytes()
    assert "  event.html  (overridden by templates/event.html)\n" in run_cli("theme", "-C", english_site).out
    again = run_cli("-C", english_site, "theme", "event.html")
    assert (again.status, again.err) == (1, "error: templates/ already holds event.html; nothing was copied (delete it first to start again from the theme's)\n")
    unknown = run_cli("-C", english_site, "theme", "evnt.html", "base.html")
    assert (unknown.status, unknown.err) == (1, "error: not in the default theme: evnt.html (run `chronologie theme` for the list); nothing was copied\n")
    assert not (english_site / "templates" / "base.html").exists()


# ---------------------------------------------------------------- new and import, in the site's language


def test_new_writes_in_the_language_of_the_site(english_site):
    result = run_cli("-C", english_site, "new", "Llama 2 is released", "--date", "2023-07-18", "--tags", "models", "--source-url", "https://example.org/llama-2")
    assert (result.status, result.out, result.err) == (0, "content/2023-07-18-llama-2-is-released.md\n", "")
    text = (english_site / "content" / "2023-07-18-llama-2-is-released.md").read_text(encoding="utf-8")
    assert 'summary: "To be completed: one or two sentences on what happened."' in text
    assert 'publisher: "To be completed"' in text and 'lang: "en"' in text
    assert "# TODO: the source's date is the event's; put its publication date." in text
    assert text.endswith("---\nWrite the entry here, in your own words: the facts, the dates, the figures and the people involved.\n")
    assert french_in(english_site / "content") == []


def test_a_published_english_entry_cannot_keep_its_placeholder(english_site):
    run_cli("-C", english_site, "new", "Llama 2 is released", "--date", "2023-07-18", "--source-url", "https://example.org/llama-2")
    path = english_site / "content" / "2023-07-18-llama-2-is-released.md"
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    result = run_cli("check", "-C", english_site)
    assert result.status == 1
    assert "content/2023-07-18-llama-2-is-released.md:1: still holds a placeholder of 'new' or 'import' ('To be completed'): complete it or keep 'draft: true'\n" in result.err


def test_import_writes_its_notes_in_the_language_of_the_site(english_site, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("Meta lance Llama 3\n\nLe Monde\n\nPublié le 18 avril 2024\n\nMeta a présenté jeudi 18 avril 2024 son modèle Llama 3, disponible en accès ouvert.\n", encoding="utf-8")
    result = run_cli("-C", english_site, "import", article)
    assert result.status == 0, result.err
    text = (english_site / result.out.strip()).read_text(encoding="utf-8")
    assert "# Imported from article.txt: a starting point. Rewrite the entry in your own words" in text
    assert "> **To be rewritten.** Text imported from the article" in text
    assert 'lang: "fr"' in text  # the article's own language, for its source entry
    assert "Importé" not in text and "À réécrire" not in text


def test_the_help_of_new_names_no_language(capsys):
    with pytest.raises(SystemExit):
        main(["new", "--help"])
    assert "French" not in capsys.readouterr().out


def test_new_outside_a_site_says_where_to_start(tmp_path):
    result = run_cli("-C", tmp_path, "new", "An event", "--date", "2024")
    assert (result.status, result.err) == (1, "error: site.yaml not found: run this in a site's folder, give -C DIR, or start one with `chronologie init DIR`\n")


# ---------------------------------------------------------------- command-line conventions


def test_global_options_work_before_or_after_the_command(english_site):
    before, after = run_cli("-C", english_site, "check"), run_cli("check", "--project", english_site)
    assert before == after and before.status == 0
    assert run_cli("check", "-q", "-C", english_site).out == ""


def test_build_options_work_without_the_word_build(english_site, tmp_path):
    result = run_cli("-C", english_site, "--output", tmp_path / "elsewhere", "--strict")
    assert result.status == 0 and result.out.startswith("Built 6 pages")
    assert (tmp_path / "elsewhere" / "index.html").is_file()


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_status:
        main(["--version"])
    assert (exit_status.value.code, capsys.readouterr().out) == (0, f"chronologie {__version__}\n")


def test_quiet_prints_only_problems_and_verbose_prints_each_step(english_site):
    (english_site / "content" / "2024-01-01-empty.md").write_text(event_text(title="Empty", body="", date="2024-01-01", sources=EN_SOURCE), encoding="utf-8")
    quiet = run_cli("-q", "-C", english_site)
    assert (quiet.status, quiet.out) == (0, "")
    assert quiet.err == "content/2024-01-01-empty.md:12: warning: the body is empty: write the entry below the front matter\n"
    shutil.rmtree(english_site / ".timeline-cache")
    verbose = run_cli("-C", english_site, "build", "-v")
    assert "read content/2023-02-24-meta-releases-llama.md\n" in verbose.out and "read content/2024-01-01-empty.md\n" in verbose.out
    assert re.search(r"^drew \d+ pages afresh; the others were unchanged$", verbose.out, re.MULTILINE)


def test_exit_codes_are_documented_and_kept(english_site, capsys):
    with pytest.raises(SystemExit) as usage:
        main(["--help"])
    assert usage.value.code == 0
    shown = capsys.readouterr().out
    for line in ("  0    done", "  1    problems in the input", "  2    the command line is wrong", "  130  interrupted"):
        assert line in shown
    with pytest.raises(SystemExit) as wrong:
        main(["build", "--no-such-option"])
    assert wrong.value.code == 2
    (english_site / "content" / "broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    assert run_cli("-C", english_site).status == 1


def test_check_prints_github_annotations(english_site, monkeypatch):
    (english_site / "content" / "2024-02-01-a,b.md").write_text("---\ntitle: T\nsummary: S\ndate: 2024-13-01\n---\nBody.\n", encoding="utf-8")
    (english_site / "content" / "2024-03-01-tasks.md").write_text(
        event_text(title="Tasks", date="2024-03-01", body="- [ ] a task\n", sources=EN_SOURCE), encoding="utf-8"
    )
    monkeypatch.chdir(english_site.parent)  # as a workflow runs in the repository, the site in a folder of it
    result = run_cli("check", "--format", "github", "-C", english_site.name)
    assert result.status == 1
    lines = result.out.splitlines()
    assert lines[0] == "::error file=history/content/2024-02-01-a%2Cb.md,line=1::no source: list the article(s) this entry rests on under 'sources:'"
    assert lines[1] == "::error file=history/content/2024-02-01-a%2Cb.md,line=4::date: month 13 in '2024-13-01' is not between 01 and 12"
    assert "::warning file=history/content/2024-03-01-tasks.md,line=12::a task list item (GitHub Markdown) is shown as typed: this Markdown engine leaves it as text" in lines
    assert result.err.endswith("; nothing was written.\n")
    # Under --strict a warning fails the run, so it is an error on the pull request too; % and newlines are escaped.
    (english_site / "content" / "2024-02-01-a,b.md").unlink()
    strict = run_cli("check", "--strict", "--format", "github", "-C", english_site.name)
    assert "::error file=history/content/2024-03-01-tasks.md,line=12::a task list item (GitHub Markdown) is shown as typed: this Markdown engine leaves it as text" in strict.out.splitlines()
    from chronologie.cli import Annotations
    from chronologie.problems import Problem

    assert Annotations(Path("history")).line(Problem("content/a:b.md", 2, "50% done\nnext")) == "::error file=history/content/a%3Ab.md,line=2::50%25 done%0Anext"


# ---------------------------------------------------------------- syntax of other tools


def test_check_warns_on_syntax_the_engine_leaves_as_text_and_not_on_what_it_renders(english_site):
    body = "\n".join([
        "[TOC]", "", "!!! note \"Rendered\"", "    An admonition.", "", "??? note \"Collapsed\"", "    Hidden.", "",
        "Some ~~struck~~ text, and `~~in code~~`.", "", "{{< youtube abc >}}", "", "```", "=== \"In a fence\"", "```", "",
    ])
    (english_site / "content" / "2024-04-01-syntax.md").write_text(
        event_text(title="Syntax", date="2024-04-01", body=body, sources=EN_SOURCE), encoding="utf-8"
    )
    result = run_cli("check", "-C", english_site)
    assert result.status == 0
    assert result.err == (
        "content/2024-04-01-syntax.md:17: warning: a collapsible block (pymdownx.details, MkDocs Material) is shown as typed: this Markdown engine leaves it as text\n"
        "content/2024-04-01-syntax.md:20: warning: strikethrough (GitHub Markdown) is shown as typed: this Markdown engine leaves it as text; write <del>…</del>\n"
        "content/2024-04-01-syntax.md:22: warning: a Hugo shortcode is shown as typed: this Markdown engine leaves it as text\n"
    )


def test_syntax_warnings_look_at_the_lines_own_text_not_the_whole_body(english_site):
    body = "\n".join([
        "A huge!!! surprise, and ~~struck~~ once.", "", "!!! note \"Heads up\"", "    Rendered, so not reported.", "",
        "Here `~~in code~~` only.", "", "See <https://example.org/a==b==c>.", "",
        "!!! warning", "    Inside it, ~~wrong~~ stays as typed.", "",
        "::: tip", "A container.", ":::", "",
    ])
    (english_site / "content" / "2024-05-01-lines.md").write_text(event_text(title="Lines", date="2024-05-01", body=body, sources=EN_SOURCE), encoding="utf-8")
    result = run_cli("check", "-C", english_site)
    assert [line.split(": warning: ")[0] + ": " + line.split(": warning: ")[1].split(" is shown")[0] for line in result.err.splitlines()] == [
        "content/2024-05-01-lines.md:12: strikethrough (GitHub Markdown)",
        "content/2024-05-01-lines.md:22: strikethrough (GitHub Markdown)",
        "content/2024-05-01-lines.md:24: a container or admonition (markdown-it, Docusaurus, VitePress)",
    ]


def test_a_fault_in_an_override_is_named_at_its_line_when_run_inside_the_site(english_site, monkeypatch):
    assert run_cli("-C", english_site, "theme", "event.html").status == 0
    override = english_site / "templates" / "event.html"
    lines = override.read_text(encoding="utf-8").splitlines()
    where = next(number for number, line in enumerate(lines, start=1) if "event.title" in line)
    lines[where - 1] = lines[where - 1].replace("event.title", "event.titel", 1)
    override.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(english_site)
    result = run_cli("check")  # -C . : the default
    assert result.status == 1
    assert result.err.splitlines()[0].startswith(f"templates/event.html:{where}: ") and "titel" in result.err.splitlines()[0]


def test_init_under_a_file_or_failing_half_way_writes_nothing(tmp_path, monkeypatch):
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = run_cli("init", tmp_path / "notes.txt" / "site")
    assert (result.status, result.err) == (1, f"error: {tmp_path / 'notes.txt'} is a file, not a folder; nothing was written\n")

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("chronologie.scaffold.os.replace", full_disk)
    result = run_cli("init", tmp_path / "site")
    assert (result.status, result.err) == (1, f"error: cannot write {tmp_path / 'site'}: No space left on device; nothing was written\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # no half-written site, no staging folder


def test_a_site_started_from_a_checkout_does_not_name_a_package_it_cannot_install(english_site):
    lines = (english_site / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert all(line.startswith("#") for line in lines)  # a bare 'chronologie==X' would fetch whatever an index holds
    assert lines[-1] == f"# chronologie=={__version__}"
