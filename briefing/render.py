"""Render a Brief to OUTPUT/DATE/TOPIC.html, .pdf and .json.

The PDF is one page, always. Lists in a Brief are ranked (most important
first), so when everything does not fit the page keeps the head of each list
and the HTML version carries the rest, with the evidence behind every item.

Jinja2 and WeasyPrint are imported inside functions: `briefing --help` must not
pay for them.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .errors import ConfigError, OutputError
from .models import Actor, Brief, Item, Source, Story
from .writer import safe_output_path, write_files

if TYPE_CHECKING:  # pragma: no cover
    import jinja2
    from weasyprint.document import Document

log = logging.getLogger(__name__)

TEMPLATE = "brief.html.j2"
STYLESHEET = "brief.css"
# Templates ship next to the package in a source checkout (editable install);
# a copy inside the package is honoured too, for installs that include one.
_DEFAULT_TEMPLATE_DIRS = (Path(__file__).resolve().parent / "templates",
                          Path(__file__).resolve().parent.parent / "templates")

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_KIND_LABELS = {"unconfirmed": "Unconfirmed", "disputed": "Disputed", "unresolved": "Open"}
_MAX_CITES = 6  # citation numbers shown inline before "+N"


# --------------------------------------------------------------------------- filters

def safe_url(value: object) -> str:
    """``value`` if it is an absolute http(s) URL, else "" (no javascript:, data:, file:)."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    # Browsers drop tabs and newlines inside URLs ("java\tscript:"), so refuse any.
    if not url or any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return url


def clip(text: object, limit: int) -> str:
    """Collapse whitespace and cut ``text`` to ``limit`` characters at a word, with an ellipsis.

    Returns plain text for autoescape to escape once; already-escaped Markup is
    unescaped first so an entity is never cut in half or escaped twice.
    """
    if hasattr(text, "unescape"):
        text = text.unescape()
    flat = " ".join(str(text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:  # a word boundary not too far back; else cut the long word
        cut = cut[:space]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "\u2026"


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def long_date(value: str) -> str:
    """'2025-08-19' -> 'Tuesday 19 August 2025' (English whatever the locale)."""
    d = _parse_date(value)
    return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}" if d else str(value)


def short_date(value: str | None) -> str:
    """'2025-08-18T07:00:00' -> '18 Aug 2025'; unparseable values pass through."""
    d = _parse_date(value)
    return f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}" if d else str(value or "")


def _generated(value: str) -> str:
    try:
        stamp = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value or "")
    zone = f" {stamp.tzname()}" if stamp.tzname() else ""
    return f"{short_date(value)} {stamp:%H:%M}{zone}"


def question_label(item: Item) -> tuple[str, str]:
    """The label and CSS class of an open question: Unconfirmed / Due 28 Aug / Disputed / Open."""
    if item.kind == "deadline":
        d = _parse_date(item.due)
        if d:
            return f"Due {d.day} {_MONTHS[d.month - 1][:3]}", "deadline"
        return (f"Due {item.due}" if item.due else "Deadline"), "deadline"
    return _KIND_LABELS.get(item.kind or "unresolved", "Open"), item.kind or "unresolved"


# --------------------------------------------------------------------------- view model

@dataclass
class SourceView:
    num: int
    id: str
    outlet: str  # the outlet's name, else the URL's host, else ""
    title: str
    date: str
    url: str  # already filtered by safe_url
    path: str

    @property
    def name(self) -> str:
        """What to call a source with neither outlet nor title: its file, else its number."""
        return Path(self.path).name if self.path else f"Source {self.num}"


def _unit(count: int, known: bool) -> str:
    """'outlets' when every source names its outlet; else 'sources' (we cannot tell them apart)."""
    word = "outlet" if known else "source"
    return word if count == 1 else word + "s"


@dataclass
class ItemView:
    """One bullet, decision, question or story as the template shows it."""

    text: str
    nums: list[int]
    outlets: int  # how many independent outlets back the item
    unit: str = "outlets"
    actors: list[str] = field(default_factory=list)
    label: str = ""
    label_class: str = ""
    evidence: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def shown_nums(self) -> list[int]:
        return self.nums[:_MAX_CITES]

    @property
    def extra_nums(self) -> int:
        return max(0, len(self.nums) - _MAX_CITES)


@dataclass
class ActorView:
    name: str
    role: str
    kind: str
    outlets: int
    unit: str
    mentions: int
    aliases: list[str]
    nums: list[int]


@dataclass
class QuoteView:
    speaker: str
    text: str
    num: int | None


@dataclass
class FullView:
    """Everything in the brief, resolved for display (source ids -> numbers)."""

    summary: list[ItemView]
    actors: list[ActorView]
    decisions: list[ItemView]
    questions: list[ItemView]
    stories: list[ItemView]
    quotes: list[QuoteView]
    sources: list[SourceView]


def _host(url: str) -> str:
    host = urlsplit(url).hostname or "" if url else ""
    return host.removeprefix("www.")


class _Sources:
    """Maps source ids ("S3") to display numbers (3) and outlets."""

    def __init__(self, sources: list[Source]) -> None:
        self.by_id: dict[str, SourceView] = {}
        for index, s in enumerate(sources, start=1):
            match = re.fullmatch(r"[Ss](\d+)", s.id or "")
            num = int(match[1]) if match else index
            url = safe_url(s.url)
            self.by_id[s.id] = SourceView(
                num=num, id=s.id, outlet=(s.outlet or "").strip() or _host(url),
                title=(s.title or s.lead or "").strip(), date=short_date(s.published) if s.published else "",
                url=url, path=s.path or "")

    def num(self, source_id: str) -> int | None:
        view = self.by_id.get(source_id)
        if view:
            return view.num
        match = re.fullmatch(r"[Ss](\d+)", source_id or "")
        return int(match[1]) if match else None

    def nums(self, ids: Iterable[str]) -> list[int]:
        return sorted({n for n in (self.num(i) for i in ids) if n is not None})

    def outlets(self, ids: Iterable[str]) -> tuple[int, str]:
        """Distinct outlets behind ``ids`` and the word for them.

        A source without a known outlet counts on its own, and then the count is
        of "sources": two unnamed articles may well come from one newsroom.
        """
        names = set()
        known = True
        for i in ids:
            view = self.by_id.get(i)
            if view and view.outlet:
                names.add(view.outlet.lower())
            else:
                names.add(f"#{view.num if view else i}")
                known = False
        return len(names), _unit(len(names), known)


def _item(item: Item | Story, sources: _Sources) -> ItemView:
    count, unit = sources.outlets(item.sources)
    return ItemView(
        text=item.text, nums=sources.nums(item.sources), outlets=count, unit=unit,
        actors=list(getattr(item, "actors", []) or []),
        evidence=[(sources.num(e.source), e.quote) for e in (item.evidence or [])])


def _question(item: Item, sources: _Sources) -> ItemView:
    view = _item(item, sources)
    view.label, view.label_class = question_label(item)
    return view


def _actor(actor: Actor, sources: _Sources) -> ActorView:
    count, unit = sources.outlets(actor.sources)
    return ActorView(name=actor.name, role=actor.role or "", kind=actor.kind, outlets=count, unit=unit,
                     mentions=actor.mentions, aliases=list(actor.aliases),
                     nums=sources.nums(actor.sources))


def build_view(brief: Brief) -> FullView:
    """Resolve every list of the brief for display, keeping the brief's ranking."""
    sources = _Sources(brief.sources)
    return FullView(
        summary=[_item(i, sources) for i in brief.summary],
        actors=[_actor(a, sources) for a in brief.actors],
        decisions=[_item(i, sources) for i in brief.decisions],
        questions=[_question(i, sources) for i in brief.open_questions],
        stories=[_item(s, sources) for s in brief.stories if s.id != 0],
        quotes=[QuoteView(q.speaker, q.text, sources.num(q.source)) for q in brief.quotes],
        sources=sorted(sources.by_id.values(), key=lambda s: s.num))


# --------------------------------------------------------------------------- fitting

@dataclass(frozen=True)
class Limits:
    """How much of each list the page shows, and how long one item's text may be."""

    summary: int = 5
    actors: int = 8
    decisions: int = 5
    questions: int = 5
    stories: int = 4
    sources: int = 14
    chars: int = 320


# Trimming phases, in order: each lowers its fields round-robin down to the floor
# given. Tails of actors, decisions and questions go first; the bottom line keeps
# at least three bullets. Shortening every text is the last resort (and keeps the
# measured prediction in Renderer.fit valid for all the steps before it).
_PHASES: tuple[dict[str, int], ...] = (
    {"actors": 5, "decisions": 3, "questions": 3, "stories": 2, "sources": 10},
    {"summary": 4},
    {"actors": 3, "decisions": 2, "questions": 2, "stories": 0, "sources": 8},
    {"summary": 3},
    {"actors": 2, "decisions": 1, "questions": 1, "sources": 5},
    {"chars": 120},
)
_CHAR_STEP = 40


def schedule(start: Limits) -> list[Limits]:
    """Successively smaller page configurations, from ``start`` to the smallest allowed."""
    out = [start]
    current = start
    for phase in _PHASES:
        while True:
            moved = False
            for name, floor in phase.items():
                value = getattr(current, name)
                if value > floor:
                    step = _CHAR_STEP if name == "chars" else 1
                    current = replace(current, **{name: max(floor, value - step)})
                    out.append(current)
                    moved = True
            if not moved:
                break
    return out


def start_limits(view: FullView) -> Limits:
    """The default limits, clipped to the list lengths so equal configs are not retried."""
    base = Limits()
    return replace(base, summary=min(base.summary, len(view.summary)),
                   actors=min(base.actors, len(view.actors)),
                   decisions=min(base.decisions, len(view.decisions)),
                   questions=min(base.questions, len(view.questions)),
                   stories=min(base.stories, len(view.stories)))


@dataclass
class PageView:
    """What the one page shows for given limits."""

    summary: list[ItemView]
    actors: list[ActorView]
    decisions: list[ItemView]
    questions: list[ItemView]
    stories: list[ItemView]
    sources: list[SourceView]
    chars: int  # longest text of a bullet, decision or question
    story_chars: int  # stories get one line each
    hidden: int  # items in the HTML but not on the page
    hidden_sources: int
    clipped: bool  # some text on the page is cut short


def page_view(view: FullView, limits: Limits) -> PageView:
    """The heads of each list that ``limits`` allows, and the sources they cite."""
    # A point already in the bottom line is not repeated below it on the page (the HTML keeps it).
    bottom = {i.text for i in view.summary[:limits.summary]}
    lists = {"summary": view.summary, "actors": view.actors,
             "decisions": [i for i in view.decisions if i.text not in bottom],
             "questions": [i for i in view.questions if i.text not in bottom], "stories": view.stories}
    shown = {name: items[:getattr(limits, name)] for name, items in lists.items()}
    hidden = sum(len(items) - len(shown[name]) for name, items in lists.items())
    story_chars = max(limits.chars // 2, 110)
    clipped = any(len(" ".join(i.text.split())) > (story_chars if key == "stories" else limits.chars)
                  for key in ("summary", "decisions", "questions", "stories") for i in shown[key])
    cited = set()
    for key in ("summary", "decisions", "questions", "stories"):
        for item in shown[key]:
            cited.update(item.nums)
    # The page lists the sources its items cite (the HTML lists them all).
    cited_sources = [s for s in view.sources if s.num in cited] or view.sources
    return PageView(
        **shown, sources=cited_sources[:limits.sources], chars=limits.chars,
        story_chars=story_chars, hidden=hidden,
        hidden_sources=max(0, len(view.sources) - min(len(cited_sources), limits.sources)),
        clipped=clipped)


# --------------------------------------------------------------------------- templates

def template_dirs(templates: Path | None) -> list[Path]:
    """The user's template folder first (if any), then the project's own templates."""
    folders: list[Path] = []
    if templates is not None:
        user = Path(templates).expanduser()
        if not user.is_dir():
            raise ConfigError(f"{user}: templates folder not found")
        folders.append(user.resolve())
    folders.extend(d for d in _DEFAULT_TEMPLATE_DIRS if d.is_dir() and d not in folders)
    if not folders:
        raise ConfigError("no templates folder: the project's templates/ folder is missing")
    return folders


def make_environment(folders: list[Path]) -> jinja2.Environment:
    """A Jinja2 environment that escapes everything and knows the brief's filters."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(safe_url=safe_url, clip=clip, long_date=long_date, short_date=short_date)
    return env


def _stylesheet(env: jinja2.Environment) -> str:
    """The raw CSS (not run through Jinja: CSS braces are not template syntax)."""
    import jinja2

    try:
        css, _, _ = env.loader.get_source(env, STYLESHEET)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        log.warning("no %s in the template folders; the brief is unstyled", STYLESHEET)
        return ""
    # The CSS is inlined in <style>; never let it close the element early.
    return css.replace("</", "<\\/")


def make_url_fetcher(roots: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that allows data: URLs and files inside ``roots``, nothing else.

    Templates are trusted but article text is not: no http fetches (SSRF, tracking),
    no file:///etc/passwd or /dev/urandom. Refusals raise ValueError, which WeasyPrint
    logs and skips, so the brief still builds.
    """
    from weasyprint.urls import URLFetcher, path2url

    allowed = [Path(r).resolve() for r in roots]

    class TemplateOnlyFetcher(URLFetcher):
        refused: list[str]

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, **kwargs)
            self.refused = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                local = _local_file(url, allowed)
                if local is not None:
                    return super().fetch(path2url(str(local)), headers)
            self.refused.append(url)
            log.warning("refused to fetch %s: only data: URLs and files in the template folder",
                        url[:200])
            raise ValueError(f"refused to fetch {url[:200]}")

    return TemplateOnlyFetcher()


def _local_file(url: str, roots: list[Path]) -> Path | None:
    """The regular file a file: URL names, if it resolves inside one of ``roots``."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    try:
        path = Path(url2pathname(parts.path)).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if not any(path.is_relative_to(root) for root in roots) or not path.is_file():
        return None
    return path


# --------------------------------------------------------------------------- rendering

class _Renderer:
    """Holds what every layout attempt of one brief shares."""

    def __init__(self, brief: Brief, templates: Path | None, paper: str) -> None:
        import jinja2

        self.brief = brief
        self.paper = "Letter" if str(paper).strip().lower() == "letter" else "A4"
        if str(paper).strip().lower() not in ("a4", "letter"):
            log.warning("unknown paper size %r; using A4", paper)
        self.folders = template_dirs(templates)
        self.env = make_environment(self.folders)
        try:
            self.template = self.env.get_template(TEMPLATE)
        except jinja2.TemplateNotFound:
            raise ConfigError(f"{self.folders[0]}: template {TEMPLATE} not found") from None
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(f"{exc.filename}:{exc.lineno}: template error: {exc.message}") from None
        self.base = Path(self.template.filename or self.folders[-1]).parent
        self.css = _stylesheet(self.env)
        self.view = build_view(brief)
        self.fetcher = make_url_fetcher(self.folders)
        self.renders = 0

    def html(self, limits: Limits, mode: str) -> str:
        """The page (and, in ``html`` mode, everything below it) as an HTML string."""
        from markupsafe import Markup

        import jinja2

        brief = self.brief
        outlets = {s.outlet.lower() for s in self.view.sources if s.outlet}
        context = {
            "brief": brief, "mode": mode, "paper": self.paper, "css": Markup(self.css),
            "date_long": long_date(brief.date), "generated": _generated(brief.generated_at),
            "n_sources": len(brief.sources), "n_outlets": len(outlets),
            "page": page_view(self.view, limits), "full": self.view,
        }
        try:
            return self.template.render(**context)
        except jinja2.TemplateError as exc:
            raise ConfigError(f"{self.template.filename}: template error: {exc}") from None

    def layout(self, limits: Limits) -> tuple[Document, bool]:
        """Lay the page out for ``limits``; return the document and whether it fits one page."""
        from weasyprint import HTML

        self.renders += 1
        html = HTML(string=self.html(limits, "pdf"), base_url=self.base.as_uri() + "/",
                    url_fetcher=self.fetcher)
        document = html.render()
        return document, len(document.pages) == 1 and not _overflows(document)

    def measure(self, limits: Limits) -> _Geometry | None:
        """Lay the page out on a very tall sheet and record where every list item ends.

        One such layout predicts, by subtraction, how tall the page is for any
        smaller ``Limits`` with the same text length. None if the template has no
        ``data-fit`` marks or the content does not fit even the tall sheet.
        """
        from weasyprint import CSS, HTML

        text = self.html(limits, "pdf")
        if "data-fit-column" not in text:  # a user template without the marks
            return None
        self.renders += 1
        width, height = _PAPER_PX[self.paper]
        tall = CSS(string=f"@page {{ size: {width}px {_TALL_PAGE}px !important; }}",
                   url_fetcher=self.fetcher)
        html = HTML(string=text, base_url=self.base.as_uri() + "/", url_fetcher=self.fetcher)
        document = html.render(stylesheets=[tall])
        if len(document.pages) != 1:
            return None
        page = document.pages[0]._page_box
        # Same margins as the real page, so the real content area ends here.
        bottom = height - page.margin_bottom - page.border_bottom_width - page.padding_bottom
        return _geometry(page, bottom)

    def fit(self) -> tuple[Document, Limits]:
        """The fullest configuration that fits one page.

        A brief of ordinary length is laid out once and fits. Otherwise one tall
        layout predicts how far each column must be trimmed and one real layout
        confirms it; should a prediction miss, the trimming schedule is searched
        (its predicted step first, then bisection).
        """
        steps = schedule(start_limits(self.view))
        tried: dict[int, tuple[Document, bool]] = {}

        def attempt(index: int) -> tuple[Document, bool]:
            if index not in tried:
                tried[index] = self.layout(steps[index])
            return tried[index]

        # Text much longer than a page will not fit: skip straight to measuring.
        if _page_chars(self.view, steps[0]) < _LIKELY_TOO_LONG and attempt(0)[1]:
            return tried[0][0], steps[0]
        geometry = self.measure(steps[0])
        lo = 1 if 0 in tried else 0
        if geometry:
            best = predict_limits(geometry, self.view, steps)
            if best is not None:
                document, fits = self.layout(best)
                if fits:
                    return document, best
            guess = predict_step(geometry, self.view, steps)
            if attempt(guess)[1]:
                return tried[guess][0], steps[guess]
            lo = min(guess + 1, len(steps) - 1)
        # Fewer items never make the page longer, so the first fitting step is
        # found by bisection: a handful of layouts even for hundreds of items.
        hi = len(steps) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if attempt(mid)[1]:
                hi = mid
            else:
                lo = mid + 1
        document, fits = attempt(lo)
        if not fits:
            # Even the smallest page overflows (a huge title?): keep page one only.
            log.warning("brief %s does not fit one page even trimmed; keeping the first page",
                        self.brief.topic)
            document = document.copy(document.pages[:1])
        return document, steps[lo]


# --------------------------------------------------------------------------- measuring

# Paper sizes in CSS px (WeasyPrint's layout unit, 96 per inch).
_PAPER_PX = {"A4": (210 * 96 / 25.4, 297 * 96 / 25.4), "Letter": (8.5 * 96, 11 * 96)}
_TALL_PAGE = 19200  # px: 200 inches, far more than any start configuration needs
_SAFETY = 4.0  # px kept free under predictions (rounding)
_NOTE_PX = 20.0  # px of a "+N more sources" line that the measured layout did not have
_LISTS = ("summary", "actors", "decisions", "questions", "stories")
# Beyond this _page_chars the full page is unlikely to fit (the default A4 page holds
# about 2,600), so the renderer measures first instead of trying it: two layouts in
# all rather than three. A wrong guess costs one layout, never a wrong page.
_LIKELY_TOO_LONG = 3000


def _page_chars(view: FullView, limits: Limits) -> int:
    """A rough size of the main column for ``limits``: clipped texts plus ~a line per item."""
    texts = [i.text for key in ("summary", "decisions", "questions", "stories")
             for i in getattr(view, key)[:getattr(limits, key)]]
    return sum(min(len(t), limits.chars) + 60 for t in texts)


@dataclass
class _Geometry:
    """Where things end on a tall layout of the start configuration (y grows downwards)."""

    bottom: float  # the real page's content bottom
    columns: dict[str, float]  # column name -> bottom of its content
    items: dict[str, list[tuple[str, float, str]]]  # list -> [(data-num, height, column)]
    sections: dict[str, tuple[float, str]]  # list -> (whole section height, column)


def _geometry(page: Any, bottom: float) -> _Geometry | None:
    """Read the template's data-fit marks off a laid-out page."""
    geometry = _Geometry(bottom=bottom, columns={}, items={}, sections={})
    seen: set[int] = set()
    last_bottom: dict[str, float] = {}

    def walk(box: Any, column: str) -> None:
        element = getattr(box, "element", None)
        fresh = element is not None and id(element) not in seen and hasattr(element, "attrib")
        attrs = element.attrib if fresh else {}
        box_bottom = box.position_y + box.margin_height()
        if "data-fit-column" in attrs:
            seen.add(id(element))
            column = attrs["data-fit-column"]
            geometry.columns[column] = box_bottom
        elif "data-fit-section" in attrs:
            seen.add(id(element))
            geometry.sections[attrs["data-fit-section"]] = (box.margin_height(), column)
        elif "data-fit" in attrs:
            seen.add(id(element))
            name = attrs["data-fit"]
            # An item's share of its list runs from the previous item's end to its own,
            # so dropping the tail from item k shortens the list by exactly their sum.
            start = last_bottom.get(name, box.position_y)
            geometry.items.setdefault(name, []).append(
                (attrs.get("data-num", ""), box_bottom - start, column))
            last_bottom[name] = box_bottom
            return
        for child in getattr(box, "children", ()):
            walk(child, column)

    for child in page.children:
        if type(child).__name__ != "MarginBox":
            walk(child, "")
    return geometry if geometry.columns and geometry.items else None


def _predicted_bottoms(geometry: _Geometry, view: FullView, limits: Limits) -> dict[str, float]:
    """Where each column of the page would end with ``limits`` (same text length as measured)."""
    bottoms = dict(geometry.columns)

    def shorten(column: str, height: float) -> None:
        bottoms[column] = bottoms.get(column, 0.0) - height

    for name in _LISTS:
        keep = getattr(limits, name)
        if keep == 0 and name in geometry.sections:
            shorten(geometry.sections[name][1], geometry.sections[name][0])
            continue
        for _, height, column in geometry.items.get(name, [])[keep:]:
            shorten(column, height)
    measured = geometry.items.get("sources", [])
    if measured:
        # The page lists the sources its items cite: fewer items, fewer sources.
        page = page_view(view, limits)
        shown = {s.num for s in page.sources}
        known = {int(key): height for key, height, _ in measured if key.isdigit()}
        average = sum(known.values()) / max(1, len(known))
        dropped = sum(h for num, h in known.items() if num not in shown)
        column = measured[0][2]
        shorten(column, dropped - average * len(shown - known.keys()))
        note = geometry.items.get("sources-note", [])
        if note and not page.hidden_sources:
            shorten(column, note[0][1])
        elif page.hidden_sources and not note:
            shorten(column, -_NOTE_PX)
    return bottoms


def _predicted_fits(geometry: _Geometry, view: FullView, limits: Limits) -> bool:
    """Whether every column of the page would end above the page bottom with ``limits``."""
    bottoms = _predicted_bottoms(geometry, view, limits)
    return all(b <= geometry.bottom - _SAFETY for b in bottoms.values())


def predict_step(geometry: _Geometry, view: FullView, steps: list[Limits]) -> int:
    """The first step predicted to fit; past the measured text length, the first step that shortens it."""
    for index, limits in enumerate(steps):
        if limits.chars != steps[0].chars:
            return index
        if _predicted_fits(geometry, view, limits):
            return index
    return len(steps) - 1


def predict_limits(geometry: _Geometry, view: FullView, steps: list[Limits]) -> Limits | None:
    """The fullest page predicted to fit, trimming each column only as far as it needs.

    The schedule trims all lists together; when only the main column overflows
    that would drop actors for nothing. Here each column takes the first step of
    the schedule that fits it, the sources' column last (it lists what the others
    cite). None if some column needs shorter texts than were measured.
    """
    start = steps[0]
    candidates = [s for s in steps if s.chars == start.chars]
    fields: dict[str, list[str]] = {}
    for name in _LISTS:
        where = geometry.sections.get(name) or next(iter(geometry.items.get(name, [])), None)
        if where:
            fields.setdefault(where[-1], []).append(name)
    source_column = next(iter(geometry.items.get("sources", [])), ("", 0.0, ""))[2]
    fields.setdefault(source_column, []).append("sources")
    chosen = start
    for column in sorted(fields, key=lambda c: c == source_column):
        for step in candidates:
            trial = replace(chosen, **{name: getattr(step, name) for name in fields[column]})
            if _predicted_bottoms(geometry, view, trial).get(column, 0.0) <= geometry.bottom - _SAFETY:
                chosen = trial
                break
        else:
            return None
    return chosen if _predicted_fits(geometry, view, chosen) else None


def _overflows(document: Document) -> bool:
    """Whether any box on the first page reaches below its content area.

    Blocks that WeasyPrint cannot split (flex or grid items) overflow the page
    instead of breaking to a second one, so counting pages is not enough.
    """
    page = document.pages[0]._page_box
    bottom = page.content_box_y() + page.height + 0.5  # half a point of rounding slack
    stack = [child for child in page.children if type(child).__name__ != "MarginBox"]
    while stack:
        box = stack.pop()
        if box.position_y + box.margin_height() > bottom and box.margin_height() > 0:
            return True
        stack.extend(getattr(box, "children", ()))
    return False


def render_brief(brief: Brief, output: Path, *, templates: Path | None = None,
                 paper: str = "A4") -> list[Path]:
    """Write OUTPUT/DATE/TOPIC.html, .pdf and .json for ``brief``; return those three paths.

    All three are rendered in memory first, then written atomically, so a failure
    leaves any earlier brief of the same day untouched. The PDF is exactly one
    page (``paper`` is "A4" or "Letter"); the HTML is the same page followed by
    every item with its evidence.
    """
    started = time.perf_counter()
    paths = [safe_output_path(Path(output), brief.date, f"{brief.topic}.{ext}")
             for ext in ("html", "pdf", "json")]
    renderer = _Renderer(brief, templates, paper)
    try:
        document, limits = renderer.fit()
        pdf = document.write_pdf()
    except (ConfigError, OutputError):
        raise
    except Exception as exc:  # WeasyPrint has no single error type; keep the CLI to one line
        log.debug("PDF rendering failed", exc_info=True)
        raise OutputError(f"{paths[1]}: cannot render the PDF: {exc}") from exc
    html = renderer.html(limits, "html").encode("utf-8")
    data = (json.dumps(brief.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    write_files(dict(zip(paths, (html, pdf, data))))
    log.info("rendered %s in %.2fs (%d layout%s, %s): %s", brief.topic, time.perf_counter() - started,
             renderer.renders, "" if renderer.renders == 1 else "s", limits, paths[1])
    return paths
