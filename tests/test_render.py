"""The render stage: three files, one PDF page, safe HTML, safe fetching, atomic writes.

Uses the real WeasyPrint and reads PDFs back with pypdf.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from briefing.errors import ConfigError, OutputError
from briefing.models import Actor, Brief, Evidence, Item, Quote, Source, Story, brief_from_json
from briefing.render import build_view, clip, render_brief, safe_url, schedule, start_limits
from briefing.writer import atomic_write, safe_output_path

pypdf = pytest.importorskip("pypdf")

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)
PROJECT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


# --------------------------------------------------------------------------- briefs

def small_brief(title: str = "Ukraine: security guarantees and the road to a summit",
                url: str | None = "https://www.theguardian.com/world/2025/aug/19/trump-ukraine") -> Brief:
    """A realistic seed-sized brief: five outlets, a handful of items."""
    outlets = [("The Guardian", "Trump says US to co-ordinate European security guarantees for Ukraine"),
               ("Reuters", "Trump pushes Putin-Zelenskyy meeting, offers 'co-ordination' on guarantees"),
               ("Al Jazeera", "Trump announces plans for Putin-Zelenskyy summit after White House talks"),
               ("Euronews", "US suggests European-led security guarantees for Kyiv"),
               ("AP", "Trump tells Zelenskyy US will help guarantee Ukraine's security")]
    sources = [Source(id=f"S{i}", title=t, outlet=o, url=url if i == 1 else f"https://example.org/{i}",
                      path=None, published="2025-08-19") for i, (o, t) in enumerate(outlets, start=1)]

    def ev(*ids: str) -> list[Evidence]:
        return [Evidence(source=s, quote=f"Quoted sentence from {s} supporting the point.") for s in ids]

    summary = [
        Item("Trump said the US would co-ordinate European security guarantees for Ukraine if a peace "
             "deal with Russia is agreed, but stopped short of committing US troops.",
             ["S1", "S2", "S3", "S5"], ev("S1", "S2"), ["Donald Trump"]),
        Item("Trump pledged to arrange a face-to-face meeting between Zelenskyy and Putin, followed by a "
             "trilateral summit; the Kremlin has not confirmed it.", ["S1", "S3", "S4"], ev("S3")),
        Item("European leaders pressed for robust guarantees after the Alaska summit failed to produce a "
             "ceasefire.", ["S1", "S4"], ev("S4")),
        Item("Zelenskyy called security guarantees 'a starting point for ending the war'.", ["S1", "S2"],
             ev("S1")),
    ]
    actors = [Actor("Donald Trump", "person", "US president", mentions=24, sources=["S1", "S2", "S3", "S4", "S5"]),
              Actor("Volodymyr Zelenskyy", "person", "President of Ukraine", mentions=19,
                    sources=["S1", "S2", "S3", "S4", "S5"]),
              Actor("Vladimir Putin", "person", "President of Russia", mentions=15, sources=["S1", "S2", "S3", "S4"]),
              Actor("Mark Rutte", "person", "Nato secretary-general", mentions=4, sources=["S1", "S3"]),
              Actor("Kremlin", "organization", None, mentions=3, sources=["S1"]),
              Actor("European Union", "organization", "Bloc of 27 member states", mentions=2, sources=["S4"])]
    decisions = [
        Item("US to co-ordinate European-provided security guarantees for Ukraine.", ["S1", "S2", "S4", "S5"],
             ev("S2"), ["Donald Trump"]),
        Item("Trump to set up a bilateral Zelenskyy-Putin meeting, then a trilateral summit.",
             ["S1", "S3"], ev("S3"), ["Donald Trump", "Vladimir Putin"]),
        Item("European leaders agree to draft the guarantee framework within weeks.", ["S4"], ev("S4"),
             ["European Union"]),
    ]
    questions = [
        Item("Will Russia agree to a Putin-Zelenskyy meeting?", ["S1", "S3"], ev("S1"), kind="unconfirmed"),
        Item("Framework for guarantees to be presented by European capitals.", ["S4"], ev("S4"),
             kind="deadline", due="2025-08-28"),
        Item("Whether US troops would take part in any guarantee.", ["S2", "S5"], ev("S5"), kind="disputed"),
        Item("Where a trilateral summit would be held.", ["S3"], ev("S3"), kind="unresolved"),
    ]
    stories = [Story(0, "Security guarantees", ["S1"], []),
               Story(1, "Tariffs on Indian goods discussed at the margins of the talks", ["S2"], ev("S2")),
               Story(2, "Prisoner exchange of 84 on each side announced", ["S3", "S5"], ev("S5"))]
    quotes = [Quote("Volodymyr Zelenskyy", "Security guarantees are a key issue, a starting point for ending "
                    "the war.", "S1")]
    return Brief(topic="white-house-talks", title=title, date="2025-08-19",
                 generated_at="2025-08-19T06:02:00+01:00", sources=sources, summary=summary, actors=actors,
                 decisions=decisions, open_questions=questions, quotes=quotes, stories=stories)


LONG = ("The negotiators said that the proposal under discussion would require further consultation with "
        "allies and with parliaments before any commitment could be made, and officials cautioned that ")


def huge_brief(n: int = 150) -> Brief:
    """150 items of every kind, each about 2,000 words, citing up to 30 sources."""
    sources = [Source(id=f"S{i}", title=f"Headline number {i} about the talks and what comes next",
                      outlet=f"Outlet {i % 17}", url=f"https://news{i}.example.com/a", path=None,
                      published="2025-08-18T21:00:00") for i in range(1, 41)]
    text = (LONG * 120).strip()  # ~2,000 words

    def item(i: int, **kw: object) -> Item:
        ids = [f"S{(i + k) % 40 + 1}" for k in range(1 + i % 30)]
        return Item(f"Item {i}: {text}", ids, [Evidence(ids[0], f"Evidence sentence for item {i}.")],
                    [f"Actor {i}"], **kw)  # type: ignore[arg-type]

    kinds = ["unconfirmed", "deadline", "disputed", "unresolved"]
    return Brief(
        topic="huge", title="A very busy news day " * 4, date="2025-08-19",
        generated_at="2025-08-19T06:00:00+00:00", sources=sources,
        summary=[item(i) for i in range(n)],
        actors=[Actor(f"Actor {i} with a fairly long name", "person", "Minister for things " * 6,
                      mentions=n - i, sources=[f"S{k}" for k in range(1, 1 + i % 40)]) for i in range(n)],
        decisions=[item(i) for i in range(n)],
        open_questions=[item(i, kind=kinds[i % 4], due="2025-08-28") for i in range(n)],
        quotes=[Quote(f"Speaker {i}", text[:400], "S1") for i in range(20)],
        stories=[Story(i, f"Story {i}: {text[:3000]}", ["S1", "S2"], []) for i in range(n)])


# --------------------------------------------------------------------------- helpers

def pdf_info(path: Path) -> tuple[int, tuple[float, float], str]:
    reader = pypdf.PdfReader(str(path))
    box = reader.pages[0].mediabox
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), (float(box.width), float(box.height)), text


def earlier_brief(output: Path) -> list[Path]:
    """Stand-ins for this morning's files, written as an earlier build would have."""
    folder = output / "2025-08-19"
    paths = [folder / f"white-house-talks.{ext}" for ext in ("html", "pdf", "json")]
    for path in paths:
        atomic_write(path, f"earlier {path.suffix}".encode())
    return paths


def squash(text: str) -> str:
    """PDF text with whitespace removed (extraction splits lines anywhere)."""
    return "".join(text.split())


# --------------------------------------------------------------------------- tests

@pytest.mark.parametrize("paper,size", [("A4", A4), ("Letter", LETTER)])
def test_small_brief_three_files_one_page(tmp_path: Path, paper: str, size: tuple[float, float]) -> None:
    brief = small_brief()
    paths = render_brief(brief, tmp_path, paper=paper)
    base = tmp_path / "2025-08-19"
    assert paths == [base / "white-house-talks.html", base / "white-house-talks.pdf",
                     base / "white-house-talks.json"]
    assert sorted(p.name for p in base.iterdir()) == sorted(p.name for p in paths)  # no temp files left

    pages, (width, height), text = pdf_info(paths[1])
    assert pages == 1
    assert width == pytest.approx(size[0], abs=1) and height == pytest.approx(size[1], abs=1)
    flat = squash(text)
    for expected in ("Ukraine: security guarantees", "Tuesday 19 August 2025", "5 sources",
                     "Bottom line", "Key actors", "Decisions", "Open questions", "Other stories",
                     "Sources", "Due 28 Aug", "Unconfirmed", "Disputed", "[1]", "4 outlets",
                     "The Guardian", "Nato secretary-general"):
        assert squash(expected) in flat, expected
    assert "more in the HTML" not in text  # everything fits

    html = paths[0].read_text(encoding="utf-8")
    for section in ("Bottom line", "Key actors", "Decisions", "Open questions", "Other stories",
                    "Sources", "Everything in this brief, with evidence"):
        assert section in html
    assert "<style>" in html and "<link" not in html  # works alone from disk
    assert "<script" not in html.lower()
    assert "Quoted sentence from S2 supporting the point." in html  # evidence in the HTML
    assert 'href="https://www.theguardian.com/world/2025/aug/19/trump-ukraine"' in html

    data = json.loads(paths[2].read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(brief.to_json()))
    assert brief_from_json(data).title == brief.title


@pytest.mark.parametrize("paper,size", [("A4", A4), ("Letter", LETTER)])
def test_huge_brief_trimmed_to_one_page(tmp_path: Path, paper: str, size: tuple[float, float],
                                       caplog: pytest.LogCaptureFixture) -> None:
    brief = huge_brief()
    started = time.perf_counter()
    with caplog.at_level(logging.INFO, logger="briefing.render"):
        paths = render_brief(brief, tmp_path, paper=paper)
    elapsed = time.perf_counter() - started
    # One tall measuring layout predicts the trim; one real layout confirms it.
    layouts = int(re.search(r"\((\d+) layouts?,", caplog.text)[1])
    assert layouts <= 3, caplog.text
    pages, (width, height), text = pdf_info(paths[1])
    assert pages == 1
    assert (width, height) == pytest.approx(size, abs=1)
    flat = squash(text)
    assert "moreintheHTMLversion" in flat
    for heading in ("Bottom line", "Key actors", "Decisions", "Open questions", "Sources"):
        assert squash(heading) in flat, heading
    assert "Item 0:" in text and "Item 2:" in text  # at least three bullets, the top-ranked ones
    assert "…" in text  # 2,000-word items are cut with an ellipsis
    html = paths[0].read_text(encoding="utf-8")
    assert "Item 149:" in html and "Evidence sentence for item 149." in html  # everything is in the HTML
    assert elapsed < 10, f"huge render took {elapsed:.1f}s"


def test_empty_brief_and_unbreakable_text(tmp_path: Path) -> None:
    """No items at all, or one 5,000-character "word": still one clean page."""
    empty = Brief(topic="empty", title="", date="2025-08-19", generated_at="", sources=[], summary=[],
                  actors=[], decisions=[], open_questions=[], quotes=[])
    html_path, pdf_path, _ = render_brief(empty, tmp_path)
    pages, _, text = pdf_info(pdf_path)
    assert pages == 1 and "No decisions reported." in text and "0 sources" in text

    odd = small_brief(title="T" * 500)
    odd.summary[0].text = "y" * 5000
    odd.sources[0].outlet = None
    odd.sources[0].title = None
    odd.sources[0].url = None
    odd.sources[0].path = "/data/articles/some-article.txt"
    odd.sources[1].outlet = None
    odd.sources[1].url = "https://www.reuters.com/world/x"
    _, pdf_path, _ = render_brief(odd, tmp_path / "odd")
    pages, _, text = pdf_info(pdf_path)
    assert pages == 1 and "y" * 5000 not in squash(text) and "y…" in squash(text)
    assert "some-article.txt" in text  # a source with neither outlet nor title shows its file
    assert "reuters.com" in text  # no outlet: the URL's host stands in


def test_title_and_urls_are_escaped(tmp_path: Path) -> None:
    brief = small_brief(title="<script>alert(1)</script>", url="javascript:alert(1)")
    brief.summary[0].text = 'Bullet with <img src=x onerror="alert(2)"> markup'
    brief.actors[0].name = "<b>Bold</b>"
    brief.decisions[0].actors = ["AT&T <Holdings>"]
    html_path, pdf_path, _ = render_brief(brief, tmp_path)
    html = html_path.read_text(encoding="utf-8")
    assert "AT&amp;T &lt;Holdings&gt;" in html and "&amp;amp;" not in html  # escaped exactly once
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "<b>Bold" not in html
    assert "javascript:" not in html.lower()
    assert pdf_info(pdf_path)[0] == 1


@pytest.mark.parametrize("value,expected", [
    ("https://example.org/a?b=1", "https://example.org/a?b=1"),
    ("http://example.org", "http://example.org"),
    ("javascript:alert(1)", ""), ("JavaScript:alert(1)", ""), ("java\tscript:alert(1)", ""),
    ("data:text/html,<script>", ""), ("file:///etc/passwd", ""), ("//evil.example", ""),
    ("/relative", ""), ("", ""), (None, ""),
])
def test_safe_url(value: object, expected: str) -> None:
    assert safe_url(value) == expected


def _custom_templates(tmp_path: Path, html_extra: str, css_extra: str) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    template = (PROJECT_TEMPLATES / "brief.html.j2").read_text(encoding="utf-8")
    (folder / "brief.html.j2").write_text(template.replace("</header>", html_extra + "</header>", 1),
                                          encoding="utf-8")
    css = (PROJECT_TEMPLATES / "brief.css").read_text(encoding="utf-8")
    (folder / "brief.css").write_text(css_extra + "\n" + css, encoding="utf-8")
    return folder


def test_template_cannot_fetch_local_files_or_network(tmp_path: Path) -> None:
    folder = _custom_templates(
        tmp_path,
        '<img src="file:///etc/passwd"><img src="/dev/urandom"><img src="http://127.0.0.1:9/x.png">'
        '<img src="logo.svg">',
        '@import url("file:///etc/passwd");\n@import url("http://127.0.0.1:9/a.css");')
    # A file inside the template folder is allowed (relative to the template).
    (folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                     '<rect width="10" height="10" fill="red"/></svg>', encoding="utf-8")
    started = time.perf_counter()
    _, pdf_path, _ = render_brief(small_brief(), tmp_path / "out", templates=folder)
    assert time.perf_counter() - started < 5  # no hanging network fetch
    pages, _, text = pdf_info(pdf_path)
    assert pages == 1 and "Bottom line" in text
    first_line = Path("/etc/passwd").read_text().splitlines()[0]
    assert first_line.encode() not in pdf_path.read_bytes()


def test_url_fetcher_refuses_everything_but_data_and_template_files(tmp_path: Path) -> None:
    from briefing.render import make_url_fetcher

    (tmp_path / "ok.css").write_text("p { color: red }", encoding="utf-8")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("secret", encoding="utf-8")
    (tmp_path / "link.css").symlink_to(outside)
    fetcher = make_url_fetcher([tmp_path])
    try:
        assert fetcher.fetch((tmp_path / "ok.css").as_uri()).read() == b"p { color: red }"
        assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
        for url in ("file:///etc/passwd", "file:///dev/urandom", "http://127.0.0.1:9/",
                    "https://example.org/", (tmp_path / "link.css").as_uri(), outside.as_uri(),
                    (tmp_path / ".." / outside.name).as_uri(), f"file://otherhost{tmp_path}/ok.css",
                    "ftp://example.org/x"):
            with pytest.raises(ValueError):
                fetcher.fetch(url)
    finally:
        outside.unlink()


def test_user_template_folder_falls_back_to_project_css(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(PROJECT_TEMPLATES / "brief.html.j2", folder / "brief.html.j2")
    (folder / "brief.html.j2").write_text(
        (folder / "brief.html.j2").read_text(encoding="utf-8").replace("Bottom line", "Key judgements", 1),
        encoding="utf-8")
    html_path, pdf_path, _ = render_brief(small_brief(), tmp_path / "out", templates=folder)
    assert "Key judgements" in pdf_info(pdf_path)[2]
    assert "--accent" in html_path.read_text(encoding="utf-8")  # brief.css came from the project
    with pytest.raises(ConfigError):
        render_brief(small_brief(), tmp_path / "out", templates=tmp_path / "missing")


def test_failed_write_leaves_earlier_brief_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    brief = small_brief()
    paths = earlier_brief(tmp_path)
    before = {p: p.read_bytes() for p in paths}

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OutputError, match="No space left on device") as info:
        render_brief(brief, tmp_path)
    assert str(paths[0]) in info.value.format_message()
    assert {p: p.read_bytes() for p in paths} == before
    assert sorted(p.name for p in paths[0].parent.iterdir()) == sorted(p.name for p in paths)


def test_unwritable_last_file_leaves_all_earlier_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only folder or a full disk while staging the JSON: no file of the brief changes."""
    import tempfile

    brief = small_brief()
    paths = earlier_brief(tmp_path)
    before = {p: p.read_bytes() for p in paths}
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        if str(kwargs.get("prefix", "")).startswith(".white-house-talks.json"):
            raise PermissionError(13, "Permission denied")
        return real_mkstemp(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    with pytest.raises(OutputError, match=r"white-house-talks\.json: cannot write: Permission denied"):
        render_brief(brief, tmp_path)
    assert {p: p.read_bytes() for p in paths} == before
    assert sorted(p.name for p in paths[0].parent.iterdir()) == sorted(p.name for p in paths)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder_is_an_output_error(tmp_path: Path) -> None:
    folder = tmp_path / "2025-08-19"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="cannot write"):
            render_brief(small_brief(), tmp_path)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_atomic_write_cleans_up_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.txt"
    atomic_write(target, b"one")
    assert target.read_bytes() == b"one"
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"

    def fail(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OutputError, match=r"a\.txt: cannot write: Input/output error"):
        atomic_write(target, b"three")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.parametrize("parts", [("..", "x.pdf"), ("/etc", "passwd"), ("a/../../x",), ("",), ()])
def test_safe_output_path_refuses_escapes(tmp_path: Path, parts: tuple[str, ...]) -> None:
    with pytest.raises(OutputError):
        safe_output_path(tmp_path, *parts)


def test_safe_output_path_refuses_symlink_out(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "link").symlink_to(tmp_path)
    assert safe_output_path(tmp_path / "out", "2025-08-19", "t.pdf") == tmp_path / "out" / "2025-08-19" / "t.pdf"
    with pytest.raises(OutputError):
        safe_output_path(tmp_path / "out", "link", "t.pdf")


def test_topic_cannot_escape_output(tmp_path: Path) -> None:
    brief = small_brief()
    brief.topic = "../../evil"
    with pytest.raises(OutputError):
        render_brief(brief, tmp_path / "out")
    assert not (tmp_path / "evil.pdf").exists()


def test_clip() -> None:
    assert clip("short  text", 50) == "short text"
    cut = clip("word " * 100, 42)
    assert cut.endswith("…") and len(cut) <= 43 and "  " not in cut
    assert clip("x" * 500, 40) == "x" * 40 + "…"  # one huge word is cut too


def test_template_without_fit_marks_still_fits(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    template = (PROJECT_TEMPLATES / "brief.html.j2").read_text(encoding="utf-8")
    (folder / "brief.html.j2").write_text(template.replace("data-fit", "data-x"), encoding="utf-8")
    _, pdf_path, _ = render_brief(huge_brief(6), tmp_path / "out", templates=folder)
    pages, _, text = pdf_info(pdf_path)
    assert pages == 1 and "moreintheHTMLversion" in squash(text)


def test_schedule_keeps_three_bullets_and_shrinks() -> None:
    steps = schedule(start_limits(build_view(huge_brief(20))))
    assert steps[0].summary == 5 and steps[-1].summary == 3
    assert all(s.summary >= 3 for s in steps)
    # Actors, decisions and questions are trimmed before the bottom line loses a bullet.
    first_summary_cut = next(s for s in steps if s.summary < 5)
    assert first_summary_cut.actors <= 5 and first_summary_cut.decisions <= 3
    assert len(steps) < 60
