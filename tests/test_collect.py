"""The collect stage against a real HTTP server on 127.0.0.1 serving feeds and article pages
built from the real articles in seeds/: stored once, duplicates caught, failures isolated."""
from __future__ import annotations

import datetime as dt
import gzip
import ipaddress
import logging
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.cli import cli
from briefing.collect import collect, html_to_text, matching_topics
from briefing.config import TopicConfig, load_config
from briefing.fetch import FetchError, Fetcher, FetchSettings, check_url, is_public
from briefing.store import articles_for_build, store_for
from helpers_http import (FEED_TYPES, Item, LocalServer, article_page, atom, hours_ago, http_server,  # noqa: F401
                          rss10, rss20, rss091, seed_articles, write_config)

OUTLETS = ["The Guardian", "Reuters", "Al Jazeera", "Euronews", "AP News"]
SEEDS = seed_articles()


class Site:
    """The five seed articles published as pages at /news/N, and feed items for them."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.items: list[Item] = []
        for i, article in enumerate(SEEDS):
            published = hours_ago(i + 1)
            url = server.set(f"/news/{i}", article_page(article.title, article.paragraphs, site=OUTLETS[i],
                                                        published=published))
            self.items.append(Item(article.title, url, f"urn:example:{i}", published,
                                   summary=" ".join(article.paragraphs[:2])))

    def feed(self, path: str, items: list[Item], kind: str = "rss20", title: str = "Example News") -> str:
        builder = {"rss20": rss20, "rss10": rss10, "rss091": rss091, "atom": atom}[kind]
        return self.server.set(path, builder(title, self.server.base, items), content_type=FEED_TYPES[kind])


@pytest.fixture
def site(http_server: LocalServer) -> Site:
    return Site(http_server)


def config_for(tmp_path: Path, sources: list[dict], **top: object):
    return load_config(write_config(tmp_path / "briefing.yaml",
                                    [{"slug": "ukraine", "title": "Ukraine", "sources": sources}], **top))


def originals(config) -> int:
    with store_for(config) as store:
        return store.count_articles(originals_only=True)


def by_value(report) -> dict:
    return {s.value: s for s in report.sources}


# --------------------------------------------------------------------------- stored once

def test_rss_and_atom_are_stored_once_and_a_second_collect_adds_nothing(tmp_path, site):
    rss = site.feed("/rss.xml", site.items[:3])
    atom_url = site.feed("/atom.xml", site.items[2:], kind="atom")
    config = config_for(tmp_path, [{"feed": rss}, {"feed": atom_url}])

    first = by_value(collect(config))
    assert (first[rss].new, first[rss].duplicate) == (3, 0)
    assert (first[atom_url].new, first[atom_url].duplicate) == (2, 1)  # item 2 is in both feeds
    assert originals(config) == 5
    pairs = articles_for_build(config, config.topics[0], dt.datetime.now(dt.timezone.utc).date())
    assert sorted(a.outlet for _, a in pairs) == sorted(OUTLETS)
    guardian = next(a for _, a in pairs if a.outlet == "The Guardian")
    assert "security guarantees" in guardian.text and guardian.title == SEEDS[0].title
    assert "All rights reserved" not in guardian.text  # trafilatura kept the article, not the page chrome

    second = collect(config)
    assert second.new == 0 and not second.failed
    assert all(s.not_modified for s in second.sources)  # ETag: 304 Not Modified
    assert originals(config) == 5
    assert all(site.server.hits[f"/news/{i}"] == 1 for i in range(5))  # each page fetched once


def test_only_a_new_entry_is_added(tmp_path, site):
    rss = site.feed("/rss.xml", site.items[:2])
    config = config_for(tmp_path, [{"feed": rss}])
    assert collect(config).new == 2
    site.feed("/rss.xml", site.items[:3])  # the outlet publishes a third story
    report = by_value(collect(config))[rss]
    assert (report.new, report.duplicate) == (1, 2)
    assert site.server.hits["/news/2"] == 1 and site.server.hits["/news/0"] == 1
    assert originals(config) == 3


@pytest.mark.parametrize("kind", ["rss20", "rss10", "rss091", "atom"])
def test_every_feed_format(tmp_path, site, kind):
    url = site.feed(f"/{kind}.xml", site.items[:2], kind=kind)
    report = collect(config_for(tmp_path, [{"feed": url}]))
    assert (report.new, report.failed) == (2, [])


def test_entry_page_failing_falls_back_to_the_feed_summary(tmp_path, site, caplog):
    gone = Item("Zelenskyy ready to meet Putin", site.server.url("/news/gone"), "urn:gone", hours_ago(1),
                summary="<p>Zelenskyy said he was <b>ready</b> to meet Putin one-on-one.</p>")
    config = config_for(tmp_path, [{"feed": site.feed("/rss.xml", [gone])}])
    with caplog.at_level(logging.INFO, logger="briefing"):
        assert collect(config).new == 1
    assert "/news/gone: page unavailable (HTTP 404" in caplog.text
    (_, article), = articles_for_build(config, config.topics[0], dt.datetime.now(dt.timezone.utc).date())
    assert article.text == "Zelenskyy said he was ready to meet Putin one-on-one."
    assert article.outlet == "Example News"  # the feed's title


def test_old_entries_are_not_fetched(tmp_path, site):
    old = Item("Old story", site.server.url("/news/0"), "urn:old", hours_ago(24 * 10), summary="Old.")
    config = config_for(tmp_path, [{"feed": site.feed("/rss.xml", [old, site.items[1]])}])
    report = collect(config).sources[0]
    assert (report.new, report.old) == (1, 1)
    assert "/news/0" not in site.server.hits


# --------------------------------------------------------------------------- duplicates

def test_the_same_story_reached_in_other_ways_is_one_article(tmp_path, site):
    server, items = site.server, site.items
    main = site.feed("/main.xml", items)
    mirror_paragraphs = list(SEEDS[4].paragraphs)
    # A syndicated copy with small edits: a new headline, some words changed, a line added.
    mirror_paragraphs[0] = mirror_paragraphs[0].replace("President Donald Trump", "US President Donald Trump")
    mirror_paragraphs[2] = mirror_paragraphs[2].replace("gradually", "slowly")
    mirror_paragraphs.append("Reporting by our correspondents; editing by the desk.")
    variants = [
        # tracking parameters, and http vs https: recognised from the link alone
        Item(items[0].title, items[0].link + "?utm_source=twitter&utm_medium=social&fbclid=abc", "urn:b:0",
             items[0].published),
        Item(items[1].title, items[1].link.replace("http://", "https://"), "urn:b:1", items[1].published),
        # an AMP page naming its canonical URL
        Item(items[2].title, server.set("/amp-stories/2", article_page(
            SEEDS[2].title, SEEDS[2].paragraphs, canonical=items[2].link, amp=True)), "urn:b:2", items[2].published),
        # the same text under another URL
        Item("Mirror", server.set("/mirror/3", article_page(SEEDS[3].title, SEEDS[3].paragraphs, site="Mirror Daily")),
             "urn:b:3", items[3].published),
        # a near-duplicate: a syndicated copy with small edits
        Item("Syndicated", server.set("/wire/4", article_page("Trump tells Zelenskyy US will help",
                                                              mirror_paragraphs, site="Wire Service")),
             "urn:b:4", items[4].published),
    ]
    other = site.feed("/other.xml", variants, title="Other News")
    config = config_for(tmp_path, [{"feed": main}, {"feed": other}])

    report = by_value(collect(config))
    assert report[main].new == 5
    assert (report[other].new, report[other].duplicate) == (0, 5)
    assert originals(config) == 5
    assert "/amp-stories/2" in server.hits and "/news/0?utm_source=twitter" not in str(server.hits)

    pairs = articles_for_build(config, config.topics[0], dt.datetime.now(dt.timezone.utc).date())
    assert len(pairs) == 5  # the copy is recorded but counts as its original's report
    assert sorted(a.outlet for _, a in pairs) == sorted(OUTLETS)
    with store_for(config) as store:
        copies = store._db.execute("SELECT count(*) FROM articles WHERE copy_of IS NOT NULL").fetchone()[0]
    assert copies == 1

    # The outlet's CMS re-publishes an entry with a new GUID: still the same article.
    site.feed("/main.xml", items[:4] + [Item(items[4].title, items[4].link, "urn:changed:4", items[4].published)])
    assert collect(config).new == 0
    assert originals(config) == 5


# --------------------------------------------------------------------------- failures

def test_each_failing_source_fails_alone_with_a_clear_log_line(tmp_path, site, caplog):
    server = site.server
    good = site.feed("/good.xml", site.items[:2])
    bad = {
        server.url("/missing.xml"): "HTTP 404",
        server.set("/hang.xml", hang=True): "timed out: no answer within 1s",
        server.set("/page.html", article_page(SEEDS[0].title, SEEDS[0].paragraphs)): "not an RSS or Atom feed (got an HTML page)",
        server.set("/broken.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title><item><ti',
                   content_type="application/rss+xml"): "malformed feed",
        server.set("/huge.xml", endless=True, content_type="application/rss+xml"): "body too large",
        server.set("/bomb.xml", b"<rss>" + b" " * 30_000_000, gzip=True,
                   content_type="application/rss+xml"): "body too large (over 1,000,000 bytes after decompression)",
        server.set("/redirect.xml", status=302, headers={"Location": "file:///etc/passwd"}): "refused: only http and https",
    }
    assert len(gzip.compress(b" " * 30_000_000)) < 100_000  # a small download, a huge body
    config = config_for(tmp_path, [{"feed": good}] + [{"feed": u} for u in bad],
                        fetch={"allow_networks": ["127.0.0.0/8"], "read_timeout": 1, "total_timeout": 4,
                               "max_bytes": 1_000_000})
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="briefing"):
        report = collect(config)
    assert time.monotonic() - started < 15
    results = by_value(report)
    assert results[good].new == 2 and results[good].failed is None
    for url, reason in bad.items():
        assert results[url].failed and reason in results[url].failed, (url, results[url].failed)
        lines = [r.getMessage() for r in caplog.records if url in r.getMessage()]
        assert len(lines) == 1 and reason in lines[0], lines
    assert not report.all_failed


def test_private_addresses_are_refused_unless_allowed(tmp_path, site):
    feed = site.feed("/rss.xml", site.items[:1])
    config = config_for(tmp_path, [{"feed": feed}], fetch={})  # the default: public addresses only
    report = collect(config)
    assert report.all_failed
    assert "refused: 127.0.0.1 is at non-public address 127.0.0.1" in report.sources[0].failed

    # Allowed for 127.0.0.1 only: a redirect to another loopback address is checked and refused.
    hop = site.server.set("/hop.xml", status=302, headers={"Location": f"http://127.0.0.2:{site.server.httpd.server_port}/rss.xml"})
    config = config_for(tmp_path, [{"feed": hop}], fetch={"allow_networks": ["127.0.0.1/32"]})
    assert "non-public address 127.0.0.2" in collect(config).sources[0].failed


@pytest.mark.parametrize("address,public", [
    ("8.8.8.8", True), ("2a00:1450:4009:81f::200e", True), ("127.0.0.1", False), ("10.1.2.3", False),
    ("192.168.0.10", False), ("172.16.5.4", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False), ("0.0.0.0", False),
    ("224.0.0.1", False)])
def test_address_policy(address, public):
    assert is_public(ipaddress.ip_address(address)) is public


def test_fetch_refuses_names_resolving_to_loopback_and_odd_schemes():
    settings = FetchSettings()
    for url, reason in [("http://localhost/feed", "non-public address"), ("file:///etc/passwd", "only http"),
                        ("ftp://example.org/x", "only http"), ("http://[::1]:80/", "non-public")]:
        with pytest.raises(FetchError, match=reason):
            check_url(url, settings)


def test_redirects_are_followed_and_validators_sent(site):
    server = site.server
    server.set("/moved.xml", status=301, headers={"Location": "/news/0"})
    settings = FetchSettings(allow_private=True, read_timeout=2, connect_timeout=2)
    with Fetcher(settings) as fetcher:
        first = fetcher.get(server.url("/moved.xml"))
        assert first.url == server.url("/news/0") and first.etag
        again = fetcher.get(first.url, etag=first.etag)
    assert again.not_modified and again.content == b""


# --------------------------------------------------------------------------- pages, folders, topics

def test_page_source(tmp_path, site):
    page = site.items[0].link
    config = config_for(tmp_path, [{"page": page}])
    assert collect(config).new == 1
    report = collect(config).sources[0]
    assert (report.new, report.duplicate) == (0, 1)
    assert site.server.hits["/news/0"] == 1

    pdf = site.server.set("/report.pdf", b"%PDF-1.7 binary", content_type="application/pdf")
    empty = site.server.set("/empty.html", "<html><body><nav>Home</nav></body></html>")
    report = by_value(collect(config_for(tmp_path, [{"page": pdf}, {"page": empty}])))
    assert report[pdf].failed == "not a web page (application/pdf)"
    assert report[empty].failed == "no article text on the page"


def test_drop_folder(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    for i, article in enumerate(SEEDS[:2]):
        (folder / f"{i}.txt").write_text(f"{article.title}\n\n{article.text}\n", encoding="utf-8")
    (folder / "2.html").write_text(article_page(SEEDS[2].title, SEEDS[2].paragraphs, site="Al Jazeera"),
                                   encoding="utf-8")
    (folder / "3.eml").write_bytes(
        b"From: Euronews Desk <desk@euronews.example>\r\nTo: briefing@example.org\r\n"
        b"Subject: =?utf-8?q?Fwd=3A_US_suggests_European-led_guarantees?=\r\n"
        b"Date: Mon, 23 Nov 2026 07:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + SEEDS[3].text.encode("utf-8"))
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    old = time.time() - 60
    for path in folder.iterdir():
        os.utime(path, (old, old))
    (folder / "4.txt").write_text(f"{SEEDS[4].title}\n\n{SEEDS[4].text}\n", encoding="utf-8")  # being written
    config = config_for(tmp_path, [{"folder": str(folder)}])

    report = collect(config).sources[0]
    assert (report.new, report.waiting, report.skipped) == (4, 1, 1)
    os.utime(folder / "4.txt", (old, old))
    report = collect(config).sources[0]
    assert (report.new, report.duplicate, report.waiting) == (1, 4, 0)
    pairs = articles_for_build(config, config.topics[0], dt.datetime.now(dt.timezone.utc).date())
    eml = next(a for _, a in pairs if a.path and a.path.endswith("3.eml"))
    assert eml.title == "US suggests European-led guarantees" and eml.outlet == "Euronews Desk"


def test_missing_folder_fails_alone(tmp_path, site):
    config = config_for(tmp_path, [{"folder": str(tmp_path / "nowhere")}, {"feed": site.feed("/r.xml", site.items[:1])}])
    report = collect(config)
    assert report.sources[0].failed == "no such folder" and report.new == 1


def test_include_and_exclude_keywords_file_a_shared_feed_under_topics(tmp_path, site):
    feed = site.feed("/rss.xml", site.items)
    path = write_config(tmp_path / "briefing.yaml", [
        {"slug": "alaska", "sources": [{"feed": feed}], "include": ["Alaska"]},
        {"slug": "not-alaska", "sources": [{"feed": feed}], "exclude": ["alaska"]},
    ])
    config = load_config(path)
    report = collect(config)
    assert len(report.sources) == 1 and report.new == 5  # one fetch for both topics
    today = dt.datetime.now(dt.timezone.utc).date()
    alaska = {a.outlet for _, a in articles_for_build(config, config.topic("alaska"), today)}
    other = {a.outlet for _, a in articles_for_build(config, config.topic("not-alaska"), today)}
    assert alaska == {OUTLETS[0], OUTLETS[1], OUTLETS[4]} and other == {OUTLETS[2], OUTLETS[3]}


def test_keyword_matching_is_by_whole_word():
    topic = TopicConfig(slug="eu", title="EU", sources=[], include=["EU", "security guarantee"])
    assert matching_topics([topic], "", "The EU said") == ["eu"]
    assert matching_topics([topic], "", "A queue formed") == []
    assert matching_topics([topic], "Security  guarantee talk", "") == ["eu"]


def test_hostile_feed_entities_links_and_titles(tmp_path, site):
    feed = site.server.set("/evil.xml", (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY passwd SYSTEM "file:///etc/passwd">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        '<rss version="2.0"><channel><title>Evil &passwd;</title>'
        "<item><title>&lt;b&gt;Zelenskyy&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;talks &c;</title>"
        "<link>javascript:alert(document.cookie)</link><guid>urn:evil:1</guid>"
        "<description>Zelenskyy said security guarantees were a key issue.</description></item>"
        "</channel></rss>"), content_type="application/rss+xml")
    config = config_for(tmp_path, [{"feed": feed}])
    report = collect(config).sources[0]
    today = dt.datetime.now(dt.timezone.utc).date()
    stored = [a for _, a in articles_for_build(config, config.topics[0], today)]
    assert report.failed is None and len(stored) == 1  # the entry's summary stands in for the page
    assert stored[0].text == "Zelenskyy said security guarantees were a key issue."
    for article in stored:
        assert "root:" not in article.text + article.title + (article.outlet or "")
        assert article.url is None and "<" not in article.title and "alert" not in article.title
        assert len(article.title) < 600


def test_html_in_feed_text_becomes_plain_text():
    assert html_to_text("<b>Hi</b> &amp; <script>alert(1)</script>bye<br>next") == "Hi & bye\nnext"


# --------------------------------------------------------------------------- the command

def test_collect_command_prints_per_source_and_fails_only_when_every_source_failed(tmp_path, site):
    good = site.feed("/rss.xml", site.items[:2])
    missing = site.server.url("/missing.xml")
    path = write_config(tmp_path / "briefing.yaml", [{"slug": "ukraine", "sources": [{"feed": good}, {"feed": missing}]}])
    result = CliRunner().invoke(cli, ["collect", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert f"feed {good}: 2 new, 0 duplicate" in result.output
    assert f"feed {missing}: failed: HTTP 404 Not Found" in result.output

    path = write_config(tmp_path / "briefing.yaml", [{"slug": "ukraine", "sources": [{"feed": missing}]}])
    result = CliRunner().invoke(cli, ["collect", "--config", str(path), "--topic", "ukraine"])
    assert result.exit_code == 1
    assert "every source failed" in result.output
