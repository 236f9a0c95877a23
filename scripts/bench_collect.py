"""Benchmark: collect and build N articles (default 1,000) served from 127.0.0.1.

    .venv/bin/python scripts/bench_collect.py [--articles 1000] [--feeds 10]

Articles are made from the real sentences in seeds/ (each a different random selection, so
they are distinct articles, not near-duplicates), published as pages behind RSS feeds by a
local HTTP server. Prints the time of the first collect, the first build, a second collect
(nothing new) and a second build (no new articles), the total wall time and the peak memory
(``resource.getrusage``). Targets (issue 4): under 90 s, under 1.5 GB, and the second build a
fraction of the first.
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the test suite's local HTTP server and page builders

from helpers_http import Item, LocalServer, article_page, rss20, seed_articles, write_config  # noqa: E402

OUTLETS = [f"Outlet {chr(65 + i)}" for i in range(20)]


def sentences() -> list[str]:
    """Every sentence of the seed articles."""
    out = []
    for article in seed_articles():
        for paragraph in article.paragraphs:
            out.extend(s.strip() for s in re.split(r"(?<=[.!?”])\s+(?=[A-Z“])", paragraph) if len(s.split()) > 5)
    return out


def publish(server: LocalServer, count: int, feeds: int, seed: int = 42) -> list[str]:
    """Serve ``count`` article pages behind ``feeds`` RSS feeds; return the feed URLs."""
    rng = random.Random(seed)
    pool = sentences()
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    items: list[list[Item]] = [[] for _ in range(feeds)]
    for n in range(count):
        body = rng.sample(pool, k=min(len(pool), rng.randint(12, 20)))
        paragraphs = [" ".join(body[i:i + 3]) for i in range(0, len(body), 3)]
        title = f"{body[0][:70]} ({n})"
        published = now - dt.timedelta(minutes=rng.randint(5, 40 * 60))
        url = server.set(f"/a/{n}", article_page(title, paragraphs, site=OUTLETS[n % len(OUTLETS)],
                                                 published=published))
        items[n % feeds].append(Item(title, url, f"urn:bench:{n}", published, summary=paragraphs[0]))
    return [server.set(f"/feed/{i}.xml", rss20(f"Feed {i}", server.base, its), content_type="application/rss+xml")
            for i, its in enumerate(items)]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="Keep the work folder (briefs and store).")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from briefing.collect import collect
    from briefing.config import load_config
    from briefing.pipeline import build_from_store, today

    server = LocalServer()
    work = Path(tempfile.mkdtemp(prefix="bench-collect-"))
    try:
        feeds = publish(server, args.articles, args.feeds)
        config = load_config(write_config(
            work / "briefing.yaml", [{"slug": "bench", "title": "Benchmark", "sources": [{"feed": f} for f in feeds]}],
            fetch={"allow_networks": ["127.0.0.0/8"], "workers": 8}))
        topic, date = config.topic("bench"), today(config)
        rows = []
        started = time.perf_counter()

        t = time.perf_counter()
        report = collect(config)
        rows.append(("collect", time.perf_counter() - t, f"{report.new} new, {len(report.failed)} failed"))
        t = time.perf_counter()
        paths = build_from_store(config, topic, date, config.output)
        rows.append(("build", time.perf_counter() - t, str(paths[1])))
        first_total = time.perf_counter() - started

        t = time.perf_counter()
        report = collect(config)
        rows.append(("collect again", time.perf_counter() - t, f"{report.new} new"))
        t = time.perf_counter()
        build_from_store(config, topic, date, config.output)
        rows.append(("build again", time.perf_counter() - t, "no new articles"))

        for name, seconds, note in rows:
            print(f"{name:<14} {seconds:7.1f} s   {note}")
        print(f"{'first run':<14} {first_total:7.1f} s   collect + build of {args.articles} articles (target < 90 s)")
        print(f"{'peak memory':<14} {peak_mb():7.0f} MB  (target < 1,536 MB)")
        print(f"second build / first build: {rows[3][1] / rows[1][1]:.0%}")
        if args.keep:
            print(f"work folder: {work}")
    finally:
        server.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
