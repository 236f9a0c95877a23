"""Property tests (hypothesis) of everything that reads text strangers wrote.

In the suite each property runs a few dozen examples. To fuzz for real (minutes, thousands of
examples), run ``scripts/fuzz.py``; it sets BRIEFING_FUZZ_EXAMPLES. A crash found that way is
kept below as a regular test (``test_found_*``).
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.collect import SourceFailed, html_to_text, parse_feed
from briefing.config import ConfigError, parse_config
from briefing.deliver import clean_header
from briefing.reader import MAX_ARTICLE_CHARS, MAX_TITLE_CHARS, parse_eml, parse_html, parse_text, read_file
from briefing.render import safe_url
from briefing.store import canonical_url, clean_url, minhash_bands, normalise_text

EXAMPLES = int(os.environ.get("BRIEFING_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Text that looks like what the readers expect, mixed with anything at all.
_pieces = st.sampled_from([
    "---\n", "title: ", "date ", "date 2025-08-19 ", "source ", "outlet ", "url: ", "\n\n", "\n", "\r\n", "<",
    ">", "</", "<script>", "</script>", "<p>", "<article>", "<h1>", "&amp;", "&#0;", "&#xD800;", "&lt;", "=?utf-8?q?",
    "?=", "=0D=0A", "*a", "&a ", "!!python/object:os.system ", "[", "]", "{", "}", "- ", ": ", "\x00", "\ufeff",
    "\u2028", "\u202e", "\x1b[31m", "Minister said on Tuesday. ", "javascript:", "http://", "https://x.org/a",
    "Subject: ", "From: ", "Content-Type: text/html; charset=x-unknown\r\n", "MIME-Version: 1.0\r\n",
])
texts = st.lists(st.one_of(_pieces, st.text(max_size=40)), max_size=40).map("".join)
blobs = st.one_of(st.binary(max_size=2000), texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
                  texts.map(lambda t: t.encode("utf-16", "surrogatepass")))


def _check_article(article: object) -> None:
    if article is None:
        return
    assert "\n" not in article.title and len(article.title) <= MAX_TITLE_CHARS
    assert not CONTROL.search(article.title) and not CONTROL.search(article.text.replace("\t", ""))
    assert len(article.text) <= MAX_ARTICLE_CHARS
    assert article.url is None or article.url.lower().startswith(("http://", "https://"))


@FUZZ
@given(texts)
def test_parse_text_never_fails(text: str) -> None:
    _check_article(parse_text(text))


@FUZZ
@given(texts)
def test_parse_html_never_fails(text: str) -> None:
    _check_article(parse_html(text))


@FUZZ
@given(blobs)
def test_parse_eml_never_fails(data: bytes) -> None:
    _check_article(parse_eml(data))


@FUZZ
@given(blobs, st.sampled_from([".txt", ".md", ".html", ".eml"]))
def test_read_file_never_fails(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"article{suffix}"
        path.write_bytes(data)
        _check_article(read_file(path))


_feed_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    """An RSS or Atom document with hostile fields, sometimes cut short or re-encoded."""
    import html

    items = draw(st.lists(st.tuples(_feed_text, _feed_text, _feed_text, _feed_text), max_size=4))
    raw = draw(st.booleans())  # fields unescaped: markup and entities straight in the XML
    esc = (lambda s: s) if raw else html.escape
    if draw(st.booleans()):
        body = "".join(f"<item><title>{esc(t)}</title><link>{esc(l)}</link><guid>{esc(g)}</guid>"
                       f"<description>{esc(d)}</description><pubDate>{esc(g)}</pubDate></item>"
                       for t, l, g, d in items)
        doc = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{esc(draw(_feed_text))}</title>{body}</channel></rss>'
    else:
        body = "".join(f'<entry><title type="html">{esc(t)}</title><link href="{esc(l)}"/><id>{esc(g)}</id>'
                       f'<updated>{esc(g)}</updated><content type="html">{esc(d)}</content></entry>'
                       for t, l, g, d in items)
        doc = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>{body}</feed>'
    if draw(st.booleans()):
        doc = draw(st.sampled_from(['<!DOCTYPE rss [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
                                    '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'])) + doc
    data = doc.encode(draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), "replace")
    return data[:draw(st.integers(0, len(data)))] if draw(st.booleans()) else data


@FUZZ
@given(st.one_of(feeds(), blobs))
def test_feed_bytes_never_crash(data: bytes) -> None:
    """Feed bytes give entries or a SourceFailed; entries hold only plain one-line titles and
    http(s) links."""
    try:
        _, entries = parse_feed(data, "https://example.org/feed", "application/rss+xml")
    except SourceFailed:
        return
    for entry in entries:
        assert "\n" not in entry.title and len(entry.title) <= 500
        assert entry.link is None or entry.link.startswith(("http://", "https://"))


_yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                          st.dates(), st.sampled_from(["A4", "UTC", "sqlite:///x.db", "0 6 * * *", "a@b.org"]))
_config_keys = st.sampled_from(["timezone", "output", "paper", "templates", "store", "retention_days",
                                "catch_up_hours", "lock_wait_seconds", "topics", "smtp", "fetch", "slug", "title",
                                "sources", "folder", "feed", "page", "window", "schedule", "include", "exclude",
                                "recipients", "host", "port", "security", "username", "password_env", "sender",
                                "timeout", "max_bytes", "workers", "allow_networks", "allow_private_addresses"])
configs = st.recursive(_yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(_config_keys, st.text(max_size=8)), inner, max_size=6)),
    max_leaves=30)


@FUZZ
@given(st.dictionaries(_config_keys, configs, max_size=8))
def test_any_config_is_valid_or_a_config_error(data: dict) -> None:
    try:
        parse_config(data, Path("/tmp/fuzz/briefing.yaml"))
    except ConfigError as exc:
        assert "\n" not in exc.format_message() and exc.problems


@FUZZ
@given(texts)
def test_header_cleaning(text: str) -> None:
    cleaned = clean_header(text)
    assert not any(c in cleaned for c in "\r\n\x00\u2028\u2029\x85") and "=?" not in cleaned
    assert len(cleaned) <= 200


@FUZZ
@given(texts)
def test_urls_and_html_text_never_fail(text: str) -> None:
    assert safe_url(text) in ("", text.strip())
    assert safe_url(text) == "" or safe_url(text).lower().startswith(("http://", "https://"))
    canonical_url(text)
    clean_url(text)
    html_to_text(text)
    minhash_bands(normalise_text(text))


# --------------------------------------------------------------------------- crashes found by fuzzing

def test_found_symlink_loop_in_drop_folder(tmp_path: Path) -> None:
    """list_article_files raised RuntimeError on a symlink loop (found with the hostile corpus)."""
    from briefing.reader import list_article_files

    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    assert list_article_files(tmp_path) == []


def test_found_alias_bomb_title_in_front_matter() -> None:
    """A front-matter title that is a YAML alias bomb was turned into a string of 9^n items."""
    bomb = "".join(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9 if i else ['"x"'] * 9) + "]\n" for i in range(9))
    article = parse_text("---\n" + bomb + "title: *l8\n---\nBody text.\n")
    assert article.title == "" and article.text == "Body text."


def test_found_infinite_numbers_in_config() -> None:
    """`max_bytes: .inf` raised OverflowError instead of a ConfigError."""
    try:
        parse_config({"fetch": {"max_bytes": float("inf")}, "topics": [{"slug": "a", "window": float("nan")}]},
                     Path("/tmp/x.yaml"))
    except ConfigError as exc:
        assert {p.split(":")[0] for p in exc.problems} == {"fetch.max_bytes", "topics[0].window"}
    else:  # pragma: no cover
        raise AssertionError("accepted")


def test_found_hostile_from_header_lost_the_email() -> None:
    """An encoded CR LF in the From name made the email package raise: the article was lost."""
    article = parse_eml(b"From: =?utf-8?q?A=0D=0ABcc=3A_x=40y?= <a@example.org>\r\nSubject: Talks\r\n\r\n"
                        b"Ministers met on Tuesday to agree the budget.\r\n")
    assert article is not None and article.title == "Talks"


def test_found_surrogate_character_reference_in_a_feed() -> None:
    """feedparser's lenient parser raised UnicodeEncodeError on '&#xD800;' (found by fuzzing the
    feed path): one such entry failed the whole source."""
    for data in (b"<>&#xD800;", b"<rss><channel><item><title>a &#55296; &#99999999999; &#0; b</title>"
                                b"<description>Text.</description></item></channel></rss>"):
        try:
            _, entries = parse_feed(data, "https://example.org/feed")
        except SourceFailed:
            continue
        assert all("\ud800" not in e.title for e in entries)
