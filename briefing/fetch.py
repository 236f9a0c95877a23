"""Safe HTTP fetching for feeds and article pages.

Everything fetched comes from strangers, so every request is bounded and checked:

- connect, read and whole-response timeouts, so a hung or trickling server cannot hold a run;
- a cap on the *decompressed* body, read as a stream and abandoned once over the cap
  (a small gzip bomb is caught too);
- only ``http`` and ``https``; TLS certificates verified; proxies and ``.netrc`` from the
  environment ignored (``trust_env=False``) so the checks below see the real peer;
- private, loopback, link-local and other non-public addresses refused unless the config
  allows them (``fetch.allow_private_addresses`` or ``fetch.allow_networks``). The host is
  resolved and every address checked before connecting, redirects are followed by hand so
  each hop is checked again, and the address actually connected to is checked before the
  body is read (a DNS answer that changes between the check and the connection is caught);
- conditional GET with the ETag / Last-Modified validators the caller remembered.

Failures raise :class:`FetchError` with a one-line reason; callers log it and go on.
"""
from __future__ import annotations

import ipaddress
import logging
import socket
import time
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import urljoin, urlsplit

import httpx

from . import __version__
from .config import FetchConfig

log = logging.getLogger(__name__)
# httpx logs every request at INFO: too much for `-v` over hundreds of pages, and our own
# log lines already name each failure.
for _name in ("httpx", "httpcore"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.WARNING)

USER_AGENT = f"briefing/{__version__} (+policy brief collector)"
MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class FetchError(Exception):
    """A fetch that failed; ``str(exc)`` is a one-line reason fit for a log line."""


@dataclass
class FetchSettings:
    """Limits and address policy for one Fetcher (built from ``config.fetch``)."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    allow_private: bool = False
    allow_networks: list[IPNetwork] = field(default_factory=list)
    user_agent: str = USER_AGENT

    @classmethod
    def from_config(cls, fetch_cfg: FetchConfig) -> "FetchSettings":
        """Settings from a :class:`briefing.config.FetchConfig`."""
        return cls(connect_timeout=fetch_cfg.connect_timeout, read_timeout=fetch_cfg.read_timeout,
                   total_timeout=fetch_cfg.total_timeout, max_bytes=fetch_cfg.max_bytes,
                   allow_private=fetch_cfg.allow_private_addresses,
                   allow_networks=[ipaddress.ip_network(n, strict=False) for n in fetch_cfg.allow_networks])


@dataclass
class FetchResult:
    """A response worth reading: 200 with its body, or 304 Not Modified (empty body)."""

    url: str  # the final URL, after redirects
    status: int
    content: bytes
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_public(ip: IPAddress) -> bool:
    """True for a globally routable unicast address (not private, loopback, link-local...)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return ip.is_global and not ip.is_multicast


def address_allowed(ip: IPAddress, settings: FetchSettings) -> bool:
    """Whether the policy lets us connect to ``ip``."""
    if settings.allow_private or is_public(ip):
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in settings.allow_networks)


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from None
    # Strip an IPv6 zone ("fe80::1%eth0") before parsing.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def check_url(url: str, settings: FetchSettings) -> None:
    """Refuse a URL that is not http(s) or whose host resolves to a refused address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"refused: only http and https URLs are fetched, not {parts.scheme or 'a relative'!r} URL")
    if not parts.hostname:
        raise FetchError("refused: URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError("refused: bad port in URL") from None
    for ip in resolve(parts.hostname, port):
        if not address_allowed(ip, settings):
            raise FetchError(f"refused: {parts.hostname} is at non-public address {ip} "
                             "(set fetch.allow_networks to allow it)")


def _check_peer(response: httpx.Response, settings: FetchSettings) -> None:
    """Check the address actually connected to (DNS may answer differently the second time)."""
    stream = response.extensions.get("network_stream")
    addr = stream.get_extra_info("server_addr") if stream is not None else None
    if not addr:
        return
    ip = ipaddress.ip_address(str(addr[0]).split("%")[0])
    if not address_allowed(ip, settings):
        raise FetchError(f"refused: connected to non-public address {ip}")


class Fetcher:
    """A pooled HTTP client applying :class:`FetchSettings`; use as a context manager.

    Thread-safe: article pages of one feed are fetched from a few threads at once.
    """

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        s = self.settings
        self._client = httpx.Client(
            timeout=httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout,
                                  pool=s.connect_timeout),
            follow_redirects=False,  # followed by hand so every hop is checked
            verify=True, trust_env=False,
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"})

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*") -> FetchResult:
        """GET ``url`` within the limits; raise FetchError with a one-line reason."""
        deadline = time.monotonic() + self.settings.total_timeout
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current, self.settings)
            try:
                result = self._request(current, headers, deadline)
            except httpx.ConnectTimeout:
                raise FetchError(f"timed out connecting (after {self.settings.connect_timeout:g}s)") from None
            except httpx.TimeoutException:
                raise FetchError(f"timed out: no answer within {self.settings.read_timeout:g}s") from None
            except httpx.HTTPError as exc:
                raise FetchError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
            if isinstance(result, str):  # a redirect: check the next hop, then follow it
                current = result
                continue
            return result
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")

    def _request(self, url: str, headers: dict[str, str], deadline: float) -> FetchResult | str:
        """One request: a FetchResult, or the next URL when redirected."""
        with self._client.stream("GET", url, headers=headers) as response:
            _check_peer(response, self.settings)
            if response.status_code in _REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {response.status_code} redirect without a Location")
                return urljoin(url, location)
            if response.status_code == 304:
                return FetchResult(url=url, status=304, content=b"",
                                   etag=response.headers.get("etag") or headers.get("If-None-Match"),
                                   last_modified=response.headers.get("last-modified")
                                   or headers.get("If-Modified-Since"))
            if response.status_code != 200:
                reason = response.reason_phrase or ""
                raise FetchError(f"HTTP {response.status_code} {reason}".strip())
            body = self._read_capped(response, deadline)
            return FetchResult(url=url, status=200, content=body,
                               content_type=response.headers.get("content-type", ""),
                               etag=response.headers.get("etag"),
                               last_modified=response.headers.get("last-modified"))

    def _read_capped(self, response: httpx.Response, deadline: float) -> bytes:
        """The decompressed body, refused once it passes max_bytes or the deadline."""
        cap = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap and "content-encoding" not in response.headers:
            raise FetchError(f"body too large ({int(declared):,} bytes declared; limit {cap:,})")
        chunks: list[bytes] = []
        size = 0
        for chunk in _iter(response):
            size += len(chunk)
            if size > cap:
                raise FetchError(f"body too large (over {cap:,} bytes after decompression)")
            if time.monotonic() > deadline:
                raise FetchError(f"timed out (no full response within {self.settings.total_timeout:g}s)")
            chunks.append(chunk)
        return b"".join(chunks)


def _iter(response: httpx.Response) -> Iterable[bytes]:
    """Decoded body chunks; a corrupt gzip stream becomes a FetchError."""
    try:
        yield from response.iter_bytes()  # chunks as they arrive, so the deadline is checked often
    except httpx.DecodingError as exc:
        raise FetchError(f"cannot decode the body: {exc}") from None
