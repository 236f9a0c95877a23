"""Shared fixtures: the real sample brief, built once per test session."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_DATE = "2025-08-19"


def run_briefing(*args: str, cwd: Path | None = None, env: dict | None = None,
                 timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `briefing` command line as a user would (python -m briefing)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "briefing", *args], cwd=cwd or ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory) -> dict:
    """`briefing build --input seeds --date 2025-08-19` into a temp folder, once."""
    out = tmp_path_factory.mktemp("seed-build")
    proc = run_briefing("build", "--input", str(SEEDS), "--date", SEED_DATE, "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    paths = [Path(p) for p in proc.stdout.split()]
    json_path = next(p for p in paths if p.suffix == ".json")
    return {"out": out, "paths": paths, "stdout": proc.stdout, "stderr": proc.stderr,
            "json": json.loads(json_path.read_text()), "json_path": json_path}


@pytest.fixture(scope="session")
def nlp():
    from briefing.nlp.model import load_model

    return load_model()


# Hostile drop-folder files for the end-to-end build, each with its own text (the store keeps
# one copy of a text, so the corpus files, which share theirs, would collapse into one).
HOSTILE_DROP = {
    "script-title.txt": "<script>alert(1)</script> Ministers <b>agree</b> budget\ndate 2025-08-19\n"
                        "source javascript:alert(2)\noutlet <img src=x onerror=alert(3)>\n\n"
                        "Finance ministers agreed on Tuesday to a new framework for national budgets after "
                        "two days of talks in Brussels. <a href=\"javascript:alert(4)\">Read more</a>\n",
    "control-chars.txt": "Unions\x1b[31m reject\x07 the plan\u2028Bcc: evil@example.org\u202e\n\n"
                         "Union leaders said on Wednesday that the budget plan would cut public sector pay "
                         "in real terms.\x0b They announced a day of strikes for next month.\n",
    "page.html": "<html><head><title>Bank <script>alert(5)</script>holds rates</title></head><body>"
                 "<article><h1>Bank holds rates<script>alert(6)</script></h1><p onclick=\"alert(7)\">The "
                 "central bank said on Thursday that the budget framework would not change its interest rate "
                 "path this year.</p><p>Its governor told reporters the decision was unanimous. "
                 "<img src=\"file:///etc/passwd\" onerror=\"alert(8)\"></p></article></body></html>",
    "subject.eml": "From: =?utf-8?q?Desk=0D=0ABcc=3A_x=40evil=2Eexample?= <desk@example.org>\r\n"
                   "Subject: =?utf-8?q?Employers=0D=0ABcc:_evil@example.org?= welcome the deal\r\n"
                   "Content-Type: text/plain; charset=utf-8\r\n\r\nEmployers welcomed the budget framework "
                   "on Friday but asked the government for lower payroll taxes next year.\r\n",
    "binary.txt": "\x00\x01\x02 not an article",
}


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory) -> dict:
    """One real `briefing build` from the store of a drop folder holding the seeds and some
    hostile files (tests/hostile/articles): the project folder, its paths and the build's time.

    Tests that change the folder copy it first (``copy_site``)."""
    import shutil
    import time

    site = tmp_path_factory.mktemp("hostile-site")
    drop = site / "drop"
    drop.mkdir()
    for path in SEEDS.iterdir():
        shutil.copy(path, drop / path.name)
    for name, text in HOSTILE_DROP.items():
        (drop / name).write_text(text, encoding="utf-8")
    old = time.time() - 3600  # settled: not "still being written"
    for path in drop.iterdir():
        os.utime(path, (old, old))
    config = site / "briefing.yaml"
    config.write_text("timezone: UTC\noutput: output\nlock_wait_seconds: 0\ntopics:\n  - slug: talks\n"
                      "    title: Talks\n    sources:\n      - folder: drop\n", encoding="utf-8")
    started = time.monotonic()
    proc = run_briefing("build", "--config", str(config), "--date", SEED_DATE)
    seconds = time.monotonic() - started
    day = site / "output" / SEED_DATE
    return {"site": site, "config": config, "returncode": proc.returncode, "stdout": proc.stdout,
            "stderr": proc.stderr, "seconds": seconds, "html": day / "talks.html", "pdf": day / "talks.pdf",
            "json": day / "talks.json", "db": site / "output" / "briefing.db",
            "articles": len(list(SEEDS.iterdir())) + len(HOSTILE_DROP) - 1}  # binary.txt is skipped


def copy_site(site: Path, target: Path) -> Path:
    """A copy of a built project folder (config, drop folder, output with store and cache)."""
    import shutil

    shutil.copytree(site, target, symlinks=True)
    config = target / "briefing.yaml"
    return config
