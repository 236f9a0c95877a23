"""Reading article files: headers, front matter, HTML, and files that cannot be used."""
import datetime as dt
import logging
import os

from briefing.reader import list_article_files, parse_text, read_file


def test_header_lines_before_blank_line():
    a = parse_text("Markets rally on rate cut\ndate 2024-03-01\nsource https://example.com/a\n"
                   "outlet Example News\n\nShares rose sharply on Friday.")
    assert a.title == "Markets rally on rate cut"
    assert a.published == dt.date(2024, 3, 1)
    assert a.url == "https://example.com/a"
    assert a.outlet == "Example News"
    assert a.text == "Shares rose sharply on Friday."


def test_date_on_the_headline_line():
    a = parse_text(" date 2025-08-19 Minister says budget will balance.\n\nThe minister spoke on Monday.")
    assert a.published == dt.date(2025, 8, 19)
    assert a.title == "Minister says budget will balance."
    assert a.text.startswith("The minister")


def test_headline_without_blank_line_and_no_headline():
    a = parse_text("Minister resigns over scandal\nThe minister resigned on Monday after weeks of pressure.")
    assert a.title == "Minister resigns over scandal"
    assert a.published is None
    b = parse_text("The minister resigned on Monday after weeks of pressure.\nHer deputy takes over.")
    assert b.title == ""
    assert b.text.startswith("The minister resigned")


def test_front_matter():
    a = parse_text("---\ntitle: Court blocks merger\ndate: 2024-02-02\nurl: https://example.org/x\n"
                   "outlet: Law Wire\n---\nThe court blocked the merger on Friday.")
    assert (a.title, a.published, a.url, a.outlet) == ("Court blocks merger", dt.date(2024, 2, 2),
                                                       "https://example.org/x", "Law Wire")
    assert a.text.strip() == "The court blocked the merger on Friday."


def test_html_goes_through_trafilatura(tmp_path):
    page = tmp_path / "page.html"
    body = " ".join(["The central bank raised its main interest rate by half a point on Thursday."] * 6)
    page.write_text(f"<html><head><title>Bank raises rates</title></head><body><nav>Home | News</nav>"
                    f"<article><h1>Bank raises rates</h1><p>{body}</p></article>"
                    f"<script>alert(1)</script></body></html>")
    a = read_file(page)
    assert a is not None
    assert "interest rate" in a.text and "alert" not in a.text and "Home | News" not in a.text


def test_unusable_files_are_skipped_with_one_warning(tmp_path, caplog):
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "good.md").write_text("Budget passes\n\nParliament passed the budget on Tuesday night.")
    (tmp_path / "notes.csv").write_text("a,b")
    outside = tmp_path.parent / "secret.txt"
    outside.write_text("secret text that must not be read")
    os.symlink(outside, tmp_path / "link.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    caplog.set_level(logging.WARNING)
    files = list_article_files(tmp_path)
    assert [f.name for f in files] == ["bin.txt", "empty.txt", "good.md", "pipe.txt"]
    read = [read_file(f) for f in files]
    assert [a.title for a in read if a] == ["Budget passes"]
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 4, warnings
    assert any("link.txt" in w for w in warnings)


def test_windows_1252_text_is_decoded(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("Caf\xe9 owners protest\n\nThe caf\xe9 owners said prices rose.".encode("cp1252"))
    a = read_file(f)
    assert a is not None and "café" in a.text
