"""`briefing build` end to end, run as a user runs it: files, JSON contract, one-page PDF, errors."""
import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, SEED_DATE, SEEDS, run_briefing

SECTIONS = ("Bottom line", "Key actors", "Decisions", "Open questions", "Sources")


def test_writes_exactly_three_files(seed_build):
    out = seed_build["out"]
    day = out / SEED_DATE
    assert sorted(p.name for p in day.iterdir()) == ["seeds.html", "seeds.json", "seeds.pdf"]
    assert [Path(p) for p in seed_build["stdout"].split()] == [day / "seeds.html", day / "seeds.pdf",
                                                              day / "seeds.json"]


def test_json_follows_the_contract(seed_build):
    b = seed_build["json"]
    assert b["schema"] == "briefing/1" and b["topic"] == "seeds" and b["date"] == SEED_DATE
    assert re.match(r"\d{4}-\d\d-\d\dT", b["generated_at"])
    ids = {s["id"] for s in b["sources"]}
    assert ids == {f"S{i}" for i in range(1, 6)}
    for s in b["sources"]:
        assert set(s) >= {"id", "title", "outlet", "url", "path", "published"}
    assert 3 <= len(b["summary"]) <= 5
    for key in ("summary", "decisions", "open_questions"):
        for item in b[key]:
            assert item["text"] and set(item["sources"]) <= ids and item["evidence"]
            for ev in item["evidence"]:
                assert ev["source"] in ids and ev["quote"]
    for q in b["open_questions"]:
        assert q["kind"] in ("unconfirmed", "deadline", "disputed", "unresolved")
        assert q["due"] is None or re.match(r"\d{4}-\d\d-\d\d$", q["due"])
    for a in b["actors"]:
        assert a["kind"] in ("person", "organization", "country", "group")
        assert isinstance(a["aliases"], list) and a["mentions"] >= 1 and set(a["sources"]) <= ids
    for q in b["quotes"]:
        assert set(q) == {"speaker", "text", "source"} and q["source"] in ids


def test_evidence_is_verbatim(seed_build):
    texts = {p.name: " ".join(p.read_text().split()) for p in SEEDS.iterdir()}
    b = seed_build["json"]
    by_id = {s["id"]: Path(s["path"]).name for s in b["sources"]}
    for key in ("summary", "decisions", "open_questions"):
        for item in b[key]:
            for ev in item["evidence"]:
                assert " ".join(ev["quote"].split()) in texts[by_id[ev["source"]]], ev


def test_pdf_is_one_page_with_title_and_sections(seed_build):
    pdf = seed_build["out"] / SEED_DATE / "seeds.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Seeds" in text
    for heading in SECTIONS:
        assert heading in text, heading


def test_html_has_the_sections_and_evidence(seed_build):
    html = (seed_build["out"] / SEED_DATE / "seeds.html").read_text()
    for heading in SECTIONS:
        assert heading in html
    quote = seed_build["json"]["decisions"][0]["evidence"][0]["quote"]
    assert quote.split()[0] in html


def test_same_input_same_json_apart_from_generated_at(seed_build, tmp_path):
    proc = run_briefing("build", "--input", str(SEEDS), "--date", SEED_DATE, "--output", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    again = json.loads((tmp_path / SEED_DATE / "seeds.json").read_text())
    first = dict(seed_build["json"])
    again.pop("generated_at"), first.pop("generated_at")
    assert again == first


def test_default_config_builds_the_configured_topic(tmp_path):
    cfg = tmp_path / "briefing.yaml"
    cfg.write_text(f"output: out\npaper: Letter\ntopics:\n  - slug: sample\n    title: Sample topic\n"
                   f"    sources:\n      - folder: {SEEDS}\n")
    proc = run_briefing("build", "--config", str(cfg), "--date", SEED_DATE, cwd=tmp_path.parent)
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / "out" / SEED_DATE / "sample.pdf"
    page = PdfReader(pdf).pages
    assert len(page) == 1
    assert round(float(page[0].mediabox.width)) == 612  # Letter
    assert json.loads((tmp_path / "out" / SEED_DATE / "sample.json").read_text())["title"] == "Sample topic"


@pytest.mark.parametrize("args, status, message", [
    (["--input", "does-not-exist"], 1, "does-not-exist: no such file or folder"),
    (["--input", "{empty}"], 1, "no .txt, .md or .html articles"),
    (["--input", "{seeds}", "--date", "2025-13-45"], 2, "not a date"),
    (["--config", "{badcfg}"], 1, "unknown key"),
    (["--config", "{nocfg}"], 1, "config file not found"),
])
def test_errors_are_one_line_and_leave_earlier_briefs(tmp_path, args, status, message):
    earlier = tmp_path / "out" / SEED_DATE / "keep.pdf"
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(b"%PDF earlier brief")
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad.yaml").write_text("colour: blue\n")
    subst = {"{empty}": str(tmp_path / "empty"), "{seeds}": str(SEEDS), "{badcfg}": str(tmp_path / "bad.yaml"),
             "{nocfg}": str(tmp_path / "missing.yaml")}
    args = [subst.get(a, a) for a in args]
    proc = run_briefing("build", *args, "--output", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == status, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert message in proc.stderr
    assert len(lines) <= 3 and "Traceback" not in proc.stderr
    assert earlier.read_bytes() == b"%PDF earlier brief"
    assert sorted(p.name for p in earlier.parent.iterdir()) == ["keep.pdf"]


def test_python_m_and_help():
    proc = run_briefing("--help")
    assert proc.returncode == 0 and "build" in proc.stdout
    proc = run_briefing("build", "--help")
    assert "--input" in proc.stdout and "--date" in proc.stdout


def test_rebuild_reuses_the_parse_and_gives_the_same_brief(tmp_path):
    """The second build reads each article's parse from output/.cache and changes nothing."""
    args = ("build", "--input", str(SEEDS), "--date", SEED_DATE, "--output", str(tmp_path))
    first = run_briefing(*args)
    assert first.returncode == 0, first.stderr
    cache = list((tmp_path / ".cache" / "parse").rglob("*.spacy"))
    assert len(cache) == 5
    before = json.loads((tmp_path / SEED_DATE / "seeds.json").read_text())
    second = run_briefing("-v", *args)
    assert second.returncode == 0 and "5 from the cache" in second.stderr, second.stderr
    after = json.loads((tmp_path / SEED_DATE / "seeds.json").read_text())
    before.pop("generated_at"), after.pop("generated_at")
    assert before == after
