"""The collect stage: fetch every source, store what is new, report per source.

Sources (per topic in the config):

- ``feed: URL``: RSS 0.9x/1.0/2.0 or Atom. The feed's bytes (never a string: feedparser
  would open a string as a path or URL) go to feedparser; each entry's page is fetched and
  its main text taken with trafilatura, falling back to the feed's summary.
- ``page: URL``: one article page, same extraction.
- ``folder: PATH``: a drop folder of ``.txt .md .html .eml`` files, read as ``build --input``
  reads them; a file changed in the last few seconds may still be being written and waits
  for the next run.

A source shared by several topics is fetched once; each entry is filed under the topics
whose ``include``/``exclude`` keywords it matches. A failing source is logged in one line
and skipped: the others go on.
"""
from __future__ import annotations

import datetime as dt
import html as htmllib
import logging
import re
import time
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urljoin, urlsplit

from .config import Config, SourceSpec, TopicConfig, mask_url
from .errors import BriefingError
from .fetch import Fetcher, FetchError, FetchResult, FetchSettings
from .models import Article
from .store import NewArticle, SQLiteStore, clean_url, guid_key, iso, store_for, url_keys

log = logging.getLogger(__name__)

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
FILE_SETTLE_SECONDS = 5.0  # a drop-folder file changed more recently than this may be half-written
MAX_ENTRIES_PER_FEED = 1000
MIN_PAGE_CHARS = 200  # shorter "main text" is a cookie wall or a teaser: the feed summary is better
MIN_ARTICLE_CHARS = 80  # a page source with less is navigation, not an article
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


# --------------------------------------------------------------------------- reports

@dataclass
class SourceReport:
    """What one source gave: counts of articles, or why it failed."""

    kind: str
    value: str
    topics: list[str]
    new: int = 0
    duplicate: int = 0  # already stored, or a near-duplicate copy of a stored article
    filtered: int = 0  # matched no topic's include/exclude keywords
    old: int = 0  # feed entries older than every topic's window: not fetched
    skipped: int = 0  # entries or files with no usable text
    waiting: int = 0  # drop-folder files still being written
    not_modified: bool = False
    failed: str | None = None
    seconds: float = 0.0

    @property
    def label(self) -> str:
        """'feed URL' for logs and the terminal (a password or token in the URL masked)."""
        return f"{self.kind} {self.value if self.kind == 'folder' else mask_url(self.value)}"

    def summary(self) -> str:
        """One line for the terminal: ``3 new, 1 duplicate`` or ``failed: HTTP 404``."""
        if self.failed:
            return f"failed: {self.failed}"
        parts = [f"{self.new} new", f"{self.duplicate} duplicate"]
        for name in ("filtered", "old", "skipped", "waiting"):
            if getattr(self, name):
                parts.append(f"{getattr(self, name)} {name}")
        if self.not_modified:
            parts.append("not modified since last time")
        return ", ".join(parts)


@dataclass
class CollectReport:
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(s.new for s in self.sources)

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if s.failed]

    @property
    def all_failed(self) -> bool:
        """True when there were sources and not one of them worked."""
        return bool(self.sources) and len(self.failed) == len(self.sources)


Progress = Callable[[int, int, SourceReport], None]


class SourceFailed(Exception):
    """A whole source is unusable; the message is the one-line reason."""


class CollectError(BriefingError):
    """Every source of a collect failed."""


# --------------------------------------------------------------------------- entry point

def collect(config: Config, topic_slugs: Iterable[str] | None = None, progress: Progress | None = None,
            *, store: SQLiteStore | None = None, kinds: Iterable[str] = ("feed", "page", "folder")) -> CollectReport:
    """Fetch the sources of the given topics (default: all), store what is new, report per source.

    ``kinds`` narrows the source kinds (a build reads only the local drop folders).
    """
    topics = [config.topic(s) for s in topic_slugs] if topic_slugs else list(config.topics)
    kinds = set(kinds)
    grouped: dict[tuple[str, str], list[TopicConfig]] = {}
    for topic in topics:
        for spec in topic.sources:
            if spec.kind in kinds:
                grouped.setdefault((spec.kind, spec.value), []).append(topic)
    report = CollectReport()
    own_store = store is None
    store = store or store_for(config)
    try:
        with Fetcher(FetchSettings.from_config(config.fetch)) as fetcher:
            run = _Run(config, store, fetcher)
            for done, ((kind, value), source_topics) in enumerate(grouped.items(), start=1):
                result = run.source(SourceSpec(kind, value), source_topics)
                report.sources.append(result)
                if progress:
                    progress(done, len(grouped), result)
    finally:
        if own_store:
            store.close()
    log.info("collected %d new article(s) from %d source(s), %d failed",
             report.new, len(report.sources), len(report.failed))
    return report


# --------------------------------------------------------------------------- helpers

def matching_topics(topics: Iterable[TopicConfig], title: str, text: str) -> list[str]:
    """Slugs of the topics whose include/exclude keywords let this article in."""
    haystack = f"{title}\n{text}"
    out = []
    for topic in topics:
        if topic.include and not any(_has_word(haystack, w) for w in topic.include):
            continue
        if any(_has_word(haystack, w) for w in topic.exclude):
            continue
        out.append(topic.slug)
    return out


def _has_word(haystack: str, phrase: str) -> bool:
    """Case-insensitive whole-word (or whole-phrase) match: "EU" is not found in "queue"."""
    words = phrase.split()
    if not words:
        return False
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return re.search(pattern, haystack, re.I) is not None


def html_to_text(fragment: str) -> str:
    """Plain text of a feed's HTML summary or title: tags dropped, entities decoded."""
    text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", fragment or "")
    text = re.sub(r"(?i)<\s*(br|/p|/div|/li|/h[1-6])\b[^>]*>", "\n", text)
    text = htmllib.unescape(re.sub(r"<[^>]*>", " ", text))
    lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _one_line(fragment: object, limit: int) -> str:
    """A feed's title (HTML allowed) as one line of plain text, at most ``limit`` characters."""
    return " ".join(html_to_text(fragment if isinstance(fragment, str) else "").split())[:limit]


def time_bounds(published: dt.datetime | dt.date | None, now: dt.datetime,
                tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime, str | None]:
    """When an article was published, as a (earliest, latest, text) range.

    An exact time is one instant; a date-only article spans its whole local day; an
    undated one was published at some time before now (so it also belongs to a rebuilt
    earlier brief, as with ``build --input``). Times in the future (a wrong clock) become now.
    """
    if isinstance(published, dt.datetime):
        moment = published if published.tzinfo else published.replace(tzinfo=tz)
        moment = min(moment, now)
        return moment, moment, iso(moment)
    if isinstance(published, dt.date):
        start = dt.datetime.combine(published, dt.time(0), tzinfo=tz)
        end = start + dt.timedelta(days=1) - dt.timedelta(seconds=1)
        return min(start, now), min(end, now), published.isoformat()
    return EPOCH, now, None


_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): htmllib.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(tag)}


def page_metadata(html: str, base_url: str) -> tuple[str | None, str | None]:
    """The page's canonical URL (an AMP page names its original) and og:site_name."""
    head = html[:200_000]  # metadata sits in <head>; do not scan a whole huge page
    canonical = site = None
    for tag in _LINK_TAG.findall(head):
        a = _attrs(tag)
        if "canonical" in a.get("rel", "").lower().split() and a.get("href"):
            url = urljoin(base_url, a["href"].strip())
            if urlsplit(url).scheme in ("http", "https"):
                canonical = url
                break
    for tag in _META_TAG.findall(head):
        a = _attrs(tag)
        if a.get("property", a.get("name", "")).lower() == "og:site_name" and a.get("content", "").strip():
            site = " ".join(a["content"].split())[:200]
            break
    return canonical, site


def decode_html(result: FetchResult) -> str:
    """The page as text: the charset the server or the page declares, else UTF-8/cp1252."""
    from .reader import read_bytes

    m = re.search(r"charset=[\"']?([\w.:-]+)", result.content_type, re.I) or \
        re.search(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", result.content[:4096], re.I)
    if m:
        charset = m.group(1).decode("ascii", "replace") if isinstance(m.group(1), bytes) else m.group(1)
        try:
            return result.content.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return read_bytes(result.content)


def _host(url: str | None) -> str | None:
    host = (urlsplit(url).hostname or "") if url else ""
    return host.removeprefix("www.") or None


def _http_url(url: object) -> str | None:
    """``url`` if it is an absolute http(s) URL (never javascript:, data:, file:...)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname else None


@dataclass
class _Entry:
    """One feed entry, cleaned."""

    link: str | None
    guid: str | None
    title: str
    summary: str
    published: dt.datetime | None


@dataclass
class _Page:
    """An article page fetched and extracted (``article`` None when it held no text)."""

    url: str
    canonical: str | None
    site: str | None
    article: Article | None


def _feed_entries(parsed: Any) -> list[_Entry]:
    entries = []
    for raw in parsed.entries[:MAX_ENTRIES_PER_FEED]:
        link = _http_url(raw.get("link"))
        if not link:
            alternates = [l.get("href") for l in raw.get("links", []) if l.get("rel", "alternate") == "alternate"]
            link = next((u for u in map(_http_url, alternates) if u), None)
        content = raw.get("content") or []
        bodies = [c.get("value", "") for c in content] + [raw.get("summary", "")]
        summary = max((html_to_text(b) for b in bodies if b), key=len, default="")
        stamp = raw.get("published_parsed") or raw.get("updated_parsed")
        published = dt.datetime(*stamp[:6], tzinfo=dt.timezone.utc) if stamp else None
        entries.append(_Entry(link=link, guid=(raw.get("id") or None), title=_one_line(raw.get("title"), 500),
                              summary=summary, published=published))
    return entries


def _looks_like_html(content: bytes) -> bool:
    head = content[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


# --------------------------------------------------------------------------- one run

class _Run:
    """State of one collect run: the store, the HTTP client, the clock."""

    def __init__(self, config: Config, store: SQLiteStore, fetcher: Fetcher) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.tz = zoneinfo.ZoneInfo(config.timezone)
        self.now = dt.datetime.now(self.tz)

    def source(self, spec: SourceSpec, topics: list[TopicConfig]) -> SourceReport:
        """Collect one source; never raises for the source's own faults."""
        report = SourceReport(spec.kind, spec.value, [t.slug for t in topics])
        started = time.monotonic()
        try:
            {"feed": self._feed, "page": self._page, "folder": self._folder}[spec.kind](spec, topics, report)
        except (SourceFailed, FetchError) as exc:
            report.failed = str(exc) or type(exc).__name__
        except Exception as exc:  # a parser bug on hostile input must not stop the other sources
            log.debug("%s: unexpected error", report.label, exc_info=True)
            report.failed = f"unexpected {type(exc).__name__}: {exc}"
        report.seconds = time.monotonic() - started
        if report.failed:
            log.warning("%s: failed: %s", report.label, report.failed)
        else:
            log.info("%s: %s (%.1fs)", report.label, report.summary(), report.seconds)
        return report

    # -- storing

    def _store(self, new: NewArticle, topics: list[TopicConfig], report: SourceReport) -> None:
        wanted = matching_topics(topics, new.title, new.text)
        result = self.store.add_article(new, wanted)
        if result.status == "new":
            if wanted:
                report.new += 1
            else:
                report.filtered += 1
            log.debug("%s: stored #%d %s", report.label, result.article_id, new.url or new.path)
        else:
            report.duplicate += 1
            log.debug("%s: %s of #%s (%s): %s", report.label, result.status, result.of, result.reason,
                      new.url or new.path)

    def _known(self, keys: list[str], topics: list[TopicConfig], report: SourceReport) -> bool:
        """True when the store already has an article with one of ``keys`` (then counted as a
        duplicate, and filed under any of ``topics`` it was not yet filed under)."""
        found = self.store.find_by_keys(keys)
        if found is None:
            return False
        if len(self.store.known_keys(keys)) < len(set(keys)):  # e.g. a new GUID for a known URL
            self.store.add_keys(found, keys)
        missing = [t for t in topics if t.slug not in self.store.topics_of(found)]
        if missing:
            stored = self.store.article(found)
            wanted = matching_topics(missing, stored.title, stored.text) if stored else []
            if wanted:
                self.store.link_topics(found, wanted)
        report.duplicate += 1
        return True

    def _new_article(self, article: Article, published: dt.datetime | dt.date | None, keys: list[str],
                     source: str) -> NewArticle:
        lo, hi, text = time_bounds(published, self.now, self.tz)
        return NewArticle(text=article.text.strip(), title=article.title.strip(), url=article.url,
                          outlet=article.outlet, published=text, time_lo=lo, time_hi=hi, keys=keys,
                          source=source, path=article.path)

    # -- pages

    def _fetch_page(self, url: str) -> _Page:
        from .reader import parse_html

        result = self.fetcher.get(url, accept=HTML_ACCEPT)
        kind = result.content_type.split(";")[0].strip().lower()
        if kind and not (kind.startswith("text/") or "html" in kind or "xml" in kind):
            raise FetchError(f"not a web page ({kind})")
        html = decode_html(result)
        canonical, site = page_metadata(html, result.url)
        return _Page(url=result.url, canonical=canonical, site=site, article=parse_html(html, url=result.url))

    def _page(self, spec: SourceSpec, topics: list[TopicConfig], report: SourceReport) -> None:
        if self._known(url_keys(spec.value), topics, report):
            return
        page = self._fetch_page(spec.value)
        if page.article is None or len(page.article.text.strip()) < MIN_ARTICLE_CHARS:
            raise SourceFailed("no article text on the page")
        article = page.article
        article.url = clean_url(page.canonical or page.url)
        article.outlet = page.site or _host(article.url)
        keys = url_keys(spec.value, page.url, page.canonical)
        self._store(self._new_article(article, article.published, keys, report.label), topics, report)

    # -- feeds

    def _feed(self, spec: SourceSpec, topics: list[TopicConfig], report: SourceReport) -> None:
        cache_key = f"feed {spec.value} {','.join(sorted(t.slug for t in topics))}"
        etag, modified = self.store.validators(cache_key)
        result = self.fetcher.get(spec.value, etag=etag, last_modified=modified, accept=FEED_ACCEPT)
        if result.not_modified:
            report.not_modified = True
            return
        parsed, entries = parse_feed(result.content, result.url, result.content_type)
        if parsed.get("bozo"):
            log.warning("%s: feed has errors (%s); using the %d entries read", report.label,
                        _bozo_reason(parsed), len(entries))
        feed_title = _one_line(parsed.feed.get("title"), 200) or None
        self._entries(entries, feed_title, topics, report)
        # Remember the validators only once every entry is stored: a crash re-reads the feed.
        self.store.save_validators(cache_key, result.etag, result.last_modified)

    def _entries(self, entries: list[_Entry], feed_title: str | None, topics: list[TopicConfig],
                 report: SourceReport) -> None:
        oldest = self.now - dt.timedelta(hours=max(t.window_hours for t in topics))
        todo: list[tuple[_Entry, list[str]]] = []
        batch: set[str] = set()
        for entry in entries:
            keys = url_keys(entry.link) + [k for k in [guid_key(entry.guid)] if k]
            if entry.published and entry.published < oldest:
                report.old += 1
            elif not keys and not entry.summary:
                report.skipped += 1
            elif batch.intersection(keys):
                report.duplicate += 1  # the same story twice in one feed
            elif not self._known(keys, topics, report):
                batch.update(keys)
                todo.append((entry, keys))
        # Pages are fetched a few at a time (network-bound); articles are stored in feed order.
        with ThreadPoolExecutor(max_workers=max(1, self.config.fetch.workers)) as pool:
            pages = pool.map(self._entry_page, [e for e, _ in todo])
            for (entry, keys), page in zip(todo, pages):
                new = self._entry_article(entry, page, keys, feed_title, report.label)
                if new is None:
                    report.skipped += 1
                    log.warning("%s: entry %s skipped: no text on the page or in the feed", report.label,
                                entry.link or entry.guid)
                else:
                    self._store(new, topics, report)

    def _entry_page(self, entry: _Entry) -> _Page | str:
        """The entry's page, or the reason it could not be had (the summary then stands in)."""
        if not entry.link:
            return "no link"
        try:
            return self._fetch_page(entry.link)
        except FetchError as exc:
            return str(exc)
        except Exception as exc:  # extraction of a hostile page: fall back to the summary
            log.debug("%s: extraction failed", entry.link, exc_info=True)
            return f"extraction failed: {type(exc).__name__}"

    def _entry_article(self, entry: _Entry, page: _Page | str, keys: list[str], feed_title: str | None,
                       source: str) -> NewArticle | None:
        """The stored form of an entry: the page's main text, else the feed's summary."""
        page_chars = len(page.article.text.strip()) if isinstance(page, _Page) and page.article else 0
        if page_chars < MIN_PAGE_CHARS and page_chars <= len(entry.summary):
            if not entry.summary:
                return None
            if isinstance(page, str) and entry.link:
                log.info("%s: page unavailable (%s); using the feed's summary", entry.link, page)
            url = clean_url(entry.link) if entry.link else None
            article = Article(text=entry.summary, title=entry.title, url=url,
                              outlet=(page.site if isinstance(page, _Page) else None) or feed_title or _host(url))
            return self._new_article(article, entry.published, keys, source)
        article = page.article
        article.title = entry.title or article.title
        article.url = clean_url(page.canonical or page.url)
        article.outlet = page.site or feed_title or _host(article.url)
        keys = keys + url_keys(page.url, page.canonical)
        return self._new_article(article, entry.published or article.published, keys, source)

    # -- drop folders

    def _folder(self, spec: SourceSpec, topics: list[TopicConfig], report: SourceReport) -> None:
        from .reader import list_article_files, read_file

        folder = Path(spec.value)
        if not folder.is_dir():
            raise SourceFailed("no such folder")
        try:
            files = list_article_files(folder)
        except OSError as exc:
            raise SourceFailed(f"cannot list the folder: {exc.strerror or exc}") from None
        for path in files:
            try:
                st = path.lstat()
            except OSError:
                continue  # removed meanwhile
            if time.time() - st.st_mtime < FILE_SETTLE_SECONDS:
                report.waiting += 1
                log.warning("%s: changed %.1fs ago, may still be being written: left for the next run",
                            path, time.time() - st.st_mtime)
                continue
            file_key = f"file:{path.resolve()}:{st.st_mtime_ns}:{st.st_size}"
            if self._known([file_key], topics, report):
                continue
            article = read_file(path)  # logs its own reason when the file is unusable
            if article is None:
                report.skipped += 1
                continue
            keys = [file_key] + url_keys(article.url)
            self._store(self._new_article(article, article.published, keys, report.label), topics, report)


def parse_feed(content: bytes, url: str, content_type: str = "") -> tuple[Any, list[_Entry]]:
    """A feed's bytes, parsed: feedparser's result and the cleaned entries.

    Bytes, never str: feedparser treats a string as a file name or URL to open. Raises
    SourceFailed for what is not a feed (an HTML page, XML too broken to give an entry).
    """
    import feedparser

    if not isinstance(content, bytes):
        raise TypeError("parse_feed takes the feed's bytes")
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    try:
        parsed = feedparser.parse(_clean_charrefs(content), response_headers=headers)
    except (ValueError, UnicodeError, OverflowError, RecursionError, LookupError) as exc:
        # feedparser's lenient parser has crashed on odd character references and encodings.
        raise SourceFailed(f"unreadable feed ({type(exc).__name__})") from None
    entries = _feed_entries(parsed)
    _check_feed(parsed, content, entries)
    return parsed, entries


_CHARREF_RE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,24}));")


def _clean_charrefs(content: bytes) -> bytes:
    """Numeric character references to code points no text may hold (NUL, surrogates, beyond
    U+10FFFF) become U+FFFD: feedparser's lenient parser crashes on them."""
    def fix(m: re.Match[bytes]) -> bytes:
        code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
        bad = code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF
        return b"&#xFFFD;" if bad else m.group(0)

    return _CHARREF_RE.sub(fix, content) if b"&#" in content else content


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc else "unknown error"


def _check_feed(parsed: Any, content: bytes, entries: list[_Entry]) -> None:
    """Refuse what is not a feed: an HTML page, or XML too broken to read a usable entry from.

    A feed with minor errors whose entries still read (feedparser recovers many) is kept.
    """
    if not parsed.get("version") and _looks_like_html(content):
        raise SourceFailed("not an RSS or Atom feed (got an HTML page)")
    usable = [e for e in entries if e.link or e.summary]
    if parsed.get("bozo") and not usable:
        raise SourceFailed(f"malformed feed: {_bozo_reason(parsed)}")
    if not parsed.get("version") and not usable:
        raise SourceFailed("not an RSS or Atom feed")

