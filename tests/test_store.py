"""The store: keys, duplicates and near-duplicates, the build window, briefs recorded atomically."""
from __future__ import annotations

import datetime as dt
import random
import sqlite3
import threading
from pathlib import Path

import pytest

from briefing.config import TopicConfig, parse_config
from briefing.store import (NewArticle, StoreError, articles_for_build, build_window, canonical_url, normalise_text,
                            open_store, similarity, store_for)
from helpers_http import seed_articles

SEEDS = seed_articles()
UTC = dt.timezone.utc
NOW = dt.datetime.now(UTC).replace(microsecond=0)


def new(text: str, *keys: str, title: str = "", when: dt.datetime | None = None, url: str | None = None) -> NewArticle:
    when = when or NOW - dt.timedelta(hours=1)
    return NewArticle(text=text, title=title, url=url, outlet="Outlet", published=when.isoformat(),
                      time_lo=when, time_hi=when, keys=list(keys), source="test")


@pytest.fixture
def config(tmp_path: Path):
    cfg = parse_config({"timezone": "Europe/London", "output": str(tmp_path / "out"),
                        "topics": [{"slug": "t", "window": 48}]}, tmp_path / "briefing.yaml")
    return cfg


@pytest.fixture
def store(config):
    with store_for(config) as s:
        yield s


@pytest.mark.parametrize("a,b", [
    ("https://www.example.com/world/story?utm_source=rss&utm_campaign=x", "http://example.com/world/story/"),
    ("https://example.com/world/story?fbclid=IwAR0&gclid=1", "https://example.com/world/story#comments"),
    ("https://example.com/world/story/amp", "https://example.com/world/story"),
    ("https://amp.example.com/world/story", "https://example.com/world/story"),
    ("https://example-com.cdn.ampproject.org/c/s/example.com/world/story", "https://example.com/world/story"),
    ("https://example.com/a?b=2&a=1", "https://EXAMPLE.com:443/a?a=1&b=2"),
])
def test_canonical_url_equal(a, b):
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize("a,b", [
    ("https://example.com/story?id=1", "https://example.com/story?id=2"),
    ("https://example.com/story-1", "https://example.org/story-1"),
    ("https://example.com:8080/a", "https://example.com/a"),
])
def test_canonical_url_different(a, b):
    assert canonical_url(a) != canonical_url(b)


def test_canonical_url_refuses_other_schemes():
    assert canonical_url("javascript:alert(1)") is None and canonical_url("file:///etc/passwd") is None


def test_sqlite_settings(store):
    db = store._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert store.integrity_ok()


def test_postgresql_is_refused_clearly_without_leaking_the_password():
    with pytest.raises(StoreError, match="PostgreSQL is not supported in this build") as info:
        open_store("postgresql://brief:s3cret@db.example.org/briefing")
    assert "s3cret" not in str(info.value)
    with pytest.raises(StoreError, match="expected sqlite"):
        open_store("mysql://x")


def test_duplicates_by_key_and_by_text(store):
    first = store.add_article(new(SEEDS[0].text, "url:example.com/a", "guid:1"), ["t"])
    assert first.status == "new"
    assert store.add_article(new("other words entirely", "guid:1"), ["t"]).status == "duplicate"
    # Same text, new URL: a duplicate, and the new URL now leads to it as well.
    same = store.add_article(new(SEEDS[0].text.replace("\n\n", "\n"), "url:mirror.example/a"), ["t"])
    assert (same.status, same.of, same.reason) == ("duplicate", first.article_id, "same text")
    assert store.find_by_keys(["url:mirror.example/a"]) == first.article_id
    assert store.count_articles() == 1


def _edit(text: str, fraction: float, seed: int = 1) -> str:
    """Change about ``fraction`` of the words, as a sub-editor would (deterministic)."""
    rng = random.Random(seed)
    words = text.split(" ")
    for i in rng.sample(range(len(words)), int(len(words) * fraction)):
        words[i] = rng.choice(["said", "the", "officials", "reportedly", "on Monday", "also"])
    return " ".join(words)


def test_near_duplicates_are_copies_of_one_article(store):
    original = store.add_article(new(SEEDS[4].text, "url:a.example/4"), ["t"])
    syndicated = _edit(SEEDS[4].text, 0.05) + "\n\nAdditional reporting by the wire desk."
    assert similarity(normalise_text(SEEDS[4].text), normalise_text(syndicated)) > 85
    copy = store.add_article(new(syndicated, "url:b.example/4"), ["t"])
    assert (copy.status, copy.of) == ("copy", original.article_id)
    # A heavy rewrite is another article; so is another outlet's report of the same event.
    rewrite = store.add_article(new(_edit(SEEDS[4].text, 0.4, seed=2), "url:c.example/4"), ["t"])
    other = store.add_article(new(SEEDS[3].text, "url:d.example/3"), ["t"])
    assert rewrite.status == "new" and other.status == "new"
    assert store.count_articles() == 4 and store.count_articles(originals_only=True) == 3


def test_two_writers_store_a_story_once(config):
    results: list[str] = []
    barrier = threading.Barrier(4)

    def writer() -> None:
        with store_for(config) as s:
            barrier.wait()
            results.append(s.add_article(new(SEEDS[1].text, "url:x.example/1"), ["t"]).status)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["duplicate"] * 3 + ["new"]


def test_window_and_briefs(config, store):
    topic = config.topic("t")
    yesterday, today = (NOW - dt.timedelta(days=1)).date(), NOW.date()
    recent = store.add_article(new(SEEDS[0].text, "k:recent", when=NOW - dt.timedelta(hours=30)), ["t"])
    store.add_article(new(SEEDS[1].text, "k:old", when=NOW - dt.timedelta(hours=60)), ["t"])
    store.add_article(new(SEEDS[2].text, "k:other-topic"), ["other"])
    ids = [i for i, _ in articles_for_build(config, topic, today)]
    assert ids == [recent.article_id]

    # Yesterday's brief used it: today's brief starts after it; a rebuild of yesterday takes it again.
    store.record_brief("t", yesterday, [recent.article_id], ["y.pdf"])
    assert articles_for_build(config, topic, today) == []
    fresh = store.add_article(new(SEEDS[3].text, "k:fresh"), ["t"])
    assert [i for i, _ in articles_for_build(config, topic, today)] == [fresh.article_id]
    assert recent.article_id in [i for i, _ in articles_for_build(config, topic, yesterday)]

    # Rebuilding today replaces the list; the scheduled flag sticks once set.
    store.record_brief("t", today, [fresh.article_id], ["a.pdf"], scheduled=True)
    store.record_brief("t", today, [fresh.article_id], ["b.pdf"], scheduled=False)
    record = store.brief("t", today)
    assert record.scheduled and record.paths == ["b.pdf"]
    assert store.brief_article_ids(record.id) == [fresh.article_id]


def test_a_failed_transaction_records_nothing(store):
    article = store.add_article(new(SEEDS[0].text, "k:a"), ["t"])
    with pytest.raises(sqlite3.IntegrityError):
        # An article id that does not exist: the brief row must vanish with the failed insert.
        store.record_brief("t", NOW.date(), [article.article_id, 999_999], ["x.pdf"])
    assert store.brief("t", NOW.date()) is None


def test_date_only_articles_span_their_local_day(config, store):
    """A file dated yesterday (no time) belongs to yesterday's local day, whatever the hour."""
    from briefing.collect import EPOCH, time_bounds
    import zoneinfo

    tz = zoneinfo.ZoneInfo(config.timezone)
    now = dt.datetime.now(tz)
    lo, hi, text = time_bounds((now - dt.timedelta(days=1)).date(), now, tz)
    assert lo < hi <= now and text == (now - dt.timedelta(days=1)).date().isoformat()
    future = now + dt.timedelta(days=3)
    assert time_bounds(future, now, tz)[:2] == (now, now)  # a wrong clock in a feed counts as now
    assert time_bounds(None, now, tz)[:2] == (EPOCH, now)  # undated: some time before now


def test_window_of_an_earlier_date_ends_at_that_day(config):
    import zoneinfo

    topic = TopicConfig(slug="t", title="t", sources=[], window_hours=24)
    start, end = build_window(config, topic, dt.date(2025, 8, 19))
    assert end == dt.datetime(2025, 8, 20, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    assert end - start == dt.timedelta(hours=24)
