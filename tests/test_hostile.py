"""The hostile corpus (tests/hostile/): one test per file, with the real libraries.

Feeds and pages are served by a real HTTP server on 127.0.0.1 and collected through the
real fetcher, feedparser and trafilatura; articles are read from a real drop folder; configs
go through the real loader; the hostile brief is rendered by the real Jinja and WeasyPrint.
What each file must do is in tests/hostile/cases.yaml; the checks every file of a folder
gets are in the test functions below.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import logging
import os
import re
import shutil
import sqlite3
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from click.testing import CliRunner

from briefing.cli import cli
from briefing.collect import collect
from briefing.config import check_config, load_config
from briefing.deliver import build_message
from briefing.errors import ConfigError
from briefing.models import brief_from_json
from briefing.reader import MAX_ARTICLE_CHARS, list_article_files, read_file
from briefing.render import render_brief
from helpers_http import LocalServer, article_page, http_server, seed_articles, write_config  # noqa: F401

HOSTILE = Path(__file__).resolve().parent / "hostile"
CASES: dict[str, dict[str, dict[str, Any]]] = yaml.safe_load((HOSTILE / "cases.yaml").read_text(encoding="utf-8"))
PROJECT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PASSWD_LINE = Path("/etc/passwd").read_text().splitlines()[0]  # "root:x:0:0:..."
SECRET = "TOP-SECRET-MARKER"
PWNED = Path("/tmp/briefing-hostile-PWNED")  # what the Python-tag files try to create
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def corpus(folder: str) -> list[Any]:
    """One pytest param per file of ``tests/hostile/<folder>``, with its case."""
    return [pytest.param(path, CASES[folder].get(path.name) or {}, id=path.name)
            for path in sorted((HOSTILE / folder).iterdir())]


def expand(raw: bytes, base: str = "") -> bytes:
    """The file's bytes with {BASE} and {REPEAT:text:N} expanded (other bytes untouched)."""
    if b"{BASE}" not in raw and b"{REPEAT:" not in raw:
        return raw
    text = raw.decode("latin-1").replace("{BASE}", base)
    text = re.sub(r"\{REPEAT:(.*?):(\d+)\}", lambda m: m.group(1) * int(m.group(2)), text, flags=re.S)
    return text.encode("latin-1")


def test_every_file_has_a_case_and_every_case_a_file() -> None:
    files = {(p.parent.name, p.name) for p in HOSTILE.rglob("*") if p.is_file() and p.name != "cases.yaml"}
    cases = {(folder, name) for folder, entries in CASES.items() for name in entries}
    assert files - cases == set(), "corpus files without an entry in cases.yaml"
    assert cases - files == set(), "cases.yaml entries without a file"


# --------------------------------------------------------------------------- feeds

@pytest.fixture
def feed_site(http_server: LocalServer) -> LocalServer:
    """The local server with an article page, secrets that must never be fetched, and a
    redirect to another loopback address (refused: only 127.0.0.1 is allowed)."""
    seed = seed_articles()[0]
    http_server.set("/page/ok", article_page(seed.title, seed.paragraphs, site="Example"))
    http_server.set("/secret", SECRET)
    http_server.set("/secret.dtd", f'<!ENTITY remote "{SECRET}">')
    port = http_server.httpd.server_port
    http_server.set("/redirect-internal", status=302, headers={"Location": f"http://127.0.0.2:{port}/page/ok"})
    return http_server


def _collect_one(tmp_path: Path, kind: str, url: str) -> tuple[Any, list[sqlite3.Row], float]:
    """Collect one source with only 127.0.0.1 allowed; (report, stored rows, seconds)."""
    config = load_config(write_config(tmp_path / "briefing.yaml", [{"slug": "t", "sources": [{kind: url}]}],
                                      fetch={"allow_networks": ["127.0.0.1/32"], "connect_timeout": 2,
                                             "read_timeout": 2, "total_timeout": 5}))
    started = time.monotonic()
    report = collect(config).sources[0]
    seconds = time.monotonic() - started
    db = sqlite3.connect(config.output / "briefing.db")
    db.row_factory = sqlite3.Row
    try:
        rows = db.execute("SELECT title, text, url, outlet FROM articles ORDER BY id").fetchall()
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()
    return report, rows, seconds


def _check_stored(rows: list[sqlite3.Row], never: list[str]) -> None:
    """What every stored article must be, whatever the source sent."""
    for row in rows:
        fields = " ".join(str(row[k] or "") for k in ("title", "text", "url", "outlet"))
        for needle in [SECRET, PASSWD_LINE, *never]:
            assert needle not in fields, (needle, dict(row))
        assert "\n" not in row["title"] and len(row["title"]) <= 500
        assert not CONTROL.search(row["title"] + (row["outlet"] or ""))
        assert row["url"] is None or (re.match(r"^https?://[^@/]+/", row["url"] + "/") and "@" not in row["url"].split("/")[2])


@pytest.mark.parametrize("path, case", corpus("feeds"))
def test_feed(path: Path, case: dict[str, Any], feed_site: LocalServer, tmp_path: Path,
              caplog: pytest.LogCaptureFixture) -> None:
    """A hostile feed fails alone or is stored as plain data; no entity or DTD is ever fetched."""
    url = feed_site.set("/feed", expand(path.read_bytes(), feed_site.base), content_type="application/rss+xml")
    with caplog.at_level(logging.INFO, logger="briefing"):
        report, rows, seconds = _collect_one(tmp_path, "feed", url)
    assert seconds < 10
    assert feed_site.hits.get("/secret", 0) + feed_site.hits.get("/secret.dtd", 0) == 0, "an entity was fetched"
    if "failed" in case:
        assert report.failed and case["failed"] in report.failed, report.failed
        assert rows == []
    else:
        assert report.failed is None, report.failed
    if "stored" in case:
        assert len(rows) == case["stored"], [dict(r) for r in rows]
    if "titles" in case:
        assert [r["title"] for r in rows] == case["titles"]
    if "refused" in case:
        refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
        assert len(refused) >= case["refused"], refused
    _check_stored(rows, case.get("never", []))


# --------------------------------------------------------------------------- pages

@pytest.mark.parametrize("path, case", corpus("pages"))
def test_page(path: Path, case: dict[str, Any], http_server: LocalServer, tmp_path: Path) -> None:
    """A hostile page, fetched as a `page:` source and read from a drop folder: its main text
    as plain text (never its scripts), or a clean refusal."""
    body = expand(path.read_bytes(), http_server.base)
    report, rows, seconds = _collect_one(tmp_path, "page", http_server.set("/article", body, content_type="text/html"))
    assert seconds < 10
    if "failed" in case:
        assert report.failed and case["failed"] in report.failed, report.failed
    else:
        assert report.failed is None and len(rows) == 1, report.failed
        for phrase in case.get("text_has", []):
            assert phrase in rows[0]["text"]
    _check_stored(rows, case.get("never", []))
    for row in rows:
        assert not re.search(r"<[a-zA-Z/!]", row["title"] + row["text"]), "markup kept as text"

    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / f"{path.stem}.html").write_bytes(body)
    started = time.monotonic()
    article = read_file(drop / f"{path.stem}.html")
    assert time.monotonic() - started < 10
    if case.get("file_skipped"):
        assert article is None
    elif "failed" not in case:
        assert article is not None
        for phrase in case.get("text_has", []):
            assert phrase in article.text
        for needle in case.get("never", []):
            assert needle not in article.text


# --------------------------------------------------------------------------- articles

@pytest.mark.parametrize("path, case", corpus("articles"))
def test_article_file(path: Path, case: dict[str, Any], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A hostile file in a drop folder: read as data within bounds, or skipped with one warning."""
    PWNED.unlink(missing_ok=True)
    target = tmp_path / path.name
    target.write_bytes(expand(path.read_bytes()))
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="briefing"):
        files = list_article_files(tmp_path)
        article = read_file(target)
    assert time.monotonic() - started < 5
    assert files == [target]
    assert not PWNED.exists(), "YAML ran code"
    warnings = [r.getMessage() for r in caplog.records]
    if "skipped" in case:
        assert article is None
        assert len(warnings) == 1 and case["skipped"] in warnings[0], warnings
        return
    assert article is not None, warnings
    assert not any("skipped" in w for w in warnings), warnings
    for key in ("title", "outlet", "url"):
        if key in case:
            assert getattr(article, key) == case[key], key
    if "published" in case:
        expected = case["published"]
        assert article.published == (dt.date.fromisoformat(str(expected)) if expected else None)
    for phrase in case.get("text_has", []):
        assert phrase in article.text
    for needle in case.get("never", []):
        assert needle not in article.text + article.title
    if "text_chars" in case:
        assert len(article.text) == case["text_chars"]
    assert len(article.text) <= MAX_ARTICLE_CHARS and not CONTROL.search(article.text.replace("\t", ""))
    assert "\n" not in article.title and not CONTROL.search(article.title) and len(article.title) <= 300
    assert article.url is None or article.url.startswith(("http://", "https://"))


def test_drop_folder_special_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Only regular files directly inside the folder are read: no symlinks (out, in, looping or
    dangling), FIFOs, sockets, devices or folders named like files; odd names are refused."""
    import socket
    import stat

    folder = tmp_path / "drop"
    folder.mkdir()
    good = "Ministers agree budget\n\nFinance ministers agreed a budget framework on Tuesday in Brussels.\n"
    (folder / "good.txt").write_text(good, encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("Secret\n\nThe secret text outside the drop folder must not be read.\n")
    (folder / "out.txt").symlink_to(outside)
    (folder / "in.txt").symlink_to(folder / "good.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (folder / "etc.txt").symlink_to("/etc/passwd")
    (folder / "urandom.txt").symlink_to("/dev/urandom")
    os.mkfifo(folder / "fifo.txt")
    (folder / "a.txt").mkdir()
    (folder / "a.txt" / "inner.txt").write_text(good)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock.txt"))
        devices = 0
        try:
            os.mknod(folder / "null.txt", stat.S_IFCHR | 0o600, os.makedev(1, 3))
            devices = 1
        except (PermissionError, OSError):
            pass  # not root, or a container without mknod: the other cases still run
        names = {"bad-\udcff.txt": "not valid UTF-8", "evil\nname.txt": "control characters",
                 "esc\x1b[31m.txt": "control characters"}
        for name in names:
            (folder / name).write_text(good)
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="briefing"):
            files = list_article_files(folder)
            articles = [read_file(f) for f in files]
        assert time.monotonic() - started < 5, "a FIFO or device blocked the read"
    read = [a for a in articles if a is not None]
    assert [a.path for a in read] == [str(folder / "good.txt")]
    warnings = "\n".join(r.getMessage() for r in caplog.records)
    for needle in ("out.txt: skipped: symlink out of the folder", "in.txt: skipped: a symlink",
                   "loop.txt: skipped: broken symlink", "dangling.txt: skipped: broken symlink",
                   "etc.txt: skipped: symlink out", "urandom.txt: skipped: symlink out",
                   "fifo.txt: skipped: not a regular file", "a.txt: skipped: not a regular file",
                   "sock.txt: skipped: not a regular file", *names.values()):
        assert needle in warnings, needle
    assert ("null.txt: skipped: not a regular file" in warnings) == bool(devices)
    assert "outside the drop folder" not in " ".join(a.text for a in read)


def test_drop_folder_swap_to_symlink_after_listing(tmp_path: Path) -> None:
    """A file replaced by a symlink between listing and reading is not followed (O_NOFOLLOW)."""
    (tmp_path / "a.txt").write_text("Title\n\nSome article text that is long enough to be read here.\n")
    files = list_article_files(tmp_path)
    (tmp_path / "a.txt").unlink()
    (tmp_path / "a.txt").symlink_to("/etc/passwd")
    assert [read_file(f) for f in files] == [None]


# --------------------------------------------------------------------------- configs

@pytest.mark.parametrize("path, case", corpus("configs"))
def test_config(path: Path, case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Every problem reported at once, each with its key path, on one line; nothing run; no
    secret printed; a valid file shown resolved with its secrets masked."""
    PWNED.unlink(missing_ok=True)
    monkeypatch.setenv("BRIEFING_HOSTILE_TEST_PASSWORD", "env-secret-value")
    started = time.monotonic()
    try:
        shown = check_config(path)
        error = None
    except ConfigError as exc:
        shown, error = "", exc
    assert time.monotonic() - started < 2
    assert not PWNED.exists(), "YAML ran code"
    if case.get("valid"):
        assert error is None, error
        assert "env-secret-value" not in shown and "# set (value never shown)" in shown
        assert "br******@example.org" in shown and "***" in shown
        text = shown
    else:
        assert error is not None
        message = error.format_message()
        assert "\n" not in message and len(message) < 6000
        if "error" in case:
            assert case["error"] in message
        for key in case.get("problems", []):
            assert any(p.startswith(f"{key}: ") for p in error.problems), (key, error.problems)
        assert len(error.problems) >= len(case.get("problems", []))
        text = message
    for needle in case.get("never", []):
        assert needle not in text


def test_config_check_command_lists_problems_one_per_line() -> None:
    path = HOSTILE / "configs" / "everything-at-once.yaml"
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].endswith(f"{len(lines) - 1} problem(s):") and len(lines) > 10
    assert {line.strip().split(":")[0] for line in lines[1:]} >= {"colour", "timezone", "topics[1].window"}


# --------------------------------------------------------------------------- render and email

class _Tags(HTMLParser):
    """Every start tag with its attributes (what a browser would build)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _hostile_brief() -> Any:
    return brief_from_json(json.loads((HOSTILE / "render" / "hostile-brief.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The hostile brief rendered twice: with the project's templates, and with evil.css and
    evil-snippet.html added to them (both real WeasyPrint renders)."""
    base = tmp_path_factory.mktemp("hostile-render")
    evil = base / "templates"
    evil.mkdir()
    template = (PROJECT_TEMPLATES / "brief.html.j2").read_text(encoding="utf-8")
    snippet = (HOSTILE / "render" / "evil-snippet.html").read_text(encoding="utf-8")
    (evil / "brief.html.j2").write_text(template.replace("</header>", snippet + "</header>", 1), encoding="utf-8")
    css = (PROJECT_TEMPLATES / "brief.css").read_text(encoding="utf-8")
    (evil / "brief.css").write_text((HOSTILE / "render" / "evil.css").read_text(encoding="utf-8") + css,
                                    encoding="utf-8")
    handler = _Records()
    logging.getLogger("briefing.render").addHandler(handler)
    try:
        started = time.monotonic()
        plain = render_brief(_hostile_brief(), base / "plain")
        evil_paths = render_brief(_hostile_brief(), base / "evil", templates=evil)
        seconds = time.monotonic() - started
    finally:
        logging.getLogger("briefing.render").removeHandler(handler)
    return {"plain": plain, "evil": evil_paths, "seconds": seconds, "log": handler.messages}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _pdf(path: Path) -> tuple[int, str, int]:
    """Pages, text, and how many images the PDF embeds."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    images = sum(len(page.images) for page in reader.pages)
    return len(reader.pages), "\n".join(p.extract_text() or "" for p in reader.pages), images


def test_render_hostile_brief_json(rendered: dict[str, Any]) -> None:
    """Article text is data: escaped once, no tag or handler from it, links only http(s)."""
    html_path, pdf_path, json_path = rendered["plain"]
    html = html_path.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "iframe", "object", "embed", "img", "svg"), tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip()
            if value and not value.startswith("#"):
                assert re.match(r"^(https?://|[\w./-]+\.(html|pdf)$)", value), (tag, value)
    # The markup in the articles is shown as text, escaped exactly once.
    assert "&lt;script&gt;alert(&#39;S&#39;)&lt;/script&gt;" in html and "&amp;lt;script" not in html
    assert "href=&#34;javascript:alert(&#39;A&#39;)&#34;" in html
    assert "{{ 7*7 }}" in html and "&amp;lt;" in html  # no template injection; '&lt;' text kept as typed
    assert _pdf(pdf_path)[0] == 1
    assert json.loads(json_path.read_text(encoding="utf-8"))["title"].startswith("Budget <script>")  # data stays data


@pytest.mark.parametrize("name", ["evil.css", "evil-snippet.html"])
def test_render_template_cannot_reach_out(rendered: dict[str, Any], name: str) -> None:
    """Nothing a stylesheet or template names outside data: and the template folder is fetched:
    every such URL is refused (and logged), the PDF embeds no image and holds no file's text."""
    refused = " ".join(m for m in rendered["log"] if m.startswith("refused to fetch"))
    wanted = {"evil.css": ["file:///etc/passwd", "http://127.0.0.1:9/remote.css", "file:///dev/urandom",
                           "http://169.254.169.254/font.woff", "http://127.0.0.1:9/tracker.png"],
              "evil-snippet.html": ["file:///etc/passwd", "file:///dev/urandom", "http://169.254.169.254/latest",
                                    "http://127.0.0.1:9/x.png", "file:///etc/shadow"]}[name]
    for url in wanted:
        assert url in refused, url
    assert rendered["seconds"] < 30  # nothing waited on a network fetch
    pages, text, images = _pdf(rendered["evil"][1])
    assert pages == 1 and images == 0
    assert PASSWD_LINE not in text and "root:x:0:0" not in text


@pytest.mark.parametrize("index", range(len(json.loads((HOSTILE / "email" / "hostile-titles.json").read_text()))))
def test_email_hostile_title(index: int) -> None:
    """A title from an article becomes a one-line subject and never adds a header."""
    title = json.loads((HOSTILE / "email" / "hostile-titles.json").read_text())[index]
    brief = _hostile_brief()
    msg = build_message(brief, b"%PDF-1.7 test", sender="Morning Brief <briefing@example.org>",
                        recipients=["a@example.org"], title=title, templates=None)
    data = msg.as_bytes()
    head = data.split(b"\r\n\r\n", 1)[0]
    names = [line.split(b":", 1)[0].lower() for line in head.split(b"\r\n") if line and line[:1] not in b" \t"]
    assert sorted(set(names)) == sorted({b"subject", b"from", b"to", b"date", b"message-id", b"auto-submitted",
                                         b"content-type", b"mime-version"})
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    subject = str(parsed["Subject"])
    assert parsed["Bcc"] is None and parsed["Cc"] is None and len(parsed.get_all("Subject")) == 1
    assert not CONTROL.search(subject) and "\u2028" not in subject and "\u202e" not in subject
    assert "=?" not in subject and len(subject) < 260


# --------------------------------------------------------------------------- end to end

def test_hostile_articles_through_a_real_build(hostile_build: dict[str, Any]) -> None:
    """Hostile drop-folder files next to the seeds, through collect, the store, extraction and
    rendering with the real CLI: the brief is built, one page, and nothing from them is markup."""
    assert hostile_build["returncode"] == 0, hostile_build["stderr"]
    html = hostile_build["html"].read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    assert not [t for t, _ in parser.tags if t in ("script", "img", "iframe", "object")]
    assert not any(n.startswith("on") for _, attrs in parser.tags for n in attrs)
    assert "javascript:" not in html.lower()
    data = json.loads(hostile_build["json"].read_text(encoding="utf-8"))
    titles = [s["title"] or "" for s in data["sources"]]
    assert any("<script>alert(1)</script>" in t for t in titles)  # kept as text in the data
    assert all(s["url"] is None or s["url"].startswith("http") for s in data["sources"])
    assert _pdf(hostile_build["pdf"])[0] == 1
    # File names come from the slug and the date only, and everything stays inside output/.
    output = hostile_build["db"].parent
    written = {str(p.relative_to(output)) for p in output.rglob("*") if ".cache" not in p.parts}
    assert written - {"briefing.db-wal", "briefing.db-shm"} == {
        "2025-08-19", "2025-08-19/talks.html", "2025-08-19/talks.pdf", "2025-08-19/talks.json", "index.html",
        "briefing.db", ".locks", ".locks/talks.lock"}
    assert sorted(p.name for p in hostile_build["site"].iterdir()) == ["briefing.yaml", "drop", "output"]
    db = sqlite3.connect(hostile_build["db"])
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


# --------------------------------------------------------------------------- fetching

@pytest.mark.parametrize("url", [
    "http://127.1/", "http://0/", "http://0x7f.0.0.1/", "http://2130706433/", "http://017700000001/",
    "http://[::ffff:127.0.0.1]/", "http://[::]/", "http://[::1]:8080/", "http://localhost./", "http://LOCALHOST/",
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://10.0.0.1/", "http://192.168.1.1/",
    "http://100.64.0.1/", "http://example.org@127.0.0.1/", "http://127.0.0.1#@example.org/",
    "gopher://127.0.0.1/", "file:///etc/passwd", "ftp://example.org/", "http:///etc/passwd", "http://:80/",
    "http://127.0.0.1:99999/",
])
def test_fetch_refuses_non_public_addresses_in_every_spelling(url: str) -> None:
    """Every spelling of a private, loopback or link-local address is refused before connecting."""
    from briefing.fetch import FetchError, FetchSettings, check_url

    with pytest.raises(FetchError, match="refused|cannot resolve"):
        check_url(url, FetchSettings())


def _fetcher(**kw: Any) -> Any:
    from briefing.fetch import Fetcher, FetchSettings

    settings = dict(allow_networks=[__import__("ipaddress").ip_network("127.0.0.1/32")], connect_timeout=2,
                    read_timeout=2, total_timeout=3, max_bytes=1_000_000)
    settings.update(kw)
    return Fetcher(FetchSettings(**settings))


@pytest.mark.parametrize("route, reason", [
    ({"body": b"<rss>" + b"x" * 100, "trickle": 0.25}, "no full response within 3s"),
    ({"body": __import__("zlib").compress(b" " * 20_000_000), "headers": {"Content-Encoding": "deflate"}},
     "body too large (over 1,000,000 bytes after decompression)"),
    ({"body": b"not gzip at all", "headers": {"Content-Encoding": "gzip"}}, "cannot decode the body"),
    ({"body": b"", "status": 302, "headers": {"Location": "/r"}}, "too many redirects"),
    ({"body": b"", "status": 302, "headers": {"Location": "http://169.254.169.254/latest/meta-data/"}},
     "non-public address 169.254.169.254"),
    ({"body": b"", "status": 307, "headers": {"Location": "http://[::ffff:127.0.0.2]/"}}, "non-public address"),
    ({"body": b"", "status": 302, "headers": {"Location": "gopher://127.0.0.1/"}}, "only http and https"),
    ({"body": b"", "status": 302}, "redirect without a Location"),
    ({"hang": True}, "timed out: no answer within 2s"),
    ({"endless": True}, "body too large"),
    ({"body": b"x" * 100, "delay": 3.5}, "timed out"),
])
def test_fetch_limits(route: dict[str, Any], reason: str, http_server: LocalServer) -> None:
    """A hostile server is bounded: every response ends in time, within the size cap, at a public
    (here: the allowed) address, or fails with a one-line reason."""
    from briefing.fetch import FetchError

    url = http_server.set("/r", **route)
    started = time.monotonic()
    with _fetcher() as fetcher, pytest.raises(FetchError) as info:
        fetcher.get(url)
    assert time.monotonic() - started < 8
    assert reason in str(info.value) and "\n" not in str(info.value)


def test_fetch_declared_huge_body_is_refused_before_reading(http_server: LocalServer) -> None:
    from briefing.fetch import FetchError

    url = http_server.set("/big", b"x" * 2_000_000)
    with _fetcher() as fetcher, pytest.raises(FetchError, match="declared"):
        fetcher.get(url)


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate (not trusted by the system)."""
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from smtp_helpers import self_signed_cert

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    cert, key = self_signed_cert(tmp_path / "tls")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_fetch_verifies_tls(https_server: str) -> None:
    """An untrusted certificate fails the fetch; nothing falls back to an unverified request."""
    from briefing.fetch import FetchError

    with _fetcher() as fetcher, pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED|certificate"):
        fetcher.get(https_server)


def test_trafilatura_never_downloads(http_server: LocalServer, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages are fetched by briefing.fetch only: trafilatura's downloader (with its insecure
    fall-back on TLS errors) is never called, and neither is urllib3."""
    import trafilatura.downloads
    import urllib3

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("trafilatura or urllib3 tried to download something")

    for name in ("fetch_url", "fetch_response", "_send_urllib_request", "_send_pycurl_request"):
        if hasattr(trafilatura.downloads, name):
            monkeypatch.setattr(trafilatura.downloads, name, refuse)
    monkeypatch.setattr(urllib3.PoolManager, "urlopen", refuse)
    seed = seed_articles()[0]
    url = http_server.set("/a", article_page(seed.title, seed.paragraphs, site="Example"))
    report, rows, _ = _collect_one(tmp_path, "page", url)
    assert report.failed is None and len(rows) == 1


def test_credentials_in_source_urls_are_never_logged_or_printed(http_server: LocalServer, tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    """A feed URL holding a password or a token is masked in every log line and in the report."""
    feed = http_server.url("/missing.xml").replace("http://", "http://reader:pw-SECRET-1@") + "?token=tok-SECRET-2"
    path = write_config(tmp_path / "briefing.yaml", [{"slug": "t", "sources": [{"feed": feed}]}],
                        fetch={"allow_networks": ["127.0.0.1/32"], "connect_timeout": 2, "read_timeout": 2})
    with caplog.at_level(logging.DEBUG):
        result = CliRunner().invoke(cli, ["-vv", "collect", "--config", str(path)])
        checked = CliRunner().invoke(cli, ["config", "check", "--config", str(path)])
    assert result.exit_code == 1 and "HTTP 404" in result.output
    everything = caplog.text + result.output + checked.output
    assert "pw-SECRET-1" not in everything and "tok-SECRET-2" not in everything
    assert "reader:***@" in result.output


def test_every_html_template_autoescapes_and_every_weasyprint_call_has_the_fetcher() -> None:
    """An audit of the source: each Jinja Environment sets autoescape=True (the plain-text email
    part alone sets False), and each WeasyPrint HTML(...) or CSS(...) gets the restricted fetcher."""
    import ast

    package = Path(__file__).resolve().parent.parent / "briefing"
    environments, weasy = 0, 0
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            keywords = {k.arg: k.value for k in node.keywords}
            if name == "Environment":
                environments += 1
                value = keywords.get("autoescape")
                assert isinstance(value, ast.Constant), (path, node.lineno, "autoescape must be set explicitly")
                if value.value is not True:  # only the plain-text email body may go unescaped
                    line = path.read_text(encoding="utf-8").splitlines()[node.lineno - 1]
                    assert path.name == "deliver.py" and line.lstrip().startswith("text_env ="), (path, node.lineno)
            if name in ("HTML", "CSS") and path.name == "render.py":
                weasy += 1
                assert "url_fetcher" in keywords, (path, node.lineno, "WeasyPrint call without the fetcher")
    assert environments >= 2 and weasy >= 3
