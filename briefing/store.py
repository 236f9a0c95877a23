"""The article store: every collected article once, and which articles went into which brief.

One module, one interface, chosen by a URL-style setting (``store:`` in the config):
``sqlite:///PATH`` (the default, ``OUTPUT/briefing.db``) is built in; ``postgresql://...``
is reserved for a team that outgrows one machine and is refused with a clear message in
this build. The SQL below sticks to what both dialects share (no SQLite-only upserts
beyond ``ON CONFLICT``), so a PostgreSQL class would override only connecting and locking.

SQLite runs in WAL mode with a busy timeout, and every write is a short ``BEGIN IMMEDIATE``
transaction: a scheduled run and a manual one can use the store at once, and a crash
(even SIGKILL) leaves either the whole change or none of it.

An article is recognised again by any of its *keys*: canonical URL forms (see
:func:`url_keys`), a feed GUID, a drop-folder file's identity. The same text under another
URL is caught by a hash of the normalised text; a near-duplicate (a syndicated copy with
small edits, over ~85% the same text) by MinHash/LSH candidates confirmed with rapidfuzz.
Such a copy is stored with ``copy_of`` pointing at the first version and never reaches a
brief on its own, so it counts as one outlet's report.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import sqlite3
import unicodedata
import zlib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from .config import Config, TopicConfig
from .errors import BriefingError
from .models import Article

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
NEAR_DUPLICATE = 85.0  # rapidfuzz ratio (0-100) above which two texts are one article
BUSY_TIMEOUT_MS = 30_000


class StoreError(BriefingError):
    """The store cannot be opened or used."""


# --------------------------------------------------------------------------- URL keys

# Tracking parameters that never change which page is served.
_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|gclsrc|dclid|msclkid|mc_cid|mc_eid|igshid|_ga|_gl|yclid|"
                       r"ocid|cmpid|smid|smtyp|s_cid|icid|itm_.*|ns_.*|sr_share|"
                       r"ref|ref_src|ref_url|amp|outputtype|__twitter_impression)$",
                       re.I)
_AMP_PATH = re.compile(r"(/amp/?$|\.amp(?=\.html?$|$)|^/amp(?=/))", re.I)


def canonical_url(url: str) -> str | None:
    """A scheme-less key for ``url``: https/http, www., AMP forms, tracking parameters,
    fragments, default ports, trailing slashes and query order no longer matter.

    >>> canonical_url("http://www.Example.com/news/story/?utm_source=x&b=2&a=1#top")
    'example.com/news/story?a=1&b=2'
    >>> canonical_url("https://example.com/amp/news/story")
    'example.com/news/story'
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    path, host = _unwrap_amp_cache(parts.path, host)
    for prefix in ("www.", "amp.", "m."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = _AMP_PATH.sub("", path) or "/"
    path = re.sub(r"/{2,}", "/", unquote(path)).rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    return urlunsplit(("", host, path, urlencode(query), "")).lstrip("/")


def _unwrap_amp_cache(path: str, host: str) -> tuple[str, str]:
    """Google's AMP cache serves example.com/a as *.cdn.ampproject.org/c/s/example.com/a."""
    if host.endswith("cdn.ampproject.org"):
        m = re.match(r"^/(?:[a-z]/)*(?:s/)?([^/]+)(/.*)?$", path)
        if m:
            return m.group(2) or "/", m.group(1).lower()
    return path, host


def clean_url(url: str) -> str:
    """``url`` without tracking parameters or fragment, for showing and citing."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    # No user info: "https://trusted.example@elsewhere.example/" is not trusted.example's page.
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))


def url_keys(*urls: str | None) -> list[str]:
    """Store keys for every usable URL given (duplicates removed, order kept)."""
    keys = []
    for url in urls:
        canon = canonical_url(url) if url else None
        if canon and f"url:{canon}" not in keys:
            keys.append(f"url:{canon}")
    return keys


def guid_key(guid: str | None) -> str | None:
    guid = (guid or "").strip()
    return f"guid:{guid[:500]}" if guid else None


# --------------------------------------------------------------------------- text fingerprints

def normalise_text(text: str) -> str:
    """Lower-case words only: quotes, punctuation and spacing differences vanish."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.findall(r"\w+", text))


def content_hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


_NUM_PERM = 64
_BANDS, _ROWS = 32, 2  # LSH: catches pairs from a shingle Jaccard of about 0.2 up
_MERSENNE = (1 << 61) - 1
_CHUNK = 16_384  # shingles hashed at once (bounds memory to a few MB)
_PERMS: tuple[object, object] | None = None


def _permutations() -> tuple[object, object]:
    global _PERMS
    if _PERMS is None:
        import numpy as np

        rng = np.random.RandomState(20250819)  # fixed: signatures must be stable across runs
        a = rng.randint(1, _MERSENNE, size=_NUM_PERM, dtype=np.uint64)
        b = rng.randint(0, _MERSENNE, size=_NUM_PERM, dtype=np.uint64)
        _PERMS = (a, b)
    return _PERMS


def minhash_bands(normalised: str) -> list[int]:
    """LSH band hashes of the text's word 3-shingles (signed 64-bit, for SQL INTEGER)."""
    import numpy as np

    words = normalised.split()
    if len(words) < 3:
        return []
    shingles = {" ".join(words[i:i + 3]) for i in range(len(words) - 2)}
    hv = np.fromiter((zlib.crc32(s.encode("utf-8")) for s in shingles), dtype=np.uint64, count=len(shingles))
    a, b = _permutations()
    mins = np.full(_NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    # In chunks: a 5 MB article has ~800,000 shingles, and one 64 x n matrix of them would
    # take gigabytes. The minimum over chunks is the same signature.
    for start in range(0, len(hv), _CHUNK):
        part = hv[start:start + _CHUNK]
        with np.errstate(over="ignore"):  # wrapping multiplication is part of the hash
            sig = ((np.outer(a, part) + b[:, None]) % np.uint64(_MERSENNE)) & np.uint64(0xFFFFFFFF)
        mins = np.minimum(mins, sig.min(axis=1).astype(np.uint64))
    bands = []
    for i in range(_BANDS):
        band = mins[i * _ROWS:(i + 1) * _ROWS].tobytes()
        digest = int.from_bytes(hashlib.blake2b(band, digest_size=8, person=bytes([i])).digest(), "big")
        bands.append(digest - (1 << 64) if digest >= 1 << 63 else digest)
    return bands


def similarity(a: str, b: str) -> float:
    """0-100: how much of two normalised texts is the same (rapidfuzz's normalised Indel)."""
    from rapidfuzz import fuzz

    # Bound the cost on huge texts: the first 30,000 characters decide. The cutoff lets
    # rapidfuzz give up early on pairs that cannot reach it (e.g. very different lengths).
    return fuzz.ratio(a[:30_000], b[:30_000], score_cutoff=NEAR_DUPLICATE)


# --------------------------------------------------------------------------- records

def iso(moment: dt.datetime) -> str:
    """A UTC timestamp as fixed-width text, so SQL compares it correctly as a string."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


@dataclass
class NewArticle:
    """An article about to be stored. ``time_lo``/``time_hi`` bound when it was published
    (equal for an exact time; a whole day for a date-only article)."""

    text: str
    title: str
    url: str | None
    outlet: str | None
    published: str | None  # ISO date or UTC timestamp, as known
    time_lo: dt.datetime
    time_hi: dt.datetime
    keys: list[str]
    source: str
    path: str | None = None


@dataclass
class StoredArticle:
    id: int
    text: str
    title: str
    url: str | None
    outlet: str | None
    published: str | None
    path: str | None
    first_seen: str


@dataclass
class AddResult:
    """What ``add_article`` did: "new", "duplicate" (already stored) or "copy" (near-duplicate)."""

    status: str
    article_id: int
    of: int | None = None  # the article it duplicates or copies
    reason: str = ""


@dataclass
class BriefRecord:
    id: int
    topic: str
    date: str
    written_at: str
    scheduled: bool
    paths: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- the store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    url TEXT, title TEXT NOT NULL DEFAULT '', outlet TEXT, published TEXT,
    time_lo TEXT NOT NULL, time_hi TEXT NOT NULL,
    text TEXT NOT NULL, content_hash TEXT NOT NULL UNIQUE,
    copy_of INTEGER REFERENCES articles(id),
    source TEXT NOT NULL, path TEXT, first_seen TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS articles_time ON articles(time_hi);
CREATE TABLE IF NOT EXISTS article_keys (
    key TEXT PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id));
CREATE TABLE IF NOT EXISTS article_topics (
    article_id INTEGER NOT NULL REFERENCES articles(id), topic TEXT NOT NULL,
    PRIMARY KEY (topic, article_id));
CREATE TABLE IF NOT EXISTS lsh_bands (
    band INTEGER NOT NULL, hash INTEGER NOT NULL, article_id INTEGER NOT NULL REFERENCES articles(id));
CREATE INDEX IF NOT EXISTS lsh_lookup ON lsh_bands(band, hash);
CREATE TABLE IF NOT EXISTS http_cache (
    key TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS briefs (
    id INTEGER PRIMARY KEY, topic TEXT NOT NULL, date TEXT NOT NULL, written_at TEXT NOT NULL,
    scheduled INTEGER NOT NULL DEFAULT 0, paths TEXT NOT NULL DEFAULT '',
    UNIQUE (topic, date));
CREATE TABLE IF NOT EXISTS brief_articles (
    brief_id INTEGER NOT NULL REFERENCES briefs(id), article_id INTEGER NOT NULL REFERENCES articles(id),
    PRIMARY KEY (brief_id, article_id));
CREATE INDEX IF NOT EXISTS brief_articles_article ON brief_articles(article_id);
"""


def open_store(url: str, base: Path | None = None) -> "SQLiteStore":
    """Open the store named by ``url``; a relative SQLite path resolves against ``base``."""
    if url.startswith("sqlite:///"):
        raw = url[len("sqlite:///"):]
        if raw == ":memory:":
            return SQLiteStore(":memory:")
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = (base or Path.cwd()) / path
        return SQLiteStore(path)
    if url.startswith(("postgresql://", "postgres://")):
        raise StoreError(f"store {_mask(url)}: PostgreSQL is not supported in this build; "
                         "use sqlite:///PATH (the default)")
    raise StoreError(f"store {_mask(url)}: expected sqlite:///PATH or postgresql://...")


def _mask(url: str) -> str:
    """The URL with any password hidden (it may appear in error messages and logs)."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def store_for(config: Config) -> "SQLiteStore":
    """The configured store (``config.store``), relative paths against the config's folder."""
    return open_store(config.store, base=Path(config.path).resolve().parent)


class SQLiteStore:
    """The SQLite store. Not shared between threads: open one per thread or process."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        if isinstance(path, Path):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{path.parent}: cannot create the store's folder: {exc.strerror or exc}") from None
        try:
            # isolation_level=None: transactions are begun explicitly (BEGIN IMMEDIATE).
            self._db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                       check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if path != ":memory:":
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no commit's integrity
            self._db.execute("PRAGMA foreign_keys = ON")
            with self.transaction():
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    self._db.execute(statement)
                self._db.execute("INSERT INTO meta(key, value) VALUES ('schema', ?) ON CONFLICT(key) DO NOTHING",
                                 (str(SCHEMA_VERSION),))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open the store: {exc}") from None

    # -- plumbing

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> "_Transaction":
        """A write transaction taken at once (BEGIN IMMEDIATE): no lock upgrade deadlocks."""
        return _Transaction(self._db, str(self.path))

    def _one(self, sql: str, args: Sequence = ()) -> sqlite3.Row | None:
        return self._db.execute(sql, args).fetchone()

    # -- lookups

    def find_by_keys(self, keys: Iterable[str]) -> int | None:
        """The article any of ``keys`` belongs to, or None."""
        keys = [k for k in keys if k]
        if not keys:
            return None
        marks = ",".join("?" * len(keys))
        row = self._one(f"SELECT article_id FROM article_keys WHERE key IN ({marks}) LIMIT 1", keys)
        return int(row[0]) if row else None

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` the store already has."""
        keys = [k for k in keys if k]
        if not keys:
            return set()
        marks = ",".join("?" * len(keys))
        return {r[0] for r in self._db.execute(f"SELECT key FROM article_keys WHERE key IN ({marks})", keys)}

    def root_of(self, article_id: int) -> int:
        """The article a near-duplicate copies (itself when it is an original)."""
        row = self._one("SELECT copy_of FROM articles WHERE id = ?", (article_id,))
        return int(row[0]) if row and row[0] is not None else article_id

    def article(self, article_id: int) -> StoredArticle | None:
        row = self._one("SELECT * FROM articles WHERE id = ?", (article_id,))
        return _stored(row) if row else None

    def topics_of(self, article_id: int) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT topic FROM article_topics WHERE article_id = ?",
                                               (article_id,))}

    def count_articles(self, originals_only: bool = False) -> int:
        where = " WHERE copy_of IS NULL" if originals_only else ""
        return int(self._one(f"SELECT count(*) FROM articles{where}")[0])

    # -- writes

    def add_keys(self, article_id: int, keys: Iterable[str]) -> None:
        with self.transaction():
            self._add_keys(article_id, keys)

    def _add_keys(self, article_id: int, keys: Iterable[str]) -> None:
        self._db.executemany("INSERT INTO article_keys(key, article_id) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
                             [(k, article_id) for k in keys if k])

    def link_topics(self, article_id: int, topics: Iterable[str]) -> None:
        """File an article (and the original it copies) under topics."""
        with self.transaction():
            self._link_topics(article_id, topics)

    def _link_topics(self, article_id: int, topics: Iterable[str]) -> None:
        ids = {article_id, self.root_of(article_id)}
        self._db.executemany("INSERT INTO article_topics(article_id, topic) VALUES (?, ?) "
                             "ON CONFLICT DO NOTHING", [(i, t) for i in ids for t in topics])

    def add_article(self, new: NewArticle, topics: Iterable[str]) -> AddResult:
        """Store ``new`` once, filed under ``topics``; say whether it was new, a duplicate or a copy.

        The look-ups run inside the write transaction, so two collectors storing the same
        story at once still store it once.
        """
        topics = list(topics)
        norm = normalise_text(new.text)
        digest = content_hash(norm)
        bands = minhash_bands(norm)  # computed before taking the write lock
        with self.transaction():
            found = self.find_by_keys(new.keys)
            reason = "same URL or GUID"
            if found is None:
                row = self._one("SELECT id FROM articles WHERE content_hash = ?", (digest,))
                found, reason = (int(row[0]), "same text") if row else (None, "")
            if found is not None:
                self._add_keys(found, new.keys)
                self._link_topics(found, topics)
                return AddResult("duplicate", found, of=found, reason=reason)
            original, score = self._near_duplicate(norm, bands)
            article_id = self._insert(new, digest, original)
            self._add_keys(article_id, new.keys)
            self._link_topics(article_id, topics)
            if original is not None:
                return AddResult("copy", article_id, of=original, reason=f"{score:.0f}% the same text")
            self._db.executemany("INSERT INTO lsh_bands(band, hash, article_id) VALUES (?, ?, ?)",
                                 [(i, h, article_id) for i, h in enumerate(bands)])
            return AddResult("new", article_id)

    def _near_duplicate(self, norm: str, bands: list[int]) -> tuple[int | None, float]:
        """The original article ``norm`` nearly copies, with the similarity score."""
        if not bands:
            return None, 0.0
        clauses = " OR ".join("(band = ? AND hash = ?)" for _ in bands)
        args = [v for i, h in enumerate(bands) for v in (i, h)]
        rows = self._db.execute(f"SELECT DISTINCT article_id FROM lsh_bands WHERE {clauses}", args).fetchall()
        best: tuple[int | None, float] = (None, 0.0)
        for (candidate,) in rows:
            text = self._one("SELECT text FROM articles WHERE id = ?", (candidate,))[0]
            score = similarity(norm, normalise_text(text))
            if score >= NEAR_DUPLICATE and score > best[1]:
                best = (int(candidate), score)
        return best

    def _insert(self, new: NewArticle, digest: str, copy_of: int | None) -> int:
        cur = self._db.execute(
            "INSERT INTO articles(url, title, outlet, published, time_lo, time_hi, text, content_hash, copy_of,"
            " source, path, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new.url, new.title, new.outlet, new.published, iso(new.time_lo), iso(new.time_hi), new.text, digest,
             copy_of, new.source, new.path, iso(dt.datetime.now(dt.timezone.utc))))
        return int(cur.lastrowid)

    # -- HTTP validators (ETag / Last-Modified)

    def validators(self, key: str) -> tuple[str | None, str | None]:
        row = self._one("SELECT etag, last_modified FROM http_cache WHERE key = ?", (key,))
        return (row[0], row[1]) if row else (None, None)

    def save_validators(self, key: str, etag: str | None, last_modified: str | None) -> None:
        with self.transaction():
            if not etag and not last_modified:
                self._db.execute("DELETE FROM http_cache WHERE key = ?", (key,))
                return
            self._db.execute(
                "INSERT INTO http_cache(key, etag, last_modified, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
                "updated = excluded.updated", (key, etag, last_modified, iso(dt.datetime.now(dt.timezone.utc))))

    # -- builds

    def articles_for_build(self, topic: str, date: dt.date, start: dt.datetime,
                           end: dt.datetime) -> list[StoredArticle]:
        """The topic's original articles published between ``start`` and ``end`` that no
        earlier brief of the topic used (a rebuild of ``date`` takes its own again)."""
        rows = self._db.execute(
            "SELECT a.* FROM articles a JOIN article_topics t ON t.article_id = a.id "
            "WHERE t.topic = ? AND a.copy_of IS NULL AND a.time_hi >= ? AND a.time_lo <= ? "
            "AND NOT EXISTS (SELECT 1 FROM brief_articles ba JOIN briefs b ON b.id = ba.brief_id "
            "                WHERE ba.article_id = a.id AND b.topic = ? AND b.date < ?) "
            "ORDER BY a.time_hi, a.id",
            (topic, iso(start), iso(end), topic, date.isoformat())).fetchall()
        return [_stored(r) for r in rows]

    def record_brief(self, topic: str, date: dt.date, article_ids: Iterable[int], paths: Iterable[Path | str],
                     scheduled: bool = False) -> int:
        """Record the brief of ``topic`` on ``date`` as written, with the articles it used,
        in one transaction (a rebuild of the same date replaces the list)."""
        now = iso(dt.datetime.now(dt.timezone.utc))
        with self.transaction():
            self._db.execute(
                "INSERT INTO briefs(topic, date, written_at, scheduled, paths) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(topic, date) DO UPDATE SET written_at = excluded.written_at, "
                "scheduled = max(briefs.scheduled, excluded.scheduled), paths = excluded.paths",
                (topic, date.isoformat(), now, int(scheduled), "\n".join(str(p) for p in paths)))
            brief_id = int(self._one("SELECT id FROM briefs WHERE topic = ? AND date = ?",
                                     (topic, date.isoformat()))[0])
            self._db.execute("DELETE FROM brief_articles WHERE brief_id = ?", (brief_id,))
            self._db.executemany("INSERT INTO brief_articles(brief_id, article_id) VALUES (?, ?)",
                                 [(brief_id, a) for a in sorted(set(article_ids))])
        return brief_id

    def brief(self, topic: str, date: dt.date) -> BriefRecord | None:
        row = self._one("SELECT * FROM briefs WHERE topic = ? AND date = ?", (topic, date.isoformat()))
        if row is None:
            return None
        return BriefRecord(id=row["id"], topic=row["topic"], date=row["date"], written_at=row["written_at"],
                           scheduled=bool(row["scheduled"]), paths=[p for p in row["paths"].split("\n") if p])

    def brief_article_ids(self, brief_id: int) -> list[int]:
        return [r[0] for r in self._db.execute(
            "SELECT article_id FROM brief_articles WHERE brief_id = ? ORDER BY article_id", (brief_id,))]

    def integrity_ok(self) -> bool:
        return self._one("PRAGMA integrity_check")[0] == "ok"


class _Transaction:
    """``with store.transaction():`` BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error; nests.

    SQLite's own failures (a full disk, a read-only file, a lock held past the busy
    timeout, a damaged file) become one clear :class:`StoreError` naming the store.
    """

    def __init__(self, db: sqlite3.Connection, label: str = "store") -> None:
        self._db = db
        self._label = label
        self._outer = False

    def __enter__(self) -> None:
        if not self._db.in_transaction:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                if not _environmental(exc):
                    raise
                raise _store_failure(self._label, exc) from None
            self._outer = True

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if not self._outer:
            return
        if exc_type is None:
            try:
                self._db.execute("COMMIT")
                return
            except sqlite3.DatabaseError as failure:
                exc = failure
        if self._db.in_transaction:
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                log.debug("rollback failed", exc_info=True)
        if isinstance(exc, sqlite3.DatabaseError) and _environmental(exc):
            raise _store_failure(self._label, exc) from None
        if exc_type is None and exc is not None:
            raise exc


def _environmental(exc: sqlite3.DatabaseError) -> bool:
    """A failure of the disk, the file or the lock (not a constraint or a bug in the SQL)."""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError


def _store_failure(label: str, exc: sqlite3.DatabaseError) -> StoreError:
    """A StoreError for a failed SQLite operation, with a hint for the usual causes."""
    text = str(exc) or type(exc).__name__
    hint = ""
    if "full" in text:
        hint = "; free some disk space (nothing was recorded by this step)"
    elif "readonly" in text or "read-only" in text:
        hint = "; the store's file or folder is not writable"
    elif "locked" in text or "busy" in text:
        hint = "; another process held the store too long: try again"
    elif "malformed" in text or "not a database" in text:
        hint = "; the file is damaged: run `briefing doctor`"
    return StoreError(f"{label}: the store failed: {text}{hint}")


def _stored(row: sqlite3.Row) -> StoredArticle:
    return StoredArticle(id=row["id"], text=row["text"], title=row["title"], url=row["url"], outlet=row["outlet"],
                         published=row["published"], path=row["path"], first_seen=row["first_seen"])


# --------------------------------------------------------------------------- what a build reads

def build_window(config: Config, topic: TopicConfig, date: dt.date,
                 now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The span a brief of ``date`` covers: ``window`` hours up to now (today's brief) or up
    to the end of that local day (an earlier date, rebuilt)."""
    tz = zoneinfo.ZoneInfo(config.timezone)
    now = now or dt.datetime.now(tz)
    end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    end = min(end, now)
    return end - dt.timedelta(hours=topic.window_hours), end


def articles_for_build(config: Config, topic: TopicConfig, date: dt.date,
                       now: dt.datetime | None = None) -> list[tuple[int, Article]]:
    """The topic's articles for the brief of ``date``, as (store id, Article) pairs.

    Those in the window that no earlier brief of the topic used ("since the last brief, at
    most ``window`` hours"); one per near-duplicate group.
    """
    tz = zoneinfo.ZoneInfo(config.timezone)
    start, end = build_window(config, topic, date, now)
    with store_for(config) as store:
        rows = store.articles_for_build(topic.slug, date, start, end)
    log.info("topic %s: %d article(s) in the store from %s to %s", topic.slug, len(rows),
             start.isoformat(timespec="minutes"), end.isoformat(timespec="minutes"))
    return [(r.id, Article(text=r.text, title=r.title, published=_local_date(r.published, tz), url=r.url,
                           outlet=r.outlet, path=r.path)) for r in rows]


def _local_date(published: str | None, tz: dt.tzinfo) -> dt.date | None:
    """The local date of a stored ``published`` (an ISO date, or a UTC timestamp)."""
    try:
        if not published or len(published) == 10:
            return dt.date.fromisoformat(published) if published else None
        moment = dt.datetime.fromisoformat(published)
    except ValueError:
        return None
    return moment.astimezone(tz).date() if moment.tzinfo else moment.date()
