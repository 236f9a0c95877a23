#!/usr/bin/env python3
"""Benchmark the seed build: whole-process wall time and peak memory, then each stage.

    make bench        (or: .venv/bin/python scripts/bench.py)

Prints figures; the targets (whole build < 3 s and < 500 MB, `--help` < 0.3 s) are
compared, not asserted: speed belongs in a benchmark, not in a timed test.
"""
from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATE = "2025-08-19"
BRIEFING = [sys.executable, "-m", "briefing"]


def _child_run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def _stage_times(out: Path) -> list[tuple[str, float]]:
    """Each stage of the build, timed in this process (imports first, as a cold start)."""
    times: list[tuple[str, float]] = []
    t = time.perf_counter()
    import spacy  # noqa: F401  (the import is what is measured)
    import weasyprint  # noqa: F401

    from briefing import compose, extract, render
    from briefing.nlp.corpus import build_corpus
    from briefing.nlp.model import load_model
    from briefing.pipeline import read_inputs
    times.append(("imports (spaCy, WeasyPrint, briefing)", time.perf_counter() - t))
    t = time.perf_counter()
    nlp = load_model()
    times.append(("model load", time.perf_counter() - t))
    articles = read_inputs([SEEDS])
    for a in articles:
        a.anchor = a.published or dt.date.fromisoformat(DATE)
    t = time.perf_counter()
    build_corpus(articles, nlp)
    times.append(("parsing (spaCy)", time.perf_counter() - t))
    t = time.perf_counter()
    extraction = extract.extract(articles)  # parses again: subtract the parsing line for extraction alone
    brief = compose.compose(extraction, topic="seeds", title="Seeds", date=dt.date.fromisoformat(DATE))
    times.append(("parsing + extraction + compose", time.perf_counter() - t))
    t = time.perf_counter()
    html = render.render_html(brief) if hasattr(render, "render_html") else None
    if html is not None:
        times.append(("HTML", time.perf_counter() - t))
    t = time.perf_counter()
    render.render_brief(brief, out)
    times.append(("render HTML + PDF + JSON", time.perf_counter() - t))
    return times


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        help_wall, _ = _child_run([*BRIEFING, "--help"])
        walls = []
        peak = 0.0
        for _ in range(3):
            wall, peak_mb = _child_run([*BRIEFING, "build", "--input", str(SEEDS), "--date", DATE,
                                        "--output", str(out)])
            walls.append(wall)
            peak = max(peak, peak_mb)
        print(f"briefing --help                 {help_wall:6.2f} s   (target < 0.3 s)")
        print(f"briefing build (seeds), best/3  {min(walls):6.2f} s   (target < 3 s)")
        print(f"peak memory of the build        {peak:6.0f} MB  (target < 500 MB)")
        print("stages, in one process:")
        for name, secs in _stage_times(out / "stages"):
            print(f"  {name:32s} {secs:6.2f} s")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    sys.exit(main())
