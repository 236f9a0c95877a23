"""Benchmark: huge input, at full size (too slow for the test suite).

    .venv/bin/python scripts/bench_hostile.py [--articles 5000] [--feeds 25] [--skip-window]

1. An article of 5 MB next to the five seed articles: `briefing build --input`.
2. A window of ``--articles`` articles (default 5,000) served by a local HTTP server behind RSS
   feeds: `briefing collect`, then `briefing build` from the store (which reads the newest
   MAX_BRIEF_ARTICLES of them), then a second build (the rest of the window).

Each step runs the real command line in its own process; the script prints its wall time,
its peak memory (the child's maximum resident set) and what it produced, and checks that
every PDF has exactly one page.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the test suite's local HTTP server and page builders
sys.path.insert(0, str(ROOT / "scripts"))

from bench_collect import publish  # noqa: E402
from helpers_http import LocalServer, write_config  # noqa: E402

SEEDS = ROOT / "seeds"


def run(*args: str) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run `python -m briefing ARGS`; (seconds, peak MB of that process alone, the result)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "briefing", *args], cwd=ROOT, stdout=out, stderr=err,
                                 text=True)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own resource usage
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        proc = subprocess.CompletedProcess(child.args, child.returncode, out.read(), err.read())
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-4000:], sep="\n")
        raise SystemExit(f"`briefing {' '.join(args)}` failed with status {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024, proc  # KiB on Linux


def pdf_pages(stdout: str) -> int:
    from pypdf import PdfReader

    pdf = next(Path(line) for line in stdout.split() if line.endswith(".pdf"))
    return len(PdfReader(str(pdf)).pages)


def huge_article(work: Path) -> None:
    """The seeds and one 5 MB article (real sentences, repeated with numbers)."""
    folder = work / "huge"
    shutil.copytree(SEEDS, folder)
    sentences = [s for p in SEEDS.glob("*.txt") for s in p.read_text(encoding="utf-8").split(". ") if len(s) > 40]
    lines, size, i = ["A very long report", ""], 0, 0
    while size < 5 * 1024 * 1024 - 2000:
        line = f"Paragraph {i}: {sentences[i % len(sentences)].strip()}."
        lines.append(line + "\n")
        size += len(line.encode("utf-8")) + 2
        i += 1
    (folder / "huge.txt").write_text("\n".join(lines), encoding="utf-8")
    print(f"article of {(folder / 'huge.txt').stat().st_size / 2**20:.2f} MB ({i:,} paragraphs)")
    seconds, peak, proc = run("-v", "build", "--input", str(folder), "--date", "2025-08-19",
                              "--output", str(work / "out-huge"))
    cut = [line for line in proc.stderr.splitlines() if "cut from" in line]
    print(f"{'build':<16} {seconds:7.1f} s  peak {peak:6.0f} MB  pages {pdf_pages(proc.stdout)}  "
          f"{cut[0].split(': ', 1)[-1] if cut else ''}")


def big_window(work: Path, count: int, feeds: int) -> None:
    """``count`` articles in one topic's window, collected and built from the store."""
    server = LocalServer()
    try:
        urls = publish(server, count, feeds)
        config = write_config(work / "briefing.yaml", [{"slug": "window", "title": "Big window",
                                                        "sources": [{"feed": u} for u in urls]}],
                              fetch={"allow_networks": ["127.0.0.0/8"], "workers": 8})
        seconds, peak, proc = run("collect", "--config", str(config))
        print(f"{'collect':<16} {seconds:7.1f} s  peak {peak:6.0f} MB  {proc.stdout.strip().splitlines()[-1]}")
        date = dt.datetime.now(dt.timezone.utc).date().isoformat()
        for label in ("build", "build again"):
            seconds, peak, proc = run("-v", "build", "--config", str(config), "--date", date)
            read = next((line.split("extracting from ")[1] for line in proc.stderr.splitlines()
                         if "extracting from" in line), "?")
            print(f"{label:<16} {seconds:7.1f} s  peak {peak:6.0f} MB  pages {pdf_pages(proc.stdout)}  read {read}")
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--feeds", type=int, default=25)
    parser.add_argument("--skip-window", action="store_true", help="only the 5 MB article")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    started = time.perf_counter()
    try:
        huge_article(work)
        if not args.skip_window:
            big_window(work, args.articles, args.feeds)
        print(f"{'total':<16} {time.perf_counter() - started:7.1f} s  on {os.cpu_count()} CPU(s)")
        if args.keep:
            print(f"work folder: {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
