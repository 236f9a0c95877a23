"""The staff archive: OUTPUT/index.html in a real browser, retention, and `briefing serve`.

The browser is Debian's Chromium driven by Playwright (``executable_path``);
``make test`` installs it on a fresh machine. Missing, the browser test fails
with a message saying how to install it, rather than skipping quietly.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from briefing.archive import apply_retention, collect_days, make_server, update_archive, write_index
from smtp_helpers import PROJECT, SAMPLE_DATE, SAMPLE_TOPIC, copy_brief

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SECOND_DATE = "2025-08-20"
SECOND_TITLE = "Second day: <b>talks</b> & tariffs"


@pytest.fixture(scope="session")
def sample(seed_build: dict[str, Any]) -> Path:
    """The output folder of the session's one real `briefing build` of the seeds (conftest)."""
    return seed_build["out"]


@pytest.fixture
def archive(tmp_path: Path, sample: Path) -> Path:
    """An output folder with the sample brief and a second one, a day later, of another title."""
    output = tmp_path / "output"
    copy_brief(sample, output)
    folder = copy_brief(sample, output, SECOND_DATE)
    data = json.loads((folder / f"{SAMPLE_TOPIC}.json").read_text(encoding="utf-8"))
    data.update(date=SECOND_DATE, title=SECOND_TITLE)
    data["summary"][0]["text"] = "Second-day bottom line <script>alert(1)</script> first."
    (folder / f"{SAMPLE_TOPIC}.json").write_text(json.dumps(data), encoding="utf-8")
    write_index(output)
    return output


def test_build_writes_the_index(sample: Path) -> None:
    # The session's real `briefing build` went through the pipeline's archive hook.
    index = (sample / "index.html").read_text(encoding="utf-8")
    assert f'href="{SAMPLE_DATE}/{SAMPLE_TOPIC}.html"' in index
    assert f'href="{SAMPLE_DATE}/{SAMPLE_TOPIC}.pdf"' in index


def test_index_lists_newest_first_with_relative_links_and_escaped_text(archive: Path) -> None:
    html = (archive / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<section id="d([\d-]+)"', html) == [SECOND_DATE, SAMPLE_DATE]
    hrefs = set(re.findall(r'href="([^"#]+)"', html))
    assert hrefs == {f"{d}/{SAMPLE_TOPIC}.{ext}" for d in (SAMPLE_DATE, SECOND_DATE) for ext in ("html", "pdf")}
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Second day: &lt;b&gt;talks&lt;/b&gt; &amp; tariffs" in html
    first = json.loads((archive / SAMPLE_DATE / f"{SAMPLE_TOPIC}.json").read_text())["summary"][0]["text"]
    assert " ".join(first.split())[:50] in " ".join(html.split()).replace("&#34;", '"').replace("&#39;", "'")


def test_index_ignores_what_is_not_a_brief(archive: Path, tmp_path: Path) -> None:
    (archive / "outbox").mkdir()
    (archive / "notes").mkdir()
    (archive / "2025-02-30").mkdir()  # not a date
    (archive / SAMPLE_DATE / "Bad Name.json").write_text("{}")
    (archive / SAMPLE_DATE / "broken.json").write_text("{not json")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "leak.json").write_text(json.dumps({"title": "leaked"}))
    (archive / "2025-01-01").symlink_to(outside, target_is_directory=True)
    days = collect_days(archive)
    assert [d.date for d in days] == [SECOND_DATE, SAMPLE_DATE]
    assert sorted(e.topic for e in days[1].entries) == ["broken", SAMPLE_TOPIC]
    broken = next(e for e in days[1].entries if e.topic == "broken")
    assert broken.title == "broken" and broken.html is None and broken.pdf is None
    assert "leaked" not in write_index(archive).read_text()


def _launch(playwright: Any) -> Any:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (`make system-deps`, or "
                    "`apt-get install -y chromium`) to run the archive browser test")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.mark.browser
def test_archive_in_a_real_browser(archive: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            page = browser.new_page(java_script_enabled=False)  # the archive must work without it
            page.goto((archive / "index.html").as_uri())
            assert page.title() == "Policy briefs — archive"
            times = page.locator("section.day h2 time")
            dates = [times.nth(i).get_attribute("datetime") for i in range(times.count())]
            assert dates == [SECOND_DATE, SAMPLE_DATE]
            assert page.locator("article.brief").count() == 2
            second = page.locator(f'article.brief[data-date="{SECOND_DATE}"]')
            assert second.locator("h3").inner_text() == SECOND_TITLE
            assert "Second-day bottom line <script>alert(1)</script> first." in second.inner_text()
            pdf_href = page.locator(f'article.brief[data-date="{SAMPLE_DATE}"] a', has_text="PDF").get_attribute("href")
            assert (archive / pdf_href).read_bytes()[:5] == b"%PDF-"

            page.locator(f'article.brief[data-date="{SAMPLE_DATE}"] h3 a').click()
            page.wait_for_load_state()
            assert page.url == (archive / SAMPLE_DATE / f"{SAMPLE_TOPIC}.html").as_uri()
            title = json.loads((archive / SAMPLE_DATE / f"{SAMPLE_TOPIC}.json").read_text())["title"]
            assert title in page.title()
            assert page.locator("h1").first.inner_text().strip() == title
        finally:
            browser.close()


# --------------------------------------------------------------------------- retention

def _dated(output: Path, *dates: str) -> None:
    for date in dates:
        (output / date).mkdir(parents=True)
        (output / date / "t.json").write_text("{}")


def test_retention_deletes_only_old_date_folders(tmp_path: Path) -> None:
    output = tmp_path / "output"
    _dated(output, "2025-07-01", "2025-08-09", "2025-08-10", "2025-08-20", "2025-06-01")
    (output / "outbox").mkdir()
    (output / "2024-13-01").mkdir()  # named like a date, but is not one
    (output / "2024-01-01").write_text("a file, not a folder")
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    (output / "2024-01-02").symlink_to(outside, target_is_directory=True)

    assert apply_retention(output, None, dt.date(2025, 8, 20)) == []
    removed = apply_retention(output, 10, dt.date(2025, 8, 20), keep=["2025-06-01"])
    assert sorted(p.name for p in removed) == ["2025-07-01", "2025-08-09"]
    left = sorted(p.name for p in output.iterdir())
    assert left == ["2024-01-01", "2024-01-02", "2024-13-01", "2025-06-01", "2025-08-10", "2025-08-20", "outbox"]
    assert (outside / "keep.txt").read_text() == "keep"


def test_update_archive_applies_retention_then_indexes(archive: Path) -> None:
    update_archive(archive, retention_days=1, today=dt.date(2025, 8, 21), keep=[])
    assert not (archive / SAMPLE_DATE).exists() and (archive / SECOND_DATE).is_dir()
    html = (archive / "index.html").read_text()
    assert SECOND_DATE in html and f"{SAMPLE_DATE}/" not in html


def test_update_archive_failure_does_not_fail_the_build(archive: Path, caplog: pytest.LogCaptureFixture) -> None:
    (archive / "index.html").unlink()
    (archive / "index.html").mkdir()  # the index cannot be replaced
    update_archive(archive, retention_days=None, today=dt.date(2025, 8, 21))
    assert "archive not updated" in caplog.text


# --------------------------------------------------------------------------- serve

@pytest.fixture
def served(archive: Path) -> Iterator[str]:
    (archive / "outbox").mkdir()
    (archive / "outbox" / "log.json").write_text('{"secret": "recipients"}')
    (archive / "briefing.db").write_text("store")
    server = make_server(archive, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _get(url: str) -> tuple[int, bytes, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, b"", exc.headers


def test_serve_hands_out_the_index_and_briefs_only(served: str, archive: Path) -> None:
    status, body, headers = _get(served + "/")
    assert status == 200 and b"Policy briefs" in body
    assert "script-src 'none'" in headers["Content-Security-Policy"]
    status, body, _ = _get(f"{served}/{SAMPLE_DATE}/{SAMPLE_TOPIC}.pdf")
    assert status == 200 and body == (archive / SAMPLE_DATE / f"{SAMPLE_TOPIC}.pdf").read_bytes()
    for path in ("/outbox/log.json", "/briefing.db", f"/{SAMPLE_DATE}/", "/../../etc/passwd",
                 "/%2e%2e/%2e%2e/etc/passwd", f"/{SAMPLE_DATE}/..%2f..%2fbriefing.db"):
        assert _get(served + path)[0] == 404, path


def test_briefing_serve_command(archive: Path, tmp_path: Path) -> None:
    config = tmp_path / "briefing.yaml"
    config.write_text(f"output: {archive}\n", encoding="utf-8")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "serve", "--config", str(config), "--port", "0"],
                            cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, line + proc.stderr.read() if proc.poll() is not None else line
        status, body, _ = _get(match.group(0) + "index.html")
        assert status == 200 and SECOND_DATE.encode() in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
