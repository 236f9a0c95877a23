"""Read article files: plain text or Markdown with optional headers, and HTML pages.

A text file may open with header lines before the first blank line: a headline, and
lines ``date YYYY-MM-DD``, ``source URL``, ``outlet NAME`` (in any order; a ``date``
line may also start the headline line). YAML front matter with the keys
``title date url outlet`` works too. HTML goes through trafilatura.
"""
from __future__ import annotations

import codecs
import datetime as dt
import logging
import os
import re
import stat
from pathlib import Path

import yaml

from .models import Article

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".eml")
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ARTICLE_CHARS = 200_000  # ~35,000 words: far more than any news article; a page dump is cut
MAX_TITLE_CHARS = 300
MAX_FRONT_MATTER_CHARS = 64 * 1024
MIN_HTML_CHARS = 80  # less main text than this on a saved web page is its navigation, not an article
# C0 controls other than tab and newline, DEL, and lone surrogates: never part of an article.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CODE_ELEMENT_RE = re.compile(r"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>", re.I | re.S)
# Bidirectional overrides and isolates: a title could read differently from what it says.
_BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")
# Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HEADER_RE = re.compile(r"^\s*(date|source|url|outlet)\s+(\S.*?)\s*$", re.I)
_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def _parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE_RE.match(str(value or "").strip())
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        return None


def _front_matter(text: str) -> tuple[dict, str] | None:
    """YAML front matter and the body after it; None when there is none (or it is not YAML).

    Only scalar values are kept: a title that is a list (or an alias bomb of nested lists)
    is dropped rather than printed.
    """
    if not text.startswith("---"):
        return None
    end = re.search(r"^---\s*$", text[3:3 + MAX_FRONT_MATTER_CHARS], re.M)
    if not end:
        return None
    body = text[3 + end.end():]
    try:
        meta = yaml.safe_load(text[3:3 + end.start()]) or {}
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        log.warning("front matter is not valid YAML (%s); its fields are ignored", type(exc).__name__)
        return {}, body
    if not isinstance(meta, dict):
        return None
    scalars = {k: v for k, v in meta.items()
               if isinstance(k, str) and isinstance(v, (str, int, float, dt.date)) and not isinstance(v, bool)}
    return scalars, body


def _header_block(text: str) -> tuple[dict, str]:
    """Split leading header lines (headline, date/source/outlet) from the body."""
    lines = text.lstrip("\ufeff").split("\n")
    meta: dict = {}
    i = 0
    # Header lines come first and end at a blank line; a line that is not a header
    # may only be the headline (the first line).
    while i < len(lines) and lines[i].strip():
        line = lines[i].strip()
        m = _HEADER_RE.match(line)
        if m:
            key, value = m.group(1).lower(), m.group(2)
            if key == "date":
                dm = _DATE_RE.match(value)
                if dm:
                    meta["date"] = dm.group(1)
                    rest = value[dm.end():].strip()
                    if rest and "title" not in meta:
                        meta["title"] = rest
                else:
                    break
            else:
                meta["url" if key in ("source", "url") else "outlet"] = value
        elif i == 0:
            meta["title"] = line
        else:
            break
        i += 1
    rest = "\n".join(lines[i + 1:])
    if i < len(lines) and not lines[i].strip() and meta and (rest.strip() or set(meta) != {"title"}):
        return meta, rest
    # No blank line closes the header: only the first line can be taken as the headline,
    # and only when it reads like one (no closing full stop).
    first = lines[0].strip() if lines else ""
    m = _HEADER_RE.match(first)
    if m and m.group(1).lower() == "date" and _DATE_RE.match(m.group(2)):
        value = m.group(2)
        dm = _DATE_RE.match(value)
        rest = value[dm.end():].strip()
        return {"date": dm.group(1), "title": rest}, "\n".join(lines[1:])
    if first and not re.search(r"[.!?\"”’]$", first) and len(first.split()) <= 25 and "".join(lines[1:]).strip():
        return {"title": first}, "\n".join(lines[1:])
    return {}, text


def parse_text(text: str, path: str | None = None) -> Article:
    """Turn the text of a .txt/.md article into an Article (the headline kept out of the body)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fm = _front_matter(text)
    meta, body = fm if fm else _header_block(text)
    title = str(meta.get("title") or "").strip()
    body = body.strip("\n")
    return bound_article(Article(text=body, title=title, published=_parse_date(meta.get("date")),
                                 url=_str_or_none(meta.get("url") or meta.get("source")),
                                 outlet=_str_or_none(meta.get("outlet")), path=path))


def _str_or_none(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def one_line(value: str, limit: int) -> str:
    """``value`` on one line (control characters and runs of white space become one space,
    bidirectional overrides are dropped), cut to ``limit`` characters."""
    text = " ".join(_CONTROL_RE.sub(" ", _BIDI_RE.sub("", value)).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def _cut_text(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a paragraph (else sentence) end."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = head.rfind("\n")
    if cut < limit // 2:
        cut = head.rfind(". ") + 1
    return head[:cut] if cut >= limit // 2 else head


def bound_article(article: Article) -> Article:
    """Make an article safe to process, whoever wrote it: no control characters, a one-line
    title of at most MAX_TITLE_CHARS, at most MAX_ARTICLE_CHARS of text (a longer text is cut
    at a paragraph end and a warning logged). Changes and returns ``article``."""
    text = _CONTROL_RE.sub("", article.text)
    if len(text) > MAX_ARTICLE_CHARS:
        log.warning("%s: article text cut from %d to %d characters", article.path or article.url or article.title[:60],
                    len(text), MAX_ARTICLE_CHARS)
        text = _cut_text(text, MAX_ARTICLE_CHARS)
    article.text = text
    article.title = one_line(article.title or "", MAX_TITLE_CHARS)
    if article.outlet is not None:
        article.outlet = one_line(article.outlet, MAX_TITLE_CHARS) or None
    if article.url is not None:
        article.url = _http_url(article.url)
    return article


def _http_url(value: str) -> str | None:
    """``value`` if it is a plausible absolute http(s) URL (never javascript:, data:, file:)."""
    url = value.strip()
    if len(url) > 2048 or _CONTROL_RE.search(url) or any(c.isspace() for c in url):
        return None
    return url if re.match(r"^https?://[^/?#\s]", url, re.I) else None


def parse_html(html: str, path: str | None = None, url: str | None = None) -> Article | None:
    """Main text of an HTML page (trafilatura); None when it holds no article text."""
    import trafilatura  # heavy: import only when HTML is read

    # Code is never text: a script inside the headline would otherwise become part of the title.
    html = _CODE_ELEMENT_RE.sub(" ", html)
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      favor_precision=True)
    if doc is None or not (doc.text or "").strip():
        return None
    return bound_article(Article(text=doc.text, title=(doc.title or "").strip(), published=_parse_date(doc.date),
                                 url=url or doc.url, outlet=doc.sitename or None, path=path))


def parse_eml(data: bytes, path: str | None = None) -> Article | None:
    """An article saved or forwarded as an email: the subject is the headline, the sender's
    name the outlet, the plain-text (else HTML) body the text."""
    from email import policy
    from email.parser import BytesParser
    from email.utils import parseaddr, parsedate_to_datetime

    try:
        msg = BytesParser(policy=policy.default).parsebytes(data)
        body = msg.get_body(preferencelist=("plain", "html"))
    except Exception as exc:  # a malformed message raises many types; the file is skipped, not the run
        log.debug("%s: unreadable email: %s", path, exc)
        return None
    # Headers are read leniently, one by one: a hostile From must not lose the article.
    subject = _raw_header(msg, "subject")
    outlet = parseaddr(_raw_header(msg, "from").replace("\r", " ").replace("\n", " "))[0]
    if body is None:
        return None
    try:
        content = body.get_content()
    except (LookupError, UnicodeError, KeyError):  # unknown charset: decode leniently
        content = read_bytes(body.get_payload(decode=True) or b"")
    # One line, no forwarding prefixes: the title may end up in an email header later.
    title = re.sub(r"\s+", " ", subject).strip()
    title = re.sub(r"^((re|fwd?|tr|wg)\s*:\s*)+", "", title, flags=re.I)
    try:
        date = _raw_header(msg, "date")
        published = parsedate_to_datetime(date).date() if date else None
    except (TypeError, ValueError, IndexError, OverflowError):
        published = None
    if body.get_content_type() == "text/html":
        article = parse_html(content, path=path)
        if article is None:
            return None
        article.title = title or article.title
    else:
        article = Article(text=content.strip(), title=title, path=path)
    article.published = published or article.published
    article.outlet = re.sub(r"\s+", " ", outlet).strip() or article.outlet
    return bound_article(article)


def _raw_header(msg: object, name: str) -> str:
    """A header's text with RFC 2047 words decoded, never raising (malformed: the raw text)."""
    import email.header

    for key, value in msg.raw_items():  # type: ignore[attr-defined]
        if key.lower() == name:
            try:
                return str(email.header.make_header(email.header.decode_header(str(value))))
            except Exception:  # an unknown charset or a broken encoded word
                return str(value)
    return ""


def read_bytes(data: bytes) -> str:
    """Decode article bytes: by their byte-order mark (UTF-8/16/32), else UTF-8, else cp1252,
    never failing (undecodable bytes become U+FFFD)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _looks_binary(data: bytes) -> bool:
    """NUL bytes near the start, unless the file is UTF-16/32 text with a byte-order mark."""
    head = data[:4096]
    if b"\x00" not in head:
        return False
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return "\x00" in data.decode(encoding)
            except UnicodeDecodeError:
                return True
    return True


def read_file(path: Path) -> Article | None:
    """Read one article file; log one warning and return None when it cannot be used."""
    try:
        st = path.lstat()
        if not stat.S_ISREG(st.st_mode):
            log.warning("%s: skipped: not a regular file", path)
            return None
        if st.st_size > MAX_FILE_BYTES:
            log.warning("%s: skipped: larger than %d MB", path, MAX_FILE_BYTES // 2**20)
            return None
        with open(path, "rb", opener=lambda p, f: os.open(p, f | getattr(os, "O_NOFOLLOW", 0))) as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        log.warning("%s: skipped: cannot read (%s)", path, exc.strerror or exc)
        return None
    if _looks_binary(data):
        log.warning("%s: skipped: binary file", path)
        return None
    if path.suffix.lower() == ".eml":
        article = parse_eml(data, path=str(path))
        if article is None or not article.text.strip():
            log.warning("%s: skipped: no article text in the email", path)
            return None
        return article
    text = read_bytes(data)
    if path.suffix.lower() in (".html", ".htm"):
        article = parse_html(text, path=str(path))
        if article is not None and len(article.text.strip()) < MIN_HTML_CHARS:
            log.warning("%s: skipped: no article text on the page (only %r)", path, article.text.strip()[:80])
            return None
    else:
        article = parse_text(text, path=str(path))
    if article is None or not article.text.strip():
        log.warning("%s: skipped: no article text", path)
        return None
    return article


def list_article_files(folder: Path) -> list[Path]:
    """Regular article files directly inside folder, in name order; no symlinks out of it."""
    root = folder.resolve()
    files = []
    for entry in sorted(folder.iterdir()):
        if entry.suffix.lower() not in ARTICLE_SUFFIXES or entry.name.startswith("."):
            continue
        problem = _name_problem(entry.name)
        if problem:
            log.warning("%r: skipped: %s; rename the file", entry.name, problem)
            continue
        if entry.is_symlink():
            log.warning("%s: skipped: %s", entry, _symlink_problem(entry, root))
            continue
        files.append(entry)  # FIFOs, devices and folders named like files are refused by read_file
    return files


def _name_problem(name: str) -> str | None:
    """Why a file name cannot be used (it ends up in logs, the store and the brief's JSON)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not valid UTF-8"
    if _CONTROL_RE.search(name) or any(c in name for c in "\n\r\t\u2028\u2029"):
        return "its name holds control characters"
    return None


def _symlink_problem(entry: Path, root: Path) -> str:
    """Why a symlink in a drop folder is not read: only regular files are."""
    try:
        target = entry.resolve(strict=True)
    except (OSError, RuntimeError):  # a loop, or a link to nothing
        return "broken symlink or symlink loop"
    if not target.is_relative_to(root):
        return "symlink out of the folder"
    return "a symlink (only regular files are read)"
