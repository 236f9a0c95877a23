"""Faults: SIGKILL at any point, two processes at once, a full or read-only disk, sources that
fail or hang, nothing to build, and huge input. All with the real command line, the real store
and real servers on 127.0.0.1.

Kills are real: the `briefing` process is killed with SIGKILL after a random delay (seeded, so a
failure can be replayed) or at a point a test server observes (an SMTP command); nothing in the
code under test knows it is being tested.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from click.testing import CliRunner

from briefing.cli import cli
from briefing.config import load_config
from briefing.deliver import SendReport
from briefing.errors import InputError, OutputError
from briefing.store import NewArticle, StoreError, open_store, store_for
from conftest import ROOT, SEED_DATE, SEEDS, copy_site, run_briefing
from helpers_http import Item, LocalServer, article_page, http_server, rss20, seed_articles, write_config  # noqa: F401
from smtp_helpers import SAMPLE_DATE, SAMPLE_TOPIC, Recorder, SmtpServer, copy_brief, free_port

SEED = int(os.environ.get("BRIEFING_FAULT_SEED", "20250819"))


def popen(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    """`python -m briefing ARGS` as a separate process (killable)."""
    return subprocess.Popen([sys.executable, "-m", "briefing", *args], cwd=cwd or ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def kill_after(proc: subprocess.Popen, delay: float) -> str:
    """SIGKILL ``proc`` after ``delay`` seconds (if still running); return its stderr."""
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=30)
    return err


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def complete(path: Path) -> bool:
    """True when ``path`` is a whole brief file (what a reader may ever see at a final path)."""
    from pypdf import PdfReader

    data = path.read_bytes()
    if path.suffix == ".json":
        return json.loads(data)["schema"] == "briefing/1"
    if path.suffix == ".html":
        return data.rstrip().endswith(b"</html>")
    return data.startswith(b"%PDF") and b"%%EOF" in data[-1024:] and len(PdfReader(str(path)).pages) == 1


# --------------------------------------------------------------------------- SIGKILL

def test_sigkill_during_build_leaves_whole_files_and_a_sound_store(hostile_build: dict[str, Any],
                                                                   tmp_path: Path) -> None:
    """Killed at random points of `briefing build` (collecting the drop folder, parsing,
    rendering, writing): the final paths hold the earlier brief or a whole new one, never
    half a file; the store passes integrity_check; the next build completes and records each
    article once."""
    assert hostile_build["returncode"] == 0, hostile_build["stderr"]
    config = copy_site(hostile_build["site"], tmp_path / "site")
    day = tmp_path / "site" / "output" / SEED_DATE
    finals = [day / f"talks.{ext}" for ext in ("html", "pdf", "json")]
    db = tmp_path / "site" / "output" / "briefing.db"
    rng = random.Random(SEED)
    # A rebuild (parses cached) takes ~3-4 s: from start-up through extraction to rendering.
    for delay in sorted(rng.uniform(1.0, 3.8) for _ in range(4)):
        err = kill_after(popen("-v", "build", "--config", str(config), "--date", SEED_DATE), delay)
        for path in finals:
            assert complete(path), (delay, path, err[-2000:])
        assert integrity(db) == "ok", delay
        leftovers = [p.name for p in day.iterdir() if p.name not in {f.name for f in finals}]
        assert all(n.startswith(".talks.") and n.endswith(".tmp") for n in leftovers), leftovers
    proc = run_briefing("build", "--config", str(config), "--date", SEED_DATE)
    assert proc.returncode == 0, proc.stderr
    assert all(complete(p) for p in finals)
    con = sqlite3.connect(db)
    try:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        used = con.execute("SELECT count(*), count(DISTINCT article_id) FROM brief_articles").fetchone()
        briefs = con.execute("SELECT count(*) FROM briefs").fetchone()[0]
    finally:
        con.close()
    assert articles == hostile_build["articles"] and used == (articles, articles) and briefs == 1


def _slow_feed(server: LocalServer, count: int) -> str:
    """A feed of ``count`` entries whose pages each take a moment to answer."""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    seeds = seed_articles()
    items = []
    for i in range(count):
        seed = seeds[i % len(seeds)]
        paragraphs = [f"Report {i}: {p}" for p in seed.paragraphs]  # distinct texts
        url = server.set(f"/a/{i}", article_page(f"{seed.title} ({i})", paragraphs, site=f"Outlet {i % 4}"), delay=0.25)
        items.append(Item(f"{seed.title} ({i})", url, f"urn:slow:{i}", now - dt.timedelta(hours=1 + i % 5),
                          summary=paragraphs[0]))
    return server.set("/feed.xml", rss20("Slow", server.base, items), content_type="application/rss+xml")


def test_sigkill_during_collect_loses_and_doubles_nothing(http_server: LocalServer, tmp_path: Path) -> None:
    """Killed while fetching a feed's pages: the store stays sound; the next collect stores the
    rest, and every entry is stored exactly once."""
    count = 12
    feed = _slow_feed(http_server, count)
    path = write_config(tmp_path / "briefing.yaml", [{"slug": "t", "sources": [{"feed": feed}]}],
                        fetch={"allow_networks": ["127.0.0.1/32"], "workers": 2, "read_timeout": 5})
    db = tmp_path / "output" / "briefing.db"
    rng = random.Random(SEED + 1)
    for delay in sorted(rng.uniform(1.2, 2.6) for _ in range(3)):
        kill_after(popen("collect", "--config", str(path)), delay)
        if db.exists():
            assert integrity(db) == "ok", delay
    proc = run_briefing("collect", "--config", str(path))
    assert proc.returncode == 0, proc.stderr
    again = run_briefing("collect", "--config", str(path))
    assert again.returncode == 0 and ": 0 new" in again.stdout, again.stdout
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT url FROM articles").fetchall()
    finally:
        con.close()
    assert len(rows) == count and len({r[0] for r in rows}) == count


class _Gate(Recorder):
    """An SMTP handler that stops at RCPT or DATA (``at``) until the client is killed."""

    def __init__(self, at: str) -> None:
        super().__init__()
        self.at = at
        self.reached = threading.Event()
        self.armed = True

    async def _pause(self, where: str) -> None:
        if self.armed and where == self.at:
            self.armed = False
            self.reached.set()
            await asyncio.sleep(3)  # the client is killed meanwhile

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        await self._pause("RCPT")
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await self._pause("DATA")
        return await super().handle_DATA(server, session, envelope)


def _mail_site(tmp_path: Path, sample: Path, port: int) -> Path:
    copy_brief(sample, tmp_path / "output")
    path = tmp_path / "briefing.yaml"
    path.write_text(yaml.safe_dump({
        "output": "output", "topics": [{"slug": SAMPLE_TOPIC, "title": "Seeds", "recipients": ["a@example.org"]}],
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "sender": "brief@example.org",
                 "timeout": 10}}), encoding="utf-8")
    return path


@pytest.mark.parametrize("at", ["RCPT", "DATA"])
def test_sigkill_during_send(at: str, seed_build: dict[str, Any], tmp_path: Path) -> None:
    """Killed in the middle of the SMTP conversation, `send` leaves the message queued and the
    next send delivers it. Killed before the message was handed over (RCPT): exactly one copy
    arrives. Killed after the server took the message but before it answered (DATA): the one
    window SMTP itself leaves open; the resend carries the same Message-ID, so mail clients
    show one message."""
    server = SmtpServer()
    gate = _Gate(at)
    server.handler = gate
    server.controller.handler = gate
    with server:
        config_path = _mail_site(tmp_path, seed_build["out"], server.port)
        proc = popen("send", "--config", str(config_path), "--date", SAMPLE_DATE)
        assert gate.reached.wait(30), proc.communicate(timeout=30)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        time.sleep(3.2)  # let the server finish the dead session
        assert sorted(p.name for p in (tmp_path / "output" / "outbox").glob("*.eml")) == [
            f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.eml"], "the message must stay queued"
        result = CliRunner().invoke(cli, ["send", "--config", str(config_path), "--retry"])
        assert result.exit_code == 0, result.output
        again = CliRunner().invoke(cli, ["send", "--config", str(config_path), "--date", SAMPLE_DATE])
        assert "already sent" in again.output
    ids = {str(email.message_from_bytes(m.data, policy=email.policy.default)["Message-ID"]) for m in server.messages}
    assert len(ids) == 1
    # aiosmtpd drops a message whose client vanished before the reply; other servers may keep it.
    assert len(server.messages) == 1 if at == "RCPT" else 1 <= len(server.messages) <= 2
    assert list((tmp_path / "output" / "outbox").glob("*.eml")) == []


# --------------------------------------------------------------------------- two at once

def test_two_builds_of_one_topic_at_once(hostile_build: dict[str, Any], tmp_path: Path) -> None:
    """A second build while the first holds the topic's lock exits 75 with a clear message
    (lock_wait_seconds: 0 here); the first completes; nothing is half-written."""
    config = copy_site(hostile_build["site"], tmp_path / "site")
    first = popen("-v", "build", "--config", str(config), "--date", SEED_DATE)
    lines: list[str] = []
    locked = threading.Event()

    def watch() -> None:
        for line in first.stderr:  # type: ignore[union-attr]
            lines.append(line)
            if "extracting from" in line:  # logged while the lock is held
                locked.set()

    reader = threading.Thread(target=watch, daemon=True)
    reader.start()
    assert locked.wait(60), "".join(lines)
    second = run_briefing("build", "--config", str(config), "--date", SEED_DATE)
    assert first.wait(timeout=120) == 0, "".join(lines)
    reader.join(5)
    assert second.returncode == 75, second.stderr
    assert "topic 'talks' is being built by another process" in second.stderr
    assert "Traceback" not in second.stderr and len(second.stderr.strip().splitlines()) == 1
    day = tmp_path / "site" / "output" / SEED_DATE
    assert all(complete(day / f"talks.{ext}") for ext in ("html", "pdf", "json"))


def test_store_busy_is_waited_for_not_failed(tmp_path: Path) -> None:
    """A process that finds the store in another's write transaction waits (busy timeout) and
    completes; two collects of different topics at once both complete."""
    drops = []
    rng = random.Random(SEED)
    words = [w.strip(".,") for s in seed_articles() for w in s.text.split()]
    for name in ("x", "y"):
        drop = tmp_path / f"drop-{name}"
        drop.mkdir()
        for i in range(20):
            body = " ".join(rng.sample(words, 60))  # distinct texts: no two are near-duplicates
            (drop / f"{i}.txt").write_text(f"Headline {name} {i}\n\n{body}.\n")
            os.utime(drop / f"{i}.txt", (time.time() - 60, time.time() - 60))
        drops.append(drop)
    path = write_config(tmp_path / "briefing.yaml", [{"slug": "x", "sources": [{"folder": str(drops[0])}]},
                                                     {"slug": "y", "sources": [{"folder": str(drops[1])}]}])
    config = load_config(path)
    holder = store_for(config)
    holder.transaction().__enter__()  # BEGIN IMMEDIATE: the write lock, held by this process
    procs = [popen("collect", "--config", str(path), "--topic", t) for t in ("x", "y")]
    time.sleep(2.5)
    holder._db.execute("COMMIT")
    holder.close()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "20 new" in out, out
    db = tmp_path / "output" / "briefing.db"
    assert integrity(db) == "ok"
    with store_for(config) as store:
        assert store.count_articles() == 40


# --------------------------------------------------------------------------- disk full, read-only

def test_full_store_is_a_clear_error_and_records_nothing(tmp_path: Path) -> None:
    """SQLITE_FULL (here by capping the file's pages, which works on any machine) is one clear
    StoreError; nothing half-recorded; the store works again once there is room."""
    store = open_store(f"sqlite:///{tmp_path / 'briefing.db'}")
    now = dt.datetime.now(dt.timezone.utc)

    def article(i: int, size: int) -> NewArticle:
        text = f"Article {i}. " + " ".join(f"word{i}x{k}" for k in range(size))
        return NewArticle(text=text, title=f"T{i}", url=None, outlet=None, published=None, time_lo=now,
                          time_hi=now, keys=[f"k:{i}"], source="test")

    store.add_article(article(0, 50), ["t"])
    pages = store._one("PRAGMA page_count")[0]
    store._db.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(StoreError, match="database or disk is full; free some disk space"):
        store.add_article(article(1, 20_000), ["t"])
    assert store.count_articles() == 1 and store.find_by_keys(["k:1"]) is None
    store._db.execute("PRAGMA max_page_count = 1073741823")
    assert store.add_article(article(1, 20_000), ["t"]).status == "new"
    assert store.integrity_ok()
    store.close()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (root only; skipped where mounting is not allowed, as on most CI)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip() or 'not root'}); "
                    "the monkeypatched tests in test_render.py cover the same code")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system of ``folder`` until about ``leave`` bytes are free."""
    free = shutil.disk_usage(folder).free
    with open(folder / "filler", "wb") as fh:
        try:
            fh.write(b"\0" * max(0, free - leave))
        except OSError:
            pass


def test_disk_full_and_read_only_output(tiny_disk: Path, seed_build: dict[str, Any]) -> None:
    """A real full disk: the new brief fails with a clear error, the earlier brief and the store
    are intact, no temporary file is left. A read-only disk: the same from the command line,
    one line on stderr, exit status 1."""
    from briefing.models import brief_from_json
    from briefing.render import render_brief

    output = tiny_disk / "output"
    earlier = copy_brief(seed_build["out"], output)  # yesterday's brief
    before = {p.name: p.read_bytes() for p in earlier.iterdir()}
    store = open_store(f"sqlite:///{output / 'briefing.db'}")
    _fill(tiny_disk, leave=20_000)
    brief = brief_from_json(seed_build["json"])
    brief.date = "2025-08-20"
    with pytest.raises(OutputError, match="No space left on device"):
        render_brief(brief, output)
    new_day = output / "2025-08-20"
    assert not new_day.exists() or [p.name for p in new_day.iterdir()] == []
    now = dt.datetime.now(dt.timezone.utc)
    big = NewArticle(text=" ".join(f"w{k}" for k in range(100_000)), title="T", url=None, outlet=None,
                     published=None, time_lo=now, time_hi=now, keys=["k:big"], source="test")
    with pytest.raises(StoreError, match="full"):
        store.add_article(big, ["t"])
    assert store.integrity_ok()
    store.close()
    assert {p.name: p.read_bytes() for p in earlier.iterdir()} == before

    (tiny_disk / "filler").unlink()
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    proc = run_briefing("build", "--input", str(SEEDS), "--date", "2025-08-21", "--output", str(output))
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Read-only file system" in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    assert {p.name: p.read_bytes() for p in earlier.iterdir()} == before


# --------------------------------------------------------------------------- nothing to build

def _run_config(tmp_path: Path, sources: list[dict], smtp_port: int) -> Path:
    return write_config(tmp_path / "briefing.yaml",
                        [{"slug": "t", "title": "T", "sources": sources, "recipients": ["a@example.org"]}],
                        smtp={"host": "127.0.0.1", "port": smtp_port, "security": "none",
                              "sender": "brief@example.org", "timeout": 5})


@pytest.mark.parametrize("kind", ["every source failed", "no new articles"])
def test_nothing_to_build_mails_nothing(kind: str, http_server: LocalServer, tmp_path: Path) -> None:
    """`briefing run` with every source failing, or with nothing new: exit 1, a clear line, no
    brief, and no email (not even a blank one)."""
    empty = tmp_path / "empty-drop"
    empty.mkdir()
    sources = ([{"feed": http_server.url("/missing.xml")}] if kind == "every source failed"
               else [{"folder": str(empty)}])
    with SmtpServer() as server:
        path = _run_config(tmp_path, sources, server.port)
        result = CliRunner().invoke(cli, ["run", "--config", str(path)])
    assert result.exit_code == 1
    expected = ("every source of topic 't' failed" if kind == "every source failed" else "no new articles")
    assert expected in result.output, result.output
    assert server.handler.mail_commands == 0 and server.messages == []
    assert not (tmp_path / "output" / "outbox").exists()
    assert not list((tmp_path / "output").glob("20*"))


def test_every_source_failed_but_earlier_articles_give_a_brief_with_a_warning(
        http_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When every source fails but the store holds articles collected earlier in the window, the
    brief is built from those, and `run` says so and exits 1 (the status is not 'all well')."""
    import briefing.pipeline as pipeline

    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.txt").write_text("Ministers agree\n\nMinisters agreed a budget framework on Tuesday after talks.\n")
    os.utime(drop / "a.txt", (time.time() - 60, time.time() - 60))
    path = _run_config(tmp_path, [{"folder": str(drop)}], free_port())
    assert CliRunner().invoke(cli, ["collect", "--config", str(path)]).exit_code == 0
    shutil.rmtree(drop)  # now the only source fails ("no such folder")
    built: list[int] = []

    def fake_build(config: Any, topic: Any, articles: list, date: dt.date, output: Path) -> list[Path]:
        built.append(len(articles))
        folder = output / date.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        return [folder / f"{topic.slug}.{ext}" for ext in ("html", "pdf", "json")]

    monkeypatch.setattr(pipeline, "build_from_articles", fake_build)
    monkeypatch.setattr("briefing.deliver.send_after_build", lambda *args, **kwargs: SendReport())
    result = CliRunner().invoke(cli, ["run", "--config", str(path)])
    assert built == [1]
    assert result.exit_code == 1
    assert "every source failed this run; the brief was built from articles collected earlier" in result.output


# --------------------------------------------------------------------------- huge input

def test_five_megabyte_article_is_bounded_in_the_store(tmp_path: Path) -> None:
    """A 5 MB article: stored (fingerprints in bounded memory) and cut for the brief."""
    from briefing.reader import MAX_ARTICLE_CHARS, bound_article
    from briefing.models import Article

    sentences = [f"Sentence {i} says the ministers met on day {i % 31} to talk about item {i}." for i in range(80_000)]
    text = " ".join(sentences)[:5 * 1024 * 1024]
    now = dt.datetime.now(dt.timezone.utc)
    store = open_store(f"sqlite:///{tmp_path / 'briefing.db'}")
    tracemalloc.start()
    started = time.monotonic()
    store.add_article(NewArticle(text=text, title="Huge", url=None, outlet=None, published=None, time_lo=now,
                                 time_hi=now, keys=["k:huge"], source="test"), ["t"])
    seconds = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    store.close()
    assert seconds < 20 and peak < 200 * 2**20, (seconds, peak)
    article = bound_article(Article(text=text, title="Huge"))
    assert len(article.text) <= MAX_ARTICLE_CHARS and article.text.endswith(".")


def test_five_thousand_articles_in_a_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """5,000 articles in a topic's window: the store lists them quickly, one brief reads the
    newest MAX_BRIEF_ARTICLES and records only those, and the rest stay for a later brief.
    (The full-size build with the real extraction is in scripts/bench_hostile.py.)"""
    import briefing.pipeline as pipeline
    from briefing.store import articles_for_build, iso

    path = write_config(tmp_path / "briefing.yaml", [{"slug": "t", "sources": []}])
    config = load_config(path)
    now = dt.datetime.now(dt.timezone.utc)
    with store_for(config) as store:
        rows = []
        for i in range(5000):
            moment = iso(now - dt.timedelta(seconds=20 * (5000 - i)))  # the last 28 hours
            rows.append((i + 1, f"Title {i}", moment, moment, f"Text {i}.", f"hash{i}", "test", iso(now)))
        with store.transaction():
            store._db.executemany(
                "INSERT INTO articles(id, title, time_lo, time_hi, text, content_hash, source, first_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            store._db.executemany("INSERT INTO article_topics(article_id, topic) VALUES (?, 't')",
                                  [(i + 1,) for i in range(5000)])
    started = time.monotonic()
    pairs = articles_for_build(config, config.topics[0], now.date())
    assert len(pairs) == 5000 and time.monotonic() - started < 5
    seen: list[list[str]] = []

    def fake_build(config: Any, topic: Any, articles: list, date: dt.date, output: Path) -> list[Path]:
        seen.append([a.title for a in articles])
        return [output / "x.html", output / "x.pdf", output / "x.json"]

    monkeypatch.setattr(pipeline, "build_from_articles", fake_build)
    pipeline._build_and_record(config, config.topics[0], now.date(), config.output, False)
    assert len(seen[0]) == pipeline.MAX_BRIEF_ARTICLES and seen[0][-1] == "Title 4999"
    with store_for(config) as store:
        brief = store.brief("t", now.date())
        assert brief is not None and len(store.brief_article_ids(brief.id)) == pipeline.MAX_BRIEF_ARTICLES


def test_a_brief_of_five_thousand_sources_fits_one_page(tmp_path: Path) -> None:
    """The page ranks and trims: 5,000 sources and hundreds of items still make one page, fast."""
    from pypdf import PdfReader

    from briefing.models import Actor, Brief, Evidence, Item, Source
    from briefing.render import render_brief

    n = 5000
    sources = [Source(id=f"S{i}", title=f"Headline {i} about the talks", outlet=f"Outlet {i % 300}",
                      url=f"https://n{i}.example.com/a", path=None, published="2025-08-19") for i in range(1, n + 1)]
    items = [Item(f"Item {i}: ministers agreed the framework on Tuesday after long talks.",
                  [f"S{(i * 7 + k) % n + 1}" for k in range(1 + i % 40)], [Evidence(f"S{i % n + 1}", "Quote.")],
                  [f"Actor {i}"]) for i in range(400)]
    brief = Brief(topic="big", title="A very busy day", date="2025-08-19", generated_at="2025-08-19T06:00:00+00:00",
                  sources=sources, summary=items[:50],
                  actors=[Actor(f"Actor {i}", "person", "Minister", mentions=400 - i, sources=[f"S{i + 1}"])
                          for i in range(400)],
                  decisions=items, open_questions=[Item(i.text, i.sources, i.evidence, kind="unconfirmed") for i in items],
                  quotes=[])
    started = time.monotonic()
    _, pdf, data = render_brief(brief, tmp_path)
    assert time.monotonic() - started < 30
    assert len(PdfReader(str(pdf)).pages) == 1
    assert len(json.loads(data.read_text())["sources"]) == n  # the JSON keeps everything


def test_a_blank_brief_is_not_mailed_by_run(seed_build: dict[str, Any], tmp_path: Path) -> None:
    """A brief with no bottom line, decision or open question (the articles said nothing the
    extraction could use) is archived but `run`'s send step holds it, with a clear line; an
    explicit `briefing send` still sends it."""
    from briefing.deliver import send, send_after_build

    with SmtpServer() as server:
        path = _mail_site(tmp_path, seed_build["out"], server.port)
        brief = tmp_path / "output" / SAMPLE_DATE / f"{SAMPLE_TOPIC}.json"
        data = json.loads(brief.read_text(encoding="utf-8"))
        data.update(summary=[], decisions=[], open_questions=[])
        brief.write_text(json.dumps(data), encoding="utf-8")
        config = load_config(path)
        report = send_after_build(config, SAMPLE_TOPIC, SAMPLE_DATE)
        assert not report.ok and [o.status for o in report.outcomes] == ["held"]
        assert "no bottom line" in report.lines()[0] and server.messages == []
        assert send(config, SAMPLE_TOPIC, SAMPLE_DATE).ok and len(server.messages) == 1
