"""The staff archive: OUTPUT/index.html, retention, and `briefing serve`.

The archive is the output folder itself: ``OUTPUT/DATE/TOPIC.{html,pdf,json}`` as the
build writes them, plus ``OUTPUT/index.html`` listing every brief, newest first. The
index uses relative links and no JavaScript, so it works from ``file://`` as well as
from any plain web server. Each brief's title and bottom line come from its JSON, the
build's contract; file and folder names come from the disk (slugs and ISO dates),
never from a title.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import unquote, urlsplit

from .errors import BriefingError, ConfigError, OutputError
from .writer import atomic_write, safe_output_path

log = logging.getLogger(__name__)

INDEX = "index.html"
INDEX_TEMPLATE = "index.html.j2"
BOTTOM_LINE_ITEMS = 3  # bullets of each brief's bottom line shown on the index
BOTTOM_LINE_CHARS = 260
DATE_DIR_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STEM_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # a topic slug, as config.SLUG_RE
_BRIEF_EXTS = ("html", "pdf", "json")
# What `briefing serve` hands out: the index and the briefs, nothing else in OUTPUT
# (not the outbox with its addresses, not the article store).
_SERVABLE_RE = re.compile(r"^/(?:index\.html)?$|^/\d{4}-\d{2}-\d{2}/[a-z0-9][a-z0-9-]{0,63}\.(?:html|pdf|json)$")


@dataclass
class Entry:
    """One brief as the index lists it."""

    topic: str
    title: str
    html: str | None  # a link relative to the index, or None if the file is missing
    pdf: str | None
    bottom_line: list[str] = field(default_factory=list)
    more: int = 0  # bottom-line bullets not shown
    n_sources: int = 0


@dataclass
class Day:
    date: str
    label: str  # "Tuesday 19 August 2025"
    entries: list[Entry]


def date_folders(output: Path) -> list[tuple[dt.date, Path]]:
    """The real folders directly in ``output`` named YYYY-MM-DD (a valid date), newest first.

    Symlinks are left out: the archive and retention only deal with what the build wrote.
    """
    if not output.is_dir():
        return []
    found = []
    for path in output.iterdir():
        if not DATE_DIR_RE.match(path.name) or path.is_symlink() or not path.is_dir():
            continue
        try:
            found.append((dt.date.fromisoformat(path.name), path))
        except ValueError:  # 2025-02-30
            continue
    return sorted(found, key=lambda t: t[0], reverse=True)


def _read_brief(path: Path) -> dict[str, Any]:
    """The brief's JSON, or {} when it is missing or unreadable (the files are still listed)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("%s: cannot read the brief's JSON for the index: %s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def _entry(folder: Path, stem: str) -> Entry:
    from .render import clip

    data = _read_brief(folder / f"{stem}.json")
    summary = [i.get("text", "") for i in data.get("summary") or [] if isinstance(i, dict)]
    summary = [clip(t, BOTTOM_LINE_CHARS) for t in summary if isinstance(t, str) and t.strip()]

    def link(ext: str) -> str | None:
        file = folder / f"{stem}.{ext}"
        # Relative to the index, so the archive works wherever the folder is opened or served.
        return f"{folder.name}/{stem}.{ext}" if file.is_file() else None

    title = data.get("title") if isinstance(data.get("title"), str) else ""
    return Entry(topic=stem, title=clip(title, 200) or stem, html=link("html"), pdf=link("pdf"),
                 bottom_line=summary[:BOTTOM_LINE_ITEMS], more=max(0, len(summary) - BOTTOM_LINE_ITEMS),
                 n_sources=len(data.get("sources") or []) if isinstance(data.get("sources"), list) else 0)


def collect_days(output: Path) -> list[Day]:
    """Every brief in ``output``, grouped by date (newest first), topics by title."""
    from .render import long_date

    days = []
    for date, folder in date_folders(output):
        stems = {p.stem for p in folder.iterdir()
                 if p.suffix[1:] in _BRIEF_EXTS and _STEM_RE.match(p.stem) and p.is_file()}
        entries = sorted((_entry(folder, s) for s in stems), key=lambda e: (e.title.lower(), e.topic))
        if entries:
            days.append(Day(date=folder.name, label=long_date(folder.name), entries=entries))
    return days


def render_index(days: list[Day], *, templates: Path | None = None,
                 now: dt.datetime | None = None) -> str:
    """The index page as HTML (autoescaped: titles and bullets come from articles)."""
    import jinja2

    from .render import make_environment, template_dirs

    env = make_environment(template_dirs(templates))
    try:
        template = env.get_template(INDEX_TEMPLATE)
        stamp = (now or dt.datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M %Z").strip()
        return template.render(days=days, updated=stamp, count=sum(len(d.entries) for d in days))
    except jinja2.TemplateError as exc:
        raise ConfigError(f"{INDEX_TEMPLATE}: template error: {exc}") from None


def write_index(output: Path, *, templates: Path | None = None) -> Path:
    """Write OUTPUT/index.html listing every brief in ``output``; return its path."""
    output = Path(output)
    path = safe_output_path(output, INDEX)
    days = collect_days(output)
    atomic_write(path, render_index(days, templates=templates).encode("utf-8"))
    log.info("indexed %d brief(s) of %d date(s) in %s", sum(len(d.entries) for d in days), len(days), path)
    return path


def apply_retention(output: Path, days: int | None, today: dt.date, *, keep: Iterable[str] = ()) -> list[Path]:
    """Delete the date folders more than ``days`` days older than ``today``; return them.

    ``days`` None keeps everything. Only real YYYY-MM-DD folders directly inside
    ``output`` are candidates, and never one named in ``keep`` (the brief just built,
    even when it was built for an old date).
    """
    if days is None:
        return []
    if days < 1:
        raise ConfigError(f"retention_days: must be a positive number of days, got {days}")
    cutoff = today - dt.timedelta(days=days)
    keep = set(keep)
    removed = []
    for date, folder in date_folders(output):
        if date < cutoff and folder.name not in keep:
            try:
                shutil.rmtree(folder)  # does not follow symlinks inside the folder
            except OSError as exc:
                raise OutputError(f"{folder}: cannot delete an expired brief folder: {exc.strerror or exc}") from None
            log.info("retention: deleted %s (older than %d days)", folder, days)
            removed.append(folder)
    return removed


def update_archive(output: Path, *, retention_days: int | None, today: dt.date,
                   keep: Iterable[str] = (), templates: Path | None = None) -> None:
    """After a build: apply retention, then rebuild the index.

    The brief itself is already written when this runs, so a failure here is logged
    as an error rather than failing the build (and the email that follows it).
    """
    try:
        apply_retention(Path(output), retention_days, today, keep=keep)
        write_index(Path(output), templates=templates)
    except BriefingError as exc:
        log.error("archive not updated: %s", exc.format_message())


# --------------------------------------------------------------------------- serve

class ArchiveHandler(SimpleHTTPRequestHandler):
    """Serves the index and the briefs from the output folder, read-only, and nothing else."""

    def send_head(self) -> Any:
        path = unquote(urlsplit(self.path).path)
        if not _SERVABLE_RE.match(path) or not self._inside_root():
            self.send_error(404, "Not found")
            return None
        return super().send_head()

    def _inside_root(self) -> bool:
        # A date folder or brief that is a symlink out of the output folder is not served.
        root = Path(self.directory).resolve()
        target = Path(self.translate_path(self.path)).resolve()
        return target == root or target.is_relative_to(root)

    def list_directory(self, path: Any) -> Any:  # no folder listings
        self.send_error(404, "Not found")
        return None

    def end_headers(self) -> None:
        # The pages need no scripts, plugins or referrers; say so to the browser.
        self.send_header("Content-Security-Policy", "script-src 'none'; object-src 'none'; base-uri 'none'")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.info("%s - %s", self.address_string(), format % args)


def make_server(output: Path, port: int = 8000, *, templates: Path | None = None) -> ThreadingHTTPServer:
    """A server for ``output`` on 127.0.0.1:``port`` (0: any free port), index rebuilt first.

    Call ``serve_forever()`` on it; ``server.server_address`` holds the actual port.
    """
    output = Path(output)
    if not output.is_dir():
        raise OutputError(f"{output}: no output folder yet; run `briefing build` first")
    write_index(output, templates=templates)
    root = str(output.resolve())

    def handler(*args: Any, **kwargs: Any) -> ArchiveHandler:
        return ArchiveHandler(*args, directory=root, **kwargs)

    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise OutputError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    server.daemon_threads = True
    return server
