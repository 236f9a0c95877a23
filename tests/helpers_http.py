"""A real HTTP server on 127.0.0.1 for tests, and builders for feeds and article pages.

Import what you need in a test module (``from helpers_http import http_server, ...``):
the fixture ``http_server`` starts a :class:`LocalServer` in a thread and stops it after
the test. Routes are set and changed while it runs, so a test can publish a new feed
entry between two collects. Article pages are built from the real article texts in
``seeds/``.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import html
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


# --------------------------------------------------------------------------- the server

@dataclass
class Route:
    """What one path serves."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True  # send an ETag and answer If-None-Match with 304
    hang: bool = False  # accept the request and never answer
    endless: bool = False  # stream body chunks until the client gives up
    gzip: bool = False  # send the body gzip-compressed
    delay: float = 0.0  # seconds to wait before answering (a slow server)
    trickle: float = 0.0  # seconds between bytes of the body (a server that never quite finishes)


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 with routes that tests set while it runs."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server._serve(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body: bytes | str = b"", **kwargs: object) -> str:
        """Serve ``body`` at ``path``; return its full URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **kwargs)
        return self.url(path)

    def close(self) -> None:
        self.closing.set()  # releases hanging handlers
        self.httpd.shutdown()
        self.httpd.server_close()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        self.hits[path] = self.hits.get(path, 0) + 1
        route = self.routes.get(path) or self.routes.get(path.split("?")[0])
        if route is None:
            return self._send(handler, 404, b"<h1>Not found</h1>", "text/html")
        if route.hang:
            self.closing.wait(60)
            return
        if route.delay:
            self.closing.wait(route.delay)
        if route.trickle:
            return self._trickle(handler, route)
        if route.status in (301, 302, 303, 307, 308):
            return self._send(handler, route.status, b"", "text/plain", route.headers)
        if route.endless:
            return self._stream(handler, route)
        tag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = tag
            if handler.headers.get("If-None-Match") == tag:
                return self._send(handler, 304, b"", None, headers)
        body = route.body
        if route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(handler, route.status, body, route.content_type, headers)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str | None,
              headers: dict[str, str] | None = None) -> None:
        try:
            handler.send_response(status)
            if content_type:
                handler.send_header("Content-Type", content_type)
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _trickle(self, handler: BaseHTTPRequestHandler, route: Route) -> None:
        """The body one byte at a time, each ``route.trickle`` seconds apart: never a read timeout."""
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", route.content_type)
            handler.send_header("Content-Length", str(len(route.body)))
            handler.end_headers()
            for i in range(len(route.body)):
                if self.closing.wait(route.trickle):
                    break
                handler.wfile.write(route.body[i:i + 1])
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        handler.close_connection = True

    def _stream(self, handler: BaseHTTPRequestHandler, route: Route) -> None:
        """A body without end (no Content-Length): the client must stop reading."""
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", route.content_type)
            handler.send_header("Connection", "close")
            handler.end_headers()
            chunk = route.body or (b"<p>" + b"x" * 65536 + b"</p>\n")
            while not self.closing.is_set():
                handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        handler.close_connection = True


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.close()


# --------------------------------------------------------------------------- article texts

@dataclass
class SeedArticle:
    title: str
    paragraphs: list[str]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def seed_articles() -> list[SeedArticle]:
    """The real articles in seeds/: headline and paragraphs."""
    from briefing.reader import parse_text

    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        article = parse_text(path.read_text(encoding="utf-8"))
        paragraphs = [p.strip() for p in article.text.split("\n") if p.strip()]
        out.append(SeedArticle(title=article.title or paragraphs[0][:80], paragraphs=paragraphs))
    return out


def article_page(title: str, paragraphs: list[str], *, published: dt.datetime | None = None,
                 canonical: str | None = None, site: str | None = None, amp: bool = False) -> str:
    """A news article page as an outlet would publish it: navigation, the article, a footer."""
    head = [f"<title>{html.escape(title)}</title>", '<meta charset="utf-8">']
    if canonical:
        head.append(f'<link rel="canonical" href="{html.escape(canonical)}">')
    if site:
        head.append(f'<meta property="og:site_name" content="{html.escape(site)}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published.isoformat()}">')
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html>\n<html{' amp' if amp else ''} lang=\"en\"><head>{''.join(head)}</head><body>"
            "<header><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a> <a href=\"/politics\">Politics</a>"
            "</nav></header>"
            f"<main><article><h1>{html.escape(title)}</h1>{body}</article></main>"
            "<footer><p>© Example News. All rights reserved.</p></footer></body></html>")


# --------------------------------------------------------------------------- feeds

@dataclass
class Item:
    """A feed entry."""

    title: str
    link: str
    guid: str
    published: dt.datetime
    summary: str = ""


def rss20(title: str, link: str, items: list[Item]) -> str:
    entries = "".join(
        f"<item><title>{html.escape(i.title)}</title><link>{html.escape(i.link)}</link>"
        f"<guid isPermaLink=\"false\">{html.escape(i.guid)}</guid>"
        f"<pubDate>{format_datetime(i.published)}</pubDate>"
        f"<description>{html.escape(i.summary)}</description></item>" for i in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{html.escape(title)}</title>'
            f"<link>{html.escape(link)}</link><description>News</description>{entries}</channel></rss>")


def rss091(title: str, link: str, items: list[Item]) -> str:
    entries = "".join(f"<item><title>{html.escape(i.title)}</title><link>{html.escape(i.link)}</link>"
                      f"<description>{html.escape(i.summary)}</description></item>" for i in items)
    return (f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<rss version="0.91"><channel>'
            f"<title>{html.escape(title)}</title><link>{html.escape(link)}</link><description>News</description>"
            f"<language>en</language>{entries}</channel></rss>")


def rss10(title: str, link: str, items: list[Item]) -> str:
    refs = "".join(f'<rdf:li rdf:resource="{html.escape(i.link)}"/>' for i in items)
    entries = "".join(
        f'<item rdf:about="{html.escape(i.link)}"><title>{html.escape(i.title)}</title>'
        f"<link>{html.escape(i.link)}</link><description>{html.escape(i.summary)}</description>"
        f"<dc:date>{i.published.isoformat()}</dc:date></item>" for i in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="{html.escape(link)}"><title>{html.escape(title)}</title>'
            f"<link>{html.escape(link)}</link><description>News</description>"
            f"<items><rdf:Seq>{refs}</rdf:Seq></items></channel>{entries}</rdf:RDF>")


def atom(title: str, link: str, items: list[Item]) -> str:
    entries = "".join(
        f'<entry><title type="html">{html.escape(i.title)}</title><link rel="alternate" href="{html.escape(i.link)}"/>'
        f"<id>{html.escape(i.guid)}</id><updated>{i.published.isoformat()}</updated>"
        f'<summary type="html">{html.escape(i.summary)}</summary></entry>' for i in items)
    updated = max((i.published for i in items), default=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{html.escape(title)}</title><id>{html.escape(link)}</id>"
            f'<link rel="alternate" href="{html.escape(link)}"/><updated>{updated.isoformat()}</updated>'
            f"{entries}</feed>")


FEED_TYPES = {"rss20": "application/rss+xml", "rss10": "application/rdf+xml", "rss091": "text/xml",
              "atom": "application/atom+xml"}


def hours_ago(hours: float) -> dt.datetime:
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=hours)).replace(microsecond=0)


def wait_for(predicate, timeout: float, interval: float = 0.2) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def write_config(path: Path, topics: list[dict], **top: object) -> Path:
    """A config file for tests: loopback fetching allowed explicitly, short timeouts."""
    import yaml

    data: dict = {"timezone": "UTC", "output": str(path.parent / "output"),
                  "fetch": {"allow_networks": ["127.0.0.0/8"], "connect_timeout": 2, "read_timeout": 2,
                            "total_timeout": 5, "workers": 4},
                  "lock_wait_seconds": 1}
    data.update(top)
    data["topics"] = topics
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
